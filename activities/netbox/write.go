package netbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// write sends items in one bulk request and returns how many NetBox took.
// A 400 (and a 409 on a delete: the object is protected) is split: NetBox
// names the bad items of a refused list (itemErrors), so those are
// reported and the rest sent again; when the answer does not say which
// item is bad, the list is halved until it does. Any other error is returned for the caller to retry or fail on;
// what was written before it stays written, and a retried batch finds it.
func (a *applier) write(ctx context.Context, method string, items []item) (int, error) {
	if len(items) == 0 {
		return 0, nil
	}
	bodies := make([]map[string]any, len(items))
	for i, it := range items {
		bodies[i] = it.body
	}
	answer, err := a.c.sendList(ctx, method, a.s.Endpoint+"/", bodies, a.note)
	if err == nil {
		a.learn(method, items, answer)
		if method != http.MethodDelete {
			a.wroteItems(method, items, answer)
		}
		return len(items), nil
	}
	var ae *APIError
	if !errors.As(err, &ae) {
		return 0, err
	}
	switch {
	case ae.Status == http.StatusNotFound && method == http.MethodDelete:
		// Someone deleted one of them in the meantime: delete one by one,
		// where a 404 means done.
		if len(items) == 1 {
			return 1, nil
		}
		return a.writeHalves(ctx, method, items)
	case ae.Status == http.StatusConflict && method == http.MethodDelete:
		// Protected by objects that point to it: refused like a 400, per object.
	case ae.Status != http.StatusBadRequest:
		return 0, err
	}
	if perItem, ok := itemErrors(ae.Body, items); ok {
		var good []item
		for i, it := range items {
			if perItem[i] != nil {
				a.refused(it, "", perItem[i]...)
			} else {
				good = append(good, it)
			}
		}
		if len(good) < len(items) {
			return a.write(ctx, method, good)
		}
	}
	if len(items) == 1 {
		a.refused(items[0], ae.Body)
		return 0, nil
	}
	return a.writeHalves(ctx, method, items)
}

func (a *applier) writeHalves(ctx context.Context, method string, items []item) (int, error) {
	mid := len(items) / 2
	n1, err := a.write(ctx, method, items[:mid])
	if err != nil {
		return n1, err
	}
	n2, err := a.write(ctx, method, items[mid:])
	return n1 + n2, err
}

// reasonRefused is the reason of a problem NetBox answered with 400.
const reasonRefused = "refused by NetBox"

// refused reports an item NetBox refused, with its messages.
func (a *applier) refused(it item, body string, msgs ...string) {
	if len(msgs) == 0 {
		msgs = errorMessages(body)
	}
	a.res.Failed++
	a.problem(it.op, it.id, reasonRefused, msgs...)
}

// itemErrors reads the answer to a refused bulk request as one list of
// messages per item, nil for the good ones; ok is false when the answer
// does not say which items are bad. NetBox up to 4.6 answers a list with
// one error object per item, {} for the good ones; 4.7 answers
// {"detail": ..., "errors": [{"index": 2, "errors": {...}}, {"id": 7, "errors": {...}}]},
// naming the bad items only, by position or by object ID
// (netbox/netbox/api/viewsets/mixins.py get_invalid_entries_response).
func itemErrors(body string, items []item) ([][]string, bool) {
	var list []map[string]any
	if err := json.Unmarshal([]byte(body), &list); err == nil {
		if len(list) != len(items) {
			return nil, false
		}
		out := make([][]string, len(items))
		for i, m := range list {
			if len(m) > 0 {
				out[i] = fieldMessages(m)
			}
		}
		return out, true
	}
	var named struct {
		Errors []struct {
			Index  *int           `json:"index"`
			ID     *int64         `json:"id"`
			Errors map[string]any `json:"errors"`
		} `json:"errors"`
	}
	if err := json.Unmarshal([]byte(body), &named); err != nil || len(named.Errors) == 0 {
		return nil, false
	}
	out := make([][]string, len(items))
	for _, e := range named.Errors {
		i := -1
		switch {
		case e.Index != nil && *e.Index >= 0 && *e.Index < len(items):
			i = *e.Index
		case e.ID != nil:
			i = itemWithID(items, *e.ID)
		}
		if i < 0 {
			return nil, false
		}
		out[i] = append(out[i], fieldMessages(e.Errors)...)
		if out[i] == nil {
			out[i] = []string{"refused"}
		}
	}
	return out, true
}

// itemWithID is the position of the item for object id, or -1.
func itemWithID(items []item, id int64) int {
	for i, it := range items {
		if it.id == id {
			return i
		}
	}
	return -1
}

// nonFieldKeys are the keys under which NetBox files errors that concern
// no field: Django's and DRF's.
var nonFieldKeys = map[string]bool{"__all__": true, "non_field_errors": true}

// fieldMessages renders one object's errors as "field: message" lines,
// the errors of no field as bare messages.
func fieldMessages(m map[string]any) []string {
	var out []string
	for _, k := range sortedKeys(m) {
		if nonFieldKeys[k] {
			out = append(out, flatten("", m[k])...)
		} else {
			out = append(out, flatten(k, m[k])...)
		}
	}
	return out
}

// errorMessages turns a NetBox error answer into "field: message" lines.
func errorMessages(body string) []string {
	var v any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		s := strings.TrimSpace(body)
		if len(s) > 300 {
			s = s[:300] + "..."
		}
		return []string{s}
	}
	return flatten("", v)
}

func flatten(prefix string, v any) []string {
	join := func(k string) string {
		if prefix == "" {
			return k
		}
		return prefix + "." + k
	}
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var out []string
		for _, k := range keys {
			out = append(out, flatten(join(k), x[k])...)
		}
		return out
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, flatten(prefix, e)...)
		}
		return out
	case nil:
		return nil
	}
	if prefix == "" {
		return []string{fmt.Sprint(v)}
	}
	return []string{fmt.Sprintf("%s: %v", prefix, v)}
}

// learn keeps the IDs NetBox gave the objects of a bulk create, and forgets
// those of deleted objects, for the plan's later batches. An answer that
// does not decode teaches nothing: later batches then look up by agent_id.
func (a *applier) learn(method string, items []item, answer []byte) {
	switch method {
	case http.MethodPost:
		for key, id := range createdIDs(answer) {
			a.c.ids.put(a.b.Plan, Ref{Kind: a.s.Kind, Key: key}, id)
		}
	case http.MethodDelete:
		for _, it := range items {
			a.c.ids.drop(a.b.Plan, Ref{Kind: a.s.Kind, Key: it.op.Key})
		}
	}
}

// createdIDs reads the answer of a bulk create: the ID NetBox gave each
// object, by its agent_id. An answer that does not decode gives none, and
// an object without a usable ID is left out, to be looked up by agent_id.
func createdIDs(answer []byte) map[string]int64 {
	var created []struct {
		ID           int64          `json:"id"`
		CustomFields map[string]any `json:"custom_fields"`
	}
	if json.Unmarshal(answer, &created) != nil {
		return nil
	}
	out := map[string]int64{}
	for _, o := range created {
		if key, ok := o.CustomFields[CFAgentID].(string); ok && key != "" && o.ID > 0 {
			out[key] = o.ID
		}
	}
	return out
}
