package sensitivity

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/stat/distuv"
)

const (
	// DefaultResamples is the number of bootstrap resamples used when an
	// options struct leaves Resamples at 0.
	DefaultResamples = 1000

	// DefaultLevel is the level of the intervals used when an options
	// struct leaves Level at 0.
	DefaultLevel = 0.95

	// MaxResamples is the largest number of bootstrap resamples accepted.
	MaxResamples = 1_000_000
)

// bootStream is the second seed of the PCG source of the bootstraps, which
// selects one of its streams; the first seed is the caller's.
const bootStream = 0x5851f42d4c957f2d

// resampleBlock is the number of bootstrap resamples whose counts are
// drawn and summed at a time.
const resampleBlock = 32

// bootstrapSettings returns the number of resamples and the normal quantile
// z of the interval level, with the defaults applied, or an error naming
// the function fn if they are out of range.
func bootstrapSettings(fn string, resamples int, level, noiseVar float64) (int, float64, error) {
	if resamples == 0 {
		resamples = DefaultResamples
	}
	if resamples < 2 || resamples > MaxResamples {
		return 0, 0, fmt.Errorf("sensitivity: %s: %d bootstrap resamples, need 2 to %d (or 0 for %d)", fn, resamples, MaxResamples, DefaultResamples)
	}
	if level == 0 {
		level = DefaultLevel
	}
	if !(level > 0 && level < 1) {
		return 0, 0, fmt.Errorf("sensitivity: %s: interval level %v not in (0, 1)", fn, level)
	}
	if !(noiseVar >= 0) || math.IsInf(noiseVar, 1) {
		return 0, 0, fmt.Errorf("sensitivity: %s: noise variance %v, need a finite value >= 0", fn, noiseVar)
	}
	return resamples, distuv.UnitNormal.Quantile(0.5 + level/2), nil
}

// bootstrap draws resamples with replacement of n units, a block of
// resamples at a time, and sums given per-unit values over each resample.
// A resample is represented by its counts: how many times it draws each
// unit. A bootstrap is a deterministic function of its seed.
type bootstrap struct {
	rng       *rand.Rand
	n         int
	remaining int
	// counts[u*rows+r] is the count of unit u in resample r of the
	// current block, which has rows resamples (at most resampleBlock).
	counts []float64
	rows   int
}

// newBootstrap returns a bootstrap of the given number of resamples of n
// units.
func newBootstrap(seed uint64, n, resamples int) *bootstrap {
	return &bootstrap{
		rng:       rand.New(rand.NewPCG(seed, bootStream)),
		n:         n,
		remaining: resamples,
		counts:    make([]float64, n*min(resamples, resampleBlock)),
	}
}

// next draws the next block of resamples and returns their number, 0 when
// all have been drawn. Each resample draws n units uniformly with
// replacement.
func (b *bootstrap) next() int {
	b.rows = min(b.remaining, resampleBlock)
	b.remaining -= b.rows
	c := b.counts[:b.n*b.rows]
	clear(c)
	for r := range b.rows {
		for range b.n {
			c[b.rng.IntN(b.n)*b.rows+r]++
		}
	}
	return b.rows
}

// sums stores in dst, a row-major matrix of one row of m sums per resample
// of the current block, the sums over each resample of the rows of values,
// a row-major n × m matrix of m values per unit: dst[r*m+k] is the sum
// over units u of count[u][r]·values[u*m+k]. It reads each row of values
// once per block, adding it to the sums of the resamples that draw it:
// about a third of the counts are 0 (the probability (1-1/n)^n that a
// unit is not drawn).
func (b *bootstrap) sums(dst, values []float64, m int) {
	dst = dst[:b.rows*m]
	clear(dst)
	for u := range b.n {
		x := blas64.Vector{N: m, Data: values[u*m : (u+1)*m], Inc: 1}
		for r, c := range b.counts[u*b.rows : (u+1)*b.rows] {
			if c != 0 {
				blas64.Axpy(c, x, blas64.Vector{N: m, Data: dst[r*m : (r+1)*m], Inc: 1})
			}
		}
	}
}

// spread accumulates resampled values of an estimate as deviations from the
// estimate, whose sums give the standard deviation of the resampled values
// without cancellation (the deviations have a mean near 0). A value that is
// not finite makes the spread infinite.
type spread struct {
	sum, sumSq float64
	n          int
	infinite   bool
}

// add records the resampled value x of an estimate est.
func (s *spread) add(x, est float64) {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		s.infinite = true
		return
	}
	d := x - est
	s.sum += d
	s.sumSq += d * d
	s.n++
}

// stdDev returns the sample standard deviation (n-1 denominator) of the
// recorded values, +Inf if one of them was not finite.
func (s *spread) stdDev() float64 {
	if s.infinite {
		return math.Inf(1)
	}
	n := float64(s.n)
	v := (s.sumSq - s.sum*s.sum/n) / (n - 1)
	return math.Sqrt(max(v, 0))
}

// interval returns est ± z·sd: the normal bootstrap interval. A NaN
// estimate gives a NaN interval; an infinite spread gives (-Inf, +Inf).
func interval(est, z, sd float64) [2]float64 {
	if math.IsNaN(est) {
		return [2]float64{math.NaN(), math.NaN()}
	}
	return [2]float64{est - z*sd, est + z*sd}
}
