package blob

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPipeKeepsTheBytes writes and reads texts around the chunk size
// through asyncWriter and aheadReader, in writes and reads of odd sizes.
func TestPipeKeepsTheBytes(t *testing.T) {
	for _, n := range []int{0, 1, pipeChunk - 1, pipeChunk, pipeChunk + 1, 5*pipeChunk + 17} {
		text := make([]byte, n)
		rng := rand.New(rand.NewPCG(uint64(n), 1))
		for i := range text {
			text[i] = byte(rng.IntN(256))
		}
		var out bytes.Buffer
		w := newAsyncWriter(&out)
		for rest := text; len(rest) > 0; {
			k := min(len(rest), 1+rng.IntN(3*pipeChunk/2))
			m, err := w.Write(rest[:k])
			require.NoError(t, err)
			require.Equal(t, k, m)
			rest = rest[k:]
		}
		require.NoError(t, w.Close())
		require.True(t, bytes.Equal(text, out.Bytes()), "written, %d bytes", n)

		r := newAheadReader(iotest.OneByteReader(bytes.NewReader(text)))
		got, err := io.ReadAll(iotest.HalfReader(r))
		r.Close()
		require.NoError(t, err)
		assert.Equal(t, len(text), len(got))
		assert.True(t, bytes.Equal(text, got), "read, %d bytes", n)
	}
}

// failingWriter takes limit bytes, then fails.
type failingWriter struct{ limit int }

var errFull = errors.New("disk full")

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) > f.limit {
		return 0, errFull
	}
	f.limit -= len(p)
	return len(p), nil
}

// TestAsyncWriterReportsTheFirstError checks that a failing destination
// fails the writes after it and Close.
func TestAsyncWriterReportsTheFirstError(t *testing.T) {
	w := newAsyncWriter(&failingWriter{limit: pipeChunk})
	var err error
	for i := 0; i < 10*pipeDepth && err == nil; i++ {
		_, err = w.Write(make([]byte, pipeChunk))
	}
	require.ErrorIs(t, w.Close(), errFull)
	require.ErrorIs(t, err, errFull, "a write after the failure")
}

// TestAheadReaderStopsEarly closes a reader that has read little of a long
// source, and reads one whose source fails: neither blocks, and the
// failure is what Read returns after the text before it.
func TestAheadReaderStopsEarly(t *testing.T) {
	r := newAheadReader(bytes.NewReader(make([]byte, 20*pipeChunk)))
	buf := make([]byte, 10)
	_, err := r.Read(buf)
	require.NoError(t, err)
	r.Close()

	r = newAheadReader(io.MultiReader(bytes.NewReader([]byte("abc")), iotest.ErrReader(errFull)))
	got, err := io.ReadAll(r)
	r.Close()
	assert.Equal(t, "abc", string(got))
	assert.ErrorIs(t, err, errFull)
}
