package sensitivity

import (
	"fmt"
	"math"
	"testing"
)

// TestSobolNoise adds independent N(0, σ²) noise to every output of
// Ishigami with a fourth, inert factor, and checks the correction: the raw
// ST of the inert factor is about σ²/Var(Y), with an interval well above
// 0, while the corrected one has an interval containing 0; the corrected
// indices of the active factors are close to the noise-free estimates on
// the same design (within their own 95% half-width) and closer than the
// raw ones, which the noise shrinks (S1 by V_f/(V_f+σ²)) or inflates (ST
// by σ²).
func TestSobolNoise(t *testing.T) {
	t.Parallel()
	const d, n = 4, 4096
	const sigma2 = 4.0 // about 22% of Var(Y)
	f := withDummy(ishigami)
	clean := sobolFor(t, f, d, n, false, SobolOptions{Seed: 1})
	res := sobolFor(t, noisy(f, math.Sqrt(sigma2), 42), d, n, false, SobolOptions{Seed: 1, NoiseVar: sigma2})
	dummy := d - 1

	if want := sigma2 / res.Variance; res.NoiseShare != want {
		t.Errorf("NoiseShare = %v, want %v", res.NoiseShare, want)
	}
	if want := ishigamiVariance() + sigma2; math.Abs(res.Variance-want) > 0.05*want {
		t.Errorf("Variance = %.3f, want about V_f + σ² = %.3f", res.Variance, want)
	}
	raw, rawCI := res.STRaw[dummy], res.STRawCI[dummy]
	t.Logf("σ²/V = %.4f; inert factor: raw ST %.4f %.4f, corrected ST %.4f %.4f", res.NoiseShare, raw, rawCI, res.ST[dummy], res.STCI[dummy])
	t.Logf("active factors: noise-free S1 %.4f ST %.4f; corrected S1 %.4f ST %.4f; raw S1 %.4f ST %.4f",
		clean.S1[:3], clean.ST[:3], res.S1[:3], res.ST[:3], res.S1Raw[:3], res.STRaw[:3])
	if hw := halfWidth(rawCI); math.Abs(raw-res.NoiseShare) > hw {
		t.Errorf("raw ST of the inert factor %.4f ± %.4f, want about σ²/V = %.4f", raw, hw, res.NoiseShare)
	}
	if !(rawCI[0] > 0.5*res.NoiseShare) {
		t.Errorf("raw ST of the inert factor: interval %.4f not clearly above 0", rawCI)
	}
	if !inInterval(0, res.STCI[dummy]) || !inInterval(0, res.S1CI[dummy]) {
		t.Errorf("corrected inert factor: S1 %.4f %.4f, ST %.4f %.4f; want intervals containing 0",
			res.S1[dummy], res.S1CI[dummy], res.ST[dummy], res.STCI[dummy])
	}
	for i := range 3 {
		type idx struct {
			name            string
			cor, raw, clean float64
			ci              [2]float64
		}
		for _, x := range []idx{
			{"S1", res.S1[i], res.S1Raw[i], clean.S1[i], res.S1CI[i]},
			{"ST", res.ST[i], res.STRaw[i], clean.ST[i], res.STCI[i]},
		} {
			if hw := halfWidth(x.ci); math.Abs(x.cor-x.clean) > hw {
				t.Errorf("%s[%d]: corrected %.4f ± %.4f, noise-free %.4f", x.name, i, x.cor, hw, x.clean)
			}
			if x.name == "S1" && i == 2 {
				continue // S1 of x3 is 0: the noise does not bias it
			}
			if math.Abs(x.cor-x.clean) >= math.Abs(x.raw-x.clean) {
				t.Errorf("%s[%d]: corrected %.4f no closer to the noise-free %.4f than the raw %.4f", x.name, i, x.cor, x.clean, x.raw)
			}
		}
	}
}

// TestSobolNoiseCoverage repeats the noise experiment of TestSobolNoise
// with 40 noise seeds at N = 1024 and counts how often the corrected
// interval of the inert factor's ST contains 0 (95% expected, the noise
// being independent across rows as the bootstrap assumes; binomial
// standard deviation 1.4 of 40) and how often the raw one excludes it
// (always: σ²/V is about 9 raw half-widths above 0 here).
func TestSobolNoiseCoverage(t *testing.T) {
	t.Parallel()
	const d, n, seeds = 4, 1024, 40
	const sigma2 = 4.0
	f := withDummy(ishigami)
	s, err := SaltelliSample(d, n, false)
	if err != nil {
		t.Fatal(err)
	}
	dummy := d - 1
	covered, rawAbove := 0, 0
	for seed := range uint64(seeds) {
		res, err := SobolIndices(evalSaltelli(s, noisy(f, math.Sqrt(sigma2), 100+seed)), SobolOptions{Seed: seed, NoiseVar: sigma2})
		if err != nil {
			t.Fatal(err)
		}
		if inInterval(0, res.STCI[dummy]) {
			covered++
		}
		if res.STRawCI[dummy][0] > 0 {
			rawAbove++
		}
		if seed == 0 {
			t.Logf("seed 0: raw ST of the inert factor %.4f, interval %.4f", res.STRaw[dummy], res.STRawCI[dummy])
		}
	}
	t.Logf("corrected ST of the inert factor: interval contains 0 for %d of %d noise seeds; raw interval above 0 for %d", covered, seeds, rawAbove)
	if covered < 34 { // 95% of 40 is 38; 34 is about 3 sd below
		t.Errorf("corrected interval contains 0 for %d of %d seeds, want at least 34", covered, seeds)
	}
	if rawAbove != seeds {
		t.Errorf("raw interval above 0 for %d of %d seeds, want all", rawAbove, seeds)
	}
}

