package results

import (
	"fmt"

	"github.com/tranche-sim/tranche/sim"
)

// roundGrid accumulates every per-round series of one policy in flat
// arrays: a replication adds one value per series and round, thousands of
// additions, so the layout is chosen for speed. Each series and round gets
// an exact fixed-point sum (for the mean) and a histogram (for
// percentiles) on its series' grid.
type roundGrid struct {
	n      int64       // replications added
	rounds int         // rounds per series
	grids  []Histogram // per series: the grid (its counts unused)
	stride int         // bins per histogram, the largest of any series
	sums   []int128    // [series*rounds+round]
	counts []uint32    // [(series*rounds+round)*stride+bin]
}

func newRoundGrid(series []sim.Series, rounds int) *roundGrid {
	g := &roundGrid{rounds: rounds, grids: make([]Histogram, len(series))}
	for s, def := range series {
		h := NewHistogram(0, def.Hi, RoundSteps)
		if def.Count {
			h = NewCountHistogram(0, def.Hi)
		}
		g.grids[s] = *h
		g.stride = max(g.stride, len(h.counts))
	}
	g.sums = make([]int128, len(series)*rounds)
	g.counts = make([]uint32, len(series)*rounds*g.stride)
	return g
}

// add adds one replication's series; values are never NaN.
func (g *roundGrid) add(series [sim.NumSeries][]float64) {
	g.n++
	for s := range g.grids {
		h := &g.grids[s]
		top := float64(len(h.counts) - 1)
		base := s * g.rounds
		for r, x := range series[s][:g.rounds] {
			g.sums[base+r].add64(fixed(x))
			f := (x - h.lo) * h.perWidth
			if !(f > 0) {
				f = 0
			}
			if f > top {
				f = top
			}
			g.counts[(base+r)*g.stride+int(f)]++
		}
	}
}

func (g *roundGrid) merge(o *roundGrid) error {
	if len(o.sums) != len(g.sums) || len(o.counts) != len(g.counts) {
		return fmt.Errorf("per-round aggregates differ in shape")
	}
	g.n += o.n
	for i := range g.sums {
		g.sums[i].addWide(o.sums[i])
	}
	return addCounts(g.counts, o.counts)
}

// RoundDist is the distribution of one series in one round.
type RoundDist struct {
	// Sum holds the exact sum, for the mean (Mean is rounded to
	// MeanDecimals).
	Sum
	// Hist holds the histogram, for percentiles (it shares the aggregate's
	// counts: read it, do not add to it).
	Hist *Histogram
}

func (g *roundGrid) dist(s, r int) RoundDist {
	i := s*g.rounds + r
	h := g.grids[s]
	h.counts = g.counts[i*g.stride : i*g.stride+len(h.counts)]
	return RoundDist{Sum: Sum{n: g.n, sum: g.sums[i]}, Hist: &h}
}

// Mean returns the mean, rounded to MeanDecimals decimal places; NaN when
// empty.
func (d RoundDist) Mean() float64 { return roundDecimals(d.Sum.Mean(), MeanDecimals) }
