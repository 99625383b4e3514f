package netbox

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// requireSameRead checks that listReader reads data to what readPage with
// the kind's read gives: the same objects, or the same error.
func requireSameRead(t *testing.T, s *kindSpec, data []byte) {
	t.Helper()
	want, wantErr := readPage(s.Endpoint, data, s.read)
	got, gotErr := newListReader(s).page(data)
	if wantErr != nil {
		require.Error(t, gotErr, "%s", data)
		assert.Equal(t, wantErr.Error(), gotErr.Error(), "%s", data)
		return
	}
	require.NoError(t, gotErr, "%s", data)
	assert.Equal(t, want, got, "%s", data)
}

// listCases are pages the fast reader must read as readPage does: shapes
// NetBox writes, and every shape it reads otherwise or refuses.
var listCases = []string{
	`{"count":1,"next":null,"results":[` + fullInterface + `]}`,
	`{"count":2,"next":"http://nb/api/dcim/interfaces/?offset=2","previous":null,"results":[{"id":1,"name":"a"},{"id":2,"name":"b","tags":[]}]}`,
	`null`,
	`{}`,
	`{"results":null}`,
	`{"COUNT":3,"Results":[{"id":3}]}`,
	`{"count":1,"results":[null]}`,
	`{"count":1,"results":[5]}`,
	`{"count":1.5,"results":[]}`,
	`{"count":"1","results":[]}`,
	`{"count":1,"next":5,"results":[]}`,
	`[]`,
	`{"count":1,"results":[{"id":1}]} x`,
	`{"count":1,"results":[{"id":1}]`,
	`{"count":1,"results":[{"id":"x","name":"bad id"}]}`,
	`{"count":1,"results":[{"name":"no id"}]}`,
	`{"count":1,"results":[{"id":{"id":4},"name":"nested id"}]}`,
	`{"count":1,"results":[{"id":0}]}`,
	`{"count":2,"results":[{"id":1,"mtu":"big"},{"id":2,"mtu":"bigger"}]}`,
	`{"count":2,"results":[{"id":1,"mtu":"big"},null]}`,
	`{"count":2,"results":[{"id":1,"mtu":"big"},7]}`,
	`{"count":1,"results":[{"id":1,"tags":"netbox-agent"}]}`,
	`{"count":1,"results":[{"id":1,"tags":[1,{"name":5,"slug":"s"},{"slug":"agent-orphan","name":"Orphan","color":"f"}]}]}`,
	`{"count":1,"results":[{"id":1,"tags":[1]}]}`,
	`{"count":1,"results":[{"id":1,"custom_fields":[]}]}`,
	`{"count":1,"results":[{"id":1,"custom_fields":{"agent_id":"k","a":null,"b":"","c":[],"d":{"value":"x","label":"X"},"e":[{"id":3}],"agent_id":"k2","b":"set"}}]}`,
	`{"count":1,"results":[{"id":1,"custom_fields":null,"tags":null,"device":null}]}`,
	`{"count":1,"results":[{"id":1,"device":{"url":"u","name":"no id"}}]}`,
	`{"count":1,"results":[{"id":1,"type":{"value":{"v":1},"label":"odd"}}]}`,
	`{"count":1,"results":[{"id":1,"type":{"value":"1000base-t"}}]}`,
	`{"count":1,"results":[{"id":1,"type":{"value":"1000base-t","label":"1G","id":9}}]}`,
	`{"count":1,"results":[{"id":1,"type":{"label":"1G"}}]}`,
	`{"count":1,"results":[{"id":1,"device":{"id":7,"device":{"id":8,"url":"u"}}}]}`,
	`{"count":1,"results":[{"id":1,"device":{"id":null}}]}`,
	`{"count":1,"results":[{"id":1,"device":[{"id":7},{"id":8}]}]}`,
	`{"count":1,"results":[{"id":1,"device":{"value":"x","label":"X"}}]}`,
	`{"count":1,"results":[{"id":1,"device":{"id":"7"}},{"id":2,"device":{"id":{"id":7}}}]}`,
	`{"count":1,"results":[{"id":1,"device":{"id":7,"value":{"a":1},"label":"L"}}]}`,
	`{"count":1,"results":[{"id":1,"type":{"value":"","label":"none"},"status":{"value":null,"label":"none"}}]}`,
	`{"count":1,"results":[{"id":1,"type":{"id":9},"status":{"id":9,"value":"active","label":"Active"}}]}`,
	`{"count":1,"results":[{"id":1,"type":{"value":"1000base-t","value":{"v":1},"label":"1G"}}]}`,
	`{"count":1,"results":[{"id":1,"assigned_object_type":"dcim.interface","assigned_object":{"id":3,"url":"u","device":{"id":4,"url":"u","name":"d"}}}]}`,
	`{"count":1,"results":[{"id":1,"assigned_object_type":"virtualization.vminterface","assigned_object":{"id":3,"virtual_machine":{"id":5,"device":{"id":6}},"device":null}}]}`,
	`{"count":1,"results":[{"id":1,"assigned_object":{"id":3,"device":{"name":"no id"}}},{"id":2,"assigned_object":{"value":"v","label":"l"}}]}`,
	`{"count":1,"results":[{"id":1,"assigned_object_type":{"value":"dcim.interface","label":"Interface"}}]}`,
	`{"count":1,"results":[{"id":1,"name":"first","name":"","mtu":1500,"mtu":null}]}`,
	`{"count":1,"results":[{"id":1,"n\u0061me":"esc\u00e9aped \"x\"","description":"tab\there"}]}`,
	"{\"count\":1,\"results\":[{\"id\":1,\"name\":\"bad \xff utf8\",\"display\":\"ok é\"}]}",
	"{\"count\":1,\"results\":[{\"id\":1,\"name\":\"raw \x01 control\"}]}",
	`{"count":1,"results":[{"id":1,"name":"bad \q escape"}]}`,
	`{"count":1,"results":[{"id":1,"name":"short \u12"}]}`,
	`{"count":1,"results":[{"id":1,"url":1e400}]}`,
	`{"count":1,"previous":1e400,"results":[{"id":1}]}`,
	`{"count":1,"results":[{"id":1,"mtu":-0,"speed":1.5e3,"x":01}]}`,
	`{"count":1,"results":[{"id":1,"mtu":-0}]}`,
	`{"count":1,"results":[{"id":1e0,"mtu":12345678901234567890}]}`,
	`{"count":1,"results":[{"id":1,"enabled":tru}]}`,
	`{"count":1,"results":[{"id":1,"enabled":true,"mgmt_only":false,"x":[1,{"a":[null]}]}]}`,
	`{"count":1,"results":[{"id":1,"x":[1,]}]}`,
	`{"count":1,"results":[{"id":1,,"x":1}]}`,
	`{"count":1,"results":[{"id":1 "x":1}]}`,
	`  {"count" : 1 , "results" : [ { "id" : 1 , "name" : "spaced" } ] }  `,
}

