package num

import (
	"math"
	"math/rand/v2"
	"testing"
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x5555)) }

func TestClampMinMax(t *testing.T) {
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
		{"Max", Max(2, 3), 3},
		{"Max first", Max(3, 2), 3},
		{"Max negative", Max(-1, 0), 0},
		{"Pos", Pos(2.5), 2.5},
		{"Pos negative", Pos(-2.5), 0},
		{"Pos -Inf", Pos(-inf), 0},
		{"Min", Min(2, 3), 2},
		{"Min second", Min(3, 2), 2},
		{"Min bound", Min(1.2, 1), 1},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	if c := Clamp01(nan); c != 0 && c != 1 {
		t.Errorf("Clamp01(NaN) = %v, want 0 or 1", c)
	}
	// Signed zeros agree with the builtins bit for bit, as the golden run
	// relies on.
	negZero := math.Copysign(0, -1)
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"Clamp01(-0)", Clamp01(negZero), 0},
		{"Max(-0, 0)", Max(negZero, 0), max(negZero, 0)},
		{"Max(0, -0)", Max(0, negZero), max(0, negZero)},
		{"Min(-0, 1)", Min(negZero, 1), min(negZero, 1)},
		{"Min(-0, 0)", Min(negZero, 0), min(negZero, 0)},
		{"Min(0, -0)", Min(0, negZero), min(0, negZero)},
		{"Pos(-0)", Pos(negZero), max(negZero, 0)},
	} {
		if math.Float64bits(c.got) != math.Float64bits(c.want) {
			t.Errorf("%s = %v (sign %v), want %v (sign %v)", c.name, c.got, math.Signbit(c.got), c.want, math.Signbit(c.want))
		}
	}
	// Against the builtins on random finite numbers, including equal pairs.
	r := newRand(3)
	for range 100000 {
		x, y := r.NormFloat64(), r.NormFloat64()
		if r.IntN(10) == 0 {
			y = x
		}
		if Max(x, y) != max(x, y) || Min(x, y) != min(x, y) || Clamp01(x) != min(max(x, 0), 1) || Pos(x) != max(x, 0) {
			t.Fatalf("x=%v y=%v: Max %v Min %v Clamp01 %v disagree with the builtins", x, y, Max(x, y), Min(x, y), Clamp01(x))
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
