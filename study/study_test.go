package study_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/scenarios"
	"github.com/tranche-sim/tranche/study"
)

func mustDefault(t testing.TB) *scenarios.Scenario {
	t.Helper()
	s, err := scenarios.Get("default")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func summaryJSON(t *testing.T, sum *results.Summary) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := results.WriteSummaryJSON(&b, sum); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The same scenario gives the same results, bit for bit, on any number of
// workers, and Run leaves the scenario it is given unchanged.
func TestRunReproducible(t *testing.T) {
	t.Parallel()
	s := mustDefault(t)
	s.Replications = 300
	before := scenarios.Format(s)
	var want []byte
	for _, workers := range []int{1, 3, 0} {
		res, err := study.Run(context.Background(), s, study.Options{Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		got := summaryJSON(t, res.Summary)
		if want == nil {
			want = got
		} else if !bytes.Equal(got, want) {
			t.Errorf("%d workers: summary differs from 1 worker's", workers)
		}
		if res.Dir != "" {
			t.Errorf("a study without Out wrote %s", res.Dir)
		}
	}
	if !bytes.Equal(scenarios.Format(s), before) {
		t.Error("Run changed the scenario it was given")
	}
}

// A study with Out writes a complete results folder that describes itself:
// its definitions name every metric and series, with unit and kind.
func TestRunWritesFolder(t *testing.T) {
	t.Parallel()
	s := mustDefault(t)
	s.Replications = 64
	out := filepath.Join(t.TempDir(), "res")
	res, err := study.Run(context.Background(), s, study.Options{Out: out, Plots: true, Command: []string{"test"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Dir != out {
		t.Errorf("Dir = %q, want %q", res.Dir, out)
	}
	run, err := results.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	d := run.Definitions
	if len(d.Metrics) != len(res.Aggregate.Metrics) || len(d.Series) != len(res.Aggregate.Series) || len(d.Policies) != len(s.Policies) {
		t.Fatalf("definitions: %d metrics, %d series, %d policies", len(d.Metrics), len(d.Series), len(d.Policies))
	}
	m, ok := d.Metric("durable_agreement")
	if !ok || m.Unit != "probability" || m.Kind.String() != "proportion" || m.Hi != 1 || m.Doc == "" {
		t.Errorf("durable_agreement defined as %+v", m)
	}
	for _, sd := range d.Series {
		if sd.Unit == "" || sd.Doc == "" {
			t.Errorf("series %s has no unit or doc", sd.Key)
		}
	}
	if p, _ := d.Policy("phased-snapback"); p.Summary == "" {
		t.Error("phased-snapback has no summary in the definitions")
	}
	if len(d.Scenario.Overview) == 0 || d.Scenario.Name != "default" {
		t.Errorf("scenario described as %+v", d.Scenario)
	}
	entries, err := os.ReadDir(filepath.Join(out, "plots"))
	if err != nil || len(entries) == 0 {
		t.Errorf("no figures drawn: %v", err)
	}
	if run.Manifest.CommandLine[0] != "test" || run.Manifest.Replications != 64 {
		t.Errorf("manifest: %+v", run.Manifest)
	}
}

// Bad options are input errors that name the option, and nothing is
// written.
func TestOptionErrors(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	cases := []struct {
		name   string
		opts   study.Options
		reps   int
		option string
	}{
		{"negative workers", study.Options{Workers: -1}, 100, "Workers"},
		{"too many workers", study.Options{Workers: study.MaxWorkers + 1}, 100, "Workers"},
		{"format", study.Options{Format: "xml"}, 100, "Format"},
		{"baseline", study.Options{Baseline: "nope"}, 100, "Baseline"},
		{"objective", study.Options{Objective: "speed"}, 100, ""},
		{"precision zero", study.Options{Precision: &study.Precision{}}, 100, "Precision.HalfWidth"},
		{"precision infinite", study.Options{Precision: &study.Precision{HalfWidth: math.Inf(1)}}, 100, "Precision.HalfWidth"},
		{"precision NaN", study.Options{Precision: &study.Precision{HalfWidth: math.NaN()}}, 100, "Precision.HalfWidth"},
		{"precision metric", study.Options{Precision: &study.Precision{HalfWidth: 0.1, Metrics: []string{"speed"}}}, 100, "Precision.Metrics"},
		{"max reps", study.Options{Precision: &study.Precision{HalfWidth: 0.1, MaxReplications: 10}}, 100, "Precision.MaxReplications"},
		{"shard index", study.Options{Shard: &study.Shard{Index: 3, Count: 2}}, 100, "Shard"},
		{"empty shard", study.Options{Shard: &study.Shard{Index: 0, Count: 4}}, 2, "Shard"},
		{"shard with precision", study.Options{Shard: &study.Shard{Index: 0, Count: 2}, Precision: &study.Precision{HalfWidth: 0.1}}, 100, "Precision"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := mustDefault(t)
			s.Replications = c.reps
			c.opts.Out = filepath.Join(tmp, c.name)
			_, err := study.Run(context.Background(), s, c.opts)
			var ie *study.InputError
			if !errors.As(err, &ie) || ie.Option != c.option || !study.IsInput(err) {
				t.Fatalf("error %v, want an input error of option %q", err, c.option)
			}
			if err := study.Check(s, c.opts); err == nil {
				t.Error("Check accepts what Run refuses")
			}
		})
	}
	// More shards than replications: refused for every shard, even those
	// that would hold one, since no merge could ever succeed.
	for _, c := range []struct{ index, count int }{{1, 128}, {0, 128}, {92233720368, 92233720369}} {
		s := mustDefault(t)
		s.Replications = 100
		if err := study.Check(s, study.Options{Shard: &study.Shard{Index: c.index, Count: c.count}}); !study.IsInput(err) {
			t.Errorf("shard %d/%d of 100 replications: %v, want an input error", c.index, c.count, err)
		}
	}
	// A scenario problem is a *scenarios.Error, an input error too.
	s := mustDefault(t)
	s.Rounds = 0
	_, err := study.Run(context.Background(), s, study.Options{Out: filepath.Join(tmp, "rounds")})
	var se *scenarios.Error
	if !errors.As(err, &se) || !study.IsInput(err) {
		t.Errorf("rounds 0: %v, want a *scenarios.Error", err)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("refused studies wrote %d entries", len(entries))
	}
}

// Shards merged give the whole study, file for file; a shard's folder that
// is already complete is not run again.
func TestShardsMerge(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	s := mustDefault(t)
	s.Replications = 200
	whole := filepath.Join(tmp, "whole")
	if _, err := study.Run(context.Background(), s, study.Options{Out: whole}); err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for i := range 3 {
		dir := filepath.Join(tmp, "shard", string(rune('a'+i)))
		res, err := study.Run(context.Background(), s, study.Options{Out: dir, Shard: &study.Shard{Index: i, Count: 3}})
		if err != nil {
			t.Fatal(err)
		}
		if res.AlreadyDone || res.Manifest.Shard == nil || res.Manifest.Shard.Index != i {
			t.Fatalf("shard %d: %+v", i, res.Manifest.Shard)
		}
		dirs = append(dirs, dir)
	}
	again, err := study.Run(context.Background(), s, study.Options{Out: dirs[1], Shard: &study.Shard{Index: 1, Count: 3}})
	if err != nil || !again.AlreadyDone {
		t.Errorf("rerun of a complete shard: %v, done %v", err, again != nil && again.AlreadyDone)
	}
	merged := filepath.Join(tmp, "merged")
	if _, err := study.Merge(context.Background(), []string{dirs[2], dirs[0], dirs[1]}, study.MergeOptions{Out: merged}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"summary.json", "summary.csv", "comparison.csv", "comparison.json", "rounds.csv", "replications.csv", "histories.csv", "scenario.toml", results.DefinitionsFile} {
		a, _ := os.ReadFile(filepath.Join(whole, f))
		b, _ := os.ReadFile(filepath.Join(merged, f))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s: merged shards differ from the whole study", f)
		}
	}
	if _, err := study.Merge(context.Background(), dirs[:2], study.MergeOptions{Out: filepath.Join(tmp, "partial")}); !study.IsInput(err) {
		t.Errorf("merge of 2 of 3 shards: %v, want an input error", err)
	}
}

// A study uses no more workers than it has blocks of replications (each
// worker holds its own aggregates); the manifest records the workers used.
func TestUsefulWorkers(t *testing.T) {
	t.Parallel()
	s := mustDefault(t)
	s.Replications = 64
	res, err := study.Run(context.Background(), s, study.Options{Workers: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if res.Manifest.Workers != 1 {
		t.Errorf("manifest workers = %d for 64 replications, want 1", res.Manifest.Workers)
	}
}

// A precision run reports what it ran, and its results equal a fixed run of
// the same size.
func TestPrecisionRun(t *testing.T) {
	t.Parallel()
	s := mustDefault(t)
	s.Policies = []string{"phased", "max-pressure"}
	res, err := study.Run(context.Background(), s, study.Options{Precision: &study.Precision{HalfWidth: 0.03, Metrics: []string{"durable_agreement"}}})
	if err != nil {
		t.Fatal(err)
	}
	p := res.Precision
	if !p.Reached || res.Scenario.Replications != p.Replications || s.Replications != 2000 {
		t.Fatalf("precision %+v, result's replications %d, original's %d", p, res.Scenario.Replications, s.Replications)
	}
	s.Replications = p.Replications
	fixed, err := study.Run(context.Background(), s, study.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(summaryJSON(t, res.Summary), summaryJSON(t, fixed.Summary)) {
		t.Error("the precision run differs from a fixed run of the same size")
	}
}

// BenchmarkStudy runs a whole study of the five core policies on one
// worker, in memory, with everything a study does per replication:
// aggregation of metrics, per-round series and paired differences. It
// reports policy-replications per second, the figure whole-study
// throughput is made of.
func BenchmarkStudy(b *testing.B) {
	s := mustDefault(b)
	s.Replications = 1024
	b.ReportAllocs()
	for b.Loop() {
		if _, err := study.Run(context.Background(), s, study.Options{Workers: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(s.Replications*len(s.Policies)*b.N)/b.Elapsed().Seconds(), "policy-replications/s")
}

// Numbers are reported with the digits they carry: means from exact
// fixed-point sums, percentiles from a histogram's grid and objective
// values once printed as 0.7969999999960419, -0.31699999999999995 or
// -0.3320000000000001.
func TestNoFloatNoise(t *testing.T) {
	t.Parallel()
	s := mustDefault(t)
	s.Replications = 200
	out := filepath.Join(t.TempDir(), "res")
	_, err := study.Run(context.Background(), s, study.Options{Out: out, Objective: "durable_agreement - 0.05*humanitarian_shortfall"})
	if err != nil {
		t.Fatal(err)
	}
	noise := regexp.MustCompile(`\d\.\d*(0{7,}[1-9]|9{7,}\d)`)
	pvalue := regexp.MustCompile(`"p_(value|holm)": [^,\n]*`)
	for _, f := range []string{"summary.json", "summary.csv", "comparison.json", "rounds.csv"} {
		b, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		text := pvalue.ReplaceAllString(string(b), "")
		if m := noise.FindAllString(text, 5); len(m) > 0 {
			t.Errorf("%s has numbers with float noise: %v", f, m)
		}
	}
	recs := readCSVFile(t, filepath.Join(out, "replications.csv"))
	col := slices.Index(recs[0], "objective")
	for _, r := range recs[1:] {
		if noise.MatchString(r[col]) {
			t.Fatalf("replications.csv objective %s has float noise", r[col])
		}
	}
}

func readCSVFile(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// Leaders name the best policy on each metric and those that cannot be
// told apart from it: a policy identical to another (the same rule under
// another name) is always tied with it, and a policy far behind is not.
func TestLeaders(t *testing.T) {
	t.Parallel()
	s, err := scenarios.Parse("twins.toml", []byte(`policies = ["reciprocal", "twin", "max-pressure", "humanitarian-only"]
replications = 600
[policy.twin]
base = "reciprocal"
`))
	if err != nil {
		t.Fatal(err)
	}
	res, err := study.Run(context.Background(), s, study.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var durable *results.Leader
	for i, l := range res.Comparison.Leaders {
		if l.Metric == "durable_agreement" {
			durable = &res.Comparison.Leaders[i]
		}
		// A twin is tied with the best, whichever of the two is best.
		if l.Best == "reciprocal" && !slices.Contains(l.Tied, "twin") || l.Best == "twin" && !slices.Contains(l.Tied, "reciprocal") {
			t.Errorf("%s: best %s, tied %v: the twins are not tied", l.Metric, l.Best, l.Tied)
		}
	}
	if durable == nil {
		t.Fatal("no leader on durable agreement")
	}
	// humanitarian-only never lifts half the sanctions, which a durable
	// agreement needs: it is far behind.
	if durable.Best == "humanitarian-only" || slices.Contains(durable.Tied, "humanitarian-only") || !durable.Higher {
		t.Errorf("durable agreement: best %s, tied %v", durable.Best, durable.Tied)
	}
	if len(durable.VsBest) != 3 {
		t.Errorf("%d differences from the best, want 3", len(durable.VsBest))
	}
}

// BenchmarkSmallStudy runs a study of 100 replications of the five core
// policies written to a results folder without figures: the fixed cost of
// a study (scenario set-up, aggregation, writing and hashing the files),
// which experiments of many small studies pay at every design point.
func BenchmarkSmallStudy(b *testing.B) {
	s := mustDefault(b)
	s.Replications = 100
	dir := b.TempDir()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		out := filepath.Join(dir, strconv.Itoa(i))
		i++
		if _, err := study.Run(context.Background(), s, study.Options{Workers: 1, Out: out}); err != nil {
			b.Fatal(err)
		}
	}
}
