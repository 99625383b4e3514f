package blob

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/netbox-agent/netbox-agent/activities/jsonscan"
)

// arrayReader reads the elements of a JSON array from a stream, each as
// its text: json.Decoder scans an element twice before its decoding
// starts (to find its end, then to decode it), which for a 100,000-record
// inventory is as much work as decoding it. A scalar element is
// validated as it is read; an object or an array is found by its brackets
// and strings alone and left whole to its decoder, which validates it
// (decodeElement), so that its text is scanned once with care.
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
		if err := a.literal("null"); err != nil {
			return nil, err
		}
		return nil, a.end()
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
		return nil, a.end()
	case c == ',':
		a.off++
		return a.element(nil)
	}
	return nil, jsonscan.ErrSyntax
}

// element reads one element's text: an object or an array once its
// closing bracket is read, a scalar once the scanner has passed over it
// with a byte to spare (a number may go on) or the stream ended.
func (a *arrayReader) element(err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	for {
		c, err := a.peek()
		if err != nil {
			return nil, err
		}
		if c == '{' || c == '[' {
			if n := containerEnd(a.buf[a.off:]); n > 0 {
				el := a.buf[a.off : a.off+n]
				a.off += n
				return el, nil
			}
		} else {
			sc := jsonscan.New(a.buf[a.off:])
			err := sc.Skip()
			if n := sc.Pos(); err == nil && (n < len(a.buf)-a.off || a.eof) {
				el := a.buf[a.off : a.off+n]
				a.off += n
				return el, nil
			}
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

// end checks that nothing but white space follows the document.
func (a *arrayReader) end() error {
	if _, err := a.peek(); err != nil {
		return err
	}
	if a.off < len(a.buf) {
		return jsonscan.ErrSyntax
	}
	return nil
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

// containerEnd is the length of the object or array b starts with, found
// by its brackets outside strings, or 0 when b ends before it does. It
// validates nothing else: what it delimits goes whole to a decoder.
func containerEnd(b []byte) int {
	depth := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			end := stringEnd(b[i+1:])
			if end < 0 {
				return 0
			}
			i += end + 1 // the closing quote
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth == 0 {
				return i + 1
			}
		}
	}
	return 0
}

// stringEnd is the offset in b of the quote that ends the string whose
// content b starts with, or -1 when b ends first: the first quote not
// escaped by an odd run of backslashes.
func stringEnd(b []byte) int {
	for from := 0; ; {
		q := bytes.IndexByte(b[from:], '"')
		if q < 0 {
			return -1
		}
		q += from
		slashes := 0
		for j := q - 1; j >= 0 && b[j] == '\\'; j-- {
			slashes++
		}
		if slashes%2 == 0 {
			return q
		}
		from = q + 1
	}
}
