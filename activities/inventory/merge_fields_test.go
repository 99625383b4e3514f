package inventory

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFieldConflictsSayHowEachWasSettled: where the sources of one merged
// record disagree, the report lists every source's value, the one taken and
// why; fields they agree on, or that one source alone gives, are not listed.
func TestFieldConflictsSayHowEachWasSettled(t *testing.T) {
	device := func(src, serial, desc, site string) Record {
		var r Record
		r.Kind, r.Key = KindDevice, src+"/device/nas1"
		r.Set("name", "nas1")
		r.Set("serial", serial)
		r.Set("description", desc)
		if src == "files" {
			r.Set("comments", "only the files say this")
		}
		r.Ref("site", site)
		return r
	}
	inputs := []MergeInput{
		{Source: "files", Priority: 0, Records: []Record{device("files", "SN-1", "rack 3", "site/home")}},
		{Source: "nas", Priority: 1, Records: []Record{device("nas", "sn-1", "TrueNAS SCALE", "site/lab")}},
	}
	j, err := Join(inputs, MergeOptions{Authority: map[string][]string{"device.description": {"nas"}}})
	require.NoError(t, err)
	require.Equal(t, 1, j.Len())
	got := j.Report().Fields
	byField := map[string]FieldConflict{}
	for _, c := range got {
		assert.Equal(t, "files/device/nas1", c.Key)
		byField[c.Field] = c
	}
	assert.Equal(t, FieldConflict{Kind: KindDevice, Key: "files/device/nas1", Field: "description",
		Values: []SourceValue{{"files", "rack 3"}, {"nas", "TrueNAS SCALE"}}, Chosen: "nas", By: SettledByAuthority}, byField["description"])
	assert.Equal(t, FieldConflict{Kind: KindDevice, Key: "files/device/nas1", Field: "site",
		Values: []SourceValue{{"files", "site/home"}, {"nas", "site/lab"}}, Chosen: "files", By: SettledByOrder}, byField["site"])
	assert.Contains(t, byField, "serial", "SN-1 and sn-1 are written differently")
	assert.NotContains(t, byField, "name", "the same on both")
	assert.NotContains(t, byField, "comments", "one source alone")

	var merged Record
	require.NoError(t, j.Each(func(r *Record) error { merged = *r; return nil }))
	assert.Equal(t, "TrueNAS SCALE", merged.String("description"), "the report says what the record took")
	assert.Equal(t, "site/home", merged.Refs["site"])
}
