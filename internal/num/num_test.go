package num

import (
	"math"
	"math/rand/v2"
	"testing"
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x5555)) }

func TestClamp01(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	cases := []struct {
		name      string
		got, want float64
	}{
		{"Clamp01 inside", Clamp01(0.3), 0.3},
		{"Clamp01 below", Clamp01(-2), 0},
		{"Clamp01 above", Clamp01(1.5), 1},
		{"Clamp01 one", Clamp01(1), 1},
		{"Clamp01 -Inf", Clamp01(-inf), 0},
		{"Clamp01 +Inf", Clamp01(inf), 1},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	if c := Clamp01(nan); c != 0 && c != 1 {
		t.Errorf("Clamp01(NaN) = %v, want 0 or 1", c)
	}
	// -0 becomes +0, as with the builtins, bit for bit: the golden run
	// relies on it.
	negZero := math.Copysign(0, -1)
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"Clamp01(-0)", Clamp01(negZero), min(max(negZero, 0), 1)},
	} {
		if math.Float64bits(c.got) != math.Float64bits(c.want) {
			t.Errorf("%s = %v (sign %v), want %v (sign %v)", c.name, c.got, math.Signbit(c.got), c.want, math.Signbit(c.want))
		}
	}
	// Against the builtins on random finite numbers.
	r := newRand(3)
	for range 100000 {
		x := r.NormFloat64()
		if Clamp01(x) != min(max(x, 0), 1) {
			t.Fatalf("Clamp01(%v) = %v, the builtins give %v", x, Clamp01(x), min(max(x, 0), 1))
		}
	}
}

// Exp agrees with math.Exp to 2e-12 relative over the whole range the
// actors can reach, including both ends, and handles the edges.
func TestExp(t *testing.T) {
	r := newRand(11)
	check := func(x float64) {
		got, want := Exp(x), math.Exp(x)
		switch {
		case x < -708: // documented: flushed to 0 below the smallest normal
			if got != 0 {
				t.Errorf("Exp(%v) = %v, want 0", x, got)
			}
			return
		case math.IsInf(want, 0):
			if got != want {
				t.Errorf("Exp(%v) = %v, want %v", x, got, want)
			}
			return
		}
		if rel := math.Abs(got-want) / want; rel > 2e-12 {
			t.Errorf("Exp(%v) = %v, math.Exp %v: relative error %.3g", x, got, want, rel)
		}
	}
	for range 200000 {
		check(-60 + 120*r.Float64()) // where the logit and logistic live
	}
	for range 20000 {
		check(-700 + 1400*r.Float64())
	}
	for _, x := range []float64{0, 1, -1, 0.5 * math.Ln2, -0.5 * math.Ln2, 708, -707, 709.5, -745, math.Inf(-1)} {
		check(x)
	}
	if !math.IsNaN(Exp(math.NaN())) {
		t.Error("Exp(NaN) is not NaN")
	}
}

func BenchmarkExp(b *testing.B) {
	x := -3.7
	var s float64
	for b.Loop() {
		s += Exp(x)
		x -= 1e-9
	}
	if s == 0 {
		b.Fatal()
	}
}

func BenchmarkMathExp(b *testing.B) {
	x := -3.7
	var s float64
	for b.Loop() {
		s += math.Exp(x)
		x -= 1e-9
	}
	if s == 0 {
		b.Fatal()
	}
}

// BenchmarkClampLatency times chains of dependent clamps, each clamp's
// input computed from the previous one's result. The time per link less
// that of "none" is what a clamp adds to a chain of dependent operations:
// about 12 cycles for Clamp01 and for the builtins, about 1 for branches.
// The input stays inside [0, 1], so the branches are always predicted
// right: a best case that a replication's clamps, whose inputs follow the
// random course of the run, do not reach.
func BenchmarkClampLatency(b *testing.B) {
	const n = 1000
	step := func(x float64) float64 { return x*0.9999999 + 0.3 } // stays in (0.3, 0.5]
	branching := func(x float64) float64 {
		if !(x > 0) {
			return 0
		}
		if x > 1 {
			return 1
		}
		return x
	}
	for _, c := range []struct {
		name  string
		clamp func(float64) float64
	}{
		{"none", func(x float64) float64 { return x }},
		{"Clamp01", Clamp01},
		{"builtins", func(x float64) float64 { return min(max(x, 0), 1) }},
		{"branches", branching},
	} {
		b.Run(c.name, func(b *testing.B) {
			x := 0.2
			for b.Loop() {
				for range n {
					x = c.clamp(step(x)) - 0.3
				}
			}
			if x != x {
				b.Fatal("NaN")
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/link")
		})
	}
}
