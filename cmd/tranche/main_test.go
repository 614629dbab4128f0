package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tranche-sim/tranche/policy"
	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/scenarios"
)

// tranche runs the command in-process and returns its exit status, stdout
// and stderr.
func tranche(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}

func TestRunWritesResultsFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "res")
	code, stdout, stderr := tranche(t, "run", "--reps", "70", "--quiet", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"durable_agreement", "humanitarian_shortfall", "phased-snapback", "results: " + dir} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	for _, f := range []string{"manifest.json", "scenario.toml", "summary.json", "summary.csv", "rounds.csv", "replications.csv"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}

	// replications.csv: a header, then one row per replication and policy,
	// replication-major, every row as wide as the header.
	rows := readCSV(t, filepath.Join(dir, "replications.csv"))
	policies := scenarios.Default().Policies
	if len(rows) != 1+70*len(policies) {
		t.Fatalf("replications.csv has %d rows, want %d", len(rows), 1+70*len(policies))
	}
	if rows[0][0] != "policy" || rows[0][1] != "replication" || rows[0][2] != "outcome" || rows[0][3] != "durable_agreement" {
		t.Errorf("replications.csv header %v", rows[0][:4])
	}
	col := map[string]int{}
	for i, k := range rows[0] {
		col[k] = i
	}
	for i, r := range rows[1:] {
		if r[0] != policies[i%len(policies)] || r[1] != strconv.Itoa(i/len(policies)) {
			t.Fatalf("row %d is %s,%s: want %s,%d", i+1, r[0], r[1], policies[i%len(policies)], i/len(policies))
		}
		// The outcome names the one way the episode ended.
		if k, ok := col[r[2]]; !ok || r[k] != "1" {
			t.Fatalf("row %d: outcome %q, but its column reads %q", i+1, r[2], r[col[r[2]]])
		}
	}

	rounds := readCSV(t, filepath.Join(dir, "rounds.csv"))
	if strings.Join(rounds[0], ",") != strings.TrimSpace(results.RoundsCSVHeader) {
		t.Errorf("rounds.csv header %v", rounds[0])
	}
	summaryCSV := readCSV(t, filepath.Join(dir, "summary.csv"))
	if strings.Join(summaryCSV[0], ",") != strings.TrimSpace(results.SummaryCSVHeader) {
		t.Errorf("summary.csv header %v", summaryCSV[0])
	}

	// summary.json has the documented shape.
	var sum struct {
		Scenario     string
		Seed         uint64
		Replications int
		Rounds       int
		Policies     []struct {
			Policy  string
			Metrics map[string]struct {
				Mean   float64
				SD     float64
				CI95Lo float64 `json:"ci95_lo"`
				CI95Hi float64 `json:"ci95_hi"`
				P05    float64
				P50    float64
				P95    float64
			}
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Scenario != "default" || sum.Replications != 70 || sum.Rounds != 40 || len(sum.Policies) != len(policies) {
		t.Errorf("summary.json: %+v", sum)
	}
	d := sum.Policies[0].Metrics["durable_agreement"]
	if !(d.CI95Lo <= d.Mean && d.Mean <= d.CI95Hi) {
		t.Errorf("durable_agreement: mean %v outside its interval (%v, %v)", d.Mean, d.CI95Lo, d.CI95Hi)
	}

	// The manifest's hash is the hash of the resolved scenario, which
	// parses back to the scenario that ran.
	var man results.Manifest
	b, _ = os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err := json.Unmarshal(b, &man); err != nil {
		t.Fatal(err)
	}
	resolved, _ := os.ReadFile(filepath.Join(dir, "scenario.toml"))
	h := sha256.Sum256(resolved)
	if man.ScenarioSHA256 != hex.EncodeToString(h[:]) {
		t.Error("manifest hash does not match scenario.toml")
	}
	if man.Replications != 70 || man.Seed != 1 || man.GoVersion == "" || man.Version == "" || man.ElapsedSeconds <= 0 {
		t.Errorf("manifest: %+v", man)
	}
	s, err := scenarios.Parse("scenario.toml", resolved)
	if err != nil {
		t.Fatal(err)
	}
	if s.Replications != 70 || !reflect.DeepEqual(s.Params, scenarios.Default().Params) {
		t.Error("scenario.toml does not describe the run")
	}
}

// Same scenario and seed: identical files for any number of workers, and
// when repeated from the results folder's scenario.toml.
func TestReproducible(t *testing.T) {
	tmp := t.TempDir()
	run := func(name string, args ...string) string {
		out := filepath.Join(tmp, name)
		args = append([]string{"run", "--quiet", "--no-plots", "--out", out}, args...)
		if code, _, stderr := tranche(t, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		return out
	}
	a := run("w1", "--reps", "300", "--seed", "9", "--workers", "1")
	b := run("w4", "--reps", "300", "--seed", "9", "--workers", "4")
	c := run("again", filepath.Join(a, "scenario.toml"), "--workers", "3")
	for _, f := range []string{"summary.json", "summary.csv", "rounds.csv", "replications.csv", "scenario.toml"} {
		fa, _ := os.ReadFile(filepath.Join(a, f))
		for _, other := range []string{b, c} {
			fb, _ := os.ReadFile(filepath.Join(other, f))
			if !bytes.Equal(fa, fb) {
				t.Errorf("%s differs between %s and %s", f, filepath.Base(a), filepath.Base(other))
			}
		}
	}
	// A different seed gives different results.
	d := run("seed10", "--reps", "300", "--seed", "10", "--workers", "1")
	fa, _ := os.ReadFile(filepath.Join(a, "replications.csv"))
	fd, _ := os.ReadFile(filepath.Join(d, "replications.csv"))
	if bytes.Equal(fa, fd) {
		t.Error("seeds 9 and 10 gave identical replications")
	}
}

func TestPolicyFlagRestricts(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "res")
	if code, _, stderr := tranche(t, "run", "--quiet", "--no-plots", "--reps", "64", "--policy", "max-pressure", "--policy", "big-bang", "--out", dir); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var sum results.Summary
	b, _ := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	if len(sum.Policies) != 2 || sum.Policies[0].Policy != "max-pressure" || sum.Policies[1].Policy != "big-bang" {
		t.Errorf("policies %+v, want max-pressure then big-bang", sum.Policies)
	}
}

// --cpuprofile writes a gzipped pprof profile when the run succeeds and
// nothing when it fails.
func TestCPUProfile(t *testing.T) {
	tmp := t.TempDir()
	prof := filepath.Join(tmp, "cpu.pprof")
	if code, _, stderr := tranche(t, "run", "--quiet", "--no-plots", "--reps", "200", "--out", filepath.Join(tmp, "res"), "--cpuprofile", prof); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(prof)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		t.Errorf("%s is not a gzipped profile (%d bytes)", prof, len(b))
	}

	failed := filepath.Join(tmp, "failed.pprof")
	code, _, stderr := tranche(t, "run", "--quiet", "--reps", "10", "--out", filepath.Join(tmp, "res"), "--cpuprofile", failed)
	if code != 2 || !strings.Contains(stderr, "already exists") {
		t.Errorf("run into an existing folder: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = tranche(t, "run", "--quiet", "--reps", "10", "--out", filepath.Join(tmp, "res2"), "--cpuprofile", filepath.Join(tmp, "no", "dir", "cpu.pprof"))
	if code != 2 || !strings.Contains(stderr, "--cpuprofile "+filepath.Join(tmp, "no", "dir", "cpu.pprof")+": no such file") || strings.Contains(stderr, ".cpuprofile-") {
		t.Errorf("profile in a missing folder: exit %d, stderr %q; want the path asked for and the cause, not the temporary file", code, stderr)
	}
	entries, _ := os.ReadDir(tmp)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !reflect.DeepEqual(names, []string{"cpu.pprof", "res"}) {
		t.Errorf("folder holds %v, want only cpu.pprof and res", names)
	}
}

func TestExitStatusAndNothingWritten(t *testing.T) {
	tmp := t.TempDir()
	bad := filepath.Join(tmp, "bad.toml")
	os.WriteFile(bad, []byte("[verifier]\nquality = 3.0\n"), 0o644)
	malformed := filepath.Join(tmp, "malformed.toml")
	os.WriteFile(malformed, []byte("rounds = [\n"), 0o644)
	existing := filepath.Join(tmp, "existing")
	os.Mkdir(existing, 0o755)
	os.WriteFile(filepath.Join(existing, "keep.txt"), []byte("mine"), 0o644)
	file := filepath.Join(tmp, "afile")
	os.WriteFile(file, []byte("mine"), 0o644)

	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no command", nil, 2, "no command"},
		{"unknown command", []string{"fly"}, 2, `unknown command "fly"`},
		{"unknown flag", []string{"run", "--fast"}, 2, "flag provided but not defined: --fast; 'tranche run --help' lists the flags"},
		{"misspelt flag", []string{"run", "--no-plot"}, 2, "(did you mean --no-plots?)"},
		{"bad flag number", []string{"run", "--reps", "abc"}, 2, `invalid value "abc" for flag --reps`},
		{"both shard flags", []string{"run", "--shard", "1/8", "--shards", "4"}, 2, "--shard 1/8 and --shards 4: give one"},
		{"plot of an empty folder", []string{"plot", tmp}, 2, "is not a results folder: it has no manifest.json"},
		{"plot of a file", []string{"plot", bad}, 2, "is a file, not a results folder"},
		{"out of range value", []string{"run", bad}, 2, "bad.toml:2: verifier.quality = 3 is out of range: allowed [0,1]"},
		{"malformed file", []string{"run", malformed}, 2, "malformed.toml:"},
		{"missing file", []string{"run", filepath.Join(tmp, "nope.toml")}, 2, "no such file"},
		{"bad flag value", []string{"run", "--rounds", "0"}, 2, "--rounds = 0: must be in [1, 10000]"},
		{"absurd worker count", []string{"run", "--workers", "20000"}, 2, "--workers = 20000: must be in [1, 1024]"},
		{"out below a file", []string{"run", "--quiet", "--reps", "10", "--out", filepath.Join(file, "sub")}, 2, "is a file, not a folder"},
		{"infinite precision", []string{"run", "--precision", "Inf"}, 2, "--precision = +Inf: must be a positive, finite half-width"},
		{"profile in the results folder", []string{"run", "--quiet", "--reps", "10", "--out", filepath.Join(tmp, "res"), "--cpuprofile", filepath.Join(tmp, "res")}, 2, "is the results folder"},
		{"unknown policy", []string{"run", "--policy", "gentle"}, 2, `unknown policy "gentle"`},
		{"existing out", []string{"run", "--quiet", "--reps", "10", "--out", existing}, 2, "already exists"},
		{"out is a file", []string{"run", "--quiet", "--reps", "10", "--out", file}, 2, "results folder " + file + ": that is an existing file, not a folder"},
		{"unknown scenario to show", []string{"scenarios", "show", "nope"}, 2, "no bundled scenario"},
		{"misspelt scenario to show", []string{"scenarios", "show", "defualt"}, 2, `no bundled scenario "defualt" (did you mean default?)`},
		{"help", []string{"help"}, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := tranche(t, c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, c.code, stderr)
			}
			if !strings.Contains(stderr, c.want) {
				t.Errorf("stderr %q does not contain %q", stderr, c.want)
			}
		})
	}
	if b, _ := os.ReadFile(filepath.Join(existing, "keep.txt")); string(b) != "mine" {
		t.Error("existing --out folder was touched")
	}
	if b, _ := os.ReadFile(file); string(b) != "mine" {
		t.Error("existing --out file was touched")
	}
	entries, _ := os.ReadDir(tmp)
	if len(entries) != 4 { // bad.toml, malformed.toml, existing, afile, nothing else
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("the failed runs left %v", names)
	}
}

