package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// floorTag is the agent's ownership tag, which the floor's objects carry too.
const floorTag = "netbox-agent"

// floorLoader writes records into NetBox and remembers the IDs NetBox
// gave them.
type floorLoader struct {
	url, auth string
	client    *http.Client
	today     string
	ids       map[string]int64
	kinds     map[string]inventory.Kind
	// batch is the number of objects per bulk request.
	batch int
	// created counts the objects created, requests the requests sent.
	created, requests int
}

func newFloorLoader(url, token string) *floorLoader {
	return &floorLoader{
		url: strings.TrimRight(url, "/"), auth: authorization(token),
		client: &http.Client{Timeout: 10 * time.Minute},
		today:  time.Now().UTC().Format(time.DateOnly), batch: floorBatch,
		ids: map[string]int64{}, kinds: map[string]inventory.Kind{},
	}
}

// schema creates the agent's tag and custom fields, as a first sync's
// prepare step does, so that NetBox validates and stores the same custom
// fields on every object.
func (l *floorLoader) schema(ctx context.Context) error {
	tag := []map[string]any{{"name": floorTag, "slug": floorTag, "color": "2196f3", "description": "Managed by netbox-agent"}}
	if _, err := l.send(ctx, http.MethodPost, "extras/tags", tag); err != nil {
		return fmt.Errorf("floor: create tag: %w", err)
	}
	var types []string
	for _, k := range floorKinds() {
		types = append(types, k.objectType)
	}
	cf := func(name, typ string, exact, unique bool) map[string]any {
		body := map[string]any{"name": name, "type": typ, "object_types": types}
		if exact {
			body["filter_logic"] = "exact"
		}
		if unique {
			body["unique"] = true
		}
		return body
	}
	fields := []map[string]any{
		cf("agent_id", "text", true, true), cf("agent_source", "text", true, false),
		cf("agent_last_seen", "date", false, false), cf("agent_orphaned_since", "date", false, false),
	}
	if _, err := l.send(ctx, http.MethodPost, "extras/custom-fields", fields); err != nil {
		return fmt.Errorf("floor: create custom fields: %w", err)
	}
	return nil
}

// create writes the records of one kind, floorBatch at a time, and keeps
// the IDs of the answers.
func (l *floorLoader) create(ctx context.Context, k floorKind, recs []*inventory.Record) error {
	for chunk := range slices.Chunk(recs, l.batch) {
		bodies := make([]map[string]any, len(chunk))
		for i, r := range chunk {
			b, err := l.body(k, r)
			if err != nil {
				return err
			}
			bodies[i] = b
		}
		answer, err := l.send(ctx, http.MethodPost, k.endpoint, bodies)
		if err != nil {
			return err
		}
		var created []struct {
			ID int64 `json:"id"`
		}
		if err := json.Unmarshal(answer, &created); err != nil {
			return fmt.Errorf("decode answer: %w", err)
		}
		if len(created) != len(chunk) {
			return fmt.Errorf("%d objects sent, %d in the answer", len(chunk), len(created))
		}
		for i, c := range created {
			l.ids[chunk[i].Key] = c.ID
		}
		l.created += len(created)
	}
	return nil
}

// send sends a JSON body to an API endpoint and returns the answer.
func (l *floorLoader) send(ctx context.Context, method, endpoint string, body any) ([]byte, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encode %s %s: %w", method, endpoint, err)
	}
	req, err := http.NewRequestWithContext(ctx, method, l.url+"/api/"+endpoint+"/", bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, endpoint, err)
	}
	req.Header.Set("Authorization", l.auth)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	l.requests++
	resp, err := l.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, endpoint, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: read answer: %w", method, endpoint, err)
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s %s: %s: %.500s", method, endpoint, resp.Status, answer)
	}
	return answer, nil
}
