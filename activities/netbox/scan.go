package netbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf8"
)

// jsonScan reads one JSON document held in memory, validating all of it as
// encoding/json does, but lets its caller pass over the values it does not
// want without decoding them. encoding/json decodes a NetBox list into
// maps whole, nested sites, URLs and all, to have most of it dropped at
// once: at 100,000 objects that is most of a re-sync's CPU time.
//
// Values it decodes (value) come out as encoding/json gives them into an
// any: map[string]any, []any, string, float64, bool and nil.
type jsonScan struct {
	data  []byte
	pos   int
	depth int
}

// errSyntax is any JSON the scanner does not take; the caller reports the
// document, not the place.
var errSyntax = errors.New("invalid JSON")

// maxDepth is encoding/json's limit of nesting.
const maxDepth = 10000

// peek returns the next byte after white space, or 0 at the end.
func (s *jsonScan) peek() byte {
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

func (s *jsonScan) expect(c byte) error {
	if s.peek() != c {
		return errSyntax
	}
	s.pos++
	return nil
}

// end checks that nothing but white space follows the document.
func (s *jsonScan) end() error {
	if s.peek() != 0 || s.pos != len(s.data) {
		return errSyntax
	}
	return nil
}

// skip validates and passes over one value. Its numbers must fit a
// float64, as encoding/json requires of every number it decodes into an
// any (skipValue).
func (s *jsonScan) skip() error { return s.skipValue(true) }

// skipValue passes over one value; ranged says whether its numbers must
// fit a float64 (not for the values encoding/json passes over unread: the
// unknown keys of a struct).
func (s *jsonScan) skipValue(ranged bool) error {
	switch s.peek() {
	case '{':
		return s.object(func([]byte) error { return s.skipValue(ranged) })
	case '[':
		return s.array(func() error { return s.skipValue(ranged) })
	case '"':
		_, _, err := s.stringSpan()
		return err
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	}
	text, err := s.numberSpan()
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

func (s *jsonScan) literal(word string) error {
	if !bytes.HasPrefix(s.data[s.pos:], []byte(word)) {
		return errSyntax
	}
	s.pos += len(word)
	return nil
}

// object reads an object, calling member with each key (unescaped); member
// reads the value.
func (s *jsonScan) object(member func(key []byte) error) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	if s.depth++; s.depth > maxDepth {
		return errSyntax
	}
	defer func() { s.depth-- }()
	if s.peek() == '}' {
		s.pos++
		return nil
	}
	for {
		if s.peek() != '"' {
			return errSyntax
		}
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
		switch s.peek() {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return nil
		default:
			return errSyntax
		}
	}
}

// key reads an object key: its bytes in the document when it needs no
// unescaping, which is every key NetBox writes.
func (s *jsonScan) key() ([]byte, error) {
	start := s.pos
	content, plain, err := s.stringSpan()
	if err != nil || plain {
		return content, err
	}
	var k string
	if err := json.Unmarshal(s.data[start:s.pos], &k); err != nil {
		return nil, errSyntax
	}
	return []byte(k), nil
}

// array reads an array, calling elem to read each element.
func (s *jsonScan) array(elem func() error) error {
	if err := s.expect('['); err != nil {
		return err
	}
	if s.depth++; s.depth > maxDepth {
		return errSyntax
	}
	defer func() { s.depth-- }()
	if s.peek() == ']' {
		s.pos++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return nil
		default:
			return errSyntax
		}
	}
}

// stringSpan passes over a string and returns its content between the
// quotes; plain is true when that content is the string itself: no
// escapes, and valid UTF-8 (encoding/json replaces invalid bytes).
func (s *jsonScan) stringSpan() (content []byte, plain bool, err error) {
	if s.peek() != '"' {
		return nil, false, errSyntax
	}
	s.pos++
	start := s.pos
	plain, ascii := true, true
	for s.pos < len(s.data) {
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
			return nil, false, errSyntax
		case c >= utf8.RuneSelf:
			ascii = false
		}
		s.pos++
	}
	return nil, false, errSyntax
}

// escape passes over one escape sequence in a string.
func (s *jsonScan) escape() error {
	if s.pos+1 >= len(s.data) {
		return errSyntax
	}
	switch s.data[s.pos+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.pos += 2
		return nil
	case 'u':
		if s.pos+6 > len(s.data) {
			return errSyntax
		}
		for _, h := range s.data[s.pos+2 : s.pos+6] {
			if !isHex(h) {
				return errSyntax
			}
		}
		s.pos += 6
		return nil
	}
	return errSyntax
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// str reads a string value.
func (s *jsonScan) str() (string, error) {
	s.peek()
	start := s.pos
	content, plain, err := s.stringSpan()
	if err != nil {
		return "", err
	}
	if plain {
		return string(content), nil
	}
	var out string
	if err := json.Unmarshal(s.data[start:s.pos], &out); err != nil {
		return "", errSyntax
	}
	return out, nil
}

// numberSpan passes over a number as JSON writes it and returns its text.
func (s *jsonScan) numberSpan() ([]byte, error) {
	s.peek()
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
		return nil, errSyntax
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) || !isDigit(d[i]) {
			return nil, errSyntax
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
			return nil, errSyntax
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	s.pos = i
	return d[start:i], nil
}

// number reads a number as encoding/json does into an any: a float64.
func (s *jsonScan) number() (float64, error) {
	text, err := s.numberSpan()
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
		return 0, errSyntax // out of range: encoding/json refuses it too
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

// value decodes one value whole.
func (s *jsonScan) value() (any, error) {
	switch s.peek() {
	case '{':
		m := map[string]any{}
		err := s.object(func(key []byte) error {
			v, err := s.value()
			m[string(key)] = v
			return err
		})
		return m, err
	case '[':
		out := []any{}
		err := s.array(func() error {
			v, err := s.value()
			out = append(out, v)
			return err
		})
		return out, err
	case '"':
		return s.str()
	case 't':
		return true, s.literal("true")
	case 'f':
		return false, s.literal("false")
	case 'n':
		return nil, s.literal("null")
	}
	return s.number()
}