func TestScenariosShowParses(t *testing.T) {
	for _, name := range scenarios.Names() {
		code, stdout, stderr := tranche(t, "scenarios", "show", name)
		if code != 0 {
			t.Fatalf("show %s: exit %d: %s", name, code, stderr)
		}
		s, err := scenarios.Parse(name+".toml", []byte(stdout))
		if err != nil {
			t.Fatalf("show %s output does not parse: %v", name, err)
		}
		want, _ := scenarios.Get(name)
		if !reflect.DeepEqual(s, want) {
			t.Errorf("show %s does not reproduce the scenario", name)
		}
	}
}

// An interrupted run exits with status 1 and leaves no results folder, not
// even a partial one.
func TestInterruptLeavesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "tranche")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	res := filepath.Join(tmp, "res")
	cmd := exec.Command(bin, "run", "--reps", "2000000", "--quiet", "--out", res)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("interrupted run: %v, want exit status 1", err)
	}
	entries, _ := os.ReadDir(tmp)
	for _, e := range entries {
		if e.Name() != "tranche" {
			t.Errorf("interrupted run left %s", e.Name())
		}
	}

	// An interrupted experiment keeps its finished points, says how to
	// resume, and --resume finishes it as an uninterrupted run would.
	exp := filepath.Join(tmp, "sweep.toml")
	os.WriteFile(exp, []byte("replications = 10\ndesign = \"lhs\"\nsamples = 3000\n[[parameters]]\nkey = \"verifier.quality\"\n"), 0o644)
	out := filepath.Join(tmp, "sweep")
	cmd = exec.Command(bin, "explore", exp, "--quiet", "--no-plots", "--workers", "1", "--out", out)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(700 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("interrupted experiment: %v, want exit status 1 (stderr %q)", err, stderr.String())
	}
	if want := "tranche explore " + exp + " --quiet --no-plots --workers 1 --out " + out + " --resume"; !strings.Contains(stderr.String(), want) {
		t.Errorf("interrupted experiment said %q; want the command to resume it, %q", stderr.String(), want)
	}
	// The same build resumes it (another, such as this test binary, may not).
	if code, _, e := tranche(t, "explore", exp, "--quiet", "--no-plots", "--out", out, "--resume"); code != 2 || !strings.Contains(e, "was started by another build of tranche") {
		t.Errorf("resume by another build: exit %d: %s", code, e)
	}
	if b, err := exec.Command(bin, "explore", exp, "--quiet", "--no-plots", "--out", out, "--resume").CombinedOutput(); err != nil {
		t.Fatalf("resume: %v: %s", err, b)
	}
	whole := filepath.Join(tmp, "whole")
	if code, _, e := tranche(t, "explore", exp, "--quiet", "--no-plots", "--out", whole); code != 0 {
		t.Fatalf("whole run: exit %d: %s", code, e)
	}
	for _, f := range []string{"points.csv", "best.csv", "design.csv"} {
		a, _ := os.ReadFile(filepath.Join(out, f))
		b, _ := os.ReadFile(filepath.Join(whole, f))
		if !bytes.Equal(a, b) || len(a) == 0 {
			t.Errorf("%s of the resumed experiment differs from an uninterrupted run's", f)
		}
	}
}

func TestComparisonFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "res")
	code, stdout, stderr := tranche(t, "run", "--quiet", "--reps", "200", "--baseline", "max-pressure",
		"--objective", "settlement - 0.05*humanitarian_shortfall", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"Paired differences from max-pressure", "Pareto-efficient on", "Ranking by objective"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q", want)
		}
	}
	rows := readCSV(t, filepath.Join(dir, "comparison.csv"))
	want := []string{"policy", "baseline", "metric", "mean_diff", "ci95_lo", "ci95_hi", "p_value", "p_holm"}
	if !reflect.DeepEqual(rows[0][:len(want)], want) {
		t.Errorf("comparison.csv header %v, want %v first", rows[0], want)
	}
	others := len(scenarios.Default().Policies) - 1
	var report results.ComparisonReport
	b, _ := os.ReadFile(filepath.Join(dir, "comparison.json"))
	if err := json.Unmarshal(b, &report); err != nil {
		t.Fatal(err)
	}
	if report.Baseline != "max-pressure" || len(report.Comparisons) != len(rows)-1 || len(report.Comparisons)%others != 0 {
		t.Errorf("comparison.json: baseline %q, %d comparisons, csv %d rows", report.Baseline, len(report.Comparisons), len(rows)-1)
	}
	for _, r := range rows[1:] {
		if r[1] != "max-pressure" || r[0] == "max-pressure" {
			t.Fatalf("row %v: want every other policy against max-pressure", r)
		}
	}
	if len(report.ParetoEfficient) == 0 || len(report.Ranking) != others+1 || report.Ranking[0].VsBest != nil {
		t.Errorf("comparison.json: pareto %v, ranking %+v", report.ParetoEfficient, report.Ranking)
	}
	// The objective is a column of replications.csv too.
	reps := readCSV(t, filepath.Join(dir, "replications.csv"))
	if reps[0][len(reps[0])-1] != "objective" {
		t.Errorf("replications.csv last column %q, want objective", reps[0][len(reps[0])-1])
	}
}

