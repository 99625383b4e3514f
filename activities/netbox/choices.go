package netbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strings"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"golang.org/x/sync/errgroup"
)

// Which values a choice field takes (an interface's type, a device's
// status) depends on the NetBox release and on the operator's
// FIELD_CHOICES, so the engine asks the connected NetBox, never a list
// compiled in: NetBox answers OPTIONS on a list endpoint with its
// serializer's fields, each writable choice with its choices
// (DRF's SimpleMetadata under netbox/netbox/api/metadata.py):
//
//	{"actions": {"POST": {"type": {"choices": [{"value": "1000base-t", "display_name": "1000BASE-T (1GE)"}, ...]}}}}

// choiceSet holds the values each choice field of one endpoint takes.
type choiceSet map[string]*fieldChoices

// fieldChoices are the values one field takes, in NetBox's order.
type fieldChoices struct {
	values []string
	set    map[string]bool
}

func newFieldChoices(values ...string) *fieldChoices {
	fc := &fieldChoices{set: make(map[string]bool, len(values))}
	for _, v := range values {
		fc.add(v)
	}
	return fc
}

func (fc *fieldChoices) add(v string) {
	if !fc.set[v] {
		fc.set[v] = true
		fc.values = append(fc.values, v)
	}
}

// takes reports whether field takes value; known is false when NetBox did
// not list the field's choices, and the value is then not checked here.
func (cs choiceSet) takes(field, value string) (ok, known bool) {
	fc, known := cs[field]
	if !known {
		return true, false
	}
	return fc.set[value], true
}

// maxSuggestions bounds the choices an error names.
const maxSuggestions = 6

