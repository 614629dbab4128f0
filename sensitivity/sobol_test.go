package sensitivity

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// ciSlack is the rounding allowed when checking that a value lies in an
// interval: an index that is exactly 0 in theory can come out as 1e-15
// with an interval of width 1e-15 (for instance S2 of a pair with an
// inert factor, computed as the difference of two equal sums).
const ciSlack = 1e-12

func inInterval(x float64, ci [2]float64) bool {
	return ci[0]-ciSlack <= x && x <= ci[1]+ciSlack
}

// TestSobolAnalytic checks the estimates on functions with known indices.
//
// Tolerance: each estimate must be within half its own 95% half-width of
// the exact value, that is within about one bootstrap standard deviation
// (half-width = 1.96 sd), and the exact value must lie in the interval.
// The measured half-widths at N = 8192 are at most 0.037 (Ishigami, S2
// included) and 0.036 (G), falling as 1/sqrt(N) (see TestConvergence); the
// errors of the Sobol'-sequence estimates are far smaller than that iid
// bootstrap suggests (at most 0.16 half-width at N = 8192 over all the
// indices below; quasi-Monte Carlo converges faster than Monte Carlo),
// so half a half-width is a strict bound that still leaves a factor 3.
// Each half-width must also be at most maxHW, so that a wide interval
// cannot pass the coverage check vacuously.
func TestSobolAnalytic(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		f      func([]float64) float64
		d, n   int
		second bool
		exact  exactIndices
		maxHW  float64
	}{
		{"Ishigami", ishigami, 3, 8192, true, ishigamiExact(), 0.05},
		{"G", gFunction(gA), len(gA), 8192, true, gExact(gA), 0.05},
		{"linear", linear([]float64{1, 2, 0, -3}), 4, 8192, true, linearExact([]float64{1, 2, 0, -3}), 0.05},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := sobolFor(t, tc.f, tc.d, tc.n, tc.second, SobolOptions{Seed: 1})
			check := func(name string, est, exact float64, ci [2]float64) {
				t.Helper()
				hw := halfWidth(ci)
				if math.Abs(est-exact) > hw/2+ciSlack {
					t.Errorf("%s = %.5f, exact %.5f: error %.5f above half the 95%% half-width %.5f", name, est, exact, est-exact, hw)
				}
				if !inInterval(exact, ci) {
					t.Errorf("%s: exact %.5f outside the 95%% interval [%.5f, %.5f]", name, exact, ci[0], ci[1])
				}
				if hw > tc.maxHW {
					t.Errorf("%s: 95%% half-width %.4f above %.4f", name, hw, tc.maxHW)
				}
			}
			for i := range tc.d {
				check(fmt.Sprintf("S1[%d]", i), res.S1[i], tc.exact.S1[i], res.S1CI[i])
				check(fmt.Sprintf("ST[%d]", i), res.ST[i], tc.exact.ST[i], res.STCI[i])
				for j := i + 1; j < tc.d; j++ {
					check(fmt.Sprintf("S2[%d][%d]", i, j), res.S2[i][j], tc.exact.S2[i][j], res.S2CI[i][j])
				}
				for j := 0; j <= i; j++ {
					if !math.IsNaN(res.S2[i][j]) || !math.IsNaN(res.S2CI[i][j][0]) {
						t.Errorf("S2[%d][%d] = %v, interval %v; want NaN below the diagonal", i, j, res.S2[i][j], res.S2CI[i][j])
					}
				}
			}
			// Without noise the corrected estimates are the raw ones.
			if !slices.Equal(res.S1, res.S1Raw) || !slices.Equal(res.ST, res.STRaw) ||
				!slices.Equal(res.S1CI, res.S1RawCI) || !slices.Equal(res.STCI, res.STRawCI) {
				t.Error("without noise, corrected and raw indices differ")
			}
			if res.NoiseShare != 0 {
				t.Errorf("NoiseShare = %v without noise", res.NoiseShare)
			}
		})
	}
}

