package inventory

import (
	"slices"
	"strings"
)

// Gap is a part of what a source describes that one discovery could not
// see completely: the records of Kinds under the record keyed Under (that
// record itself too, when its own kind is listed), or of the whole source
// when Under is empty. A node that is offline leaves its guests' interfaces,
// disks and addresses in gaps; a guest agent that does not answer, the
// guest's addresses; a call that failed, a whole kind.
//
// What NetBox holds inside a gap is unknown, not gone. Sources record gaps
// in their snapshots; the merge carries them by source to the plan, which
// leaves what NetBox holds in a gap as it is: no update, no orphan mark,
// no delete.
type Gap struct {
	Under string `json:"under,omitempty"`
	Kinds []Kind `json:"kinds"`
	// Why says, for a person, what was not seen ("node pve2 offline").
	Why string `json:"why"`
}

// Covers reports whether a record or object of kind with key lies in the
// gap: its kind is one of the gap's, and its key is Under or extends it, as
// a part's key extends its parent's.
func (g Gap) Covers(kind Kind, key string) bool {
	if !slices.Contains(g.Kinds, kind) {
		return false
	}
	return g.Under == "" || key == g.Under || strings.HasPrefix(key, g.Under+"/")
}

// Parts lists the kinds that are parts of a record of kind k, directly or
// through other parts, in write order: those whose Parent reference may
// point to k or to one of its parts (a virtual machine's interfaces and
// disks, their MAC and IP addresses, its services).
func Parts(k Kind) []Kind {
	in := map[Kind]bool{k: true}
	var out []Kind
	for _, kind := range Kinds() {
		d := kind.Decl()
		if d.Parent == "" || in[kind] {
			continue
		}
		f := d.Field(d.Parent)
		if f == nil {
			continue
		}
		for _, t := range f.Targets {
			if in[t] {
				in[kind] = true
				out = append(out, kind)
				break
			}
		}
	}
	return out
}

// WithParts is k and Parts(k): everything a record of kind k holds.
func WithParts(k Kind) []Kind { return append([]Kind{k}, Parts(k)...) }
