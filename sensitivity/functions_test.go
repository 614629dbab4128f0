package sensitivity

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Analytical test functions and their exact Sobol' indices, from the closed
// forms in docs (Ishigami and Homma 1990; Saltelli and Sobol' 1995 for the
// G-function; Saltelli et al. 2008, "Global Sensitivity Analysis. The
// Primer", chapter 4), computed here rather than copied.

const (
	ishigamiA = 7.0
	ishigamiB = 0.1
)

// ishigami is the Ishigami function with a = 7, b = 0.1 of
// x = -π + 2πu, u in [0,1]^3 (x ~ U(-π, π)^3 for uniform u). Coordinates
// beyond the third are ignored.
func ishigami(u []float64) float64 {
	x1 := -math.Pi + 2*math.Pi*u[0]
	x2 := -math.Pi + 2*math.Pi*u[1]
	x3 := -math.Pi + 2*math.Pi*u[2]
	s2 := math.Sin(x2)
	return math.Sin(x1) + ishigamiA*s2*s2 + ishigamiB*x3*x3*x3*x3*math.Sin(x1)
}

// exactIndices holds exact Sobol' indices: S2[i][j] for i < j.
type exactIndices struct {
	S1, ST []float64
	S2     [][]float64
}

// ishigamiExact returns the exact indices of ishigami: with V1 =
// ½(1 + bπ⁴/5)², V2 = a²/8, V13 = b²π⁸(1/18 − 1/50) and V their sum,
// S1 = (V1, V2, 0)/V, ST = (V1+V13, V2, V13)/V, S2_13 = V13/V, the other S2
// zero.
func ishigamiExact() exactIndices {
	pi4 := math.Pow(math.Pi, 4)
	v1 := 0.5 * (1 + ishigamiB*pi4/5) * (1 + ishigamiB*pi4/5)
	v2 := ishigamiA * ishigamiA / 8
	v13 := ishigamiB * ishigamiB * pi4 * pi4 * (1.0/18 - 1.0/50)
	v := v1 + v2 + v13
	return exactIndices{
		S1: []float64{v1 / v, v2 / v, 0},
		ST: []float64{(v1 + v13) / v, v2 / v, v13 / v},
		S2: [][]float64{{0, 0, v13 / v}, {0, 0, 0}, {0, 0, 0}},
	}
}

// ishigamiVariance returns the variance of ishigami.
func ishigamiVariance() float64 {
	pi4 := math.Pow(math.Pi, 4)
	return 0.5*(1+ishigamiB*pi4/5)*(1+ishigamiB*pi4/5) + ishigamiA*ishigamiA/8 +
		ishigamiB*ishigamiB*pi4*pi4*(1.0/18-1.0/50)
}

// gA is the vector a of the Sobol' G-function used in the tests.
var gA = []float64{0, 1, 4.5, 9, 99, 99, 99, 99}

// gFunction returns Sobol's G-function prod_i (|4u_i − 2| + a_i)/(1 + a_i)
// of the first len(a) coordinates of u in [0,1]^D (further coordinates
// ignored).
func gFunction(a []float64) func(u []float64) float64 {
	return func(u []float64) float64 {
		p := 1.0
		for i, ai := range a {
			p *= (math.Abs(4*u[i]-2) + ai) / (1 + ai)
		}
		return p
	}
}

// gExact returns the exact indices of gFunction(a): V_i = 1/(3(1+a_i)²),
// V = prod(1+V_i) − 1, S_i = V_i/V, ST_i = V_i prod_{j≠i}(1+V_j)/V,
// S2_ij = V_i V_j / V.
func gExact(a []float64) exactIndices {
	d := len(a)
	vi := make([]float64, d)
	prod := 1.0
	for i, ai := range a {
		vi[i] = 1 / (3 * (1 + ai) * (1 + ai))
		prod *= 1 + vi[i]
	}
	v := prod - 1
	e := exactIndices{S1: make([]float64, d), ST: make([]float64, d), S2: make([][]float64, d)}
	for i := range d {
		e.S1[i] = vi[i] / v
		e.ST[i] = vi[i] * prod / (1 + vi[i]) / v
		e.S2[i] = make([]float64, d)
		for j := i + 1; j < d; j++ {
			e.S2[i][j] = vi[i] * vi[j] / v
		}
	}
	return e
}

// linear returns the function sum_i c_i u_i.
func linear(c []float64) func(u []float64) float64 {
	return func(u []float64) float64 {
		var s float64
		for i, ci := range c {
			s += ci * u[i]
		}
		return s
	}
}