func TestListReaderReadsAsReadPage(t *testing.T) {
	for _, s := range []*kindSpec{specs[inventory.KindInterface], specs[inventory.KindMACAddress], specs[inventory.KindDevice]} {
		for i, c := range listCases {
			t.Run(fmt.Sprintf("%s/%d", s.Kind, i), func(t *testing.T) { requireSameRead(t, s, []byte(c)) })
		}
	}
}

// TestListReaderReadsTheEmulator reads every kind's list as the emulator
// renders it after a sync, both ways.
func TestListReaderReadsTheEmulator(t *testing.T) {
	_, c := newSim(t, DefaultConfig())
	syncOnce(t, c, PlanRequest{Records: labInventory("lab", 2, 2), Sources: ok("lab"), Now: day0})
	for _, s := range specOrder {
		data, err := c.get(context.Background(), s.Endpoint+"/", url.Values{"limit": {"1000"}})
		require.NoError(t, err)
		requireSameRead(t, s, data)
		pg, err := newListReader(s).page(data)
		require.NoError(t, err)
		for _, o := range pg.Results {
			assert.NotContains(t, o, "url", "%s: dropped", s.Kind)
		}
	}
}

// TestListReaderInternsRepeatedValues checks that the objects of a list
// share the text they repeat.
func TestListReaderInternsRepeatedValues(t *testing.T) {
	obj := `{"id":%d,"type":{"value":"1000base-t","label":"1G"},"tags":[{"name":"netbox-agent","slug":"netbox-agent"}],"custom_fields":{"agent_source":"lab"}}`
	data := fmt.Sprintf(`{"count":2,"results":[`+obj+`,`+obj+`]}`, 1, 2)
	pg, err := newListReader(specs[inventory.KindInterface]).page([]byte(data))
	require.NoError(t, err)
	require.Len(t, pg.Results, 2)
	a, b := pg.Results[0], pg.Results[1]
	assert.Same(t, unsafeStringData(a["type"].(string)), unsafeStringData(b["type"].(string)))
	assert.Same(t, unsafeStringData(a["tags"].([]tagRef)[0].Slug), unsafeStringData(b["tags"].([]tagRef)[0].Slug))
	cfA, cfB := a["custom_fields"].(map[string]any), b["custom_fields"].(map[string]any)
	assert.Same(t, unsafeStringData(cfA["agent_source"].(string)), unsafeStringData(cfB["agent_source"].(string)))
}

// unsafeStringData is where the bytes of s are: the same for two strings
// that share them.
func unsafeStringData(s string) *byte { return unsafe.StringData(s) }

// FuzzListReader checks that any text is read by listReader as readPage
// reads it.
func FuzzListReader(f *testing.F) {
	for _, c := range listCases {
		f.Add([]byte(c))
	}
	kinds := []*kindSpec{specs[inventory.KindInterface], specs[inventory.KindMACAddress], specs[inventory.KindVirtualMachine]}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, s := range kinds {
			requireSameRead(t, s, data)
		}
	})
}

// BenchmarkReadList reads a page of 1,000 interfaces as NetBox renders
// them, whole then trimmed (readPage) and trimmed as read (listReader).
func BenchmarkReadList(b *testing.B) {
	objs := make([]string, 1000)
	for i := range objs {
		objs[i] = strings.Replace(fullInterface, `"id": 41,`, fmt.Sprintf(`"id": %d,`, i+1), 1)
	}
	data := []byte(`{"count":1000,"next":null,"results":[` + strings.Join(objs, ",") + `]}`)
	s := specs[inventory.KindInterface]
	b.Run("readPage", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := readPage(s.Endpoint, data, s.read); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("listReader", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := newListReader(s).page(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}
