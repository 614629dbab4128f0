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
	if v, ok := m.fastVariance(); ok {
		return v
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

// fastVariance is Variance without big numbers, for the usual case: the
// sums of fewer than 2³² values whose products fit in 128 bits. It returns
// false when they do not. The numerator n·Σk² − (Σk)² and the divisor
// n(n−1) are exact integers, and their quotient is rounded once, so the
// result has the same bits as the exact rational's.
func (m *Moments) fastVariance() (float64, bool) {
	n := uint64(m.n)
	if m.n < 2 || n >= 1<<32 || m.sumSq.w[2] != 0 {
		return 0, false
	}
	// n·Σk², 192 bits; its top word must be 0.
	h0, l0 := bits.Mul64(m.sumSq.w[0], n)
	h1, l1 := bits.Mul64(m.sumSq.w[1], n)
	mid, c := bits.Add64(h0, l1, 0)
	if h1 != 0 || c != 0 {
		return 0, false
	}
	// (Σk)², with |Σk| < 2⁶⁴.
	s := m.sum
	if s.hi>>63 == 1 { // negative: negate
		s.lo, s.hi = ^s.lo, ^s.hi
		var c uint64
		s.lo, c = bits.Add64(s.lo, 1, 0)
		s.hi += c
	}
	if s.hi != 0 {
		return 0, false
	}
	sh, sl := bits.Mul64(s.lo, s.lo)
	lo, b := bits.Sub64(l0, sl, 0)
	hi, b := bits.Sub64(mid, sh, b)
	if b != 0 { // cannot happen: n·Σk² ≥ (Σk)² for integers
		return 0, false
	}
	return ldexpQuo(hi, lo, n*(n-1), -2*fracBits), true
}

// ldexpQuo returns (hi·2⁶⁴ + lo) / d · 2^e, correctly rounded (to nearest,
// ties to even), for d ≥ 1 and a result well within float64's normal
// range.
func ldexpQuo(hi, lo, d uint64, e int) float64 {
	if hi == 0 && lo == 0 {
		return 0
	}
	// Shift the dividend so that the quotient has at least 56 bits: 53, a
	// rounding bit and more, with the remainder as a sticky bit.
	ln := 128 - bits.LeadingZeros64(hi)
	if hi == 0 {
		ln = 64 - bits.LeadingZeros64(lo)
	}
	ld := 64 - bits.LeadingZeros64(d)
	shift := max(0, 56-(ln-ld)) // ln+shift ≤ 56+ld ≤ 120: no overflow
	hi, lo = shl128(hi, lo, uint(shift))
	qh, r := hi/d, hi%d
	ql, rem := bits.Div64(r, lo, d)
	// Round the quotient qh·2⁶⁴ + ql to 53 bits.
	lq := 128 - bits.LeadingZeros64(qh)
	if qh == 0 {
		lq = 64 - bits.LeadingZeros64(ql)
	}
	drop := uint(lq - 53)
	_, mant := shr128(qh, ql, drop) // 53 bits
	// The dropped bits, compared with half of their unit.
	dh, dl := shl128(qh, ql, 128-drop) // the dropped bits at the top
	half := dh == 1<<63 && dl == 0
	above := dh > 1<<63 || (dh == 1<<63 && dl != 0)
	if above || (half && (rem != 0 || mant&1 == 1)) {
		mant++
	}
	return math.Ldexp(float64(mant), int(drop)-shift+e)
}

// shl128 shifts a 128-bit value left by k < 128 bits.
func shl128(hi, lo uint64, k uint) (uint64, uint64) {
	switch {
	case k == 0:
		return hi, lo
	case k >= 64:
		return lo << (k - 64), 0
	}
	return hi<<k | lo>>(64-k), lo << k
}

// shr128 shifts a 128-bit value right by k < 128 bits.
func shr128(hi, lo uint64, k uint) (uint64, uint64) {
	switch {
	case k == 0:
		return hi, lo
	case k >= 64:
		return 0, hi >> (k - 64)
	}
	return hi >> k, lo>>k | hi<<(64-k)
}
