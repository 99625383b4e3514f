package metrics

import (
	"regexp"
	"sort"
)

var (
	exprStrings   = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'`)
	exprMatchers  = regexp.MustCompile(`\{[^}]*\}`)
	exprRanges    = regexp.MustCompile(`\[[^\]]*\]`)
	exprGrouping  = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	exprVariables = regexp.MustCompile(`\$\{?\w+\}?`)
	exprIdent     = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*(\s*\()?`)
	exprKeywords  = map[string]bool{
		"and": true, "or": true, "unless": true, "bool": true, "offset": true, "by": true, "without": true,
		"on": true, "ignoring": true, "group_left": true, "group_right": true, "inf": true, "nan": true,
	}
)

// ExprMetricNames lists the metric names a PromQL expression reads, sorted
// and without repeats: the identifiers left once strings, label matchers,
// ranges, grouping label lists and dashboard variables are cut out, other
// than functions, aggregations and keywords. It is for checking that
// dashboards and alert rules read metrics that exist.
func ExprMetricNames(expr string) []string {
	for _, re := range []*regexp.Regexp{exprStrings, exprMatchers, exprRanges, exprGrouping, exprVariables} {
		expr = re.ReplaceAllString(expr, " ")
	}
	seen := map[string]bool{}
	var out []string
	for _, m := range exprIdent.FindAllStringSubmatchIndex(expr, -1) {
		name := expr[m[0]:m[1]]
		if m[2] >= 0 { // a function or an aggregation: followed by (
			continue
		}
		if m[0] > 0 && (expr[m[0]-1] >= '0' && expr[m[0]-1] <= '9' || expr[m[0]-1] == '.') {
			continue // a unit or exponent of a number (5m, 1e3)
		}
		if exprKeywords[name] || seen[name] {
			continue
		}
		seen[name] = true
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}