// --precision stops once the target is met, reports how many replications
// that took, and gives exactly the results of a fixed run of that size.
func TestPrecision(t *testing.T) {
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "prec")
	code, stdout, stderr := tranche(t, "run", "--quiet", "--no-plots", "--precision", "0.02", "--precision-metric", "durable_agreement", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var man results.Manifest
	b, _ := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err := json.Unmarshal(b, &man); err != nil {
		t.Fatal(err)
	}
	p := man.Precision
	if p == nil || !p.Reached || p.Replications != man.Replications || p.Replications < results.FirstBatch {
		t.Fatalf("manifest precision %+v, replications %d", p, man.Replications)
	}
	if !strings.Contains(stdout, "Precision ±0.02 on durable_agreement: reached with "+strconv.Itoa(p.Replications)) {
		t.Errorf("stdout does not report the replications used:\n%s", stdout)
	}
	var sum results.Summary
	b, _ = os.ReadFile(filepath.Join(dir, "summary.json"))
	json.Unmarshal(b, &sum)
	for _, ps := range sum.Policies {
		st, _ := ps.Metrics.Get("durable_agreement")
		if h := results.HalfWidth(st); h > 0.02 {
			t.Errorf("%s: half-width %v above the target", ps.Policy, h)
		}
		if _, ok := p.MetAt[ps.Policy]; !ok {
			t.Errorf("%s: no met_at", ps.Policy)
		}
	}
	fixed := filepath.Join(tmp, "fixed")
	if code, _, stderr := tranche(t, "run", "--quiet", "--no-plots", "--reps", strconv.Itoa(p.Replications), "--out", fixed); code != 0 {
		t.Fatalf("fixed run: %s", stderr)
	}
	for _, f := range []string{"summary.json", "replications.csv", "comparison.csv"} {
		a, _ := os.ReadFile(filepath.Join(dir, f))
		b, _ := os.ReadFile(filepath.Join(fixed, f))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between the precision run and a fixed run of %d replications", f, p.Replications)
		}
	}
}

func TestComparisonFlagErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"run", "--objective", "durable - shortfall"}, `unknown metric "durable"`},
		{[]string{"run", "--baseline", "nope"}, "--baseline nope: not among the policies compared"},
		{[]string{"run", "--precision", "-1"}, "--precision = -1"},
		{[]string{"run", "--precision", "0.01", "--precision-metric", "speed"}, "--precision-metric speed: unknown metric"},
		{[]string{"run", "--precision-metric", "collapse"}, "--precision-metric needs --precision"},
		{[]string{"run", "--precision", "0.01", "--reps", "100"}, "use --max-reps"},
	}
	for _, c := range cases {
		code, _, stderr := tranche(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}

// Every built-in policy runs by name.
func TestEveryPolicyRunsByName(t *testing.T) {
	args := []string{"run", "--quiet", "--no-plots", "--reps", "64", "--out", filepath.Join(t.TempDir(), "res")}
	for _, e := range policy.Builtins() {
		args = append(args, "--policy", e.Name)
	}
	code, stdout, stderr := tranche(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, e := range policy.Builtins() {
		if !strings.Contains(stdout, "\n"+e.Name+" ") {
			t.Errorf("no row for %s", e.Name)
		}
	}
}

// tranche run draws every kind of figure; tranche plot redraws them from the
// files in another format; tranche report embeds them in one page.
func TestFiguresAndReport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "res")
	if code, _, stderr := tranche(t, "run", "--quiet", "--reps", "64", "--out", dir); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := []string{"tradeoff", "differences", "means", "outcomes", "endings"}
	for _, s := range []string{"compliance", "relief", "humanitarian_index", "stability_index", "leverage", "coalition_cohesion"} {
		want = append(want, "levels-"+s)
	}
	for _, p := range scenarios.Default().Policies {
		want = append(want, "histories-"+p)
	}
	for _, name := range want {
		if st, err := os.Stat(filepath.Join(dir, "plots", name+".png")); err != nil || st.Size() == 0 {
			t.Errorf("tranche run did not draw plots/%s.png", name)
		}
	}
	code, stdout, stderr := tranche(t, "plot", dir, "--format", "svg")
	if code != 0 {
		t.Fatalf("plot: exit %d: %s", code, stderr)
	}
	for _, name := range want {
		b, err := os.ReadFile(filepath.Join(dir, "plots", name+".svg"))
		if err != nil || !bytes.Contains(b, []byte("<svg")) {
			t.Errorf("tranche plot --format svg did not draw plots/%s.svg", name)
		}
		if !strings.Contains(stdout, name+".svg") {
			t.Errorf("tranche plot does not list %s.svg", name)
		}
		if _, err := os.Stat(filepath.Join(dir, "plots", name+".png")); err != nil {
			t.Errorf("tranche plot --format svg removed plots/%s.png", name)
		}
	}
	if code, _, stderr := tranche(t, "report", dir); code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	html, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(html, []byte("data:image/png;base64,")); n != len(want) {
		t.Errorf("report.html embeds %d figures, want %d", n, len(want))
	}
	for _, bad := range [][]string{
		{"plot", filepath.Join(dir, "nope")},
		{"plot", dir, "--format", "gif"},
		{"report"},
		{"report", filepath.Join(dir, "plots")},
	} {
		if code, _, _ := tranche(t, bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}

	// An --out the report cannot be written to: the message names the file
	// asked for and the cause, not a temporary file, and nothing is left.
	scratch := t.TempDir()
	afile := filepath.Join(scratch, "afile")
	os.WriteFile(afile, []byte("mine"), 0o644)
	for _, c := range []struct {
		name, out string
		want      []string
	}{
		{"missing folder", filepath.Join(scratch, "nonexistent", "dir", "r.html"),
			[]string{"cannot write " + filepath.Join(scratch, "nonexistent", "dir", "r.html"), "no such file or directory"}},
		{"folder is a file", filepath.Join(afile, "r.html"),
			[]string{"cannot write " + filepath.Join(afile, "r.html"), "not a directory"}},
		{"out is a folder", scratch,
			[]string{"--out " + scratch + " is a folder", filepath.Join(scratch, "report.html")}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := tranche(t, "report", dir, "--out", c.out)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
			if strings.Contains(stderr, ".tmp") || strings.Contains(stderr, ".report-") {
				t.Errorf("stderr %q names a temporary file", stderr)
			}
		})
	}
	if entries, _ := os.ReadDir(scratch); len(entries) != 1 {
		t.Errorf("the failed reports left %d entries, want only afile", len(entries))
	}
	if b, _ := os.ReadFile(afile); string(b) != "mine" {
		t.Error("a failed report touched afile")
	}
}