// TestSobolNoiseUndefined: a noise variance of at least Var(Y) leaves no
// variance to the factors (NaN corrected indices); one just below it
// leaves resamples whose corrected variance is not positive (infinite
// intervals). The raw indices are unaffected.
func TestSobolNoiseUndefined(t *testing.T) {
	t.Parallel()
	s, err := SaltelliSample(3, 256, true)
	if err != nil {
		t.Fatal(err)
	}
	out := evalSaltelli(s, ishigami)
	clean, err := SobolIndices(out, SobolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, share := range []float64{1, 2} {
		res, err := SobolIndices(out, SobolOptions{NoiseVar: share * clean.Variance})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(res.S1Raw, res.STRaw, res.S1RawCI, res.S2Raw) != fmt.Sprint(clean.S1, clean.ST, clean.S1CI, clean.S2) {
			t.Errorf("NoiseVar = %v·V: raw indices differ from those without noise", share)
		}
		for i := range 3 {
			if !math.IsNaN(res.S1[i]) || !math.IsNaN(res.ST[i]) || !math.IsNaN(res.STCI[i][1]) || !math.IsNaN(res.S2[0][1]) {
				t.Errorf("NoiseVar = %v·V: corrected S1 %v, ST %v %v; want NaN", share, res.S1[i], res.ST[i], res.STCI[i])
			}
		}
	}
	res, err := SobolIndices(out, SobolOptions{NoiseVar: 0.99 * clean.Variance})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if math.IsNaN(res.ST[i]) || res.STCI[i] != [2]float64{math.Inf(-1), math.Inf(1)} {
			t.Errorf("NoiseVar = 0.99·V: ST[%d] = %v %v, want a value with an infinite interval", i, res.ST[i], res.STCI[i])
		}
	}
}

// TestMorrisNoiseFloor adds N(0, σ²) noise to Ishigami with an inert
// fourth factor: the inert factor's elementary effects are pure noise,
// (e' − e)/Δ, and their mean absolute value must match NoiseFloor within
// its sampling error. |EE| is half-normal with scale s = sqrt(2σ²)/Δ, so
// the mean of r of them has standard error s·sqrt(1 − 2/π)/sqrt(r). Over
// 30 noise seeds the error is within 1.96 standard errors about 95% of the
// time (binomial sd 1.2 of 30); one seed is checked at 3.
func TestMorrisNoiseFloor(t *testing.T) {
	t.Parallel()
	const d, r, seeds = 4, 400, 30
	const sigma2 = 1.0
	trajs, err := MorrisDesign(d, r, 4, 8)
	if err != nil {
		t.Fatal(err)
	}
	se := math.Sqrt(2*sigma2) / MorrisDelta(4) * math.Sqrt(1-2/math.Pi) / math.Sqrt(r)
	within := 0
	for seed := range uint64(seeds) {
		y := evalMorris(trajs, noisy(withDummy(ishigami), math.Sqrt(sigma2), 200+seed))
		res, err := MorrisIndices(trajs, y, MorrisOptions{NoiseVar: sigma2, Resamples: 200})
		if err != nil {
			t.Fatal(err)
		}
		want := math.Sqrt(2*sigma2) / MorrisDelta(4) * math.Sqrt(2/math.Pi)
		if math.Abs(res.NoiseFloor-want) > 1e-12*want {
			t.Fatalf("NoiseFloor = %v, want sqrt(2σ²)/Δ·sqrt(2/π) = %v", res.NoiseFloor, want)
		}
		diff := math.Abs(res.MuStar[d-1] - res.NoiseFloor)
		if diff <= 1.96*se {
			within++
		}
		if seed == 0 && diff > 3*se {
			t.Errorf("inert factor μ* = %.4f, NoiseFloor %.4f, standard error %.4f", res.MuStar[d-1], res.NoiseFloor, se)
		}
		// The active factors stand far above the floor.
		for i := range d - 1 {
			if res.MuStarCI[i][0] < 2*res.NoiseFloor {
				t.Errorf("seed %d: factor %d μ* interval %.3f not above twice the floor %.3f", seed, i, res.MuStarCI[i], res.NoiseFloor)
			}
		}
	}
	t.Logf("inert factor's μ* within 1.96 standard errors of NoiseFloor for %d of %d noise seeds", within, seeds)
	if within < 25 {
		t.Errorf("inert factor's μ* within 1.96 standard errors of NoiseFloor for %d of %d seeds, want at least 25", within, seeds)
	}
}
