package fileschema

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// Values are read from their text, so a number may also be written as a
// string (as a CSV cell is) and an empty field (null) reads as absent.

const (
	wholeText  = `^\s*[0-9]+\s*$`
	numberText = `^\s*([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$`
	sizeText   = `^\s*[0-9]+(\.[0-9]+)?\s*([mMgGtT]([iI]?[bB])?)?\s*$`
	macText    = `^\s*(([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}|([0-9A-Fa-f]{4}\.){2}[0-9A-Fa-f]{4})\s*$`
	colorText  = `^\s*#?[0-9A-Fa-f]{6}\s*$`
	listText   = `^[0-9,;\s]*$`
)

// boolWords are the words a boolean is written with, in any letter case.
var boolWords = []string{"true", "false", "yes", "no", "on", "off", "y", "n", "1", "0"}

// valueDefs are the schemas of the value types, by the name fieldSchema uses.
func valueDefs() object {
	null := object{"type": "null"}
	pattern := func(p string) object { return object{"type": "string", "pattern": p} }
	whole := object{"type": "integer", "minimum": 0}
	return object{
		"scalar": object{"type": []string{"string", "number", "boolean"}},
		"key":    object{"type": "string", "minLength": 1, "description": "An explicit key: the record's identity, kept across renames."},
		"ref": object{"anyOf": []any{
			object{"$ref": "#/$defs/scalar"},
			object{"type": "object", "properties": object{"key": ref("key")}, "required": []string{"key"},
				"additionalProperties": false},
			null}},
		"text":   object{"type": []string{"string", "number", "boolean", "null"}},
		"int":    object{"anyOf": []any{whole, pattern(wholeText), null}},
		"number": object{"anyOf": []any{object{"type": "number", "minimum": 0}, pattern(numberText), null}},
		"megabytes": object{"anyOf": []any{object{"type": "number", "minimum": 0}, pattern(sizeText), null},
			"description": "MB, or a number with a binary unit: 4G, 512M, 1.5TiB."},
		"bool":  object{"anyOf": []any{object{"type": "boolean"}, object{"enum": []int{0, 1}}, pattern(anyCase(boolWords)), null}},
		"mac":   object{"anyOf": []any{pattern(macText), null}, "description": "A MAC address: 00:11:32:aa:bb:01, 00-11-32-AA-BB-01, 0011.32aa.bb01."},
		"ip":    object{"type": []string{"string", "null"}, "description": "An IP address, with or without its prefix length."},
		"color": object{"anyOf": []any{pattern(colorText), null}, "description": "Six hex digits, # optional."},
		"ports": object{"anyOf": []any{object{"type": "array", "items": object{"anyOf": []any{whole, pattern(wholeText)}}},
			whole, pattern(listText), null}, "description": "Whole numbers: [22, 80], or \"80, 443\"."},
		"tags": object{"anyOf": []any{object{"type": "array", "items": ref("scalar")}, ref("scalar"), null},
			"description": "Tag names: [web, prod], or \"web; prod\"."},
	}
}

// fieldSchema is the schema of a field's value; a choice's values go into
// defs once, under the kind and field, so that both forms of a kind share them.
func fieldSchema(defs object, d *inventory.Decl, f *inventory.Field) object {
	switch f.Type {
	case inventory.TypeChoice:
		name := string(d.Kind) + "." + f.Name
		defs[name] = choiceSchema(f)
		return ref(name)
	case inventory.TypeInt:
		if f.Max != 0 {
			return object{"anyOf": []any{object{"type": "integer", "minimum": f.Min, "maximum": f.Max},
				object{"type": "string", "pattern": wholeText}, object{"type": "null"}},
				"description": fmt.Sprintf("A whole number in %d-%d.", f.Min, f.Max)}
		}
		return ref("int")
	case inventory.TypeNumber:
		return ref("number")
	case inventory.TypeMegabytes:
		return ref("megabytes")
	case inventory.TypeBool:
		return ref("bool")
	case inventory.TypeMAC:
		return ref("mac")
	case inventory.TypeIP:
		return ref("ip")
	case inventory.TypeColor:
		return ref("color")
	case inventory.TypePorts:
		return ref("ports")
	case inventory.TypeTags:
		return ref("tags")
	}
	return ref("text")
}

// choiceSchema lists a choice's values; a file may write them in any letter
// case. Values of an open choice are examples: NetBox releases add more.
func choiceSchema(f *inventory.Field) object {
	if f.OpenChoices {
		return object{"type": []string{"string", "null"}, "examples": f.Choices,
			"description": "A NetBox choice value; which ones NetBox takes depends on its release."}
	}
	return object{"anyOf": []any{object{"enum": f.Choices}, object{"type": "string", "pattern": anyCase(f.Choices)},
		object{"type": "null"}}}
}

// anyCase is a pattern that matches one of words in any letter case.
func anyCase(words []string) string {
	alts := make([]string, len(words))
	for i, w := range words {
		var b strings.Builder
		for _, r := range regexp.QuoteMeta(w) {
			if up := strings.ToUpper(string(r)); up != string(r) {
				b.WriteString("[" + string(r) + up + "]")
			} else {
				b.WriteRune(r)
			}
		}
		alts[i] = b.String()
	}
	return `^\s*(` + strings.Join(alts, "|") + `)\s*$`
}
