package sensitivity

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Reference values from SALib, computed by SALib's own sampler and
// analysers (SALib is not vendored; its source is needed only to
// regenerate them):
//
//	git --git-dir=<SALib clone> archive 1c375488e1c85167929142fb54166eb35e4f99f6 | tar -x -C /tmp/salib
//	PYTHONPATH=/tmp/salib/src python3 testdata/salib.py reference
//
// with SALib at commit 1c375488e1c85167929142fb54166eb35e4f99f6 (GitHub
// SALib/SALib, 2026-06-24), Python 3.11.2, NumPy 1.24.2, SciPy 1.10.1,
// pandas 1.5.3. SALib imports the package multiprocess (for its parallel
// ProblemSpec only); where it is missing, a one-line module
// multiprocess/__init__.py containing
// "from multiprocessing import Pool, cpu_count" on PYTHONPATH stands in.
//
// The Sobol' samples are SALib.sample.sobol.sample(problem, N,
// scramble=False, skip_values=1), which must be our SaltelliSample(D, N),
// so the values check the sampler as well as the analyser
// SALib.analyze.sobol.analyze. The Morris values are
// SALib.analyze.morris.analyze(num_levels=4) on the trajectories of
// salibMorrisTrajectories. Only point estimates are compared: the
// intervals depend on each library's random resamples.
var (
	salibIshigamiS1 = []float64{0.30084342689587923, 0.6195287150471065, -0.02575864209514907}
	salibIshigamiST = []float64{0.5862104305672654, 0.4679086874732311, 0.19496189663809757}
	// S2 of the pairs (0,1), (0,2), (1,2).
	salibIshigamiS2 = []float64{-0.1295207393456635, 0.26403628048004846, -0.12235320364943462}
	salibGS1        = []float64{0.7938413391298869, 0.2585701937328461, -0.018560527352424507, 0.004667018204177168, 0.0007192497495267118, -0.00010775725898011922, 0.0007663635027334491, -0.00040820779686305655}
	salibGST        = []float64{0.7801522881044963, 0.24675118936575482, 0.034756893811946396, 0.009489052353385279, 9.810401147651755e-05, 9.683070869702308e-05, 0.00010778650615686885, 0.00010170924549297649}
	salibMorrisMu   = []float64{8.953813332259731, 1.5749999999999962, -3.5345698234857547e-16}
	salibMorrisMuS  = []float64{8.953813332259731, 7.874999999999997, 4.999036882666496}
	salibMorrisSig  = []float64{6.845213166091866, 8.626630280706365, 8.837132197837844}
)

// salibMorrisTrajectories are 5 trajectories of 3 factors on the 4-level
// grid, written out (the same as MORRIS_TRAJECTORIES in testdata/salib.py)
// so that the reference does not depend on a random number generator.
var salibMorrisTrajectories = [][][]float64{
	{{0, 1.0 / 3, 2.0 / 3}, {2.0 / 3, 1.0 / 3, 2.0 / 3}, {2.0 / 3, 1, 2.0 / 3}, {2.0 / 3, 1, 0}},
	{{1, 0, 1.0 / 3}, {1, 0, 1}, {1.0 / 3, 0, 1}, {1.0 / 3, 2.0 / 3, 1}},
	{{1.0 / 3, 1, 0}, {1.0 / 3, 1.0 / 3, 0}, {1, 1.0 / 3, 0}, {1, 1.0 / 3, 2.0 / 3}},
	{{2.0 / 3, 0, 1}, {2.0 / 3, 0, 1.0 / 3}, {2.0 / 3, 2.0 / 3, 1.0 / 3}, {0, 2.0 / 3, 1.0 / 3}},
	{{0, 2.0 / 3, 1.0 / 3}, {0, 0, 1.0 / 3}, {0, 0, 1}, {2.0 / 3, 0, 1}},
}

// salibTol is the agreement required of point estimates with SALib's: the
// two compute the same sums in a different order (and SALib on outputs
// scaled to unit variance), so they differ by rounding only.
const salibTol = 1e-12

// checkClose reports the values of got that differ from want by more than
// tol·max(1, |want|), and returns the largest such relative difference.
func checkClose(t *testing.T, name string, got, want []float64, tol float64) float64 {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", name, len(got), len(want))
	}
	var worst float64
	for i := range want {
		diff := math.Abs(got[i]-want[i]) / max(1, math.Abs(want[i]))
		worst = max(worst, diff)
		if diff > tol {
			t.Errorf("%s[%d] = %.17g, SALib %.17g (difference %.3g)", name, i, got[i], want[i], got[i]-want[i])
		}
	}
	return worst
}

