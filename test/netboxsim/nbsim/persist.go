package nbsim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ErrNoStateFile is returned by Save and Load when the server has no state file.
var ErrNoStateFile = errors.New("no state file configured")

// savedObject is one object in a state file.
type savedObject struct {
	ID      int64          `json:"id"`
	Created time.Time      `json:"created"`
	Updated time.Time      `json:"last_updated"`
	Fields  map[string]any `json:"fields"`
}

// savedState is the state file's content.
type savedState struct {
	Version int                      `json:"version"`
	NextIDs map[string]int64         `json:"next_ids"`
	Tables  map[string][]savedObject `json:"tables"`
}

// Save writes the state to the state file (atomically, through a temporary file).
func (s *Server) Save() error {
	if s.file == "" {
		return ErrNoStateFile
	}
	s.mu.RLock()
	out := savedState{Version: 1, NextIDs: map[string]int64{}, Tables: map[string][]savedObject{}}
	for ep, t := range s.st.tables {
		out.NextIDs[ep] = t.nextID
		list := make([]savedObject, 0, len(t.objs))
		for _, id := range t.ordered() {
			o := t.objs[id]
			list = append(list, savedObject{ID: o.ID, Created: o.Created, Updated: o.Updated, Fields: o.Fields})
		}
		out.Tables[ep] = list
	}
	body, err := json.Marshal(out)
	s.mu.RUnlock()
	if err != nil {
		return fmt.Errorf("encode state: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.file), ".nbsim-*")
	if err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	_, err = tmp.Write(body)
	err = errors.Join(err, tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), s.file)
	}
	if err != nil {
		return fmt.Errorf("save state: %w", errors.Join(err, os.Remove(tmp.Name())))
	}
	return nil
}

// Load replaces the state with the state file's. A missing file leaves the state empty.
func (s *Server) Load() error {
	if s.file == "" {
		return ErrNoStateFile
	}
	raw, err := os.ReadFile(s.file)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("load state: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var in savedState
	if err := dec.Decode(&in); err != nil {
		return fmt.Errorf("decode state %s: %w", s.file, err)
	}
	st := newState(s.cat, s.now)
	for ep, list := range in.Tables {
		t := st.tables[ep]
		if t == nil {
			return fmt.Errorf("load state: unknown endpoint %q", ep)
		}
		for _, so := range list {
			t.put(&object{ID: so.ID, Created: so.Created, Updated: so.Updated, Fields: restoreFields(t.kind, so.Fields)})
		}
		if n := in.NextIDs[ep]; n > t.nextID {
			t.nextID = n
		}
	}
	s.mu.Lock()
	s.st = st
	s.mu.Unlock()
	return nil
}

// restoreFields gives decoded JSON values back the types the store keeps.
func restoreFields(k *kindSpec, raw map[string]any) map[string]any {
	out := make(map[string]any, len(raw))
	for name, v := range raw {
		switch {
		case v == nil:
			out[name] = nil
		case name == "custom_fields":
			m, _ := normalizeJSON(v).(map[string]any)
			if m == nil {
				m = map[string]any{}
			}
			out[name] = m
		case k.relations[name].Target != "" || isIDField(k, name):
			id, _ := toInt(v)
			out[name] = id
		case name == "tags" || k.m2m[name].Target != "" || isIntList(k, name):
			list, _ := v.([]any)
			ids := make([]int64, 0, len(list))
			for _, x := range list {
				if id, ok := toInt(x); ok {
					ids = append(ids, id)
				}
			}
			out[name] = ids
		default:
			p := k.request.props[name]
			if p != nil && p.Type == "number" {
				f, _ := toFloat(v)
				out[name] = f
				continue
			}
			out[name] = normalizeJSON(v)
		}
	}
	return out
}

func isIDField(k *kindSpec, name string) bool {
	if _, ok := k.relations[name]; ok {
		return true
	}
	p := k.request.props[name]
	return p != nil && p.Type == "integer"
}

func isIntList(k *kindSpec, name string) bool {
	p := k.request.props[name]
	return p != nil && p.Type == "array" && p.Items != nil && p.Items.Type == "integer"
}
