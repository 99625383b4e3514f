package inventory

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestJoinMakesMergesRecords checks that Join's records, made one at a
// time, are Merge's, in its order, and its report too.
func TestJoinMakesMergesRecords(t *testing.T) {
	paths, err := filepath.Glob("testdata/merge/*.json")
	require.NoError(t, err)
	cases := map[string]mergeCase{"bench": {Inputs: benchInputs(2000)}}
	for _, p := range paths {
		if !strings.HasSuffix(p, ".golden.json") {
			cases[filepath.Base(p)] = loadMergeCase(t, p)
		}
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			want, err := Merge(c.Inputs, c.Options)
			require.NoError(t, err)
			j, err := Join(c.Inputs, c.Options)
			require.NoError(t, err)
			var got []Record
			require.NoError(t, j.Each(func(r *Record) error {
				got = append(got, *r)
				return nil
			}))
			assert.Equal(t, len(want.Records), j.Len())
			assert.Equal(t, want.Records, got)
			assert.Equal(t, want.Matches, j.Matches())
			assert.Equal(t, want.Conflicts, j.Conflicts())
			assert.Equal(t, want.Skipped, j.Skipped())
		})
	}
}

func TestJoinEachStopsAtAnError(t *testing.T) {
	j, err := Join(benchInputs(100), MergeOptions{})
	require.NoError(t, err)
	stop := errors.New("stop")
	n := 0
	err = j.Each(func(*Record) error {
		n++
		return stop
	})
	assert.ErrorIs(t, err, stop)
	assert.Equal(t, 1, n)
}
