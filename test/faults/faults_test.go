package faults

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReportRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "faults.jsonl")
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			assert.NoError(t, Append(path, Row{Fault: strings.Repeat("x", 100+i), Checked: "c", Outcome: Held, Test: "T"}))
		})
	}
	wg.Wait()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	rows, err := Read(f)
	require.NoError(t, err)
	assert.Len(t, rows, 20, "appends from several goroutines stay whole lines")
}

func TestTableCountsWhatDidNotHold(t *testing.T) {
	var b strings.Builder
	broke, err := Table(&b, []Row{
		{Fault: "worker killed", Checked: "NetBox identical", Outcome: Held, Seconds: 12},
		{Fault: "NetBox down", Checked: "run finishes", Outcome: "broke: TestX failed", Seconds: 3},
	})
	require.NoError(t, err)
	assert.Equal(t, 1, broke)
	assert.Contains(t, b.String(), "worker killed")
	assert.Contains(t, b.String(), "broke: TestX failed")
	assert.Contains(t, b.String(), "2 faults, 1 held, 1 not")
}

func TestReadNamesABadLine(t *testing.T) {
	_, err := Read(strings.NewReader(`{"fault":"a","outcome":"held"}` + "\n{oops\n"))
	require.ErrorContains(t, err, "line 2")
}
