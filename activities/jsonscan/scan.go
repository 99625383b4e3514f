// Package jsonscan reads JSON documents held in memory, validating all of
// them as encoding/json does, while letting the caller pass over the
// values it does not want without decoding them.
package jsonscan

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math/bits"
	"strconv"
	"unicode/utf8"
)

// Scanner reads one JSON document held in memory, validating all of it as
// encoding/json does, but lets its caller pass over the values it does not
// want without decoding them. encoding/json decodes a NetBox list into
// maps whole, nested sites, URLs and all, to have most of it dropped at
// once: at 100,000 objects that is most of a re-sync's CPU time.
//
// Values it decodes (Value) come out as encoding/json gives them into an
// any: map[string]any, []any, string, float64 (json.Number with
// UseNumber), bool and nil.
type Scanner struct {
	data     []byte
	pos      int
	depth    int
	keyStart int // offset of the key Object last read
	// UseNumber decodes numbers as json.Number, as json.Decoder.UseNumber.
	UseNumber bool
}

// New returns a scanner of data.
func New(data []byte) *Scanner { return &Scanner{data: data} }

// Pos is the offset in the document of the next byte to read.
func (s *Scanner) Pos() int { return s.pos }

// KeyStart is the offset of the opening quote of the key that Object
// passed to its member function last.
func (s *Scanner) KeyStart() int { return s.keyStart }

// Since returns the document's bytes from offset start to where the
// scanner is: the text of a value read from start.
func (s *Scanner) Since(start int) []byte { return s.data[start:s.pos] }

// ErrSyntax is any JSON the scanner does not take; the caller reports the
// document, not the place.
var ErrSyntax = errors.New("invalid JSON")

// maxDepth is encoding/json's limit of nesting.
const maxDepth = 10000

// Peek returns the next byte after white space, or 0 at the end.
func (s *Scanner) Peek() byte {
	for s.pos < len(s.data) {
		switch c := s.data[s.pos]; c {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return c
		}
	}
	return 0
}

func (s *Scanner) expect(c byte) error {
	if s.Peek() != c {
		return ErrSyntax
	}
	s.pos++
	return nil
}

// End checks that nothing but white space follows the document.
func (s *Scanner) End() error {
	if s.Peek() != 0 || s.pos != len(s.data) {
		return ErrSyntax
	}
	return nil
}

// Skip validates and passes over one value. Its numbers must fit a
// float64, as encoding/json requires of every number it decodes into an
// any (SkipValue).
func (s *Scanner) Skip() error { return s.SkipValue(true) }

// SkipValue passes over one value; ranged says whether its numbers must
// fit a float64 (not for the values encoding/json passes over unread: the
// unknown keys of a struct).
func (s *Scanner) SkipValue(ranged bool) error {
	switch s.Peek() {
	case '{':
		return s.Object(func([]byte) error { return s.SkipValue(ranged) })
	case '[':
		return s.Array(func() error { return s.SkipValue(ranged) })
	case '"':
		_, _, err := s.StringSpan()
		return err
	case 't':
		return s.Literal("true")
	case 'f':
		return s.Literal("false")
	case 'n':
		return s.Literal("null")
	}
	text, err := s.NumberSpan()
	if err == nil && ranged && mayOverflow(text) {
		_, err = parseFloat(text)
	}
	return err
}

// mayOverflow reports whether a number is one a float64 might not hold:
// one with an exponent, or of hundreds of digits.
func mayOverflow(text []byte) bool {
	return len(text) > 300 || bytes.ContainsAny(text, "eE")
}

// Literal reads the literal word (true, false, null).
func (s *Scanner) Literal(word string) error {
	if !bytes.HasPrefix(s.data[s.pos:], []byte(word)) {
		return ErrSyntax
	}
	s.pos += len(word)
	return nil
}

// Object reads an object, calling member with each key (unescaped); member
// reads the value.
func (s *Scanner) Object(member func(key []byte) error) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	if s.depth++; s.depth > maxDepth {
		return ErrSyntax
	}
	defer func() { s.depth-- }()
	if s.Peek() == '}' {
		s.pos++
		return nil
	}
	for {
		if s.Peek() != '"' {
			return ErrSyntax
		}
		s.keyStart = s.pos
		key, err := s.key()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := member(key); err != nil {
			return err
		}
		switch s.Peek() {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return nil
		default:
			return ErrSyntax
		}
	}
}

// key reads an object key: its bytes in the document when it needs no
// unescaping, which is every key NetBox writes.
func (s *Scanner) key() ([]byte, error) {
	start := s.pos
	content, plain, err := s.StringSpan()
	if err != nil || plain {
		return content, err
	}
	var k string
	if err := json.Unmarshal(s.data[start:s.pos], &k); err != nil {
		return nil, ErrSyntax
	}
	return []byte(k), nil
}

// Array reads an array, calling elem to read each element.
func (s *Scanner) Array(elem func() error) error {
	if err := s.expect('['); err != nil {
		return err
	}
	if s.depth++; s.depth > maxDepth {
		return ErrSyntax
	}
	defer func() { s.depth-- }()
	if s.Peek() == ']' {
		s.pos++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		switch s.Peek() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return nil
		default:
			return ErrSyntax
		}
	}
}

