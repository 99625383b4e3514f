package filesystem

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// node is a parsed value of any of the three formats, with the line it
// starts on, so that every warning can point at the text a person wrote.
type node struct {
	line   int
	kind   nodeKind
	text   string   // scalars
	items  []*node  // lists
	fields []*field // maps, in document order
}

type nodeKind int

const (
	nodeNull nodeKind = iota
	nodeScalar
	nodeList
	nodeMap
)

// field is one key of a map node.
type field struct {
	name  string
	line  int
	value *node
}

func (k nodeKind) String() string {
	switch k {
	case nodeNull:
		return "null"
	case nodeScalar:
		return "a value"
	case nodeList:
		return "a list"
	}
	return "a mapping"
}

// Limits that keep a hostile or broken file from exhausting the worker: a
// YAML alias bomb expands exponentially, a deep nesting overflows the stack.
const (
	maxDepth = 64
	maxNodes = 1 << 20
)

var errTooLarge = errors.New("document too large (alias expansion or nesting beyond limits)")

// parseYAML reads every document of a YAML stream.
func parseYAML(data []byte) ([]*node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*node
	budget := maxNodes
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("invalid YAML: %w", err)
		}
		n, err := fromYAML(&doc, 0, &budget)
		if err != nil {
			return nil, err
		}
		if n.kind != nodeNull {
			docs = append(docs, n)
		}
	}
}

func fromYAML(y *yaml.Node, depth int, budget *int) (*node, error) {
	*budget--
	if depth > maxDepth || *budget < 0 {
		return nil, errTooLarge
	}
	switch y.Kind {
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			return &node{line: y.Line, kind: nodeNull}, nil
		}
		return fromYAML(y.Content[0], depth+1, budget)
	case yaml.AliasNode:
		if y.Alias == nil {
			return nil, fmt.Errorf("line %d: unresolved alias", y.Line)
		}
		n, err := fromYAML(y.Alias, depth+1, budget)
		if err != nil {
			return nil, err
		}
		// The record lives where it is used, not where the anchor was set.
		return relined(n, y.Line), nil
	case yaml.ScalarNode:
		if y.ShortTag() == "!!null" {
			return &node{line: y.Line, kind: nodeNull}, nil
		}
		return &node{line: y.Line, kind: nodeScalar, text: y.Value}, nil
	case yaml.SequenceNode:
		n := &node{line: y.Line, kind: nodeList, items: make([]*node, 0, len(y.Content))}
		for _, c := range y.Content {
			item, err := fromYAML(c, depth+1, budget)
			if err != nil {
				return nil, err
			}
			n.items = append(n.items, item)
		}
		return n, nil
	case yaml.MappingNode:
		return fromYAMLMap(y, depth, budget)
	}
	return nil, fmt.Errorf("line %d: unsupported YAML node", y.Line)
}

// fromYAMLMap converts a mapping, applying merge keys (`<<: *defaults`):
// explicit keys win over merged ones, as YAML specifies.
func fromYAMLMap(y *yaml.Node, depth int, budget *int) (*node, error) {
	n := &node{line: y.Line, kind: nodeMap}
	var merged []*field
	for i := 0; i+1 < len(y.Content); i += 2 {
		k, v := y.Content[i], y.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("line %d: a mapping key must be a plain value", k.Line)
		}
		val, err := fromYAML(v, depth+1, budget)
		if err != nil {
			return nil, err
		}
		if k.ShortTag() == "!!merge" {
			var sources []*node
			switch val.kind {
			case nodeMap:
				sources = []*node{val}
			case nodeList:
				sources = val.items
			}
			for _, s := range sources {
				if s.kind != nodeMap {
					return nil, fmt.Errorf("line %d: merge key needs a mapping", k.Line)
				}
				merged = append(merged, s.fields...)
			}
			continue
		}
		n.fields = append(n.fields, &field{name: k.Value, line: k.Line, value: val})
	}
	for _, f := range merged {
		if n.get(f.name) == nil {
			n.fields = append(n.fields, &field{name: f.name, line: n.line, value: relined(f.value, n.line)})
		}
	}
	return n, nil
}

// relined returns a shallow copy of n that reports line instead of its own.
func relined(n *node, line int) *node {
	c := *n
	c.line = line
	return &c
}

// get returns the field called name, or nil.
func (n *node) get(name string) *field {
	for _, f := range n.fields {
		if f.name == name {
			return f
		}
	}
	return nil
}

// parseJSON reads one JSON value so that each value knows the line it
// starts on: with jsonTree, or, for a document that one does not take,
// token by token, the line computed from the decoder's input offset, so
// that an error names its line.
func parseJSON(data []byte) ([]*node, error) {
	// Editors on Windows start files with a byte-order mark JSON does not allow.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	lines := lineStarts(data)
	if n, ok := scanJSON(data, lines); ok {
		if n.kind == nodeNull {
			return nil, nil
		}
		return []*node{n}, nil
	}
	return parseJSONTokens(data, lines)
}

