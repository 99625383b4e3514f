package inventory

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"testing/quick"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// host makes a device with one interface and one MAC under the prefix.
func host(prefix, name, serial, mac string) []Record {
	d := Record{Kind: KindDevice, Key: prefix}
	d.Set("name", name)
	d.Set("serial", serial)
	d.Ref("site", "site/home")
	d.Ref("role", "device_role/server")
	d.Ref("device_type", "device_type/box")
	i := Record{Kind: KindInterface, Key: prefix + "/iface/eth0"}
	i.Set("name", "eth0")
	i.Ref("device", prefix)
	m := Record{Kind: KindMACAddress, Key: prefix + "/iface/eth0/mac"}
	m.Set("mac_address", mac)
	m.Ref("interface", i.Key)
	return []Record{d, i, m}
}

func TestMergeSharedMACIsNoIdentity(t *testing.T) {
	// Source a reports 02:42:ac:11:00:01 (docker0) on two hosts; source b
	// on a third. No host may join another by it.
	a := append(host("a/h1", "h1", "", "02:42:ac:11:00:01"), host("a/h2", "h2", "", "02:42:ac:11:00:01")...)
	b := host("b/h3", "h3", "", "02:42:ac:11:00:01")
	got, err := Merge([]MergeInput{{Source: "a", Records: a}, {Source: "b", Priority: 1, Records: b}}, MergeOptions{})
	require.NoError(t, err)
	assert.Len(t, got.Records, 9, "three hosts of three records each, none joined")
	assert.Empty(t, got.Matches)

	// The same MAC on one record of each source still joins them.
	got, err = Merge([]MergeInput{{Source: "a", Records: host("a/h1", "h1", "", "02:00:00:00:00:01")}, {Source: "b", Priority: 1, Records: host("b/h3", "h3", "", "02:00:00:00:00:01")}}, MergeOptions{})
	require.NoError(t, err)
	assert.Len(t, got.Records, 3)
}

func TestMergePins(t *testing.T) {
	in := func() []MergeInput {
		return []MergeInput{{Source: "a", Records: host("a/h1", "box", "", "02:00:00:00:00:01")},
			{Source: "b", Priority: 1, Records: host("b/h1", "box", "", "02:00:00:00:00:02")}}
	}
	got, err := Merge(in(), MergeOptions{})
	require.NoError(t, err)
	require.Len(t, got.Records, 4, "device and interface joined by name, two MACs")

	got, err = Merge(in(), MergeOptions{Apart: [][]string{{"a/h1", "b/h1"}}})
	require.NoError(t, err)
	assert.Len(t, got.Records, 6, "the devices stay apart, and so their interfaces and MACs")
	require.NotEmpty(t, got.Conflicts)
	assert.Equal(t, ReasonPinned, got.Conflicts[0].Reason)

	other := []MergeInput{{Source: "a", Records: host("a/h1", "x", "", "02:00:00:00:00:01")},
		{Source: "b", Priority: 1, Records: host("b/h9", "y", "", "02:00:00:00:00:09")}}
	got, err = Merge(other, MergeOptions{Same: [][]string{{"b/h9", "a/h1", "c/none"}}})
	require.NoError(t, err)
	require.Len(t, got.Matches, 2, "device pinned, then its interface by name (the MACs differ)")
	assert.Equal(t, RulePin, got.Matches[0].Rule)
	assert.Equal(t, []string{"c/none"}, got.UnusedPins)
}

// genInputs makes two or three sources of hosts drawn from a small pool
// of names, serials and MACs, so that every rule fires and collides.
func genInputs(rng *rand.Rand) []MergeInput {
	var out []MergeInput
	for s := range 2 + rng.IntN(2) {
		src := fmt.Sprintf("s%d", s)
		var recs []Record
		for h := range 1 + rng.IntN(5) {
			serial := ""
			if rng.IntN(3) > 0 {
				serial = fmt.Sprintf("SN%d", rng.IntN(4))
			}
			mac := fmt.Sprintf("02:00:00:00:00:%02x", rng.IntN(5))
			recs = append(recs, host(fmt.Sprintf("%s/h%d", src, h), fmt.Sprintf("n%d", rng.IntN(4)), serial, mac)...)
		}
		out = append(out, MergeInput{Source: src, Priority: rng.IntN(3), Records: recs})
	}
	return out
}

