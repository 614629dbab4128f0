package results

import (
	"fmt"
	"gonum.org/v1/gonum/stat"
	"math"

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

// LevelBands is the number of equal bands of a series' range whose shares
// of replications rounds.csv gives, round by round: the fifths of the
// range, so that a series that splits between its ends (relief fully on or
// off) shows as two large shares, where its percentiles would span it all.
const LevelBands = 5

// SD returns the standard deviation over replications, from the histogram
// (values are counted at the points of the series' grid, so it is within
// a small part of a grid step of the exact value; Sheppard's correction
// for the grid is applied); NaN with fewer than two values.
func (d RoundDist) SD() float64 {
	var l levels
	l.read(d.Hist)
	return l.sd(d.Hist.width)
}

// Shares returns the share of replications whose value lies in each of
// the LevelBands equal bands of [0, hi], the series' range, lowest first:
// a grid point on a boundary between bands counts in the upper one.
func (d RoundDist) Shares(hi float64) [LevelBands]float64 {
	var l levels
	l.read(d.Hist)
	return l.shares(hi)
}

// roundQuantiles are the percentiles of the round-by-round tables.
var roundQuantiles = [...]float64{0.05, 0.25, 0.5, 0.75, 0.95}

// roundRow returns the row of the round-by-round tables for policy p,
// series s and round r (0-based), using l's buffers.
func (a *Aggregate) roundRow(p, s, r int, l *levels) RoundRow {
	d := a.Round(p, s, r)
	l.read(d.Hist)
	row := RoundRow{Policy: a.Policies[p], Round: r + 1, Metric: a.Series[s].Key, Mean: d.Mean(), SD: l.sd(d.Hist.width)}
	q := l.quantiles()
	row.P05, row.P25, row.P50, row.P75, row.P95 = q[0], q[1], q[2], q[3], q[4]
	row.Shares = l.shares(a.Series[s].Hi)
	return row
}

// levels holds the grid points a histogram has counts at and the counts,
// read once for every statistic of a round's row.
type levels struct {
	points, counts []float64
	n              float64
}

func (l *levels) read(h *Histogram) {
	l.points, l.counts, l.n = l.points[:0], l.counts[:0], 0
	for i, c := range h.counts {
		if c > 0 {
			l.points = append(l.points, h.point(i))
			l.counts = append(l.counts, float64(c))
			l.n += float64(c)
		}
	}
}

func (l *levels) sd(step float64) float64 {
	if l.n < 2 {
		return math.NaN()
	}
	var sum float64
	for i, x := range l.points {
		sum += l.counts[i] * x
	}
	mean := sum / l.n
	var ss float64
	for i, x := range l.points {
		dx := x - mean
		ss += l.counts[i] * dx * dx
	}
	v := ss/(l.n-1) - step*step/12 // Sheppard's correction
	return roundDecimals(math.Sqrt(max(v, 0)), MeanDecimals)
}

func (l *levels) quantiles() [len(roundQuantiles)]float64 {
	var out [len(roundQuantiles)]float64
	for i, p := range roundQuantiles {
		if len(l.points) == 0 {
			out[i] = math.NaN()
			continue
		}
		out[i] = stat.Quantile(p, stat.Empirical, l.points, l.counts)
	}
	return out
}

func (l *levels) shares(hi float64) [LevelBands]float64 {
	var out [LevelBands]float64
	for i, x := range l.points {
		b := 0
		if hi > 0 {
			b = min(max(int(math.Floor(x/hi*LevelBands+1e-9)), 0), LevelBands-1)
		}
		out[b] += l.counts[i]
	}
	for b := range out {
		if l.n > 0 {
			out[b] = roundDecimals(out[b]/l.n, MeanDecimals)
		} else {
			out[b] = math.NaN()
		}
	}
	return out
}
