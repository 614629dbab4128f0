package main

import (
	"math"
	"testing"
	"time"

	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/sim"
	"github.com/tranche-sim/tranche/study"
)

// Intervals print their bounds with a comma: a dash between them misreads
// as a minus sign when a bound is negative.
func TestInterval(t *testing.T) {
	cases := []struct {
		st   results.Stats
		hi   float64
		want string
	}{
		{results.Stats{Mean: 0.5, CI95: [2]float64{0.4, 0.6}}, 1, "0.500 (0.400, 0.600)"},
		{results.Stats{Mean: 0.03, CI95: [2]float64{-0.04, 0.1}}, 1, "0.030 (-0.040, 0.100)"},
		{results.Stats{Mean: 10.67, CI95: [2]float64{-1.07, 22.41}}, 40, "10.67 (-1.07, 22.41)"},
		{results.Stats{Mean: math.NaN()}, 1, "n/a"},
		// One replication defines the metric: there is no interval, and it
		// once printed as 38.00 (NaN, NaN) n=1.
		{results.Stats{N: 1, Mean: 38, CI95: [2]float64{math.NaN(), math.NaN()}}, 40, "38.00 (no interval: n=1)"},
	}
	for _, c := range cases {
		if got := interval(c.st, sim.Metric{Hi: c.hi}); got != c.want {
			t.Errorf("interval(%v) = %q, want %q", c.st.Mean, got, c.want)
		}
	}
}

func TestCount(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 policies"}, {1, "1 policy"}, {2, "2 policies"}} {
		if got := count(c.n, "policy", "policies"); got != c.want {
			t.Errorf("count(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

// The progress line says the phase, the count, the rate, the time elapsed
// and the time left; a phase without a count says its name and the time.
func TestProgressLine(t *testing.T) {
	cases := []struct {
		s              study.Progress
		elapsed, phase time.Duration
		want           string
	}{
		{study.Progress{Phase: study.PhaseSimulating, Done: 4000, Total: 10000, Unit: "replications"}, 3 * time.Second, 2 * time.Second,
			"simulating [=========               ]  40% 4000/10000 replications, 2,000/s, 0:03 left, 0:03 elapsed"},
		{study.Progress{Phase: study.PhaseDrawing, Done: 3, Total: 15, Unit: "figures"}, 65 * time.Second, time.Second,
			"drawing figures [====                    ]  20% 3/15 figures, 3.0/s, 0:04 left, 1:05 elapsed"},
		{study.Progress{Phase: study.PhaseWriting}, 2 * time.Second, 0, "writing results, 0:02 elapsed"},
	}
	for _, c := range cases {
		if got := progressLine(c.s, c.elapsed, c.phase); got != c.want {
			t.Errorf("progressLine:\n got %q\nwant %q", got, c.want)
		}
	}
}
