package experiment_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/tranche-sim/tranche/experiment"
	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/scenarios"
	"github.com/tranche-sim/tranche/study"
)

// parse parses an experiment file given as text.
func parse(t testing.TB, text string) *experiment.Experiment {
	t.Helper()
	e, err := experiment.Parse("test.toml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// run runs e into a new folder and returns its path.
func run(t testing.TB, e *experiment.Experiment, opts experiment.Options) string {
	t.Helper()
	if opts.Out == "" {
		opts.Out = filepath.Join(t.TempDir(), "out")
	}
	if _, err := experiment.Run(context.Background(), e, opts); err != nil {
		t.Fatal(err)
	}
	return opts.Out
}

// readCSV reads a CSV file whole.
func readCSV(t testing.TB, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return recs
}

// sameFolders checks that two results folders hold the same files with the
// same bytes, but manifest.json, whose record of how the folder was made
// may differ only in the fields named.
func sameFolders(t *testing.T, a, b string, manifestMayDiffer ...string) {
	t.Helper()
	names := func(dir string) []string {
		var out []string
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				rel, _ := filepath.Rel(dir, p)
				out = append(out, rel)
			}
			return nil
		})
		return out
	}
	na, nb := names(a), names(b)
	if !slices.Equal(na, nb) {
		t.Fatalf("the folders hold different files:\n%v\n%v", na, nb)
	}
	for _, n := range na {
		x, _ := os.ReadFile(filepath.Join(a, n))
		y, _ := os.ReadFile(filepath.Join(b, n))
		if n == "manifest.json" {
			var mx, my map[string]any
			json.Unmarshal(x, &mx)
			json.Unmarshal(y, &my)
			for _, k := range append([]string{"start", "elapsed_seconds", "command_line", "workers"}, manifestMayDiffer...) {
				delete(mx, k)
				delete(my, k)
			}
			x, _ = json.Marshal(mx)
			y, _ = json.Marshal(my)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between %s and %s", n, a, b)
		}
	}
}

const lhsText = `scenario = "default"
policies = ["phased-snapback", "reciprocal", "max-pressure"]
replications = 40
seed = 7
design = "lhs"
samples = 6

[[parameters]]
key = "verifier.quality"
range = [0.3, 0.95]

[[parameters]]
key = "target.commitment_alpha"
range = [0.6, 2.4]
distribution = "log-uniform"

[[parameters]]
key = "spoilers.factions[*].strength"
levels = [0.0, 0.4, 0.8]
`

