package config

import (
	"fmt"
	"sort"
)

// suggest proposes the nearest known key for a misspelt one.
func suggest(name string, fields map[string]field) string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	return suggestFrom(name, keys)
}

func suggestFrom(name string, keys []string) string {
	sort.Strings(keys)
	best, bestDist := "", 3
	for _, k := range keys {
		// A distance of a third of the key or more is a different word.
		if dist := editDistance(name, k); dist < bestDist && dist*3 <= len(k) {
			best, bestDist = k, dist
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