func TestSALibReference(t *testing.T) {
	t.Parallel()
	t.Run("Ishigami", func(t *testing.T) {
		t.Parallel()
		s, err := SaltelliSample(3, 64, true)
		if err != nil {
			t.Fatal(err)
		}
		res, err := SobolIndices(evalSaltelli(s, ishigami), SobolOptions{Resamples: 100})
		if err != nil {
			t.Fatal(err)
		}
		checkClose(t, "S1", res.S1, salibIshigamiS1, salibTol)
		checkClose(t, "ST", res.ST, salibIshigamiST, salibTol)
		checkClose(t, "S2", []float64{res.S2[0][1], res.S2[0][2], res.S2[1][2]}, salibIshigamiS2, salibTol)
	})
	t.Run("G", func(t *testing.T) {
		t.Parallel()
		res := sobolFor(t, gFunction(gA), len(gA), 128, false, SobolOptions{Resamples: 100})
		checkClose(t, "S1", res.S1, salibGS1, salibTol)
		checkClose(t, "ST", res.ST, salibGST, salibTol)
	})
	t.Run("Morris", func(t *testing.T) {
		t.Parallel()
		trajs := make([]Trajectory, len(salibMorrisTrajectories))
		for i, p := range salibMorrisTrajectories {
			trajs[i] = Trajectory{Points: p}
		}
		res, err := MorrisIndices(trajs, evalMorris(trajs, ishigami), MorrisOptions{})
		if err != nil {
			t.Fatal(err)
		}
		checkClose(t, "mu", res.Mu, salibMorrisMu, salibTol)
		checkClose(t, "mu*", res.MuStar, salibMorrisMuS, salibTol)
		checkClose(t, "sigma", res.Sigma, salibMorrisSig, salibTol)
	})
}

// salibCase is one analysis that TestSALibLive hands to SALib.
type salibCase struct {
	Kind      string      `json:"kind"` // "sobol" or "morris"
	D         int         `json:"d"`
	Second    bool        `json:"second"`
	Resamples int         `json:"resamples"`
	Levels    int         `json:"levels"`
	X         [][]float64 `json:"x"`
	Y         []float64   `json:"y"`
}