// TestSobolCoverage checks, for several N (the Sobol' sequence being
// deterministic, varying N is the way to draw different designs), that
// the exact indices of Ishigami and G lie in the 95% intervals. Measured:
// all 9 (Ishigami) and 44 (G) indices covered at every N from 512 to
// 16384, errors at most 0.53 half-width: the bootstrap treats the
// quasi-random rows as independent, so its intervals are conservative for
// the Sobol' design. TestSobolCoverageMonteCarlo checks calibration where
// the bootstrap's assumption holds.
func TestSobolCoverage(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1024, 2048, 4096} {
		for _, fn := range []struct {
			name  string
			f     func([]float64) float64
			d     int
			exact exactIndices
		}{
			{"Ishigami", ishigami, 3, ishigamiExact()},
			{"G", gFunction(gA), len(gA), gExact(gA)},
		} {
			t.Run(fmt.Sprintf("%s/N=%d", fn.name, n), func(t *testing.T) {
				t.Parallel()
				res := sobolFor(t, fn.f, fn.d, n, true, SobolOptions{Seed: uint64(n)})
				for i := range fn.d {
					if !inInterval(fn.exact.S1[i], res.S1CI[i]) {
						t.Errorf("S1[%d]: exact %.4f outside %.4f", i, fn.exact.S1[i], res.S1CI[i])
					}
					if !inInterval(fn.exact.ST[i], res.STCI[i]) {
						t.Errorf("ST[%d]: exact %.4f outside %.4f", i, fn.exact.ST[i], res.STCI[i])
					}
					for j := i + 1; j < fn.d; j++ {
						if !inInterval(fn.exact.S2[i][j], res.S2CI[i][j]) {
							t.Errorf("S2[%d][%d]: exact %.4f outside %.4f", i, j, fn.exact.S2[i][j], res.S2CI[i][j])
						}
					}
				}
			})
		}
	}
}

// randomOutputs evaluates f on a Saltelli-structured design of n
// independent uniform base rows (Monte Carlo rather than the Sobol'
// sequence) drawn from seed.
func randomOutputs(f func([]float64) float64, d, n int, seed uint64) SobolOutputs {
	rng := rand.New(rand.NewPCG(seed, 1))
	out := SobolOutputs{A: make([]float64, n), B: make([]float64, n), AB: make([][]float64, d)}
	for i := range out.AB {
		out.AB[i] = make([]float64, n)
	}
	a, b, x := make([]float64, d), make([]float64, d), make([]float64, d)
	for j := range n {
		for i := range d {
			a[i], b[i] = rng.Float64(), rng.Float64()
		}
		out.A[j], out.B[j] = f(a), f(b)
		for i := range d {
			copy(x, a)
			x[i] = b[i]
			out.AB[i][j] = f(x)
		}
	}
	return out
}

// TestSobolCoverageMonteCarlo checks that the 95% intervals are calibrated
// when the base rows are independent, as the bootstrap assumes: over 60
// random designs of Ishigami with N = 1024, the 6 exact indices fall in
// their intervals in 95% of the 360 cases up to sampling error. With a
// true coverage of 95% the count has a standard deviation of 4.1, so the
// accepted range, 320 to 356 (88.9% to 98.9%), is more than 3 standard
// deviations on either side of 342; the normal bootstrap of a ratio
// estimator can be somewhat off at this N, which the lower end allows.
func TestSobolCoverageMonteCarlo(t *testing.T) {
	t.Parallel()
	const designs, n = 60, 1024
	exact := ishigamiExact()
	covered, total := 0, 0
	for s := range uint64(designs) {
		res, err := SobolIndices(randomOutputs(ishigami, 3, n, s), SobolOptions{Seed: s})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			for _, ok := range []bool{inInterval(exact.S1[i], res.S1CI[i]), inInterval(exact.ST[i], res.STCI[i])} {
				total++
				if ok {
					covered++
				}
			}
		}
	}
	t.Logf("Monte Carlo designs: %d of %d exact indices in the 95%% intervals (%.1f%%)", covered, total, 100*float64(covered)/float64(total))
	if covered < 320 || covered > 356 {
		t.Errorf("%d of %d exact indices in the 95%% intervals, want 320 to 356", covered, total)
	}
}