// StringSpan passes over a string and returns its content between the
// quotes; plain is true when that content is the string itself: no
// escapes, and valid UTF-8 (encoding/json replaces invalid bytes).
func (s *Scanner) StringSpan() (content []byte, plain bool, err error) {
	if s.Peek() != '"' {
		return nil, false, ErrSyntax
	}
	s.pos++
	start := s.pos
	plain, ascii := true, true
	for s.pos < len(s.data) {
		// Most of a string is ASCII text that needs no escape: passed over
		// eight bytes a step while there are eight, then by the table.
		for s.pos+8 <= len(s.data) {
			if m := special(binary.LittleEndian.Uint64(s.data[s.pos:])); m != 0 {
				s.pos += bits.TrailingZeros64(m) >> 3 // the first byte to look at
				break
			}
			s.pos += 8
		}
		for s.pos < len(s.data) && plainText[s.data[s.pos]] {
			s.pos++
		}
		if s.pos == len(s.data) {
			break
		}
		c := s.data[s.pos]
		switch {
		case c == '"':
			content = s.data[start:s.pos]
			s.pos++
			return content, plain && (ascii || utf8.Valid(content)), nil
		case c == '\\':
			plain = false
			if err := s.escape(); err != nil {
				return nil, false, err
			}
			continue
		case c < 0x20:
			return nil, false, ErrSyntax
		case c >= utf8.RuneSelf:
			ascii = false
		}
		s.pos++
	}
	return nil, false, ErrSyntax
}

// plainText holds the bytes StringSpan passes over without a look:
// printable ASCII other than the quote and the backslash.
var plainText = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// special flags (by its high bit) each byte of the eight of w, read
// little-endian, that plainText does not hold: a control byte, a quote, a
// backslash or a byte of a multi-byte character. Above the first byte it
// flags it may flag plain ones too (the borrow of a subtraction runs up),
// never below: the lowest flag is the first byte to look at, and a word it
// flags none of is plain text.
func special(w uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	control := (w - 0x20*ones) & ^w
	quote := w ^ '"'*ones
	backslash := w ^ '\\'*ones
	return (control | (quote-ones)&^quote | (backslash-ones)&^backslash | w) & highs
}

// escape passes over one escape sequence in a string.
func (s *Scanner) escape() error {
	if s.pos+1 >= len(s.data) {
		return ErrSyntax
	}
	switch s.data[s.pos+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.pos += 2
		return nil
	case 'u':
		if s.pos+6 > len(s.data) {
			return ErrSyntax
		}
		for _, h := range s.data[s.pos+2 : s.pos+6] {
			if !isHex(h) {
				return ErrSyntax
			}
		}
		s.pos += 6
		return nil
	}
	return ErrSyntax
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// Str reads a string value.
func (s *Scanner) Str() (string, error) {
	s.Peek()
	start := s.pos
	content, plain, err := s.StringSpan()
	if err != nil {
		return "", err
	}
	if plain {
		return string(content), nil
	}
	var out string
	if err := json.Unmarshal(s.data[start:s.pos], &out); err != nil {
		return "", ErrSyntax
	}
	return out, nil
}

// NumberSpan passes over a number as JSON writes it and returns its text.
func (s *Scanner) NumberSpan() ([]byte, error) {
	s.Peek()
	start, d := s.pos, s.data
	i := s.pos
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && '1' <= d[i] && d[i] <= '9':
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	default:
		return nil, ErrSyntax
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) || !isDigit(d[i]) {
			return nil, ErrSyntax
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || !isDigit(d[i]) {
			return nil, ErrSyntax
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	s.pos = i
	return d[start:i], nil
}

// Number reads a number as encoding/json does into an any: a float64.
func (s *Scanner) Number() (float64, error) {
	text, err := s.NumberSpan()
	if err != nil {
		return 0, err
	}
	if n, ok := smallInt(text); ok {
		return n, nil
	}
	return parseFloat(text)
}

func parseFloat(text []byte) (float64, error) {
	f, err := strconv.ParseFloat(string(text), 64)
	if err != nil {
		return 0, ErrSyntax // out of range: encoding/json refuses it too
	}
	return f, nil
}

// smallInt reads an integer of up to 15 digits, which a float64 holds
// exactly, without strconv's allocation of the text.
func smallInt(text []byte) (float64, bool) {
	neg := len(text) > 0 && text[0] == '-'
	digits := text
	if neg {
		digits = text[1:]
	}
	if len(digits) == 0 || len(digits) > 15 {
		return 0, false
	}
	var n int64
	for _, c := range digits {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		if n == 0 {
			return 0, false // -0 is a float64 of its own
		}
		n = -n
	}
	return float64(n), true
}

// Value decodes one value whole.
func (s *Scanner) Value() (any, error) {
	switch s.Peek() {
	case '{':
		m := map[string]any{}
		err := s.Object(func(key []byte) error {
			v, err := s.Value()
			m[string(key)] = v
			return err
		})
		return m, err
	case '[':
		out := []any{}
		err := s.Array(func() error {
			v, err := s.Value()
			out = append(out, v)
			return err
		})
		return out, err
	case '"':
		return s.Str()
	case 't':
		return true, s.Literal("true")
	case 'f':
		return false, s.Literal("false")
	case 'n':
		return nil, s.Literal("null")
	}
	if s.UseNumber {
		text, err := s.NumberSpan()
		return json.Number(text), err
	}
	return s.Number()
}