// tranche report --out refuses a file that exists, a folder, and a path
// whose folder is missing (exit 2, nothing written), and writes the report
// where asked otherwise.
func TestReportOut(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "res")
	if code, _, stderr := tranche(t, "run", "--quiet", "--no-plots", "--reps", "20", "--out", dir); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	existing := filepath.Join(tmp, "mine.html")
	os.WriteFile(existing, []byte("mine"), 0o644)
	for _, c := range []struct{ out, want string }{
		{existing, "--out " + existing + " exists: remove it, or give another file name"},
		{tmp, "--out " + tmp + " is a folder"},
		{filepath.Join(tmp, "no", "r.html"), "cannot write " + filepath.Join(tmp, "no", "r.html")},
	} {
		if code, _, stderr := tranche(t, "report", dir, "--out", c.out); code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("report --out %s: exit %d, %q; want 2 and %q", c.out, code, stderr, c.want)
		}
	}
	if b, _ := os.ReadFile(existing); string(b) != "mine" {
		t.Error("report --out overwrote an existing file")
	}
	out := filepath.Join(tmp, "r.html")
	if code, _, stderr := tranche(t, "report", dir, "--out", out); code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o644 || st.Size() < 1000 {
		t.Errorf("report written as %v, %v", st, err)
	}
	entries, _ := os.ReadDir(tmp)
	if len(entries) != 3 { // res, mine.html, r.html
		t.Errorf("%d entries after the reports, want 3", len(entries))
	}
}

// Every command, and tranche itself, describes itself on -h, --help and
// help COMMAND: the usage on stdout, nothing on stderr, exit status 0, and
// nothing run.
func TestHelp(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--help"}, "tranche simulates sequencing strategies"},
		{[]string{"help"}, "tranche simulates sequencing strategies"},
		{[]string{"help", "help"}, "tranche simulates sequencing strategies"},
		{[]string{"help", "--help"}, "tranche simulates sequencing strategies"},
		{[]string{"help", "--version"}, "Usage: tranche version"},
		{[]string{"scenarios", "show", "--help"}, "Usage: tranche scenarios [show NAME]"},
		{[]string{"scenarios", "show", "-h"}, "Usage: tranche scenarios [show NAME]"},
		{[]string{"run", "--reps", "5", "-h"}, "Usage: tranche run [SCENARIO] [flags]"},
		{[]string{"report", "somewhere", "--help"}, "Usage: tranche report RESULTS_DIR"},
		{[]string{"-h", "merge"}, "Usage: tranche merge SHARD_DIR... --out DIR"},
	}
	for _, c := range commands() {
		for _, h := range [][]string{{c.name, "--help"}, {c.name, "-h"}, {"help", c.name}} {
			cases = append(cases, struct {
				args []string
				want string
			}{h, "Usage: tranche " + c.name})
		}
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, stdout, stderr := tranche(t, c.args...)
			if code != 0 || stderr != "" {
				t.Errorf("exit %d, stderr %q; want 0 and nothing", code, stderr)
			}
			if !strings.HasPrefix(stdout, c.want) {
				t.Errorf("stdout %q does not begin with %q", stdout, c.want)
			}
			if strings.Contains(stdout, "Flags:") && !strings.Contains(stdout, "\n  -") {
				t.Errorf("stdout %q announces flags and lists none", stdout)
			}
		})
	}
}