// Each point's statistics are those of a study of the point's scenario with
// the experiment's seed and replications: the same numbers, bit for bit,
// as tranche run --set gives.
func TestPointsAreStudies(t *testing.T) {
	t.Parallel()
	e := parse(t, lhsText)
	var points []*experiment.Point
	_, err := experiment.Run(context.Background(), e, experiment.Options{Workers: 2, OnPoint: func(p *experiment.Point) error {
		points = append(points, p)
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(points) != 6 {
		t.Fatalf("%d points, want 6", len(points))
	}
	for i, p := range points {
		if p.Index != i {
			t.Fatalf("point %d delivered as %d: out of order", i, p.Index)
		}
		s := e.Base.Clone()
		for j, par := range e.Parameters {
			if err := s.Set(par.Key, p.Values[j]); err != nil {
				t.Fatal(err)
			}
		}
		s.Replications, s.Seed = e.Replications, e.Seed
		res, err := study.Run(context.Background(), s, study.Options{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		// The best policy and the ties are the study's leaders.
		if len(p.Best) != len(res.Comparison.Leaders) {
			t.Errorf("point %d: %d best policies, the study has %d leaders", i, len(p.Best), len(res.Comparison.Leaders))
		}
		for j, b := range p.Best {
			if j >= len(res.Comparison.Leaders) {
				break
			}
			l := res.Comparison.Leaders[j]
			if b.Metric != l.Metric || b.Policy != l.Best || !slices.Equal(b.Tied, l.Tied) {
				t.Errorf("point %d: best on %s is %s tied with %v; the study's leader on %s is %s tied with %v", i, b.Metric, b.Policy, b.Tied, l.Metric, l.Best, l.Tied)
			}
		}
		for _, r := range p.Rows {
			st, err := res.Stats(r.Policy, r.Metric)
			if err != nil {
				t.Fatal(err)
			}
			got := []float64{float64(r.N), r.Mean, r.SD, r.CI95[0], r.CI95[1]}
			want := []float64{float64(st.N), st.Mean, st.SD, st.CI95[0], st.CI95[1]}
			if !sameFloats(got, want) {
				t.Errorf("point %d, %s %s: %v, the study gives %v", i, r.Policy, r.Metric, got, want)
			}
			if r.Policy == e.Baseline {
				if !math.IsNaN(r.Diff) {
					t.Errorf("point %d: the baseline has a difference from itself", i)
				}
				continue
			}
			for _, c := range res.Comparison.Comparisons {
				if c.Policy == r.Policy && c.Metric == r.Metric {
					got := []float64{r.Diff, r.DiffCI95[0], r.DiffCI95[1]}
					want := []float64{c.MeanDiff, c.CI95[0], c.CI95[1]}
					if !sameFloats(got, want) {
						t.Errorf("point %d, %s %s: difference %v, the study's comparison %v", i, r.Policy, r.Metric, got, want)
					}
				}
			}
		}
	}
}

// sameFloats compares bit for bit, NaN equal to NaN.
func sameFloats(a, b []float64) bool {
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return false
		}
	}
	return len(a) == len(b)
}

const factorialText = `scenario = "default"
policies = ["phased-snapback", "reciprocal"]
replications = 30
design = "factorial"
metrics = ["durable_agreement", "humanitarian_shortfall", "rounds_to_durable"]

[[parameters]]
key = "verifier.quality"
levels = [0.3, 0.6, 0.95]

[[parameters]]
key = "spoilers.factions[*].strength"
steps = 2

[[parameters]]
key = "target.noise"
levels = [0.5]
`

const morrisText = `scenario = "default"
policies = ["phased-snapback", "reciprocal", "max-pressure"]
replications = 20
design = "morris"
samples = 4
metrics = ["durable_agreement", "humanitarian_shortfall"]
[[parameters]]
key = "verifier.quality"
[[parameters]]
key = "target.commitment_alpha"
[[parameters]]
key = "policy.grit.step"
`

const saltelliText = `scenario = "default"
policies = ["phased-snapback", "reciprocal"]
replications = 20
design = "saltelli"
samples = 16
second_order = true
streams = "independent"
metrics = ["durable_agreement"]
[[parameters]]
key = "verifier.quality"
[[parameters]]
key = "target.commitment_alpha"
`

// Results do not depend on the number of workers, and shards merged give
// the folder of one run.
func TestWorkersAndShards(t *testing.T) {
	t.Parallel()
	for _, text := range []string{lhsText, factorialText, morrisText, saltelliText} {
		e := parse(t, text)
		one := run(t, e, experiment.Options{Workers: 1})
		three := run(t, e, experiment.Options{Workers: 3})
		sameFolders(t, one, three)
		dir := t.TempDir()
		var shards []string
		for i := range 3 {
			out := filepath.Join(dir, "shard-"+strconv.Itoa(i))
			run(t, e, experiment.Options{Workers: 2, Out: out, Shard: &study.Shard{Index: 2 - i, Count: 3}})
			shards = append(shards, out)
		}
		merged := filepath.Join(dir, "merged")
		if _, err := experiment.Merge(context.Background(), shards, experiment.MergeOptions{Out: merged}); err != nil {
			t.Fatal(err)
		}
		sameFolders(t, one, merged, "experiment")
		m, err := results.ReadManifest(merged)
		if err != nil || m.Experiment.MergedShards != 3 || m.Experiment.PointsHere != m.Experiment.Points {
			t.Errorf("merged manifest: %+v, %v", m.Experiment, err)
		}
	}
}

// An interrupted experiment keeps its finished points, and --resume
// finishes it with a folder identical to an uninterrupted run's.
func TestResume(t *testing.T) {
	t.Parallel()
	for _, text := range []string{lhsText, factorialText, saltelliText} {
		e := parse(t, text)
		whole := run(t, e, experiment.Options{Workers: 2})
		out := filepath.Join(t.TempDir(), "out")
		stop := errors.New("stopped by the test")
		n := 0
		_, err := experiment.Run(context.Background(), e, experiment.Options{Workers: 2, Out: out, OnPoint: func(*experiment.Point) error {
			if n++; n == 4 {
				return stop
			}
			return nil
		}})
		var ie *experiment.InterruptedError
		if !errors.As(err, &ie) || !errors.Is(err, stop) || ie.Done != 3 {
			t.Fatalf("interrupted run: %v, want an InterruptedError after 3 points", err)
		}
		if _, err := results.ReadManifest(out); err == nil {
			t.Fatal("the interrupted folder has a manifest: it looks complete")
		}
		if _, err := experiment.Run(context.Background(), e, experiment.Options{Workers: 2, Out: out}); !errors.Is(err, results.ErrPartial) {
			t.Fatalf("a new run over the interrupted one: %v, want ErrPartial", err)
		}
		res, err := experiment.Run(context.Background(), e, experiment.Options{Workers: 1, Out: out, Resume: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.Resumed != 3 {
			t.Errorf("resumed %d points, want 3", res.Resumed)
		}
		sameFolders(t, whole, out)
		if _, err := os.Stat(results.PartialName(out)); err == nil {
			t.Error("the partial folder is left behind")
		}
	}
}

// A --resume of another experiment, or of nothing, is refused as input.
func TestResumeRefused(t *testing.T) {
	t.Parallel()
	e := parse(t, lhsText)
	out := filepath.Join(t.TempDir(), "out")
	_, err := experiment.Run(context.Background(), e, experiment.Options{Out: out, Resume: true})
	if !study.IsInput(err) || !errors.Is(err, results.ErrNoPartial) {
		t.Errorf("resume of nothing: %v", err)
	}
	n := 0
	experiment.Run(context.Background(), e, experiment.Options{Out: out, OnPoint: func(*experiment.Point) error {
		if n++; n == 2 {
			return errors.New("stop")
		}
		return nil
	}})
	other := parse(t, strings.Replace(lhsText, "seed = 7", "seed = 8", 1))
	_, err = experiment.Run(context.Background(), other, experiment.Options{Out: out, Resume: true})
	if !study.IsInput(err) || !strings.Contains(err.Error(), "holds another experiment") {
		t.Errorf("resume of another experiment: %v", err)
	}
}

// Each effect is the difference of the two points' means, and its interval
// is the paired one: narrower than the points' own intervals.
func TestEffects(t *testing.T) {
	t.Parallel()
	e := parse(t, factorialText)
	dir := run(t, e, experiment.Options{})
	mean := map[[3]string]float64{} // point, policy, metric
	points := readCSV(t, filepath.Join(dir, "points.csv"))
	pc := func(name string) int { return slices.Index(points[0], name) }
	for _, r := range points[1:] {
		x, _ := strconv.ParseFloat(r[pc("mean")], 64)
		mean[[3]string{r[0], r[pc("policy")], r[pc("metric")]}] = x
	}
	effects := readCSV(t, filepath.Join(dir, "effects.csv"))
	head := effects[0]
	col := func(name string) int { return slices.Index(head, name) }
	if len(effects) < 2 {
		t.Fatal("no effects")
	}
	for _, r := range effects[1:] {
		diff, _ := strconv.ParseFloat(r[col("diff")], 64)
		lo, _ := strconv.ParseFloat(r[col("ci95_lo")], 64)
		hi, _ := strconv.ParseFloat(r[col("ci95_hi")], 64)
		a := mean[[3]string{r[0], r[col("policy")], r[col("metric")]}]
		b := mean[[3]string{r[col("reference_point")], r[col("policy")], r[col("metric")]}]
		if r[col("metric")] == "rounds_to_durable" { // defined on different replications: not a paired difference of the means
			continue
		}
		if math.Abs(diff-(a-b)) > 2e-9 {
			t.Errorf("effect at point %s of %s: %v, the means differ by %v", r[0], r[col("parameter")], diff, a-b)
		}
		if !(lo <= diff && diff <= hi) {
			t.Errorf("effect %v outside its interval [%v, %v]", diff, lo, hi)
		}
	}
	// 3 x 2 x 1 points; effects of quality (2 levels beyond the first, at 2
	// strengths) and of strength (1 level beyond, at 3 qualities), for 2
	// policies and 3 metrics.
	if want := (2*2 + 1*3) * 2 * 3; len(effects)-1 != want {
		t.Errorf("%d effects, want %d", len(effects)-1, want)
	}
}

// The designs: a factorial has every cell once; a Latin hypercube has one
// point in each stratum of each sampled parameter; a Sobol' design maps
// the sequence's points onto the ranges.
func TestDesigns(t *testing.T) {
	t.Parallel()
	e := parse(t, factorialText)
	dir := run(t, e, experiment.Options{})
	seen := map[string]bool{}
	for _, r := range readCSV(t, filepath.Join(dir, "design.csv"))[1:] {
		seen[strings.Join(r[1:], ",")] = true
	}
	if len(seen) != 6 {
		t.Errorf("factorial design: %d distinct points, want 6", len(seen))
	}
	lhs := parse(t, strings.Replace(lhsText, "samples = 6", "samples = 50", 1))
	var qs []float64
	experiment.Run(context.Background(), lhs, experiment.Options{OnPoint: func(p *experiment.Point) error {
		qs = append(qs, p.Values[0].(float64))
		return nil
	}})
	strata := make([]int, 50)
	for _, q := range qs {
		strata[min(int((q-0.3)/0.65*50), 49)]++
	}
	for i, n := range strata {
		if n != 1 {
			t.Errorf("lhs: stratum %d of verifier.quality holds %d points, want 1", i, n)
		}
	}
	sob := parse(t, strings.Replace(strings.Replace(lhsText, `"lhs"`, `"sobol"`, 1), "samples = 6", "samples = 4", 1))
	var got [][]any
	experiment.Run(context.Background(), sob, experiment.Options{OnPoint: func(p *experiment.Point) error {
		got = append(got, p.Values)
		return nil
	}})
	// The first four points of the 3-dimensional Sobol' sequence are (0,0,0),
	// (1/2,1/2,1/2), (3/4,1/4,1/4) and (1/4,3/4,3/4).
	want := [][]any{
		{0.3, 0.6, 0.0},
		{0.625, 1.2, 0.4}, // sqrt(0.6*2.4) = 1.2
		{0.7875, 0.848528, 0.0},
		{0.4625, 1.69706, 0.8},
	}
	for i := range want {
		for j := range want[i] {
			if got[i][j] != want[i][j] {
				t.Errorf("sobol point %d, parameter %d: %v, want %v", i, j, got[i][j], want[i][j])
			}
		}
	}
}

// Independent streams give each point its own replications; with common
// streams two points that set the same values are the same.
func TestStreams(t *testing.T) {
	t.Parallel()
	text := strings.Replace(factorialText, "levels = [0.3, 0.6, 0.95]", "levels = [0.6]", 1)
	first := func(text string) [2]float64 {
		var out [2]float64
		i := 0
		experiment.Run(context.Background(), parse(t, text), experiment.Options{OnPoint: func(p *experiment.Point) error {
			out[i] = p.Rows[0].Mean
			i++
			return nil
		}})
		return out
	}
	// Two strengths: the points differ only there. With a parameter whose
	// two levels are equal in effect we cannot test; compare a common and an
	// independent run of the same point instead.
	common := first(text)
	indep := first(`streams = "independent"` + "\n" + text)
	if common == indep {
		t.Errorf("independent streams gave the same means as common ones: %v", common)
	}
}

// Bad input: every problem named with its line, key, value and what is
// allowed.
func TestBadInput(t *testing.T) {
	t.Parallel()
	base := "scenario = \"default\"\ndesign = \"lhs\"\nsamples = 10\n"
	cases := []struct {
		name, text string
		want       []string
	}{
		{"unknown top key", base + "replicatons = 10\n[[parameters]]\nkey = \"verifier.quality\"\n", []string{"test.toml:4: unknown key replicatons (did you mean replications?)"}},
		{"unknown parameter", base + "[[parameters]]\nkey = \"verifier.qualty\"\n", []string{"test.toml:5:", "verifier.qualty", "did you mean verifier.quality"}},
		{"range outside allowed", base + "[[parameters]]\nkey = \"verifier.quality\"\nrange = [0.5, 1.5]\n", []string{"test.toml:6:", "range = [0.5, 1.5]", "allowed [0,1]"}},
		{"empty range", base + "[[parameters]]\nkey = \"verifier.quality\"\nrange = [0.7, 0.7]\n", []string{"is empty"}},
		{"log-uniform through zero", base + "[[parameters]]\nkey = \"verifier.quality\"\nrange = [0.0, 0.9]\ndistribution = \"log-uniform\"\n", []string{"test.toml:7:", "log-uniform", "above 0"}},
		{"distribution unknown", base + "[[parameters]]\nkey = \"verifier.quality\"\ndistribution = \"normal\"\n", []string{"allowed are uniform and log-uniform"}},
		{"absurd samples", "design = \"lhs\"\nsamples = 100000000\n[[parameters]]\nkey = \"verifier.quality\"\n", []string{"test.toml:2:", "samples = 100000000", "from 1 to 1000000"}},
		{"absurd factorial", "design = \"factorial\"\n" + strings.Repeat("[[parameters]]\nkey = \"verifier.quality\"\nsteps = 1000\n", 1) + "[[parameters]]\nkey = \"target.noise\"\nsteps = 1000\n[[parameters]]\nkey = \"target.diversion\"\nsteps = 1000\n", []string{"more than 1000000 points"}},
		{"no design", "[[parameters]]\nkey = \"verifier.quality\"\n", []string{"design is missing"}},
		{"unknown design", "design = \"moris\"\n[[parameters]]\nkey = \"verifier.quality\"\n", []string{"allowed designs are factorial, lhs, sobol, morris and saltelli (did you mean morris?)"}},
		{"morris without samples", "design = \"morris\"\n[[parameters]]\nkey = \"verifier.quality\"\n", []string{"needs samples, the number of trajectories"}},
		{"odd morris levels", "design = \"morris\"\nsamples = 4\nmorris_levels = 5\n[[parameters]]\nkey = \"verifier.quality\"\n", []string{"test.toml:3:", "morris_levels = 5: must be an even whole number"}},
		{"second order on lhs", base + "second_order = true\n[[parameters]]\nkey = \"verifier.quality\"\n", []string{"second_order applies to design = \"saltelli\""}},
		{"lhs without samples", "design = \"lhs\"\n[[parameters]]\nkey = \"verifier.quality\"\n", []string{"needs samples"}},
		{"steps on lhs", base + "[[parameters]]\nkey = \"verifier.quality\"\nsteps = 3\n", []string{"steps applies to factorial designs"}},
		{"no parameters", base, []string{"no parameters to vary"}},
		{"twice", base + "[[parameters]]\nkey = \"verifier.quality\"\n[[parameters]]\nkey = \"verifier.quality\"\n", []string{"varied twice"}},
		{"choice levels", "scenario = \"ladder\"\ndesign = \"lhs\"\nsamples = 3\n[[parameters]]\nkey = \"policy.ladder.stages[*].on_backsliding\"\nlevels = [\"hold\", \"snap-back\"]\n", []string{"test.toml:6:", "\"snap-back\" is not a value of policy.ladder.stages[*].on_backsliding", "did you mean snapback"}},
		{"choice with range", "scenario = \"ladder\"\ndesign = \"lhs\"\nsamples = 3\n[[parameters]]\nkey = \"policy.ladder.stages[*].on_backsliding\"\nrange = [0, 1]\n", []string{"takes levels, not range"}},
		{"string parameter", base + "[[parameters]]\nkey = \"name\"\n", []string{"an experiment varies numbers"}},
		{"unknown policy", "policies = [\"reciprocl\"]\n" + base + "[[parameters]]\nkey = \"verifier.quality\"\n", []string{"did you mean reciprocal"}},
		{"unknown scenario", "scenario = \"defualt\"\ndesign = \"lhs\"\nsamples = 3\n[[parameters]]\nkey = \"verifier.quality\"\n", []string{"did you mean default"}},
		{"bad set", base + "[set]\n\"verifier.quality\" = 2.0\n[[parameters]]\nkey = \"target.noise\"\n", []string{"test.toml:5:", "verifier.quality"}},
		{"set and varied", base + "[set]\n\"verifier.quality\" = 0.5\n[[parameters]]\nkey = \"verifier.quality\"\n", []string{"both set in [set] and varied"}},
		{"too many runs", "design = \"lhs\"\nsamples = 1000000\nreplications = 100000\n[[parameters]]\nkey = \"verifier.quality\"\n", []string{"policy-replications"}},
		{"integer steps", "design = \"factorial\"\n[[parameters]]\nkey = \"verifier.lag\"\nrange = [0, 1]\nsteps = 5\n", []string{"repeat values"}},
		{"malformed", "design = \n", []string{"test.toml:1:", "malformed TOML"}},
		{"overlapping keys", base + "[[parameters]]\nkey = \"spoilers.factions[*].strength\"\n[[parameters]]\nkey = \"spoilers.factions[0].strength\"\nname = \"first\"\n", []string{"test.toml:7:", "spoilers.factions[0].strength sets spoilers.factions[armed-group].strength, which spoilers.factions[*].strength sets too"}},
		{"set overlaps varied", base + "[set]\n\"spoilers.factions[0].strength\" = 0.2\n[[parameters]]\nkey = \"spoilers.factions[*].strength\"\n", []string{"which [set] spoilers.factions[0].strength sets too"}},
		{"duplicate metrics", "metrics = [\"durable_agreement\", \"durable_agreement\"]\n" + base + "[[parameters]]\nkey = \"verifier.quality\"\n", []string{"test.toml:1:", "\"durable_agreement\" is listed twice"}},
		{"empty policies", "policies = []\n" + base + "[[parameters]]\nkey = \"verifier.quality\"\n", []string{"test.toml:1:", "policies is empty"}},
		{"empty metrics", "metrics = []\n" + base + "[[parameters]]\nkey = \"verifier.quality\"\n", []string{"metrics is empty"}},
		{"float steps repeat", "design = \"factorial\"\n[[parameters]]\nkey = \"verifier.quality\"\nrange = [0.5, 0.5000001]\nsteps = 3\n", []string{"repeat values at 6 significant digits"}},
		{"lhs too large", "design = \"lhs\"\nsamples = 1000000\nreplications = 2\n" + strings.Repeat("[[parameters]]\nkey = \"verifier.quality\"\n", 1) + "[[parameters]]\nkey = \"target.noise\"\n" + "[[parameters]]\nkey = \"target.step\"\n" + "[[parameters]]\nkey = \"target.reformers\"\n" + "[[parameters]]\nkey = \"target.diversion\"\n" + "[[parameters]]\nkey = \"target.partial_share\"\n" + "[[parameters]]\nkey = \"target.learning_rate\"\n" + "[[parameters]]\nkey = \"target.relief_weight\"\n" + "[[parameters]]\nkey = \"target.pain_weight\"\n" + "[[parameters]]\nkey = \"target.commitment_weight\"\n" + "[[parameters]]\nkey = \"target.reformer_weight\"\n", []string{"test.toml:2:", "a Latin hypercube is held in memory whole", "design = \"sobol\""}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := experiment.Parse("test.toml", []byte(c.text))
			var ee *experiment.Error
			if !errors.As(err, &ee) {
				t.Fatalf("error %v, want an *experiment.Error", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\nlacks %q", err, w)
				}
			}
		})
	}
}

// The resolved experiment.toml, parsed with its scenario.toml beside it,
// gives the same experiment: a results folder repeats itself.
func TestResolvedRoundTrip(t *testing.T) {
	t.Parallel()
	for _, text := range []string{lhsText, factorialText, morrisText, saltelliText} {
		e := parse(t, text)
		dir := run(t, e, experiment.Options{})
		again, err := experiment.Load(filepath.Join(dir, "experiment.toml"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(experiment.Format(e, "scenario.toml"), experiment.Format(again, "scenario.toml")) {
			t.Error("the resolved file does not read back as the same experiment")
		}
		dir2 := run(t, again, experiment.Options{})
		for _, f := range []string{"points.csv", "best.csv", "design.csv"} {
			a, _ := os.ReadFile(filepath.Join(dir, f))
			b, _ := os.ReadFile(filepath.Join(dir2, f))
			if !bytes.Equal(a, b) {
				t.Errorf("%s differs when the folder's own experiment.toml is run", f)
			}
		}
	}
}

// The bundled experiments parse.
func TestBundled(t *testing.T) {
	t.Parallel()
	if len(experiment.Names()) == 0 {
		t.Fatal("no bundled experiments")
	}
	for _, n := range experiment.Names() {
		if _, err := experiment.Get(n); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
	if _, err := scenarios.Get("default"); err != nil {
		t.Fatal(err)
	}
}

// --format parquet writes points.parquet with the rows of points.csv and
// typed columns: the parameters as numbers, the statistics nullable.
func TestPointsParquet(t *testing.T) {
	t.Parallel()
	e := parse(t, factorialText)
	dir := run(t, e, experiment.Options{Format: "parquet"})
	data, err := os.ReadFile(filepath.Join(dir, "points.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, filepath.Join(dir, "points.csv"))
	if f.NumRows() != int64(len(rows)-1) {
		t.Errorf("points.parquet has %d rows, points.csv %d", f.NumRows(), len(rows)-1)
	}
	var names []string
	for _, c := range f.Schema().Fields() {
		names = append(names, c.Name())
	}
	if !slices.Equal(names, rows[0]) {
		t.Errorf("columns %v, want those of points.csv %v", names, rows[0])
	}
	for _, c := range f.Schema().Fields() {
		switch c.Name() {
		case "verifier_quality":
			if c.Type().Kind() != parquet.Double || c.Optional() {
				t.Errorf("%s: %v optional %v, want a required double", c.Name(), c.Type(), c.Optional())
			}
		case "diff":
			if !c.Optional() {
				t.Errorf("diff is not nullable: the baseline has none")
			}
		}
	}
}

// A design that breaks a rule between values at some point is refused
// before anything runs, naming the first such point; nothing is written.
func TestDesignBreaksRule(t *testing.T) {
	t.Parallel()
	e := parse(t, `design = "factorial"
replications = 10
[set]
"outcomes.capitulation_rounds" = 2
[[parameters]]
key = "rounds"
levels = [40, 5, 3]
[[parameters]]
key = "outcomes.durable_rounds"
levels = [2, 4]
`)
	out := filepath.Join(t.TempDir(), "out")
	_, err := experiment.Run(context.Background(), e, experiment.Options{Out: out})
	if !study.IsInput(err) || !strings.Contains(err.Error(), "durable_rounds = 4 exceeds rounds = 3") || !strings.Contains(err.Error(), "design point") {
		t.Fatalf("error %v, want the design point whose durable_rounds exceeds its rounds", err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a refused experiment left its folder")
	}
}

// A resume must be of the same points, by the same build, with a record
// that is intact; and no two runs may write one folder at once.
func TestResumeChecks(t *testing.T) {
	t.Parallel()
	e := parse(t, lhsText)
	stopAfter := func(n int) func(*experiment.Point) error {
		i := 0
		return func(*experiment.Point) error {
			if i++; i > n {
				return errors.New("stop")
			}
			return nil
		}
	}
	// Another shard.
	out := filepath.Join(t.TempDir(), "shard")
	shard0 := &study.Shard{Index: 0, Count: 2}
	experiment.Run(context.Background(), e, experiment.Options{Out: out, Shard: shard0, OnPoint: stopAfter(1)})
	_, err := experiment.Run(context.Background(), e, experiment.Options{Out: out, Resume: true, Shard: &study.Shard{Index: 1, Count: 2}})
	if !study.IsInput(err) || !strings.Contains(err.Error(), "holds shard 0/2 of the experiment: resume it with --shard 0/2") {
		t.Errorf("resume with another shard: %v", err)
	}
	if _, err := experiment.Run(context.Background(), e, experiment.Options{Out: out, Resume: true, Shard: shard0}); err != nil {
		t.Errorf("resume with its own shard: %v", err)
	}

	// A record edited by hand.
	out = filepath.Join(t.TempDir(), "edited")
	experiment.Run(context.Background(), e, experiment.Options{Out: out, OnPoint: stopAfter(3)})
	state := filepath.Join(results.StateName(out), "progress.json")
	b, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(state, bytes.Replace(b, []byte(`"points_done":3`), []byte(`"points_done":0`), 1), 0o644)
	_, err = experiment.Run(context.Background(), e, experiment.Options{Out: out, Resume: true})
	if !study.IsInput(err) || !strings.Contains(err.Error(), "record of its progress is damaged") {
		t.Errorf("resume from an edited record: %v", err)
	}
	os.WriteFile(state, b, 0o644)
	// A table changed after the record.
	pts := filepath.Join(results.PartialName(out), "points.csv")
	data, _ := os.ReadFile(pts)
	os.WriteFile(pts, bytes.Replace(data, []byte("reciprocal"), []byte("reciprocaL"), 1), 0o644)
	_, err = experiment.Run(context.Background(), e, experiment.Options{Out: out, Resume: true})
	if !study.IsInput(err) || !strings.Contains(err.Error(), "not what its points.csv holds") {
		t.Errorf("resume over a changed table: %v", err)
	}

	// Two runs at once: the second is refused while the first writes.
	out = filepath.Join(t.TempDir(), "busy")
	experiment.Run(context.Background(), e, experiment.Options{Out: out, OnPoint: stopAfter(2)})
	var second error
	_, err = experiment.Run(context.Background(), e, experiment.Options{Out: out, Resume: true, OnPoint: func(p *experiment.Point) error {
		if second == nil {
			_, second = experiment.Run(context.Background(), e, experiment.Options{Out: out, Resume: true})
		}
		return nil
	}})
	if err != nil {
		t.Fatalf("the first resume: %v", err)
	}
	if !errors.Is(second, results.ErrBusy) {
		t.Errorf("a second resume while the first runs: %v, want ErrBusy", second)
	}
}

// A shard folder made with another scenario is not "already complete".
func TestAlreadyDoneNeedsSameScenario(t *testing.T) {
	t.Parallel()
	a := parse(t, lhsText+"[set]\n\"target.noise\" = 0.2\n")
	b := parse(t, lhsText+"[set]\n\"target.noise\" = 0.5\n")
	out := filepath.Join(t.TempDir(), "s0")
	sh := &study.Shard{Index: 0, Count: 2}
	run(t, a, experiment.Options{Out: out, Shard: sh})
	res, err := experiment.Run(context.Background(), a, experiment.Options{Out: out, Shard: sh})
	if err != nil || !res.AlreadyDone {
		t.Errorf("the same shard again: %v, %+v; want already done", err, res)
	}
	if _, err := experiment.Run(context.Background(), b, experiment.Options{Out: out, Shard: sh}); !errors.Is(err, results.ErrExists) {
		t.Errorf("another scenario's shard into the folder: %v, want ErrExists", err)
	}
}

// An experiment stopped while it finishes (its figures being drawn), then
// stopped again just after moving its values out of the folder, resumes
// with other options to the folder an uninterrupted run with those
// options makes: nothing stale is left from the first attempt.
func TestResumeDuringFinish(t *testing.T) {
	t.Parallel()
	e := parse(t, factorialText)
	out := filepath.Join(t.TempDir(), "out")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := experiment.Run(ctx, e, experiment.Options{Out: out, Format: "parquet", Plots: true, Progress: func(p study.Progress) {
		if p.Phase == study.PhaseDrawing {
			cancel()
		}
	}})
	var ie *experiment.InterruptedError
	if !errors.As(err, &ie) || ie.Done != ie.Total {
		t.Fatalf("stopped while drawing: %v, want every point kept", err)
	}
	// The moment between parking the values and committing.
	if err := os.Rename(filepath.Join(results.PartialName(out), "values.bin"), filepath.Join(results.StateName(out), "values.bin")); err != nil {
		t.Fatal(err)
	}
	if _, err := experiment.Run(context.Background(), e, experiment.Options{Out: out, Resume: true}); err != nil {
		t.Fatal(err)
	}
	sameFolders(t, run(t, e, experiment.Options{}), out)
	for _, p := range []string{results.PartialName(out), results.StateName(out)} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s is left behind", p)
		}
	}
}

// With independent streams design.csv gives each point's seed, and a
// study of the point's scenario with that seed gives the point's numbers.
func TestIndependentSeeds(t *testing.T) {
	t.Parallel()
	e := parse(t, "streams = \"independent\"\n"+lhsText)
	var first *experiment.Point
	dir := run(t, e, experiment.Options{OnPoint: func(p *experiment.Point) error {
		if first == nil {
			first = p
		}
		return nil
	}})
	design := readCSV(t, filepath.Join(dir, "design.csv"))
	if design[0][len(design[0])-1] != "seed" {
		t.Fatalf("design.csv header %v has no seed column", design[0])
	}
	seed, err := strconv.ParseUint(design[1][len(design[1])-1], 10, 64)
	if err != nil || seed == e.Seed {
		t.Fatalf("point 0's seed %q: %v", design[1][len(design[1])-1], err)
	}
	s := e.Base.Clone()
	for j, par := range e.Parameters {
		s.Set(par.Key, first.Values[j])
	}
	s.Replications, s.Seed = e.Replications, seed
	res, err := study.Run(context.Background(), s, study.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st, _ := res.Stats(first.Rows[0].Policy, first.Rows[0].Metric)
	if st.Mean != first.Rows[0].Mean {
		t.Errorf("a study with point 0's seed gives %v, the point %v", st.Mean, first.Rows[0].Mean)
	}
}

// An experiment may compare any built-in policy, as tranche run --policy
// may, not only those the scenario lists.
func TestBuiltinPolicies(t *testing.T) {
	t.Parallel()
	e := parse(t, strings.Replace(lhsText, `policies = ["phased-snapback", "reciprocal", "max-pressure"]`, `policies = ["grit", "tit-for-two-tats", "reciprocal"]`, 1))
	if !slices.Equal(e.Policies, []string{"grit", "tit-for-two-tats", "reciprocal"}) {
		t.Fatalf("policies %v", e.Policies)
	}
	var n int
	if _, err := experiment.Run(context.Background(), e, experiment.Options{OnPoint: func(p *experiment.Point) error { n = len(p.Rows); return nil }}); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Error("no rows")
	}
}

// sensitivityOf returns the rows of one output and index by parameter.
func sensitivityOf(rows []results.SensitivityRow, metric, policy, versus, index string) map[string]results.SensitivityRow {
	out := map[string]results.SensitivityRow{}
	for _, r := range rows {
		if r.Metric == metric && r.Policy == policy && r.Versus == versus && r.Index == index && r.Parameter2 == "" {
			out[r.Parameter] = r
		}
	}
	return out
}

// Replication noise is told apart from effects. With independent streams
// the total index of a parameter that cannot act (a parameter of a policy
// the experiment does not run) is noise/variance uncorrected, an interval
// above 0 that reads as an effect, and its noise-corrected interval
// contains 0; the target's commitment is clearly an effect either way.
// With common streams the inert parameter's index is exactly 0.
func TestSensitivityNoise(t *testing.T) {
	t.Parallel()
	text := `design = "saltelli"
samples = 256
replications = 60
policies = ["phased-snapback", "reciprocal"]
metrics = ["durable_agreement"]
[[parameters]]
key = "target.commitment_alpha"
[[parameters]]
key = "policy.grit.step"
`
	for _, streams := range []string{"independent", "common"} {
		e := parse(t, "streams = \""+streams+"\"\n"+text)
		res, err := experiment.Run(context.Background(), e, experiment.Options{Out: filepath.Join(t.TempDir(), "out")})
		if err != nil {
			t.Fatal(err)
		}
		outs := [][2]string{{"phased-snapback", ""}, {"reciprocal", "phased-snapback"}}
		if streams == "independent" {
			// The difference between two policies that share a point's
			// replications varies little across these points: at 60
			// replications nearly all its variance across points is noise,
			// too much to correct into a usable index.
			outs = outs[:1]
		}
		for _, out := range outs {
			st := sensitivityOf(res.Sensitivity, "durable_agreement", out[0], out[1], results.IndexST)
			inert, alpha := st["policy_grit_step"], st["target_commitment_alpha"]
			t.Logf("%s %s vs %q: inert ST %.4f (%.4f, %.4f), uncorrected %.4f (%.4f, %.4f); commitment ST %.3f (%.3f, %.3f); noise share %.2f",
				streams, out[0], out[1], inert.Estimate, inert.CI95[0], inert.CI95[1], inert.Uncorrected, inert.UncorrectedCI95[0], inert.UncorrectedCI95[1],
				alpha.Estimate, alpha.CI95[0], alpha.CI95[1], inert.NoiseShare)
			if !(alpha.CI95[0] > 0.1) {
				t.Errorf("%s, %v: the commitment's total index %.3f (%.3f, %.3f) is not clearly above 0", streams, out, alpha.Estimate, alpha.CI95[0], alpha.CI95[1])
			}
			switch streams {
			case "independent":
				if !(inert.UncorrectedCI95[0] > 0) {
					t.Errorf("%v: the inert parameter's uncorrected total index (%.3f, %.3f) does not show the noise it should", out, inert.UncorrectedCI95[0], inert.UncorrectedCI95[1])
				}
				// A 95% interval misses the truth at 1 seed in 20, and any
				// change to the model draws a new seed's worth of
				// histories, so the test widens the normal bootstrap
				// interval to 99.9% (z = 3.29 for 1.96): a correct
				// correction then fails once in 1,000 model changes.
				// (At this seed the rule-learner gives 0.049, 95%
				// interval (0.003, 0.094); seeds 2 to 6 give -0.010 to
				// 0.031, all containing 0.)
				lo, hi := widen(inert.Estimate, inert.CI95, 3.2905/1.96)
				if !(lo <= 0 && hi >= 0) {
					t.Errorf("%v: the inert parameter's corrected total index %.4f, 99.9%% interval (%.4f, %.4f), excludes 0", out, inert.Estimate, lo, hi)
				}
				if lo, _ := widen(inert.Uncorrected, inert.UncorrectedCI95, 3.2905/1.96); !(lo > 0) {
					t.Errorf("%v: the inert parameter's uncorrected total index's 99.9%% interval starts at %.4f: the noise does not show", out, lo)
				}
			case "common":
				if inert.Estimate != 0 || inert.CI95 != [2]float64{0, 0} {
					t.Errorf("%v: with common streams the inert parameter's total index is %v (%v), want exactly 0", out, inert.Estimate, inert.CI95)
				}
			}
		}
	}
}

// widen returns a normal interval around est with the half-width of ci
// times f.
func widen(est float64, ci [2]float64, f float64) (float64, float64) {
	hw := (ci[1] - ci[0]) / 2 * f
	return est - hw, est + hw
}

// key = "*" varies every parameter with a plausible range, but those set
// in [set], varied by another table, or of a policy the experiment does
// not run; and a sensitivity design's points carry their roles.
func TestAllParameters(t *testing.T) {
	t.Parallel()
	e := parse(t, `design = "morris"
samples = 2
policies = ["phased-snapback", "reciprocal"]
[set]
"verifier.quality" = 0.8
[[parameters]]
key = "target.noise"
range = [0.2, 0.4]
[[parameters]]
key = "*"
`)
	s := e.Base
	want := 0
	for _, p := range s.Parameters() {
		if p.Plausible == nil || !(p.Plausible.Lo < p.Plausible.Hi) || (p.Type != scenarios.Number && p.Type != scenarios.Integer) {
			continue
		}
		if p.Key == "verifier.quality" || p.Key == "target.noise" {
			continue
		}
		if strings.HasPrefix(p.Key, "policy.") && !strings.HasPrefix(p.Key, "policy.phased-snapback.") && !strings.HasPrefix(p.Key, "policy.reciprocal.") {
			continue
		}
		want++
	}
	if got := len(e.Parameters) - 1; got != want || want < 100 {
		t.Errorf("key = \"*\" varies %d parameters, want %d", got, want)
	}
	for _, p := range e.Parameters {
		if p.Key == "verifier.quality" || strings.HasPrefix(p.Key, "policy.max-pressure.") {
			t.Errorf("key = \"*\" varies %s", p.Key)
		}
	}
	if e.Parameters[0].Key != "target.noise" || e.Parameters[0].Range != [2]float64{0.2, 0.4} {
		t.Errorf("the table given first lost its range: %+v", e.Parameters[0])
	}
	if e.Points() != 2*(len(e.Parameters)+1) {
		t.Errorf("%d points, want 2 trajectories of %d", e.Points(), len(e.Parameters)+1)
	}
}

// design.csv gives each point's part in a sensitivity design: Morris
// trajectories whose steps change one parameter each, Saltelli rows whose
// AB points differ from their A point in their column only.
func TestDesignRoles(t *testing.T) {
	t.Parallel()
	e := parse(t, morrisText)
	rows := readCSV(t, filepath.Join(run(t, e, experiment.Options{}), "design.csv"))
	head := rows[0]
	if !slices.Equal(head[len(head)-2:], []string{"trajectory", "step"}) {
		t.Fatalf("morris design.csv header %v", head)
	}
	for i := 2; i < len(rows); i++ {
		if rows[i][len(head)-1] == "0" {
			continue // a trajectory's first point
		}
		changed := 0
		for c := 1; c <= len(e.Parameters); c++ {
			if rows[i][c] != rows[i-1][c] {
				changed++
			}
		}
		if changed != 1 {
			t.Errorf("morris point %s changes %d parameters from the one before", rows[i][0], changed)
		}
	}
	e = parse(t, saltelliText)
	rows = readCSV(t, filepath.Join(run(t, e, experiment.Options{}), "design.csv"))
	head = rows[0]
	if !slices.Equal(head[len(head)-4:], []string{"seed", "base", "matrix", "column"}) {
		t.Fatalf("saltelli design.csv header %v", head)
	}
	a := map[string][]string{}
	for _, r := range rows[1:] {
		if r[len(head)-2] == "A" {
			a[r[len(head)-3]] = r[1 : 1+len(e.Parameters)]
		}
	}
	for _, r := range rows[1:] {
		if r[len(head)-2] != "AB" {
			continue
		}
		col := slices.IndexFunc(e.Parameters, func(p experiment.Parameter) bool { return p.Name == r[len(head)-1] })
		for c, v := range r[1 : 1+len(e.Parameters)] {
			if c != col && v != a[r[len(head)-3]][c] {
				t.Errorf("saltelli point %s (AB, column %s) differs from its A point in %s", r[0], r[len(head)-1], e.Parameters[c].Name)
			}
		}
	}
}

// Every experiment file docs/experiments.md shows is valid.
func TestDocExperimentExamples(t *testing.T) {
	t.Parallel()
	const path = "../docs/experiments.md"
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cur []string
	in, start, n := false, 0, 0
	for i, l := range strings.Split(string(doc), "\n") {
		switch {
		case !in && strings.TrimSpace(l) == "```toml":
			in, cur, start = true, nil, i+2
		case in && strings.TrimSpace(l) == "```":
			in = false
			n++
			if _, err := experiment.Parse(fmt.Sprintf("%s:%d", path, start), []byte(strings.Join(cur, "\n"))); err != nil {
				t.Errorf("the example at %s:%d is not a valid experiment: %v", path, start, err)
			}
		case in:
			cur = append(cur, l)
		}
	}
	if n < 2 {
		t.Errorf("found %d experiment examples, want at least 2", n)
	}
}