// TestSobolLinearExact checks what is exact for a linear function: the
// factor with coefficient 0 changes no output, so its S1 and ST are
// exactly 0 with zero-width intervals.
func TestSobolLinearExact(t *testing.T) {
	t.Parallel()
	for _, n := range []int{16, 1000} {
		res := sobolFor(t, linear([]float64{1, 2, 0, -3}), 4, n, false, SobolOptions{})
		if res.S1[2] != 0 || res.ST[2] != 0 || res.S1CI[2] != [2]float64{} || res.STCI[2] != [2]float64{} {
			t.Errorf("N = %d: inert factor S1 %v %v, ST %v %v; want exactly 0", n, res.S1[2], res.S1CI[2], res.ST[2], res.STCI[2])
		}
	}
}

// TestSobolBootstrapReference recomputes every resampled estimate the
// plain way, from the same resamples (drawn by the same bootstrap), and
// compares the interval half-widths: it checks the blocked sums, the
// chunking of pairs and the noise correction of the resamples.
func TestSobolBootstrapReference(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d, n      int
		resamples int
		noise     float64
		chunk     int
	}{
		{3, 50, 70, 0, pairChunkValues},
		{4, 33, resampleBlock + 1, 0.3, 33 * 2}, // pairs in chunks of 2
		{5, 20, 2 * resampleBlock, 0.2, 1},      // pairs one at a time
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("d=%d,n=%d", tc.d, tc.n), func(t *testing.T) {
			t.Parallel()
			f := noisy(func(u []float64) float64 { return ishigami(u) + u[len(u)-1]*u[0] }, math.Sqrt(tc.noise), 3)
			s, err := SaltelliSample(tc.d, tc.n, true)
			if err != nil {
				t.Fatal(err)
			}
			out := evalSaltelli(s, f)
			const seed = 11
			opts := SobolOptions{Resamples: tc.resamples, Seed: seed, NoiseVar: tc.noise}
			res, err := sobolIndices(out, opts, tc.chunk)
			if err != nil {
				t.Fatal(err)
			}
			full, err := sobolIndices(out, opts, pairChunkValues)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(res) != fmt.Sprint(full) {
				t.Errorf("results differ with pairs in chunks of %d values", tc.chunk)
			}

			// The plain computation.
			n, d := tc.n, tc.d
			var mean float64
			all := slices.Concat(append(append([][]float64{out.A, out.B}, out.AB...), out.BA...)...)
			for _, y := range all {
				mean += y
			}
			mean /= float64(len(all))
			c := func(y float64) float64 { return y - mean }
			estimates := func(w []float64, sigma2 float64) (s1, st []float64, s2 [][]float64) {
				var sw, m, m2 float64
				for j := range n {
					sw += w[j]
					m += w[j] * (c(out.A[j]) + c(out.B[j]))
					m2 += w[j] * (c(out.A[j])*c(out.A[j]) + c(out.B[j])*c(out.B[j]))
				}
				m /= 2 * sw
				v := m2/(2*sw) - m*m - sigma2
				s1, st = make([]float64, d), make([]float64, d)
				s2 = make([][]float64, d)
				for i := range d {
					var n1, nT float64
					for j := range n {
						diff := c(out.AB[i][j]) - c(out.A[j])
						n1 += w[j] * c(out.B[j]) * diff
						nT += w[j] * diff * diff / 2
					}
					s1[i] = n1 / sw / v
					st[i] = (nT/sw - sigma2) / v
				}
				for i := range d {
					s2[i] = make([]float64, d)
					for k := i + 1; k < d; k++ {
						var num float64
						for j := range n {
							num += w[j] * (c(out.BA[i][j])*c(out.AB[k][j]) - c(out.A[j])*c(out.B[j]))
						}
						s2[i][k] = num/sw/v - s1[i] - s1[k]
					}
				}
				return s1, st, s2
			}
			boot := newBootstrap(seed, n, tc.resamples)
			type series struct{ s1, st, s2 [][]float64 } // [index][resample]
			var raw, cor series
			for rows := boot.next(); rows > 0; rows = boot.next() {
				for r := range rows {
					w := make([]float64, n)
					for u := range n {
						w[u] = boot.counts[u*rows+r]
					}
					for k, sig := range []float64{0, tc.noise} {
						s1, st, s2 := estimates(w, sig)
						ser := []*series{&raw, &cor}[k]
						var flat []float64
						for i := range d {
							for j := i + 1; j < d; j++ {
								flat = append(flat, s2[i][j])
							}
						}
						if ser.s1 == nil {
							ser.s1, ser.st, ser.s2 = make([][]float64, d), make([][]float64, d), make([][]float64, len(flat))
						}
						for i := range d {
							ser.s1[i] = append(ser.s1[i], s1[i])
							ser.st[i] = append(ser.st[i], st[i])
						}
						for p, x := range flat {
							ser.s2[p] = append(ser.s2[p], x)
						}
					}
				}
			}
			z := 1.959963984540054
			sd := func(x []float64) float64 {
				var m, ss float64
				for _, v := range x {
					m += v
				}
				m /= float64(len(x))
				for _, v := range x {
					ss += (v - m) * (v - m)
				}
				return math.Sqrt(ss / float64(len(x)-1))
			}
			cmp := func(name string, ci [2]float64, x []float64) {
				t.Helper()
				want := z * sd(x)
				if got := halfWidth(ci); math.Abs(got-want) > 1e-9*want {
					t.Errorf("%s: half-width %.12g, plain computation %.12g", name, got, want)
				}
			}
			p := 0
			for i := range d {
				cmp(fmt.Sprintf("S1Raw[%d]", i), res.S1RawCI[i], raw.s1[i])
				cmp(fmt.Sprintf("STRaw[%d]", i), res.STRawCI[i], raw.st[i])
				cmp(fmt.Sprintf("S1[%d]", i), res.S1CI[i], cor.s1[i])
				cmp(fmt.Sprintf("ST[%d]", i), res.STCI[i], cor.st[i])
				for j := i + 1; j < d; j++ {
					cmp(fmt.Sprintf("S2Raw[%d][%d]", i, j), res.S2RawCI[i][j], raw.s2[p])
					cmp(fmt.Sprintf("S2[%d][%d]", i, j), res.S2CI[i][j], cor.s2[p])
					p++
				}
			}
			// And the estimates themselves, from unit weights.
			ones := make([]float64, n)
			for j := range ones {
				ones[j] = 1
			}
			s1, st, s2 := estimates(ones, tc.noise)
			for i := range d {
				if math.Abs(s1[i]-res.S1[i]) > 1e-12 || math.Abs(st[i]-res.ST[i]) > 1e-12 {
					t.Errorf("factor %d: S1 %v ST %v, plain computation %v %v", i, res.S1[i], res.ST[i], s1[i], st[i])
				}
				for j := i + 1; j < d; j++ {
					if math.Abs(s2[i][j]-res.S2[i][j]) > 1e-12 {
						t.Errorf("S2[%d][%d] = %v, plain computation %v", i, j, res.S2[i][j], s2[i][j])
					}
				}
			}
		})
	}
}

