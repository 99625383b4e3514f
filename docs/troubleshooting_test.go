// Package docs holds the operator documentation and the tests that keep it
// true to the code: every error type a run can fail with is described in
// troubleshooting.md, and every configuration error it quotes is one the
// config package gives.
package docs

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/workflows"
)

const troubleshooting = "troubleshooting.md"

// TestTroubleshootingCoversEveryErrorType fails when the code can return
// an error type troubleshooting.md does not describe, when the page
// describes one the code no longer has, or when an entry lacks what the
// operator sees, the cause or the fix.
func TestTroubleshootingCoversEveryErrorType(t *testing.T) {
	inCode := errorTypesInCode(t, "..")
	entries := errorTypeEntries(t, readDoc(t, troubleshooting))

	for name := range inCode {
		if _, ok := entries[name]; !ok {
			t.Errorf("%s: the code returns error type %s (%s), which has no entry under \"## Error types\"",
				troubleshooting, name, strings.Join(inCode[name], ", "))
		}
	}
	for name, body := range entries {
		if _, ok := inCode[name]; !ok {
			t.Errorf("%s: entry %s names an error type the code no longer returns", troubleshooting, name)
			continue
		}
		for _, part := range []string{"**Seen:**", "**Cause:**", "**Fix:**"} {
			if !strings.Contains(body, part) {
				t.Errorf("%s: entry %s lacks %s", troubleshooting, name, part)
			}
		}
	}
}

// TestErrorTypeScanFindsTheDeclaredTypes holds the source scan to the
// constants the packages export, so that a scan that finds nothing cannot
// pass the coverage test.
func TestErrorTypeScanFindsTheDeclaredTypes(t *testing.T) {
	inCode := errorTypesInCode(t, "..")
	for _, name := range []string{
		activities.ErrTypeBadRequest, activities.ErrTypeSourceAuth, activities.ErrTypeSourceConfig,
		activities.ErrTypeSourceUnreachable, activities.ErrTypeSourceMalformed,
		activities.ErrTypeNetBoxValidation, activities.ErrTypeNetBoxAuth, activities.ErrTypeNetBoxRateLimited,
		activities.ErrTypeNetBoxUnavailable, activities.ErrTypeNetBoxMalformed,
		activities.ErrTypeNetBoxUnsupported, activities.ErrTypeNetBoxSchema,
		activities.ErrTypeSettingInvalid, activities.ErrTypeBlobMissing,
		workflows.ErrTypeAllSourcesFailed, workflows.ErrTypeNoWorker, workflows.ErrTypeApplyLocked,
		workflows.ErrTypeBadRequest, workflows.ErrTypePlanExpired,
	} {
		assert.Contains(t, inCode, name)
	}
}

// TestErrorTypeScan checks the scan on a small module: constants named
// ErrType*, literal types given to Temporal's constructors, and neither
// test files nor other string constants.
func TestErrorTypeScan(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		t.Helper()
		path := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(src), 0o644))
	}
	write("a/a.go", `package a
import "go.temporal.io/sdk/temporal"
const ErrTypeOne = "One"
const (
	ErrTypeTwo = "Two"
	notAType   = "Three"
)
func f() error { return temporal.NewNonRetryableApplicationError("m", "Literal", nil) }
func g(t string) error { return temporal.NewApplicationErrorWithCause("m", t, nil) }
func h() error { return temporal.NewApplicationError("m", "") }
`)
	write("a/a_test.go", `package a
const ErrTypeInTest = "InTest"
`)
	write("testdata/x.go", `package x
const ErrTypeInTestdata = "InTestdata"
`)
	got := errorTypesInCode(t, dir)
	names := make([]string, 0, len(got))
	for n := range got {
		names = append(names, n)
	}
	slices.Sort(names)
	assert.Equal(t, []string{"Literal", "One", "Two"}, names)
	assert.Equal(t, []string{"a/a.go:3"}, got["One"])
}