// near lists the choices closest to value: those sharing most of its
// leading words ("10gbase" for "10gbase-cu"), else the first in NetBox's
// order.
func (fc *fieldChoices) near(value string) []string {
	best, out := 0, []string(nil)
	for _, c := range fc.values {
		n := commonWords(c, value)
		switch {
		case n == 0 || n < best:
			continue
		case n > best:
			best, out = n, nil
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		out = fc.values
	}
	if len(out) > maxSuggestions {
		out = append(out[:maxSuggestions:maxSuggestions], "...")
	}
	return out
}

// commonWords counts the leading words, split at "-", a and b share.
func commonWords(a, b string) int {
	wa, wb := strings.Split(a, "-"), strings.Split(b, "-")
	n := 0
	for n < len(wa) && n < len(wb) && wa[n] == wb[n] {
		n++
	}
	return n
}

// optionsAnswer is the part of an OPTIONS answer the engine reads.
type optionsAnswer struct {
	Actions struct {
		POST map[string]struct {
			Choices []struct {
				Value any `json:"value"`
			} `json:"choices"`
		} `json:"POST"`
	} `json:"actions"`
}

// choices reads the choice fields of endpoint from NetBox's OPTIONS
// answer. It returns nil when NetBox does not say: a token that may not
// add objects gets no POST in the answer, and a NetBox that answers OPTIONS
// with 4xx has nothing to tell; NetBox's own 400 then names a bad value.
func (c *Client) choices(ctx context.Context, endpoint string) (choiceSet, error) {
	data, err := c.read(ctx, http.MethodOptions, endpoint+"/", nil)
	var ae *APIError
	switch {
	case errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500 && ae.Status != http.StatusUnauthorized && ae.Status != http.StatusTooManyRequests:
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read the choices of %s: %w", endpoint, err)
	}
	return parseChoices(endpoint, data)
}

// parseChoices reads the choice fields of endpoint from its OPTIONS
// answer; nil when the answer names no POST fields.
func parseChoices(endpoint string, data []byte) (choiceSet, error) {
	var ans optionsAnswer
	if err := json.Unmarshal(data, &ans); err != nil {
		return nil, &AnswerError{Endpoint: endpoint, Problem: "OPTIONS answer is not NetBox's metadata", Value: quote(string(data))}
	}
	if len(ans.Actions.POST) == 0 {
		return nil, nil
	}
	out := choiceSet{}
	for name, f := range ans.Actions.POST {
		if f.Choices == nil {
			continue
		}
		fc := newFieldChoices()
		for _, ch := range f.Choices {
			switch v := ch.Value.(type) {
			case string:
				fc.add(v)
			case float64, bool:
				fc.add(fmt.Sprint(v)) // integer and boolean choices, as text
			}
		}
		out[name] = fc
	}
	return out, nil
}

// readChoices reads the choices of the endpoints of kinds that records or
// settings give a choice value to, one OPTIONS request each.
func (c *Client) readChoices(ctx context.Context, recs []record, settings []ChoiceSetting) (map[string]choiceSet, error) {
	want := map[inventory.Kind]bool{}
	for _, s := range settings {
		want[s.Kind] = true
	}
	for i := range recs {
		r := &recs[i]
		if want[r.Kind] {
			continue
		}
		if s := specFor(r.Kind); s != nil && s.hasChoiceValue(r) {
			want[r.Kind] = true
		}
	}
	// The endpoints' answers are asked for at once: each is a round trip,
	// and the plan waits for all of them.
	var endpoints []string
	for _, s := range specOrder {
		if want[s.Kind] {
			endpoints = append(endpoints, s.Endpoint)
		}
	}
	sets := make([]choiceSet, len(endpoints))
	g, gctx := errgroup.WithContext(ctx)
	for i, endpoint := range endpoints {
		g.Go(func() error {
			cs, err := c.choices(gctx, endpoint)
			sets[i] = cs
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out := map[string]choiceSet{}
	for i, cs := range sets {
		if cs != nil {
			out[endpoints[i]] = cs
		}
	}
	return out, nil
}

// hasChoiceValue reports whether r gives one of the kind's choice fields a value.
func (s *kindSpec) hasChoiceValue(r *record) bool {
	for i := range s.Fields {
		if f := &s.Fields[i]; f.Type == typeChoice {
			if _, ok := r.Attr(f.attr()); ok {
				return true
			}
		}
	}
	return false
}

// ChoiceSetting is a setting whose value must be one of the connected
// NetBox's choices for a field of a kind, such as an interface type a
// source's settings map names to. Config validation checks only its shape;
// Plan checks it against what NetBox takes.
type ChoiceSetting struct {
	// Setting names the setting the way an operator finds it in the config:
	// `source "nas1" interface_types["enp*"]`.
	Setting string         `json:"setting"`
	Kind    inventory.Kind `json:"kind"`
	Field   string         `json:"field"`
	Value   string         `json:"value"`
}

// checkSettings reports every setting whose value NetBox does not take.
func checkSettings(settings []ChoiceSetting, choices map[string]choiceSet, v Version) error {
	var errs []error
	for _, st := range settings {
		s := specFor(st.Kind)
		if s == nil {
			continue
		}
		if ok, known := choices[s.Endpoint].takes(st.Field, st.Value); known && !ok {
			errs = append(errs, &SettingError{Setting: st.Setting, Value: st.Value,
				Problem: notAChoice(s, st.Field, st.Value, v, choices[s.Endpoint][st.Field])})
		}
	}
	return errors.Join(errs...)
}

// notAChoice says that value is not one NetBox takes for field, with the
// closest of those it does take.
func notAChoice(s *kindSpec, field, value string, v Version, fc *fieldChoices) string {
	rel := "this NetBox"
	if !v.IsZero() {
		rel = "NetBox " + v.String()
	}
	return fmt.Sprintf("is not a %s %s takes (OPTIONS /api/%s/ lists %d, such as %s)",
		field, rel, s.Endpoint, len(fc.values), strings.Join(fc.near(value), ", "))
}

// requestCheck checks a body against the kind's go-netbox request model.
// go-netbox v4.3.0's enums know only NetBox 4.3's choices, so each choice
// field's value is replaced by one they know (the field's Probe) for the
// check: the value itself was checked against the connected NetBox's
// choices when the plan was made. It returns the problem, or "".
func (s *kindSpec) requestCheck(check func([]byte) error, body map[string]any) string {
	var probe map[string]any
	for i := range s.Fields {
		f := &s.Fields[i]
		v, ok := body[f.Name]
		if f.Type != typeChoice || !ok || v == nil || f.Probe == "" {
			continue
		}
		if probe == nil {
			probe = maps.Clone(body)
		}
		probe[f.Name] = f.Probe
	}
	if probe == nil {
		probe = body
	}
	if err := checkEach([]map[string]any{probe}, check); err != nil {
		return err.Error()
	}
	return ""
}
