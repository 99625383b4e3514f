package config

import "testing"

// BenchmarkLoadExample measures loading and validating the example file,
// which every worker and starter start pays.
func BenchmarkLoadExample(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load("../netbox-agent.example.yaml", nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadFull measures a file that sets everything, with anchors,
// merges and three sources.
func BenchmarkLoadFull(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load("testdata/good/full.yaml", nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}