// parseJSONTokens is parseJSON token by token.
func parseJSONTokens(data []byte, lines []int) ([]*node, error) {
	p := &jsonParser{dec: json.NewDecoder(bytes.NewReader(data)), lines: lines, budget: maxNodes}
	p.dec.UseNumber()
	n, err := p.value(0)
	if err != nil {
		return nil, p.wrap(err)
	}
	if _, err := p.dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("invalid JSON: line %d: data after the top-level value", p.line())
	}
	if n.kind == nodeNull {
		return nil, nil
	}
	return []*node{n}, nil
}

type jsonParser struct {
	dec    *json.Decoder
	lines  []int
	budget int
}

// errJSONEnd marks the closing delimiter of an array, read by value.
var errJSONEnd = errors.New("end of array")

func (p *jsonParser) wrap(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("invalid JSON: line %d: %w", lineOf(p.lines, int(se.Offset)), err)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("invalid JSON: line %d: unexpected end of input", p.line())
	}
	if errors.Is(err, errJSONEnd) {
		return fmt.Errorf("invalid JSON: line %d: unexpected ]", p.line())
	}
	return fmt.Errorf("invalid JSON: %w", err)
}

// line is the line of the token just read: the decoder's offset points
// right after it, and no JSON token spans a line break.
func (p *jsonParser) line() int {
	off := int(p.dec.InputOffset()) - 1
	if off < 0 {
		off = 0
	}
	return lineOf(p.lines, off)
}

func (p *jsonParser) value(depth int) (*node, error) {
	p.budget--
	if depth > maxDepth || p.budget < 0 {
		return nil, errTooLarge
	}
	tok, err := p.dec.Token()
	if err != nil {
		return nil, err
	}
	line := p.line()
	switch t := tok.(type) {
	case nil:
		return &node{line: line, kind: nodeNull}, nil
	case string:
		return &node{line: line, kind: nodeScalar, text: t}, nil
	case json.Number:
		return &node{line: line, kind: nodeScalar, text: t.String()}, nil
	case bool:
		return &node{line: line, kind: nodeScalar, text: fmt.Sprint(t)}, nil
	case json.Delim:
		switch t {
		case '[':
			n := &node{line: line, kind: nodeList}
			for p.dec.More() {
				item, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, item)
			}
			if _, err := p.dec.Token(); err != nil {
				return nil, err
			}
			return n, nil
		case '{':
			n := &node{line: line, kind: nodeMap}
			for p.dec.More() {
				kt, err := p.dec.Token()
				if err != nil {
					return nil, err
				}
				k, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("line %d: object key is not a string", p.line())
				}
				kl := p.line()
				v, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.fields = append(n.fields, &field{name: k, line: kl, value: v})
			}
			if _, err := p.dec.Token(); err != nil {
				return nil, err
			}
			return n, nil
		}
		return nil, errJSONEnd
	}
	return nil, fmt.Errorf("line %d: unexpected token", line)
}

// lineStarts returns the offsets at which each line begins.
func lineStarts(data []byte) []int {
	starts := []int{0}
	for i, b := range data {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// lineOf maps a byte offset to a 1-based line number.
func lineOf(starts []int, off int) int {
	return sort.Search(len(starts), func(i int) bool { return starts[i] > off })
}

// parseCSV reads a header row of field names and one record per row. Every
// row becomes a map node holding the non-empty cells as scalars; a row with
// the wrong number of cells is an issue, and the other rows go on.
func parseCSV(data []byte) ([]*node, []issue, error) {
	if !utf8.Valid(data) {
		return nil, nil, errors.New("invalid CSV: not UTF-8 text")
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("invalid CSV: %w", err)
	}
	names := make([]string, len(header))
	for i, h := range header {
		names[i] = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if names[i] == "" {
			return nil, nil, fmt.Errorf("invalid CSV: header column %d has no name", i+1)
		}
		for _, prev := range names[:i] {
			if prev == names[i] {
				return nil, nil, fmt.Errorf("invalid CSV: header names column %q twice", names[i])
			}
		}
	}
	list := &node{line: 1, kind: nodeList}
	var issues []issue
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// A quoting error leaves the reader lost in the rest of the file.
			return nil, nil, fmt.Errorf("invalid CSV: %w", err)
		}
		line, _ := r.FieldPos(0) // the column is of no use here
		if len(row) != len(names) {
			issues = append(issues, issue{line: line, msg: fmt.Sprintf("row has %d cells, the header %d", len(row), len(names))})
			continue
		}
		rec := &node{line: line, kind: nodeMap}
		for i, cell := range row {
			cell = strings.TrimSpace(cell)
			if cell == "" {
				continue
			}
			rec.fields = append(rec.fields, &field{name: names[i], line: line, value: &node{line: line, kind: nodeScalar, text: cell}})
		}
		if len(rec.fields) > 0 {
			list.items = append(list.items, rec)
		}
	}
	return []*node{list}, issues, nil
}
