package sensitivity

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// Measured by TestConvergence (go test -run Convergence -v), Go 1.26,
// linux/amd64; deterministic, so the same on any machine up to the last
// digit:
//
//	Sobol' indices: largest 95% half-width over the factors (1000 resamples, seed 1)
//	function      N     runs   S1 hw    ST hw   ST hw·√N  max|S1-exact|  max|ST-exact|
//	Ishigami     256     1280   0.1310   0.1860   2.98      0.0379         0.0218
//	Ishigami    1024     5120   0.0631   0.0859   2.75      0.0193         0.0014
//	Ishigami    4096    20480   0.0321   0.0428   2.74      0.0003         0.0004
//	Ishigami   16384    81920   0.0154   0.0220   2.81      0.0015         0.0008
//	G(a)         256     2560   0.1505   0.1528   2.44      0.0513         0.0192
//	G(a)        1024    10240   0.0701   0.0709   2.27      0.0083         0.0058
//	G(a)        4096    40960   0.0343   0.0359   2.30      0.0020         0.0029
//	G(a)       16384   163840   0.0171   0.0177   2.26      0.0003         0.0011
//
//	Morris mu*: 95% half-width (1000 resamples, seed 1), p = 4, design seed 1
//	function     r    runs   largest hw   hw·√r   largest hw/mu*
//	Ishigami    10     40   3.7199       11.8    0.483
//	Ishigami    20     80   2.8045       12.5    0.399
//	Ishigami    50    200   1.6855       11.9    0.249
//	Ishigami   100    400   1.2606       12.6    0.198
//	G(a)        10     90   0.5036       1.6    0.504
//	G(a)        20    180   0.4000       1.8    0.346
//	G(a)        50    450   0.2376       1.7    0.183
//	G(a)       100    900   0.1644       1.6    0.124
//
// Ishigami has a = 7, b = 0.1; G(a) has a = (0, 1, 4.5, 9, 99, 99, 99, 99).
// The half-widths fall as 1/√N (1/√r), as the bootstrap, which treats rows
// as independent, implies; the actual errors of the Sobol'-sequence
// estimates fall faster and are several times smaller than the
// half-widths (see TestSobolCoverage).

// TestConvergence measures the 95% bootstrap interval half-widths of the
// Sobol' indices on Ishigami and the G-function for growing N, and of
// Morris's μ* for growing r, and logs them as a table (go test -run
// Convergence -v). It checks only that the half-widths shrink: the table
// is for the documentation.
func TestConvergence(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	fmt.Fprintln(&b, "Sobol' indices: largest 95% half-width over the factors (1000 resamples, seed 1)")
	fmt.Fprintln(&b, "function      N     runs   S1 hw    ST hw   ST hw·√N  max|S1-exact|  max|ST-exact|")
	type fn struct {
		name  string
		f     func([]float64) float64
		d     int
		exact exactIndices
	}
	fns := []fn{
		{"Ishigami", ishigami, 3, ishigamiExact()},
		{"G(a)", gFunction(gA), len(gA), gExact(gA)},
	}
	for _, c := range fns {
		prev := [2]float64{1e9, 1e9}
		for _, n := range []int{256, 1024, 4096, 16384} {
			res := sobolFor(t, c.f, c.d, n, false, SobolOptions{Seed: 1})
			var hw1, hwT, e1, eT float64
			for i := range c.d {
				hw1 = max(hw1, halfWidth(res.S1CI[i]))
				hwT = max(hwT, halfWidth(res.STCI[i]))
				e1 = max(e1, math.Abs(res.S1[i]-c.exact.S1[i]))
				eT = max(eT, math.Abs(res.ST[i]-c.exact.ST[i]))
			}
			fmt.Fprintf(&b, "%-9s %6d %8d   %.4f   %.4f   %.2f      %.4f         %.4f\n", c.name, n, n*(c.d+2), hw1, hwT, hwT*math.Sqrt(float64(n)), e1, eT)
			if hw1 >= prev[0] || hwT >= prev[1] {
				t.Errorf("%s: half-widths at N = %d (%v, %v) not below those at N/4 (%v, %v)", c.name, n, hw1, hwT, prev[0], prev[1])
			}
			prev = [2]float64{hw1, hwT}
		}
	}
	fmt.Fprintln(&b, "\nMorris mu*: 95% half-width (1000 resamples, seed 1), p = 4, design seed 1")
	fmt.Fprintln(&b, "function     r    runs   largest hw   hw·√r   largest hw/mu*")
	for _, c := range fns {
		prev := 1e9
		for _, r := range []int{10, 20, 50, 100} {
			trajs, err := MorrisDesign(c.d, r, 4, 1)
			if err != nil {
				t.Fatal(err)
			}
			res, err := MorrisIndices(trajs, evalMorris(trajs, c.f), MorrisOptions{Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			var hw, rel float64
			for i := range c.d {
				h := res.MuStarCI[i][1] - res.MuStar[i] // the lower end may be clipped at 0
				hw = max(hw, h)
				rel = max(rel, h/res.MuStar[i])
			}
			fmt.Fprintf(&b, "%-9s %4d %6d   %.4f       %.1f    %.3f\n", c.name, r, r*(c.d+1), hw, hw*math.Sqrt(float64(r)), rel)
			if hw >= prev {
				t.Errorf("%s: largest μ* half-width at r = %d (%v) not below that at the previous r (%v)", c.name, r, hw, prev)
			}
			prev = hw
		}
	}
	t.Log("\n" + b.String())
}