// TestTroubleshootingQuotesRealConfigErrors keeps the configuration
// errors troubleshooting.md quotes to ones the config package gives: each
// "netbox-agent.yaml:N: ..." line must match, past its file and line, a
// line of a golden error file in config/testdata/bad.
func TestTroubleshootingQuotesRealConfigErrors(t *testing.T) {
	golden, err := filepath.Glob("../config/testdata/bad/*.err")
	require.NoError(t, err)
	require.NotEmpty(t, golden)
	known := map[string]bool{}
	for _, path := range golden {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		for _, line := range strings.Split(string(b), "\n") {
			if msg, ok := afterFileLine(line); ok {
				known[msg] = true
			}
		}
	}
	quoted := 0
	for _, line := range strings.Split(readDoc(t, troubleshooting), "\n") {
		if !strings.HasPrefix(line, "netbox-agent.yaml:") {
			continue
		}
		quoted++
		msg, ok := afterFileLine(line)
		if !ok || !known[msg] {
			t.Errorf("%s quotes a configuration error the config package does not give: %s", troubleshooting, line)
		}
	}
	assert.NotZero(t, quoted, "%s quotes no configuration error", troubleshooting)
}

// fileLine matches the start of a configuration error: "name.yaml:12: ".
var fileLine = regexp.MustCompile(`^[^\s:]+\.yaml:\d+: `)

// afterFileLine is a configuration error without its file and line.
func afterFileLine(line string) (string, bool) {
	loc := fileLine.FindStringIndex(line)
	if loc == nil {
		return "", false
	}
	return line[loc[1]:], true
}

// temporalConstructors are the Temporal functions whose second argument
// is an application error's type.
var temporalConstructors = map[string]bool{
	"NewApplicationError":             true,
	"NewApplicationErrorWithCause":    true,
	"NewApplicationErrorWithOptions":  true,
	"NewNonRetryableApplicationError": true,
}

// errorTypesInCode finds, in the Go files under root (tests and testdata
// left out), every error type name: the value of each string constant
// named ErrType*, and each non-empty string literal passed as the type to
// a Temporal application error constructor. It maps a name to where it is
// declared ("activities/errors.go:19").
func errorTypesInCode(t *testing.T, root string) map[string][]string {
	t.Helper()
	found := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		add := func(name string, pos token.Pos) {
			where := filepath.ToSlash(rel) + ":" + strconv.Itoa(fset.Position(pos).Line)
			found[name] = append(found[name], where)
		}
		scanFile(f, add)
		return nil
	})
	require.NoError(t, err)
	return found
}

// scanFile reports the error type names f declares or uses.
func scanFile(f *ast.File, add func(string, token.Pos)) {
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ValueSpec:
			for i, id := range n.Names {
				if !strings.HasPrefix(id.Name, "ErrType") || i >= len(n.Values) {
					continue
				}
				if s, ok := stringLit(n.Values[i]); ok && s != "" {
					add(s, id.Pos())
				}
			}
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok || !temporalConstructors[sel.Sel.Name] || len(n.Args) < 2 {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "temporal" {
				return true
			}
			if s, ok := stringLit(n.Args[1]); ok && s != "" {
				add(s, n.Args[1].Pos())
			}
		}
		return true
	})
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// errorTypeEntries reads the "## Error types" section of doc: each
// "### `Name`" heading and the text up to the next heading.
func errorTypeEntries(t *testing.T, doc string) map[string]string {
	t.Helper()
	_, section, ok := strings.Cut(doc, "\n## Error types\n")
	require.True(t, ok, "%s has no \"## Error types\" section", troubleshooting)
	if i := strings.Index(section, "\n## "); i >= 0 {
		section = section[:i]
	}
	heading := regexp.MustCompile("(?m)^### `([A-Za-z]+)`$")
	entries := map[string]string{}
	locs := heading.FindAllStringSubmatchIndex(section, -1)
	require.NotEmpty(t, locs, "%s: no entries under \"## Error types\"", troubleshooting)
	for i, loc := range locs {
		name := section[loc[2]:loc[3]]
		end := len(section)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		if _, dup := entries[name]; dup {
			t.Errorf("%s: entry %s appears twice", troubleshooting, name)
		}
		entries[name] = section[loc[1]:end]
	}
	for _, h := range regexp.MustCompile(`(?m)^### .*$`).FindAllString(section, -1) {
		if !heading.MatchString(h) {
			t.Errorf("%s: heading %q under \"## Error types\" is not of the form ### `TypeName`", troubleshooting, h)
		}
	}
	return entries
}

func readDoc(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	return string(b)
}
