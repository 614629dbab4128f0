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
	r := rand.New(rand.NewPCG(1, 2))
	cases := []struct {
		name string
		gen  func() float64
		n    int
	}{
		{"unit", r.Float64, 1000},
		{"signed", func() float64 { return 2*r.Float64() - 1 }, 1000},
		{"negative", func() float64 { return -r.Float64() * 3 }, 333},
		{"tiny", func() float64 { return r.Float64() * 1e-9 }, 50},
		{"large", func() float64 { return r.Float64() * 4e5 }, 40},       // sums cross 2⁵³ on the way
		{"beyond", func() float64 { return (r.Float64() + 1) * 1e6 }, 9}, // sums well past 2⁵³
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var m Moments
			fast, slow := 0, 0
			for range c.n {
				m.Add(c.gen())
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
