package results

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// exactMean is the mean as the exact quotient of the fixed-point sum and
// the count, rounded once: what Mean must return on either of its paths.
func exactMean(m *Moments) float64 {
	q := new(big.Rat).SetFrac(m.sum.big(), new(big.Int).Lsh(big.NewInt(m.n), fracBits))
	f, _ := q.Float64()
	return f
}

// The fast path of Mean (sums within 2⁵³) gives the bits of the exact
// quotient, on both sides of the bound, for positive and negative sums.
func TestMeanFastPathExact(t *testing.T) {
	t.Parallel()
	// Each case draws from its own generator: the subtests run in
	// parallel.
	cases := []struct {
		name string
		gen  func(r *rand.Rand) float64
		n    int
	}{
		{"unit", (*rand.Rand).Float64, 1000},
		{"signed", func(r *rand.Rand) float64 { return 2*r.Float64() - 1 }, 1000},
		{"negative", func(r *rand.Rand) float64 { return -r.Float64() * 3 }, 333},
		{"tiny", func(r *rand.Rand) float64 { return r.Float64() * 1e-9 }, 50},
		{"large", func(r *rand.Rand) float64 { return r.Float64() * 4e5 }, 40},       // sums cross 2⁵³ on the way
		{"beyond", func(r *rand.Rand) float64 { return (r.Float64() + 1) * 1e6 }, 9}, // sums well past 2⁵³
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(1, uint64(i)))
			var m Moments
			fast, slow := 0, 0
			for range c.n {
				m.Add(c.gen(r))
				if _, ok := m.sum.small(); ok {
					fast++
				} else {
					slow++
				}
				if got, want := m.Mean(), exactMean(&m); math.Float64bits(got) != math.Float64bits(want) {
					t.Fatalf("after %d values: Mean = %v, exact %v", m.n, got, want)
				}
			}
			t.Logf("%d on the fast path, %d on the exact one", fast, slow)
		})
	}
	// The bound itself and one past it, both signs.
	for _, v := range []int64{1 << 53, 1<<53 + 1, -(1 << 53), -(1 << 53) - 1, 3, -3} {
		var m Moments
		m.n = 7
		m.sum.add64(v)
		if got, want := m.Mean(), exactMean(&m); math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("sum %d over 7: Mean = %v, exact %v", v, got, want)
		}
	}
}

// exactVariance is the variance as the exact quotient, rounded once.
func exactVariance(m *Moments) float64 {
	n := big.NewInt(m.n)
	s := m.sum.big()
	num := new(big.Int).Mul(n, m.sumSq.big())
	num.Sub(num, new(big.Int).Mul(s, s))
	den := new(big.Int).Mul(n, big.NewInt(m.n-1))
	den.Lsh(den, 2*fracBits)
	f, _ := new(big.Rat).SetFrac(num, den).Float64()
	return f
}

// The fast path of Variance gives the bits of the exact quotient: for
// values of every scale and sign, constant values, two values, and sums
// too large for it (the exact path).
func TestVarianceFastPathExact(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		gen  func(r *rand.Rand) float64
		n    int
	}{
		{"unit", (*rand.Rand).Float64, 2000},
		{"binary", func(r *rand.Rand) float64 { return float64(r.IntN(2)) }, 500},
		{"constant", func(*rand.Rand) float64 { return 0.3 }, 50},
		{"signed", func(r *rand.Rand) float64 { return 2*r.Float64() - 1 }, 500},
		{"counts", func(r *rand.Rand) float64 { return float64(r.IntN(40)) }, 300},
		{"tiny", func(r *rand.Rand) float64 { return r.Float64() * 1e-8 }, 100},
		{"grid", func(r *rand.Rand) float64 { return float64(r.IntN(5)) / 4 }, 300},
		{"large", func(r *rand.Rand) float64 { return r.Float64() * 1e6 }, 100}, // past the fast path
		{"huge", func(r *rand.Rand) float64 { return -r.Float64() * 1e9 }, 30},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(3, uint64(i)))
			var m Moments
			fast := 0
			for range c.n {
				m.Add(c.gen(r))
				if m.n < 2 {
					continue
				}
				if _, ok := m.fastVariance(); ok {
					fast++
				}
				if got, want := m.Variance(), exactVariance(&m); math.Float64bits(got) != math.Float64bits(want) {
					t.Fatalf("after %d values: Variance = %v (%#x), exact %v (%#x)", m.n, got, math.Float64bits(got), want, math.Float64bits(want))
				}
			}
			t.Logf("%d of %d on the fast path", fast, c.n-1)
		})
	}
}

// ldexpQuo rounds ties to even and breaks near-ties by the remainder.
func TestLdexpQuoRounding(t *testing.T) {
	t.Parallel()
	one := uint64(1) << 52 // floats from here to 2⁵³ are the integers
	cases := []struct {
		hi, lo, d uint64
		e         int
		want      float64
	}{
		{0, 6, 3, 0, 2},
		{0, 1, 3, 0, 1.0 / 3},
		{0, 2, 3, 0, 2.0 / 3},
		{0, 1, 10, 0, 0.1},
		{0, 2*one + 1, 2, 0, float64(one)},               // one + 1/2: a tie, to even (down)
		{0, 2*one + 3, 2, 0, float64(one + 2)},           // one + 3/2: a tie, to even (up)
		{0, 4*one + 3, 4, 0, float64(one + 1)},           // one + 3/4: up
		{0, 4*one + 1, 4, 0, float64(one)},               // one + 1/4: down
		{0, (2*one + 1) * 3, 3 * 2, 0, float64(one)},     // a tie after division
		{0, (2*one+1)*3 + 1, 3 * 2, 0, float64(one + 1)}, // just above the tie: the remainder decides
		{0, (2*one+1)*3 - 1, 3 * 2, 0, float64(one)},     // just below it
		{0, (2*one+3)*5 - 1, 5 * 2, 0, float64(one + 1)}, // just below a tie that would round up
		{1, 0, 1, -64, 1},
		{1 << 62, 0, 1, 0, math.Ldexp(1, 126)},
		{0, 7, 1, -3, 0.875},
	}
	for _, c := range cases {
		if got := ldexpQuo(c.hi, c.lo, c.d, c.e); got != c.want {
			t.Errorf("ldexpQuo(%d, %d, %d, %d) = %v, want %v", c.hi, c.lo, c.d, c.e, got, c.want)
		}
	}
}
