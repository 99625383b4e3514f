package netbox

import (
	"fmt"
	"sort"
	"strings"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/test/netboxsim/nbsim"
)

// state renders what NetBox holds for the agent's kinds as sorted lines,
// references written as the agent_id (or name) of their target, so that
// two NetBoxes that reached the same state by different paths compare
// equal whatever IDs they handed out.
func state(sim *nbsim.Server) []string {
	dump := sim.Dump()
	label := map[string]map[int64]string{} // object type -> id -> label
	for _, s := range specOrder {
		label[s.ObjectType] = map[int64]string{}
		for _, raw := range dump[s.Endpoint] {
			if o, ok := newObject(raw); ok {
				l := o.AgentID
				if l == "" {
					l = "hand:" + o.name()
				}
				label[s.ObjectType][o.ID] = l
			}
		}
	}
	var out []string
	for _, s := range specOrder {
		for _, raw := range dump[s.Endpoint] {
			o, ok := newObject(raw)
			if !ok {
				continue
			}
			parts := []string{string(s.Kind), label[s.ObjectType][o.ID]}
			for i := range s.Fields {
				f := &s.Fields[i]
				v := current(f, raw)
				switch x := v.(type) {
				case int64:
					if f.Type == typeRef {
						for _, t := range f.Targets {
							v = label[specFor(t).ObjectType][x]
						}
					}
				case genericRef:
					v = x.Type + ":" + label[x.Type][x.ID]
				}
				if v != nil {
					parts = append(parts, fmt.Sprintf("%s=%v", f.Name, v))
				}
			}
			parts = append(parts, fmt.Sprintf("tags=%v", tagSlugs(o.Tags)),
				"source="+o.Source, "seen="+o.LastSeen, "orphaned="+o.OrphanedSince)
			out = append(out, strings.Join(parts, " "))
		}
	}
	sort.Strings(out)
	return out
}

// count returns the number of objects of kind k in the emulator.
func count(sim *nbsim.Server, k inventory.Kind) int {
	return sim.Count(specFor(k).Endpoint)
}

// find returns the object of kind k whose field equals value.
func find(sim *nbsim.Server, k inventory.Kind, field string, value any) map[string]any {
	for _, raw := range sim.Dump()[specFor(k).Endpoint] {
		if fmt.Sprint(raw[field]) == fmt.Sprint(value) {
			return raw
		}
	}
	return nil
}

// writes counts the write requests the emulator received.
func writes(sim *nbsim.Server) int {
	st := sim.Stats()
	return st.ByMethod["POST"] + st.ByMethod["PATCH"] + st.ByMethod["PUT"] + st.ByMethod["DELETE"]
}
