package filesystem

import (
	"github.com/netbox-agent/netbox-agent/activities/jsonscan"
)

// jsonTree builds the nodes of a JSON document with jsonscan, which reads
// the document in place: the same nodes jsonParser builds from
// encoding/json's tokens, with a fraction of the allocations. A document
// it does not take (not JSON, nested too deep, too many values) is left to
// jsonParser, whose errors name the line.
type jsonTree struct {
	sc     *jsonscan.Scanner
	lines  []int
	line   int // index into lines of the line of the last offset asked for
	budget int
	keys   map[string]string // each key once per document
	nodes  []node            // allocated a slab at a time
	fields []field
}

// slab is how many nodes or fields jsonTree allocates at once.
const slab = 256

// scanJSON returns the document's top-level node; ok is false when
// jsonParser must read it.
func scanJSON(data []byte, lines []int) (n *node, ok bool) {
	t := &jsonTree{sc: jsonscan.New(data), lines: lines, budget: maxNodes, keys: map[string]string{}}
	n, err := t.value(0)
	if err != nil || t.sc.End() != nil {
		return nil, false
	}
	return n, true
}

// lineAt is the 1-based line of offset off; offsets asked for never go
// back, so the line is found by walking forward from the last one.
func (t *jsonTree) lineAt(off int) int {
	for t.line+1 < len(t.lines) && t.lines[t.line+1] <= off {
		t.line++
	}
	return t.line + 1
}

func (t *jsonTree) newNode(line int, kind nodeKind) *node {
	if len(t.nodes) == 0 {
		t.nodes = make([]node, slab)
	}
	n := &t.nodes[0]
	t.nodes = t.nodes[1:]
	n.line, n.kind = line, kind
	return n
}

func (t *jsonTree) newField(name string, line int, value *node) *field {
	if len(t.fields) == 0 {
		t.fields = make([]field, slab)
	}
	f := &t.fields[0]
	t.fields = t.fields[1:]
	f.name, f.line, f.value = name, line, value
	return f
}

// key returns the document's copy of key.
func (t *jsonTree) key(key []byte) string {
	if s, ok := t.keys[string(key)]; ok {
		return s
	}
	s := string(key)
	t.keys[s] = s
	return s
}

// value reads one value as jsonParser.value does, to the same node.
func (t *jsonTree) value(depth int) (*node, error) {
	t.budget--
	if depth > maxDepth || t.budget < 0 {
		return nil, errTooLarge
	}
	c := t.sc.Peek()
	line := t.lineAt(t.sc.Pos())
	switch c {
	case 'n':
		return t.newNode(line, nodeNull), t.sc.Literal("null")
	case 't', 'f':
		word := "true"
		if c == 'f' {
			word = "false"
		}
		n := t.newNode(line, nodeScalar)
		n.text = word
		return n, t.sc.Literal(word)
	case '"':
		s, err := t.sc.Str()
		n := t.newNode(line, nodeScalar)
		n.text = s
		return n, err
	case '[':
		n := t.newNode(line, nodeList)
		err := t.sc.Array(func() error {
			item, err := t.value(depth + 1)
			n.items = append(n.items, item)
			return err
		})
		return n, err
	case '{':
		n := t.newNode(line, nodeMap)
		err := t.sc.Object(func(key []byte) error {
			name, kl := t.key(key), t.lineAt(t.sc.KeyStart())
			v, err := t.value(depth + 1)
			n.fields = append(n.fields, t.newField(name, kl, v))
			return err
		})
		return n, err
	}
	text, err := t.sc.NumberSpan()
	n := t.newNode(line, nodeScalar)
	n.text = string(text)
	return n, err
}