func TestSobolDeterministic(t *testing.T) {
	t.Parallel()
	s, err := SaltelliSample(3, 256, true)
	if err != nil {
		t.Fatal(err)
	}
	out := evalSaltelli(s, ishigami)
	run := func(seed uint64) *SobolResult {
		res, err := SobolIndices(out, SobolOptions{Seed: seed, Resamples: 200})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	a, b, c := run(5), run(5), run(6)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Error("two analyses with the same seed differ")
	}
	if !slices.Equal(a.S1, c.S1) || !slices.Equal(a.ST, c.ST) {
		t.Error("the estimates depend on the bootstrap seed")
	}
	if slices.Equal(a.STCI, c.STCI) {
		t.Error("the intervals do not depend on the bootstrap seed")
	}
}

// TestSobolIntervalLevel checks that the interval width follows the normal
// quantile of the level, and that the defaults are 1000 resamples and 95%.
func TestSobolIntervalLevel(t *testing.T) {
	t.Parallel()
	s, err := SaltelliSample(3, 128, false)
	if err != nil {
		t.Fatal(err)
	}
	out := evalSaltelli(s, ishigami)
	res95, err := SobolIndices(out, SobolOptions{Seed: 2, Resamples: 1000, Level: 0.95})
	if err != nil {
		t.Fatal(err)
	}
	def, err := SobolIndices(out, SobolOptions{Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(res95) != fmt.Sprint(def) {
		t.Error("the zero options are not 1000 resamples at level 0.95")
	}
	res90, err := SobolIndices(out, SobolOptions{Seed: 2, Level: 0.9})
	if err != nil {
		t.Fatal(err)
	}
	// z(0.95)/z(0.90) = 1.959964/1.644854.
	for i := range 3 {
		if r := halfWidth(res95.STCI[i]) / halfWidth(res90.STCI[i]); math.Abs(r-1.959963984540054/1.6448536269514722) > 1e-9 {
			t.Errorf("ST[%d]: ratio of 95%% to 90%% half-widths %v", i, r)
		}
	}
}

func TestSobolIndicesErrors(t *testing.T) {
	t.Parallel()
	good := func() SobolOutputs {
		return SobolOutputs{
			A:  []float64{1, 2, 3},
			B:  []float64{2, 3, 4},
			AB: [][]float64{{1, 2, 4}, {0, 1, 2}},
			BA: [][]float64{{3, 3, 3}, {1, 2, 3}},
		}
	}
	if _, err := SobolIndices(good(), SobolOptions{}); err != nil {
		t.Fatalf("valid outputs: %v", err)
	}
	tests := []struct {
		name   string
		modify func(*SobolOutputs, *SobolOptions)
		want   string
	}{
		{"one base row", func(o *SobolOutputs, _ *SobolOptions) {
			o.A, o.B, o.AB, o.BA = o.A[:1], o.B[:1], [][]float64{{1}}, nil
		}, "1 base rows"},
		{"short B", func(o *SobolOutputs, _ *SobolOptions) { o.B = o.B[:2] }, "3 outputs for A but 2 for B"},
		{"long B", func(o *SobolOutputs, _ *SobolOptions) { o.B = append(o.B, 1) }, "but 4 for B"},
		{"no AB", func(o *SobolOutputs, _ *SobolOptions) { o.AB, o.BA = nil, nil }, "no AB outputs"},
		{"short AB", func(o *SobolOutputs, _ *SobolOptions) { o.AB[1] = o.AB[1][:2] }, "AB[1] has 2 outputs, want 3"},
		{"BA count", func(o *SobolOutputs, _ *SobolOptions) { o.BA = o.BA[:1] }, "2 AB slices but 1 BA"},
		{"short BA", func(o *SobolOutputs, _ *SobolOptions) { o.BA[0] = o.BA[0][:1] }, "BA[0] has 1 outputs"},
		{"NaN in A", func(o *SobolOutputs, _ *SobolOptions) { o.A[1] = math.NaN() }, "output 1 of A is NaN"},
		{"Inf in AB", func(o *SobolOutputs, _ *SobolOptions) { o.AB[0][2] = math.Inf(-1) }, "output 2 of AB[0] is -Inf"},
		{"NaN in BA", func(o *SobolOutputs, _ *SobolOptions) { o.BA[1][0] = math.NaN() }, "output 0 of BA[1]"},
		{"one resample", func(_ *SobolOutputs, p *SobolOptions) { p.Resamples = 1 }, "1 bootstrap resamples"},
		{"negative resamples", func(_ *SobolOutputs, p *SobolOptions) { p.Resamples = -5 }, "-5 bootstrap resamples"},
		{"level 1", func(_ *SobolOutputs, p *SobolOptions) { p.Level = 1 }, "level 1 not in (0, 1)"},
		{"level NaN", func(_ *SobolOutputs, p *SobolOptions) { p.Level = math.NaN() }, "level NaN"},
		{"negative noise", func(_ *SobolOutputs, p *SobolOptions) { p.NoiseVar = -1 }, "noise variance -1"},
		{"NaN noise", func(_ *SobolOutputs, p *SobolOptions) { p.NoiseVar = math.NaN() }, "noise variance NaN"},
		{"infinite noise", func(_ *SobolOutputs, p *SobolOptions) { p.NoiseVar = math.Inf(1) }, "noise variance +Inf"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, opts := good(), SobolOptions{}
			tc.modify(&out, &opts)
			res, err := SobolIndices(out, opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
			if res != nil {
				t.Error("a result with the error")
			}
		})
	}
	t.Run("constant", func(t *testing.T) {
		t.Parallel()
		out := SobolOutputs{A: []float64{2, 2}, B: []float64{2, 2}, AB: [][]float64{{1, 3}}}
		if _, err := SobolIndices(out, SobolOptions{}); !errors.Is(err, ErrConstantOutput) {
			t.Errorf("constant outputs: error %v, want ErrConstantOutput", err)
		}
	})
}