// TestMergeProperties: whatever the input, the result does not depend on
// the order of sources or records, merging the result again changes no
// record, no two serials end in one record, and every input record is in
// exactly one output record or skipped.
func TestMergeProperties(t *testing.T) {
	prop := func(seed uint64) bool {
		rng := rand.New(rand.NewPCG(seed, 7))
		in := genInputs(rng)
		got, err := Merge(in, MergeOptions{})
		require.NoError(t, err)
		checkMerged(t, in, got)
		want, err := json.Marshal(got)
		require.NoError(t, err)

		shuffled := append([]MergeInput(nil), in...)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		for i := range shuffled {
			recs := append([]Record(nil), shuffled[i].Records...)
			rng.Shuffle(len(recs), func(a, b int) { recs[a], recs[b] = recs[b], recs[a] })
			shuffled[i].Records = recs
		}
		again, err := Merge(shuffled, MergeOptions{})
		require.NoError(t, err)
		gotJSON, err := json.Marshal(again)
		require.NoError(t, err)
		require.JSONEq(t, string(want), string(gotJSON), "seed %d: order changed the result", seed)

		// No record joins two serials.
		serialOfKey := map[string]string{}
		for _, s := range in {
			for _, r := range s.Records {
				serialOfKey[r.Key] = serialOf(&r)
			}
		}
		where := map[string]int{}
		for _, r := range got.Records {
			seen := ""
			for _, k := range append([]string{r.Key}, r.Aliases...) {
				where[k]++
				if s := serialOfKey[k]; s != "" {
					require.True(t, seen == "" || seen == s, "seed %d: %s joins serials %s and %s", seed, r.Key, seen, s)
					seen = s
				}
			}
		}
		for _, sk := range got.Skipped {
			where[sk.Key]++
		}
		for k := range serialOfKey {
			require.Equal(t, 1, where[k], "seed %d: %s is in %d places", seed, k, where[k])
		}

		// Idempotent: the merged inventory merged again is itself.
		re, err := Merge([]MergeInput{{Source: "merged", Records: got.Records}}, MergeOptions{})
		require.NoError(t, err)
		require.Equal(t, len(got.Records), len(re.Records), "seed %d", seed)
		for i := range got.Records {
			require.Equal(t, got.Records[i].Attrs, re.Records[i].Attrs, "seed %d: %s", seed, got.Records[i].Key)
			require.Equal(t, got.Records[i].Refs, re.Records[i].Refs, "seed %d: %s", seed, got.Records[i].Key)
			require.Equal(t, got.Records[i].Origin, re.Records[i].Origin, "seed %d: %s", seed, got.Records[i].Key)
		}
		return true
	}
	require.NoError(t, quick.Check(prop, &quick.Config{MaxCount: 300}))
}

// hostWith makes a device with one interface and MAC per mac.
func hostWith(prefix, name string, macs ...string) []Record {
	recs := host(prefix, name, "", macs[0])
	for n, mac := range macs[1:] {
		i := Record{Kind: KindInterface, Key: fmt.Sprintf("%s/iface/eth%d", prefix, n+1)}
		i.Set("name", fmt.Sprintf("eth%d", n+1))
		i.Ref("device", prefix)
		m := Record{Kind: KindMACAddress, Key: i.Key + "/mac"}
		m.Set("mac_address", mac)
		m.Ref("interface", i.Key)
		recs = append(recs, i, m)
	}
	return recs
}

func TestMergeHostsByMACOverlap(t *testing.T) {
	a := hostWith("a/h1", "alpha", "02:00:00:00:00:01", "02:00:00:00:00:02", "02:00:00:00:00:03")
	cases := []struct {
		name    string
		b       []Record
		opts    MergeOptions
		joined  bool
		refused bool
	}{
		{name: "one of one shared", b: hostWith("b/h1", "beta", "02:00:00:00:00:02"), joined: true},
		{name: "one of three shared", b: hostWith("b/h1", "beta", "02:00:00:00:00:02", "02:00:00:00:00:0a", "02:00:00:00:00:0b"), refused: true},
		{name: "one of three, threshold a third", b: hostWith("b/h1", "beta", "02:00:00:00:00:02", "02:00:00:00:00:0a", "02:00:00:00:00:0b"),
			opts: MergeOptions{MACOverlap: 0.3}, joined: true},
		{name: "two of two shared", b: hostWith("b/h1", "beta", "02:00:00:00:00:01", "02:00:00:00:00:03"), joined: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Merge([]MergeInput{{Source: "a", Records: a}, {Source: "b", Priority: 1, Records: tc.b}}, tc.opts)
			require.NoError(t, err)
			devices := 0
			for _, r := range got.Records {
				if r.Kind == KindDevice {
					devices++
				}
			}
			if tc.joined {
				assert.Equal(t, 1, devices)
			} else {
				assert.Equal(t, 2, devices)
			}
			refused := false
			for _, c := range got.Conflicts {
				refused = refused || (c.Kind == KindDevice && c.Reason == ReasonBelowScore)
			}
			assert.Equal(t, tc.refused, refused, "%+v", got.Conflicts)
		})
	}
}