// A mistyped command is answered with the command it is likely to be; a
// command nothing like any is not. --version and -v are tranche version.
func TestUnknownCommand(t *testing.T) {
	cases := []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{[]string{"rnu"}, 2, "", `unknown command "rnu"; did you mean "run"?`},
		{[]string{"Run"}, 2, "", `did you mean "run"?`},
		{[]string{"verison"}, 2, "", `did you mean "version"?`},
		{[]string{"scenario"}, 2, "", `did you mean "scenarios"?`},
		{[]string{"polices"}, 2, "", `did you mean "policies"?`},
		{[]string{"merg"}, 2, "", `did you mean "merge"?`},
		{[]string{"reprot"}, 2, "", `did you mean "report"?`},
		{[]string{"hlep"}, 2, "", `did you mean "help"?`},
		{[]string{"help", "plto"}, 2, "", `no command "plto"; did you mean "plot"?`},
		{[]string{"fly"}, 2, "", `unknown command "fly"` + "\n"},
		{[]string{"simulate"}, 2, "", `unknown command "simulate"` + "\n"},
		{[]string{"--version"}, 0, "tranche " + version() + "\n", ""},
		{[]string{"-version"}, 0, "tranche " + version() + "\n", ""},
		{[]string{"-v"}, 0, "tranche " + version() + "\n", ""},
		{[]string{"version"}, 0, "tranche " + version() + "\n", ""},
		{[]string{"version", "now"}, 2, "", "version takes no arguments, got now"},
		{[]string{"policies", "all"}, 2, "", "policies takes no arguments, got all"},
		{[]string{"scenarios", "list"}, 2, "", `scenarios: unexpected argument "list"`},
		{[]string{"scenarios", "--all"}, 2, "", "flag provided but not defined: --all"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, stdout, stderr := tranche(t, c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, c.code, stderr)
			}
			if stdout != c.stdout {
				t.Errorf("stdout %q, want %q", stdout, c.stdout)
			}
			if !strings.Contains(stderr, c.stderr) {
				t.Errorf("stderr %q lacks %q", stderr, c.stderr)
			}
		})
	}
}

// Scenarios at the edges of what validation allows run to the end: no
// spoiler factions (a count that can only be 0), and a single round (a
// rounds_to_durable that can only be 1). Both once panicked in aggregation.
func TestEdgeScenariosRun(t *testing.T) {
	for name, src := range map[string]string{
		"no-factions": "name = \"no-factions\"\n[spoilers]\nfactions = []\n",
		"one-round":   "name = \"one-round\"\nrounds = 1\n[outcomes]\ndurable_rounds = 1\ncollapse_rounds = 1\ncapitulation_rounds = 1\n",
	} {
		dir := t.TempDir()
		file := filepath.Join(dir, name+".toml")
		if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		if code, _, stderr := tranche(t, "run", file, "--reps", "30", "--quiet", "--out", filepath.Join(dir, "out")); code != 0 {
			t.Errorf("%s: exit %d, stderr %q", name, code, stderr)
		}
	}
}

// With tranche-out an ordinary file, the default results folder cannot be
// made: the run must say so, not try names for ever.
func TestDefaultOutBlockedByFile(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("tranche-out", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan int, 1)
	var stderr string
	go func() {
		code, _, e := tranche(t, "run", "--reps", "10", "--quiet", "--no-plots")
		stderr = e
		done <- code
	}()
	select {
	case code := <-done:
		if code == 0 || !strings.Contains(stderr, "tranche-out") {
			t.Errorf("exit %d, stderr %q: want a failure that names tranche-out", code, stderr)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("tranche run with tranche-out a file did not return within 20 s")
	}
}

// A run uses no more workers than it has blocks of replications: each
// worker holds its own aggregates, and --workers 1000 for 64 replications
// once built a thousand of them. The manifest records the workers used.
func TestUsefulWorkers(t *testing.T) {
	out := filepath.Join(t.TempDir(), "res")
	if code, _, stderr := tranche(t, "run", "--workers", "1000", "--reps", "64", "--quiet", "--no-plots", "--out", out); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ Workers int }
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if m.Workers != 1 {
		t.Errorf("manifest workers = %d for 64 replications, want 1", m.Workers)
	}
}

// A flag mistake gets one line, not the flag package's dump of every flag.
func TestFlagMistakeIsOneLine(t *testing.T) {
	for _, args := range [][]string{{"run", "--fast"}, {"play", "--sed", "3"}, {"plot", "--formt", "svg", "x"}} {
		code, _, stderr := tranche(t, args...)
		if code != 2 || strings.Contains(stderr, "Usage:") || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			t.Errorf("%v: exit %d, stderr %q: want exit 2 and one line", args, code, stderr)
		}
	}
}