// linearExact returns the exact indices of linear(c) for u ~ U(0,1)^D:
// S1 = ST = c_i²/Σc², S2 = 0.
func linearExact(c []float64) exactIndices {
	var sum float64
	for _, ci := range c {
		sum += ci * ci
	}
	d := len(c)
	e := exactIndices{S1: make([]float64, d), ST: make([]float64, d), S2: make([][]float64, d)}
	for i, ci := range c {
		e.S1[i] = ci * ci / sum
		e.ST[i] = e.S1[i]
		e.S2[i] = make([]float64, d)
	}
	return e
}

// evalSaltelli evaluates f at the points of s.
func evalSaltelli(s *SaltelliDesign, f func([]float64) float64) SobolOutputs {
	eval := func(m [][]float64) []float64 {
		y := make([]float64, len(m))
		for j, p := range m {
			y[j] = f(p)
		}
		return y
	}
	out := SobolOutputs{A: eval(s.A), B: eval(s.B), AB: make([][]float64, len(s.AB))}
	for i, m := range s.AB {
		out.AB[i] = eval(m)
	}
	if s.BA != nil {
		out.BA = make([][]float64, len(s.BA))
		for i, m := range s.BA {
			out.BA[i] = eval(m)
		}
	}
	return out
}

// evalMorris evaluates f at the points of trajs.
func evalMorris(trajs []Trajectory, f func([]float64) float64) [][]float64 {
	y := make([][]float64, len(trajs))
	for t, tr := range trajs {
		y[t] = make([]float64, len(tr.Points))
		for k, p := range tr.Points {
			y[t][k] = f(p)
		}
	}
	return y
}

// sobolFor returns the Sobol' indices of f of d factors from a Saltelli
// design of n base rows.
func sobolFor(t testing.TB, f func([]float64) float64, d, n int, second bool, opts SobolOptions) *SobolResult {
	t.Helper()
	s, err := SaltelliSample(d, n, second)
	if err != nil {
		t.Fatal(err)
	}
	res, err := SobolIndices(evalSaltelli(s, f), opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// halfWidth returns the half-width of an interval.
func halfWidth(ci [2]float64) float64 { return (ci[1] - ci[0]) / 2 }

// TestExactIndices checks the closed forms against properties they must
// have: for the G-function and the linear function, without interactions
// of order above 2 for Ishigami, the first- and second-order indices sum
// to 1.
func TestExactIndices(t *testing.T) {
	t.Parallel()
	sum := func(e exactIndices) float64 {
		var s float64
		for i := range e.S1 {
			s += e.S1[i]
			for j := i + 1; j < len(e.S1); j++ {
				s += e.S2[i][j]
			}
		}
		return s
	}
	if s := sum(ishigamiExact()); math.Abs(s-1) > 1e-14 {
		t.Errorf("Ishigami: S1 and S2 sum to %v, want 1", s)
	}
	// The G-function of 2 factors has only first and second orders.
	if s := sum(gExact([]float64{0, 1})); math.Abs(s-1) > 1e-14 {
		t.Errorf("G of 2 factors: S1 and S2 sum to %v, want 1", s)
	}
	if s := sum(linearExact([]float64{1, 2, 0, -3})); math.Abs(s-1) > 1e-14 {
		t.Errorf("linear: S1 sum to %v, want 1", s)
	}
	// Ishigami's variance by brute-force quadrature: the function is
	// separable enough that a midpoint rule on 200³ points is accurate to
	// about 1e-4.
	const m = 200
	var s1, s2 float64
	u := make([]float64, 3)
	for i := range m {
		u[0] = (float64(i) + 0.5) / m
		for j := range m {
			u[1] = (float64(j) + 0.5) / m
			for k := range m {
				u[2] = (float64(k) + 0.5) / m
				y := ishigami(u)
				s1 += y
				s2 += y * y
			}
		}
	}
	mean := s1 / (m * m * m)
	v := s2/(m*m*m) - mean*mean
	if math.Abs(v-ishigamiVariance()) > 1e-2 {
		t.Errorf("Ishigami variance by quadrature %v, closed form %v", v, ishigamiVariance())
	}
}

// noisy returns f plus independent N(0, sd²) noise drawn from a PCG source
// seeded with seed: a deterministic function of the order of the calls.
func noisy(f func([]float64) float64, sd float64, seed uint64) func([]float64) float64 {
	rng := rand.New(rand.NewPCG(seed, 0))
	return func(u []float64) float64 {
		return f(u) + sd*rng.NormFloat64()
	}
}
