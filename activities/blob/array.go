package blob

import (
	"errors"
	"fmt"
	"io"

	"github.com/netbox-agent/netbox-agent/activities/jsonscan"
)

// arrayReader reads the elements of a JSON array from a stream, each as
// its text, in one validating pass: json.Decoder scans an element twice
// before its decoding starts (to find its end, then to decode it), which
// for a 100,000-record inventory is as much work as decoding it.
type arrayReader struct {
	r       io.Reader
	buf     []byte // buf[off:] is read and not yet used
	off     int
	eof     bool
	started bool
	done    bool
}

// readChunk is how much an arrayReader reads at a time.
const readChunk = 64 << 10

func newArrayReader(r io.Reader) *arrayReader {
	return &arrayReader{r: r, buf: make([]byte, 0, readChunk)}
}

// fill reads more of the stream, keeping what is unused.
func (a *arrayReader) fill() error {
	n := copy(a.buf, a.buf[a.off:])
	a.buf, a.off = a.buf[:n], 0
	if cap(a.buf)-n < readChunk/2 {
		grown := make([]byte, n, 2*cap(a.buf))
		copy(grown, a.buf)
		a.buf = grown
	}
	m, err := a.r.Read(a.buf[n:cap(a.buf)])
	a.buf = a.buf[:n+m]
	switch {
	case errors.Is(err, io.EOF):
		a.eof = true
	case err != nil:
		return err
	}
	return nil
}

// peek returns the next byte after white space, or 0 at the end.
func (a *arrayReader) peek() (byte, error) {
	for {
		for a.off < len(a.buf) {
			switch c := a.buf[a.off]; c {
			case ' ', '\t', '\n', '\r':
				a.off++
			default:
				return c, nil
			}
		}
		if a.eof {
			return 0, nil
		}
		if err := a.fill(); err != nil {
			return 0, err
		}
	}
}

// next returns the text of the next element, valid until the next call,
// or nil after the last. A null document is an empty array.
func (a *arrayReader) next() ([]byte, error) {
	if a.done {
		return nil, nil
	}
	c, err := a.peek()
	if err != nil {
		return nil, err
	}
	switch {
	case !a.started && c == 'n':
		a.done = true
		return nil, a.literal("null")
	case !a.started && c != '[':
		return nil, fmt.Errorf("want a JSON array, got %q", string(c))
	case !a.started:
		a.started = true
		a.off++
		if c, err = a.peek(); err != nil || c != ']' {
			return a.element(err)
		}
		fallthrough
	case c == ']':
		a.off++
		a.done = true
		return nil, nil
	case c == ',':
		a.off++
		return a.element(nil)
	}
	return nil, jsonscan.ErrSyntax
}

// element reads one element's text: complete once the scanner has passed
// over it with a byte to spare (a number may go on) or the stream ended.
func (a *arrayReader) element(err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	for {
		sc := jsonscan.New(a.buf[a.off:])
		err := sc.Skip()
		if n := sc.Pos(); err == nil && (n < len(a.buf)-a.off || a.eof) {
			el := a.buf[a.off : a.off+n]
			a.off += n
			return el, nil
		}
		if a.eof {
			return nil, jsonscan.ErrSyntax
		}
		// Read on until the element's text has doubled, so that a long
		// element is scanned again only a few times.
		for want := 2*(len(a.buf)-a.off) + 1; len(a.buf)-a.off < want && !a.eof; {
			if err := a.fill(); err != nil {
				return nil, err
			}
		}
	}
}

// literal reads word.
func (a *arrayReader) literal(word string) error {
	for len(a.buf)-a.off < len(word) && !a.eof {
		if err := a.fill(); err != nil {
			return err
		}
	}
	if len(a.buf)-a.off < len(word) || string(a.buf[a.off:a.off+len(word)]) != word {
		return jsonscan.ErrSyntax
	}
	a.off += len(word)
	return nil
}
