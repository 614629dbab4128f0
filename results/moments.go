package results

import (
	"math"
	"math/big"
	"math/bits"
)

// fracBits is the number of fractional bits of the fixed-point values that
// Moments sums: values are rounded to multiples of 2⁻³² (about 2.3e-10)
// before they are added, which makes the sums exact integers.
const fracBits = 32

// MaxAbs is the largest magnitude Moments accepts; larger values are clamped
// to ±MaxAbs. Every metric of the model is far below it.
const MaxAbs = 1 << 30

// Moments accumulates the count, sum and sum of squares of a stream of
// values exactly, in fixed point. Because integer addition is associative,
// merging Moments gives bit-identical results whatever the order in which
// values arrive or partial results are merged: the same for one worker or
// many, one process or many shards. NaN values are skipped (not counted).
type Moments struct {
	n     int64
	sum   int128
	sumSq int192
}

// Add adds x.
func (m *Moments) Add(x float64) {
	if math.IsNaN(x) {
		return
	}
	k := fixed(x)
	m.n++
	m.sum.add64(k)
	hi, lo := bits.Mul64(abs64(k), abs64(k))
	m.sumSq.addU128(hi, lo)
}

// Merge adds everything o has accumulated.
func (m *Moments) Merge(o *Moments) {
	m.n += o.n
	m.sum.addWide(o.sum)
	m.sumSq.addWide(o.sumSq)
}

// N returns the number of values added.
func (m *Moments) N() int { return int(m.n) }

// Mean returns the mean of the values (of their fixed-point roundings),
// correctly rounded; NaN when there are none.
func (m *Moments) Mean() float64 {
	if m.n == 0 {
		return math.NaN()
	}
	if s, ok := m.sum.small(); ok && m.n <= 1<<53 {
		// Both integers are exact in a float64, so their quotient is
		// correctly rounded, and scaling by a power of two is exact: the
		// same value as the exact rational below, far faster.
		return float64(s) / float64(m.n) / (1 << fracBits)
	}
	q := new(big.Rat).SetFrac(m.sum.big(), new(big.Int).Lsh(big.NewInt(m.n), fracBits))
	f, _ := q.Float64()
	return f
}

// Variance returns the unbiased sample variance, correctly rounded; NaN with
// fewer than two values.
func (m *Moments) Variance() float64 {
	if m.n < 2 {
		return math.NaN()
	}
	n := big.NewInt(m.n)
	s := m.sum.big()
	num := new(big.Int).Mul(n, m.sumSq.big())
	num.Sub(num, new(big.Int).Mul(s, s))
	den := new(big.Int).Mul(n, big.NewInt(m.n-1))
	den.Lsh(den, 2*fracBits)
	f, _ := new(big.Rat).SetFrac(num, den).Float64()
	return f
}

// fixed returns x rounded to a multiple of 2**-fracBits, as an integer
// count of those units, clamped to ±MaxAbs. Scaling by a power of two is
// exact, so only the rounding loses anything.
func fixed(x float64) int64 {
	x = max(min(x, MaxAbs), -MaxAbs)
	return int64(math.Round(x * (1 << fracBits)))
}

func abs64(k int64) uint64 {
	if k < 0 {
		return uint64(-k)
	}
	return uint64(k)
}

// int128 is a two's-complement signed 128-bit integer.
type int128 struct{ lo, hi uint64 }

func (a *int128) add64(k int64) {
	var c uint64
	a.lo, c = bits.Add64(a.lo, uint64(k), 0)
	ext := uint64(0)
	if k < 0 {
		ext = math.MaxUint64
	}
	a.hi, _ = bits.Add64(a.hi, ext, c)
}

func (a *int128) addWide(b int128) {
	var c uint64
	a.lo, c = bits.Add64(a.lo, b.lo, 0)
	a.hi, _ = bits.Add64(a.hi, b.hi, c)
}

// small returns a as an int64 when its magnitude is at most 2⁵³, so that
// it converts to float64 exactly.
func (a int128) small() (int64, bool) {
	v := int64(a.lo)
	if (a.hi == 0 && a.lo>>63 == 0) || (a.hi == math.MaxUint64 && a.lo>>63 == 1) {
		if v >= -(1<<53) && v <= 1<<53 {
			return v, true
		}
	}
	return 0, false
}

func (a int128) big() *big.Int { return twos([]uint64{a.lo, a.hi}) }

// int192 is an unsigned 192-bit integer (sums of squares are never negative).
type int192 struct{ w [3]uint64 }

func (a *int192) addU128(hi, lo uint64) {
	var c uint64
	a.w[0], c = bits.Add64(a.w[0], lo, 0)
	a.w[1], c = bits.Add64(a.w[1], hi, c)
	a.w[2] += c
}

func (a *int192) addWide(b int192) {
	var c uint64
	a.w[0], c = bits.Add64(a.w[0], b.w[0], 0)
	a.w[1], c = bits.Add64(a.w[1], b.w[1], c)
	a.w[2] += b.w[2] + c
}

func (a int192) big() *big.Int { return unsigned(a.w[:]) }

// unsigned converts little-endian words to a big.Int.
func unsigned(w []uint64) *big.Int {
	z := new(big.Int)
	for i := len(w) - 1; i >= 0; i-- {
		z.Lsh(z, 64)
		z.Or(z, new(big.Int).SetUint64(w[i]))
	}
	return z
}

// twos converts little-endian words in two's complement to a big.Int.
func twos(w []uint64) *big.Int {
	z := unsigned(w)
	if w[len(w)-1]>>63 == 1 {
		z.Sub(z, new(big.Int).Lsh(big.NewInt(1), uint(64*len(w))))
	}
	return z
}
