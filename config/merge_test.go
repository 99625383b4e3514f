package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

const twoSources = `sources:
  - {name: files, type: filesystem, path: inventory}
  - {name: nas, type: truenas, url: "https://nas.example", api_key_file: key}
`

func TestMergeSectionLoaded(t *testing.T) {
	path := writeFile(t, t.TempDir(), "netbox-agent.yaml", twoSources+`merge:
  authority:
    serial: [nas, files]
    device.name: [files]
  mac_overlap: 0.75
  same:
    - [files/device/nas1, truenas/nas/system]
  apart:
    - [files/device/a, files/device/b]
`)
	c, err := Load(path, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, inventory.MergeOptions{
		Authority:  map[string][]string{"serial": {"nas", "files"}, "device.name": {"files"}},
		MACOverlap: 0.75,
		Same:       [][]string{{"files/device/nas1", "truenas/nas/system"}},
		Apart:      [][]string{{"files/device/a", "files/device/b"}},
	}, c.Merge.MergeOptions())
}

func TestMergeSectionValidated(t *testing.T) {
	for _, tc := range []struct {
		name, merge, want string
	}{
		{"unknown source", "authority: {serial: [nas, pve]}", `merge.authority.serial[1]: unknown source "pve" (configured: files, nas)`},
		{"unknown field", "authority: {colour: [nas]}", `merge.authority.colour: no kind has a field "colour"`},
		{"unknown kind", "authority: {router.serial: [nas]}", `merge.authority.router.serial: unknown kind "router"`},
		{"field not of the kind", "authority: {site.serial: [nas]}", `merge.authority.site.serial: site has no field "serial"`},
		{"no source", "authority: {serial: []}", "merge.authority.serial: must name at least one source"},
		{"overlap above one", "mac_overlap: 1.5", "merge.mac_overlap: must be above 0 and at most 1, got 1.5"},
		{"no overlap", "mac_overlap: 0", "merge.mac_overlap: must be above 0 and at most 1, got 0"},
		{"a pin of one key", "same: [[files/device/a]]", "merge.same[0]: must list at least two record keys, got 1"},
		{"an empty key", `apart: [[files/device/a, ""]]`, "merge.apart[0][1]: must not be empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "netbox-agent.yaml", twoSources+"merge:\n  "+tc.merge+"\n")
			_, err := Load(path, nil, nil)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}
