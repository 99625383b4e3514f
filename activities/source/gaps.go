package source

import (
	"slices"
	"sort"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// A source says only what it could not read; the kit turns that into the
// snapshot's gaps (inventory.Gap). The plan keeps in NetBox what a source
// did not see instead of orphaning it.

// PartsUnseen records that the parts of the record of kind with key were
// not read (a guest of an offline node: its interfaces, disks and
// addresses); the record itself was.
func (b *Builder) PartsUnseen(kind inventory.Kind, key, why string) {
	b.gap(inventory.Gap{Under: key, Kinds: inventory.Parts(kind), Why: why})
}

// RecordUnseen records that the record of kind with key, and everything
// that is part of it, could not be read (an entry that did not decode).
func (b *Builder) RecordUnseen(kind inventory.Kind, key, why string) {
	b.gap(inventory.Gap{Under: key, Kinds: inventory.WithParts(kind), Why: why})
}

// Unseen records that the records of kinds under the record with key were
// not read (a guest whose agent did not answer: its IP addresses).
func (b *Builder) Unseen(key, why string, kinds ...inventory.Kind) {
	b.gap(inventory.Gap{Under: key, Kinds: kinds, Why: why})
}

// KindsUnseen records that the source could not read its records of kinds
// at all (a call that lists them failed).
func (b *Builder) KindsUnseen(why string, kinds ...inventory.Kind) {
	b.gap(inventory.Gap{Kinds: kinds, Why: why})
}

func (b *Builder) gap(g inventory.Gap) {
	if len(g.Kinds) == 0 {
		return
	}
	g.Kinds = slices.Clone(g.Kinds)
	sort.Slice(g.Kinds, func(i, j int) bool { return g.Kinds[i].Order() < g.Kinds[j].Order() })
	b.gaps = append(b.gaps, g)
}

// sortGaps orders gaps by what they cover, so that a snapshot is stable.
func sortGaps(gaps []inventory.Gap) {
	sort.SliceStable(gaps, func(i, j int) bool {
		if gaps[i].Under != gaps[j].Under {
			return gaps[i].Under < gaps[j].Under
		}
		return gaps[i].Why < gaps[j].Why
	})
}
