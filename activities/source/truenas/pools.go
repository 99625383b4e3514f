package truenas

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Methods of the pool sizes.
const (
	methodPoolQuery    = "pool.query"
	methodDatasetQuery = "pool.dataset.query"
)

// dataset is one entry of pool.dataset.query: ZFS properties come as
// {"parsed": …, "rawvalue": "…", "value": "1.2T", "source": …}.
type dataset struct {
	ID        string   `json:"id"`
	Used      zfsValue `json:"used"`
	Available zfsValue `json:"available"`
}

// zfsValue is a numeric ZFS property; Known is false when it is absent or
// not a number.
type zfsValue struct {
	N     int64
	Known bool
}

// UnmarshalJSON reads the property's parsed value, else its raw value.
func (v *zfsValue) UnmarshalJSON(b []byte) error {
	var p struct {
		Parsed   json.RawMessage `json:"parsed"`
		Rawvalue string          `json:"rawvalue"`
	}
	if string(b) == "null" {
		return nil
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("read ZFS property: %w", err)
	}
	for _, s := range []string{strings.Trim(string(p.Parsed), `"`), p.Rawvalue} {
		if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil && n >= 0 {
			v.N, v.Known = n, true
			return nil
		}
	}
	return nil
}

// rootDatasetStep is the call that reads the sizes pool.query did not
// give (TrueNAS CORE has none in it): the pools' root datasets, without
// their children.
func rootDatasetStep(sv *survey) (step, bool) {
	var names []string
	for _, p := range sv.Pools {
		if p.Size == nil && strings.TrimSpace(p.Name) != "" {
			names = append(names, p.Name)
		}
	}
	if !sv.PoolsRead || len(names) == 0 {
		return step{}, false
	}
	return step{
		method: methodDatasetQuery,
		params: []any{
			[]any{[]any{"id", "in", names}},
			map[string]any{"extra": map[string]any{"flat": true, "retrieve_children": false}},
		},
		out:     &sv.RootDatasets,
		role:    "DATASET_READ",
		missing: "pool capacity unknown",
	}, true
}

// applyRootDatasets gives each pool without a size the size of its root
// dataset (used + available), as TrueNAS CORE's own pool list shows it.
func applyRootDatasets(sv *survey) {
	byName := map[string]dataset{}
	for _, d := range sv.RootDatasets {
		byName[d.ID] = d
	}
	for i := range sv.Pools {
		p := &sv.Pools[i]
		d, ok := byName[p.Name]
		if p.Size != nil || !ok || !d.Used.Known || !d.Available.Known {
			continue
		}
		size, used := d.Used.N+d.Available.N, d.Used.N
		p.Size, p.Allocated = &size, &used
	}
}
