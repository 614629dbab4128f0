package results

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat"
)

// Histogram counts values in fixed, equal-width bins centred on the points
// of a grid: lo, lo+step, ..., hi. Values beyond the grid fall in the first
// or last bin; NaN is skipped. Counts are integers, so merging is exact and
// order-free.
//
// Quantiles are read off the bins: a quantile is the grid point of the bin
// that holds it, so its error is at most half a step, and values that lie
// on the grid (whole numbers for counts, relief in quarter tranches) come
// out exactly.
type Histogram struct {
	lo, width, perWidth float64  // bins: bin i starts at lo + i*width
	start, span         float64  // grid: point i is start + span*i/steps
	decimals            int      // grid points are rounded to this many decimals
	counts              []uint32 // 32 bits keep a study's histograms in a core's cache
}

// withDecimals sets the decimals of the grid points from the grid and
// returns h.
func (h *Histogram) withDecimals() *Histogram {
	if steps := len(h.counts) - 1; steps > 0 {
		h.decimals = gridDecimals(h.span / float64(steps))
	}
	return h
}

// NewHistogram returns a histogram over the grid of steps+1 points from lo
// to hi. A range of no width (a count that can only be 0, in a scenario
// without spoiler factions) gets the grid from lo to lo+1.
func NewHistogram(lo, hi float64, steps int) *Histogram {
	if !(hi > lo) {
		hi = lo + 1
	}
	w := (hi - lo) / float64(steps)
	h := &Histogram{lo: lo - w/2, width: w, perWidth: 1 / w, start: lo, span: hi - lo, counts: make([]uint32, steps+1)}
	return h.withDecimals()
}

// NewCountHistogram returns a histogram with one bin per whole number from
// lo to hi (both rounded to whole numbers).
func NewCountHistogram(lo, hi float64) *Histogram {
	l, h := math.Round(lo), math.Round(hi)
	return NewHistogram(l, h, max(int(h-l), 1))
}

// Add counts x.
func (h *Histogram) Add(x float64) {
	if math.IsNaN(x) {
		return
	}
	// Clamp in float before converting: beyond the grid everything goes to
	// the end bins (and int conversion of huge values is undefined).
	f := max(min((x-h.lo)*h.perWidth, float64(len(h.counts)-1)), 0)
	if f != f { // NaN from a grid of infinite extent: never index with it
		f = 0
	}
	h.counts[int(f)]++
}

// Merge adds o's counts; o must have the same bins.
func (h *Histogram) Merge(o *Histogram) error {
	if o.lo != h.lo || o.width != h.width || o.start != h.start || o.span != h.span || len(o.counts) != len(h.counts) {
		return fmt.Errorf("histograms differ: [%g, +%g x %d] and [%g, +%g x %d]", h.lo, h.width, len(h.counts), o.lo, o.width, len(o.counts))
	}
	return addCounts(h.counts, o.counts)
}

// addCounts adds src to dst, refusing to overflow 32 bits (more than four
// billion replications in one bin).
func addCounts(dst, src []uint32) error {
	for i, c := range src {
		s := dst[i] + c
		if s < c {
			return fmt.Errorf("histogram count overflows: more than %d replications in one bin", uint32(math.MaxUint32))
		}
		dst[i] = s
	}
	return nil
}

// N returns the number of values counted.
func (h *Histogram) N() uint64 {
	var n uint64
	for _, c := range h.counts {
		n += uint64(c)
	}
	return n
}

// HalfWidth returns the largest error of a quantile: half a step.
func (h *Histogram) HalfWidth() float64 { return h.width / 2 }

// Quantiles returns the p-quantiles (gonum stat.Quantile, Empirical, over
// grid points weighted by bin counts); NaN for an empty histogram.
func (h *Histogram) Quantiles(ps ...float64) []float64 {
	out := make([]float64, len(ps))
	var mids, weights []float64
	for i, c := range h.counts {
		if c > 0 {
			mids = append(mids, h.point(i))
			weights = append(weights, float64(c))
		}
	}
	for i, p := range ps {
		if len(mids) == 0 {
			out[i] = math.NaN()
			continue
		}
		out[i] = stat.Quantile(p, stat.Empirical, mids, weights)
	}
	return out
}

// point returns grid point i, computed from the grid's ends so that points
// that are round numbers come out exactly (0.25, 1, not 1.0000000000000002).
func (h *Histogram) point(i int) float64 {
	steps := len(h.counts) - 1
	if steps == 0 {
		return h.start
	}
	return roundDecimals(h.start+h.span*float64(i)/float64(steps), h.decimals)
}

// Counts returns the bin counts (shared, not a copy).
func (h *Histogram) Counts() []uint32 { return h.counts }