// TestSALibLive runs SALib's analysers on our designs and outputs and
// compares the results. It runs only when the environment variable
// SALIB_PYTHONPATH holds a PYTHONPATH under which SALib imports (see
// testdata/salib.py), with the Python interpreter SALIB_PYTHON (default
// python3), for example
//
//	SALIB_PYTHON=/usr/bin/python3 SALIB_PYTHONPATH=/tmp/salib/src go test -run SALibLive -v ./sensitivity
func TestSALibLive(t *testing.T) {
	pythonPath := os.Getenv("SALIB_PYTHONPATH")
	if pythonPath == "" {
		t.Skip("SALIB_PYTHONPATH not set")
	}
	const resamples = 1000
	type sobolCase struct {
		name   string
		f      func([]float64) float64
		d, n   int
		second bool
	}
	sobols := []sobolCase{
		{"Ishigami N=1024", ishigami, 3, 1024, true},
		{"G N=4096", gFunction(gA), len(gA), 4096, false},
		{"G N=512 second order", gFunction(gA), len(gA), 512, true},
		{"linear+noise N=2048", noisy(linear([]float64{1, 2, 0, -3}), 0.5, 7), 4, 2048, true},
	}
	type morrisCase struct {
		name   string
		f      func([]float64) float64
		d, r   int
		levels int
	}
	morrises := []morrisCase{
		{"Morris Ishigami r=50", ishigami, 3, 50, 4},
		{"Morris G r=100 p=6", gFunction(gA), len(gA), 100, 6},
	}
	var cases []salibCase
	var ours []any
	for _, c := range sobols {
		s, err := SaltelliSample(c.d, c.n, c.second)
		if err != nil {
			t.Fatal(err)
		}
		rows := s.Rows()
		y := make([]float64, len(rows))
		for k, p := range rows {
			y[k] = c.f(p)
		}
		out, err := s.SplitOutputs(y)
		if err != nil {
			t.Fatal(err)
		}
		res, err := SobolIndices(out, SobolOptions{Resamples: resamples, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, salibCase{Kind: "sobol", D: c.d, Second: c.second, Resamples: resamples, Y: y})
		ours = append(ours, res)
	}
	for _, c := range morrises {
		trajs, err := MorrisDesign(c.d, c.r, c.levels, 1)
		if err != nil {
			t.Fatal(err)
		}
		y := evalMorris(trajs, c.f)
		res, err := MorrisIndices(trajs, y, MorrisOptions{Resamples: resamples, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		sc := salibCase{Kind: "morris", D: c.d, Resamples: resamples, Levels: c.levels}
		for t, tr := range trajs {
			sc.X = append(sc.X, tr.Points...)
			sc.Y = append(sc.Y, y[t]...)
		}
		cases = append(cases, sc)
		ours = append(ours, res)
	}

	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.json"), filepath.Join(dir, "out.json")
	data, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	python := os.Getenv("SALIB_PYTHON")
	if python == "" {
		python = "python3"
	}
	cmd := exec.Command(python, filepath.Join("testdata", "salib.py"), "analyze", in, out)
	cmd.Env = append(os.Environ(), "PYTHONPATH="+pythonPath)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, msg)
	}
	data, err = os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var theirs []map[string]json.RawMessage
	if err := json.Unmarshal(data, &theirs); err != nil {
		t.Fatal(err)
	}
	vec := func(m map[string]json.RawMessage, key string) []float64 {
		var v []float64
		if err := json.Unmarshal(m[key], &v); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		return v
	}
	// confRatio checks our half-widths against SALib's: both estimate the
	// same bootstrap standard deviation from 1000 resamples, each within
	// about 1/sqrt(2·1000) ≈ 2% (relative sd), so they agree to well
	// within 15%.
	confRatio := func(t *testing.T, name string, ours [][2]float64, est []float64, conf []float64) float64 {
		t.Helper()
		var worst float64
		for i := range conf {
			hw := ours[i][1] - est[i]
			if conf[i] < 1e-9 && hw < 1e-9 {
				continue
			}
			r := hw / conf[i]
			worst = max(worst, math.Abs(r-1))
			if math.Abs(r-1) > 0.15 {
				t.Errorf("%s[%d]: half-width %.4g, SALib's %.4g (ratio %.3f)", name, i, hw, conf[i], r)
			}
		}
		return worst
	}
	for k, c := range sobols {
		t.Run(c.name, func(t *testing.T) {
			res := ours[k].(*SobolResult)
			worst := max(checkClose(t, "S1", res.S1, vec(theirs[k], "S1"), salibTol),
				checkClose(t, "ST", res.ST, vec(theirs[k], "ST"), salibTol))
			ratio := max(confRatio(t, "S1 conf", res.S1CI, res.S1, vec(theirs[k], "S1_conf")),
				confRatio(t, "ST conf", res.STCI, res.ST, vec(theirs[k], "ST_conf")))
			if c.second {
				var s2 [][]*float64
				if err := json.Unmarshal(theirs[k]["S2"], &s2); err != nil {
					t.Fatal(err)
				}
				for i := range c.d {
					for j := i + 1; j < c.d; j++ {
						worst = max(worst, checkClose(t, "S2", []float64{res.S2[i][j]}, []float64{*s2[i][j]}, salibTol))
					}
				}
			}
			t.Logf("largest difference %.2g, half-widths within %.0f%%; S1 %.4f, ST %.4f", worst, 100*ratio, res.S1, res.ST)
		})
	}
	for k, c := range morrises {
		k += len(sobols)
		t.Run(c.name, func(t *testing.T) {
			res := ours[k].(*MorrisResult)
			worst := max(checkClose(t, "mu", res.Mu, vec(theirs[k], "mu"), salibTol),
				checkClose(t, "mu*", res.MuStar, vec(theirs[k], "mu_star"), salibTol),
				checkClose(t, "sigma", res.Sigma, vec(theirs[k], "sigma"), salibTol))
			ratio := confRatio(t, "mu* conf", res.MuStarCI, res.MuStar, vec(theirs[k], "mu_star_conf"))
			t.Logf("largest difference %.2g, half-widths within %.0f%%; mu* %.4f", worst, 100*ratio, res.MuStar)
		})
	}
}
