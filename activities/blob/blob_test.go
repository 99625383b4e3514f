package blob

import (
	"context"
	"errors"
	"fmt"
	"github.com/stretchr/testify/assert"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

type doc struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

func TestStoreRoundTrip(t *testing.T) {
	for _, tc := range []struct{ name, url string }{
		{"mem", "mem://"},
		{"file relative", "file://blobs"},
		{"file absolute", "file://" + t.TempDir()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s, err := Open(ctx, tc.url, t.TempDir())
			require.NoError(t, err)
			defer func() { require.NoError(t, s.Close()) }()
			require.NoError(t, s.Check(ctx))

			n, err := s.PutJSON(ctx, "runs/wf-1/inventory.json", doc{Name: "pve1", Count: 3})
			require.NoError(t, err)
			require.Positive(t, n)

			var got doc
			require.NoError(t, s.GetJSON(ctx, "runs/wf-1/inventory.json", &got))
			require.Equal(t, doc{Name: "pve1", Count: 3}, got)

			ok, err := s.Exists(ctx, "runs/wf-1/inventory.json")
			require.NoError(t, err)
			require.True(t, ok)

			err = s.GetJSON(ctx, "runs/wf-1/missing.json", &got)
			require.True(t, errors.Is(err, ErrNotFound), "got %v", err)

			require.NoError(t, s.Delete(ctx, "runs/wf-1/inventory.json"))
			require.NoError(t, s.Delete(ctx, "runs/wf-1/inventory.json"))
		})
	}
}

func TestInvalidRefs(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, "mem://", "")
	require.NoError(t, err)
	for _, ref := range []string{"", "/abs", "a/../b"} {
		t.Run(ref, func(t *testing.T) {
			_, err := s.PutJSON(ctx, ref, doc{})
			require.ErrorContains(t, err, "invalid blob reference")
		})
	}
}

func TestConcurrentWritesKeepTheirOwnContent(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, "file://"+t.TempDir(), "")
	require.NoError(t, err)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			ref := fmt.Sprintf("runs/r/batches/%04d.json", i)
			_, err := s.PutJSON(ctx, ref, doc{Name: ref, Count: i})
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	for i := range 16 {
		ref := fmt.Sprintf("runs/r/batches/%04d.json", i)
		var got doc
		require.NoError(t, s.GetJSON(ctx, ref, &got))
		require.Equal(t, doc{Name: ref, Count: i}, got)
	}
}

func TestEachJSON(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, "mem://", "")
	require.NoError(t, err)
	want := []doc{{Name: "a", Count: 1}, {Name: "b", Count: 2}, {Name: "c", Count: 3}}
	_, err = s.PutJSON(ctx, "list.json", want)
	require.NoError(t, err)
	_, err = s.PutJSON(ctx, "null.json", []doc(nil))
	require.NoError(t, err)
	_, err = s.PutJSON(ctx, "object.json", doc{Name: "x"})
	require.NoError(t, err)

	var got []doc
	require.NoError(t, EachJSON(ctx, s, "list.json", func(d *doc) error { got = append(got, *d); return nil }))
	require.Equal(t, want, got)

	n := 0
	require.NoError(t, EachJSON(ctx, s, "null.json", func(*doc) error { n++; return nil }))
	require.Zero(t, n)

	require.ErrorContains(t, EachJSON(ctx, s, "object.json", func(*doc) error { return nil }), "want a JSON array")
	require.ErrorIs(t, EachJSON(ctx, s, "missing.json", func(*doc) error { return nil }), ErrNotFound)

	stop := errors.New("stop")
	require.ErrorIs(t, EachJSON(ctx, s, "list.json", func(*doc) error { return stop }), stop)
}
