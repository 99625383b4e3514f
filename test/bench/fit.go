package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"time"
)

// A cost model of NetBox is fitted from the requests a real NetBox
// answered one at a time: the floor's writes and an unchanged re-sync's
// reads (the plan reads page after page). Each request's duration is
// taken as
//
//	perRequest + perWrite x objects written + perRead x objects read
//
// and the three costs are the least-squares fit. How many requests a
// NetBox serves at once is not in these calls; slots is fitted
// separately, by running the emulator with each count (docs/PERFORMANCE.md).

// fitCost reads an earlier run's --json file and fits the emulator's cost
// model to the calls of its floor and unchanged cases.
func fitCost(path string) (simCost, int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return simCost{}, 0, fmt.Errorf("read --fit: %w", err)
	}
	var ms []measurement
	if err := json.Unmarshal(data, &ms); err != nil {
		return simCost{}, 0, fmt.Errorf("decode --fit %s: %w", path, err)
	}
	var calls []call
	for _, m := range ms {
		if m.Case == caseFloor || m.Case == caseUnchanged {
			calls = append(calls, m.Calls...)
		}
	}
	if len(calls) < 3 {
		return simCost{}, 0, fmt.Errorf("--fit %s: %d timed calls of floor and unchanged cases, want at least 3 (measure with --netbox real)", path, len(calls))
	}
	x, err := leastSquares(calls)
	if err != nil {
		return simCost{}, 0, fmt.Errorf("--fit %s: %w", path, err)
	}
	d := func(s float64) time.Duration {
		return time.Duration(math.Max(0, s) * float64(time.Second)).Round(time.Microsecond)
	}
	return simCost{perRequest: d(x[0]), perWrite: d(x[1]), perRead: d(x[2])}, len(calls), nil
}

// leastSquares fits duration = a + b*written + c*read to the calls,
// minimising the squares of the relative errors, so that the many small
// requests of a re-sync weigh as much as the few large ones of a first
// sync.
func leastSquares(calls []call) ([3]float64, error) {
	var ata [3][3]float64
	var atb [3]float64
	for _, c := range calls {
		d := c.Duration.Seconds()
		if d <= 0 {
			continue
		}
		row := [3]float64{1 / d, float64(c.Written) / d, float64(c.Read) / d}
		for i := range row {
			for j := range row {
				ata[i][j] += row[i] * row[j]
			}
			atb[i] += row[i]
		}
	}
	return solve3(ata, atb)
}

// solve3 solves a 3x3 linear system by Gaussian elimination with partial
// pivoting.
func solve3(a [3][3]float64, b [3]float64) ([3]float64, error) {
	var x [3]float64
	for col := range 3 {
		pivot := col
		for r := col + 1; r < 3; r++ {
			if math.Abs(a[r][col]) > math.Abs(a[pivot][col]) {
				pivot = r
			}
		}
		if math.Abs(a[pivot][col]) < 1e-12 {
			return x, errors.New("the calls do not tell the costs apart (no writes, or no reads)")
		}
		a[col], a[pivot] = a[pivot], a[col]
		b[col], b[pivot] = b[pivot], b[col]
		for r := col + 1; r < 3; r++ {
			f := a[r][col] / a[col][col]
			for k := col; k < 3; k++ {
				a[r][k] -= f * a[col][k]
			}
			b[r] -= f * b[col]
		}
	}
	for r := 2; r >= 0; r-- {
		s := b[r]
		for k := r + 1; k < 3; k++ {
			s -= a[r][k] * x[k]
		}
		x[r] = s / a[r][r]
	}
	return x, nil
}
