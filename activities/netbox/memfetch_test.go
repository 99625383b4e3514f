package netbox

import (
	"context"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// memFetcher serves lists from objects in memory with the filters the
// planner uses, so that planner tests and benchmarks need no HTTP.
type memFetcher struct {
	objs  map[inventory.Kind][]map[string]any
	calls atomic.Int64 // the planner reads the next kind's list while it plans one
}

func (m *memFetcher) list(_ context.Context, s *kindSpec, q url.Values) ([]map[string]any, error) {
	m.calls.Add(1)
	var out []map[string]any
	for _, raw := range m.objs[s.Kind] {
		if memMatch(raw, q) {
			out = append(out, raw)
		}
	}
	return out, nil
}

// memMatch applies NetBox's semantics for the filters the engine sends:
// repeated values OR, parameters AND.
func memMatch(raw map[string]any, q url.Values) bool {
	for param, values := range q {
		if param == "limit" || param == "offset" {
			continue
		}
		var have []string
		switch {
		case param == "tag":
			o, _ := newObject(raw)
			for _, t := range o.Tags {
				have = append(have, t.Slug)
			}
		case param == "id":
			have = []string{fmt.Sprint(raw["id"])}
		case strings.HasPrefix(param, "cf_"):
			cf, _ := raw["custom_fields"].(map[string]any)
			have = []string{fmt.Sprint(cf[strings.TrimPrefix(param, "cf_")])}
		case param == "address":
			p, err := netip.ParsePrefix(fmt.Sprint(raw["address"]))
			if err == nil {
				have = []string{p.Addr().String()}
			}
			for i, v := range values {
				if p, err := netip.ParsePrefix(v); err == nil {
					values[i] = p.Addr().String()
				}
			}
		case param == "mac_address":
			m, _ := inventory.NormalizeMAC(fmt.Sprint(raw["mac_address"]))
			have = []string{m}
		case param == "device_id" || param == "virtual_machine_id":
			field := strings.TrimSuffix(param, "_id")
			if id, ok := refID(raw[field]); ok && id != nil {
				have = []string{fmt.Sprint(id)}
			}
			if t, _ := raw["parent_object_type"].(string); t != "" && strings.HasSuffix(strings.ReplaceAll(t, "virtualmachine", "virtual_machine"), field) {
				have = []string{fmt.Sprint(raw["parent_object_id"])}
			}
		default:
			have = []string{fmt.Sprint(raw[param])}
		}
		if !anyIn(have, values) {
			return false
		}
	}
	return true
}

func anyIn(have, want []string) bool {
	for _, h := range have {
		for _, w := range want {
			if h == w {
				return true
			}
		}
	}
	return false
}

// fixedTime replaces NetBox's timestamps so that plans made from a dump
// are the same on every run.
const fixedTime = "2025-03-01T05:00:00.000000Z"

// netboxAfter syncs recs into an emulator and returns what it holds, with
// fixed timestamps, as a memFetcher.
func netboxAfter(t testing.TB, recs []inventory.Record, now ...PlanRequest) *memFetcher {
	t.Helper()
	sim, c := newSim(t, testConfig())
	_, res := syncOnce(t, c, PlanRequest{Records: recs, Sources: ok(sourcesOf(recs)...), Now: day0})
	require.Empty(t, totals(res).Problems)
	for _, req := range now {
		_, res := syncOnce(t, c, req)
		require.Empty(t, totals(res).Problems)
	}
	m := &memFetcher{objs: map[inventory.Kind][]map[string]any{}}
	dump := sim.Dump()
	for _, s := range specOrder {
		for _, raw := range dump[s.Endpoint] {
			raw["last_updated"] = fixedTime
			raw["created"] = fixedTime
			m.objs[s.Kind] = append(m.objs[s.Kind], raw)
		}
	}
	return m
}

func sourcesOf(recs []inventory.Record) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range recs {
		if !seen[r.Source] {
			seen[r.Source] = true
			out = append(out, r.Source)
		}
	}
	return out
}