// --set changes any parameter by key, is recorded in the resolved
// scenario.toml (so the folder repeats the run), and is the same as the
// file saying it.
func TestSetFlag(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	out := filepath.Join(tmp, "set")
	code, stdout, stderr := tranche(t, "run", "--quiet", "--no-plots", "--reps", "64", "--out", out,
		"--set", "verifier.quality=0.9", "--set", "coalition.members[*].resolve=0.5", "--set", "policy.phased-snapback.tranches=3")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// The printed results say what was changed: the scenario's name alone
	// would not.
	if want := "with --set verifier.quality=0.9 --set coalition.members[*].resolve=0.5 --set policy.phased-snapback.tranches=3\n"; !strings.HasPrefix(stdout, want) {
		t.Errorf("stdout starts %q, want %q", stdout[:min(len(stdout), 120)], want)
	}
	s, err := scenarios.Load(filepath.Join(out, "scenario.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Verifier.Quality != 0.9 || s.Coalition.Members[3].Resolve != 0.5 {
		t.Errorf("scenario.toml: quality %v, last member's resolve %v", s.Verifier.Quality, s.Coalition.Members[3].Resolve)
	}
	if v, _ := s.Get("policy.phased-snapback.tranches"); v != 3 {
		t.Errorf("scenario.toml: tranches %v", v)
	}
	// The same change written in a file gives the same results.
	file := filepath.Join(tmp, "same.toml")
	os.WriteFile(file, []byte("name = \"default\"\n[verifier]\nquality = 0.9\n[policy.phased-snapback]\ntranches = 3\n"), 0o644)
	out2 := filepath.Join(tmp, "file")
	if code, _, stderr := tranche(t, "run", file, "--quiet", "--no-plots", "--reps", "64", "--out", out2, "--set", "coalition.members[*].resolve=0.5"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, f := range []string{"summary.csv", "replications.csv", "rounds.csv"} { // scenario.toml differs in the description
		a, _ := os.ReadFile(filepath.Join(out, f))
		b, _ := os.ReadFile(filepath.Join(out2, f))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between --set and the file", f)
		}
	}
}

// Bad --set input exits 2, says what is wrong, and writes nothing.
func TestSetFlagErrors(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--set", "verifier.qualty=0.9"}, "--set: unknown key verifier.qualty (did you mean verifier.quality?)"},
		{[]string{"--set", "verifier.quality=high"}, `--set: verifier.quality = high: not a TOML value`},
		{[]string{"--set", "verifier.lag=1.5"}, "--set: verifier.lag = 1.5: must be a whole number in [0,15]"},
		{[]string{"--set", "verifier.quality=1.3"}, "--set: verifier.quality = 1.3 is out of range: allowed [0,1]"},
		{[]string{"--set", "verifier.quality=0.9", "--set", "verifier.quality=0.8"}, "--set: verifier.quality is set twice"},
		{[]string{"--set", "verifier.quality"}, `--set: "verifier.quality": want KEY=VALUE`},
		{[]string{"--set", "replications=10", "--reps", "10"}, "--set replications=10 and --reps both set replications"},
		{[]string{"--set", "rounds=10", "--rounds", "10"}, "--set rounds=10 and --rounds both set rounds"},
		{[]string{"--set", "seed=3", "--seed", "3"}, "--set seed=3 and --seed both set seed"},
		{[]string{"--set", "policies=[\"phased\"]", "--policy", "phased"}, "and --policy both set policies"},
		{[]string{"--set", "rounds=3"}, "command line: outcomes.durable_rounds = 4 exceeds rounds = 3"},
		{[]string{"--set", "policy.grit.step=0.5"}, "--set policy.grit.step=0.5: policy grit is not run, so the setting would change nothing"},
		{[]string{"--precision", "0.1", "--set", "replications=5"}, "--set replications=5: --precision chooses the number of replications"},
		{[]string{"--shard", "1/128", "--reps", "100"}, "--shard 1/128: 100 replications cannot be split into 128 shards"},
	}
	for i, c := range cases {
		out := filepath.Join(tmp, fmt.Sprint("run", i))
		code, _, stderr := tranche(t, append([]string{"run", "--quiet", "--out", out}, c.args...)...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("refused runs wrote %d entries", len(entries))
	}
}

// tranche params lists every key with its value, ranges and meaning, as
// text and as JSON; every key it lists can be set with --set.
func TestParamsCommand(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := tranche(t, "params")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"verifier.quality", "0.7", "[0,1]", "[0.3,0.95]", "overall quality", "coalition.members[lead-state].resolve", "policy.phased-snapback.tranches"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("tranche params lacks %q", want)
		}
	}
	code, stdout, stderr = tranche(t, "params", "ladder", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var ps []struct {
		Key       string
		Plausible []float64
	}
	if err := json.Unmarshal([]byte(stdout), &ps); err != nil {
		t.Fatalf("params --json: %v", err)
	}
	s, _ := scenarios.Get("ladder")
	if len(ps) != len(s.Parameters()) || len(ps) < 150 {
		t.Errorf("params --json lists %d parameters, the scenario has %d", len(ps), len(s.Parameters()))
	}
	for _, p := range ps {
		if _, err := s.Get(p.Key); err != nil {
			t.Errorf("listed key %s: %v", p.Key, err)
		}
	}
	if code, _, stderr := tranche(t, "params", "nosuch"); code != 2 || !strings.Contains(stderr, "no bundled scenario") {
		t.Errorf("params nosuch: exit %d, %q", code, stderr)
	}
}
