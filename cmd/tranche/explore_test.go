package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tranche explore: exit statuses, messages, and nothing written on bad
// input; a good experiment writes its folder and prints who is best where.
func TestExploreCommand(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.toml", "policies = [\"phased-snapback\", \"reciprocal\"]\nreplications = 20\ndesign = \"sobol\"\nsamples = 4\n[[parameters]]\nkey = \"verifier.quality\"\n")
	bad := write("bad.toml", "design = \"lhs\"\nsamples = 4\n[[parameters]]\nkey = \"verifier.quality\"\nrange = [0.2, 1.4]\n")
	out := filepath.Join(tmp, "out")
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"no experiment", []string{"explore"}, 2, "", "explore needs an experiment"},
		{"two experiments", []string{"explore", good, bad}, 2, "", "takes one experiment"},
		{"bad file", []string{"explore", bad, "--out", filepath.Join(tmp, "x")}, 2, "", "tranche: the experiment has problems:\n" + bad + ":5: parameters[0]: range = [0.2, 1.4] for verifier.quality is out of range: allowed [0,1]"},
		{"missing", []string{"explore", "nope"}, 2, "", "no such file, and no bundled experiment of that name"},
		{"misspelt bundled", []string{"explore", "snapback-vs-reciprocl"}, 2, "", "did you mean snapback-vs-reciprocal?"},
		{"resume without out", []string{"explore", good, "--resume"}, 2, "", "--resume needs --out DIR"},
		{"resume of nothing", []string{"explore", good, "--resume", "--out", filepath.Join(tmp, "none")}, 2, "", "there is no interrupted run to resume there"},
		{"bad shard", []string{"explore", good, "--shard", "5/4", "--out", filepath.Join(tmp, "y")}, 2, "", "--shard"},
		{"too many shards", []string{"explore", good, "--shard", "0/9", "--out", filepath.Join(tmp, "y")}, 2, "", "4 design points cannot be split into 9 shards"},
		{"good", []string{"explore", good, "--quiet", "--no-plots", "--out", out}, 0, "share of design points where each policy is best", ""},
		{"good again", []string{"explore", good, "--quiet", "--out", out}, 2, "", "already exists"},
		{"list", []string{"experiments"}, 0, "snapback-vs-reciprocal", ""},
		{"show", []string{"experiments", "show", "snapback-vs-reciprocal"}, 0, "design = \"lhs\"", ""},
		{"show unknown", []string{"experiments", "show", "nope"}, 2, "", "no bundled experiment"},
	}
	for _, c := range cases {
		code, stdout, stderr := tranche(t, c.args...)
		if code != c.code {
			t.Errorf("%s: exit %d, want %d (stderr %q)", c.name, code, c.code, stderr)
		}
		if !strings.Contains(stdout, c.stdout) {
			t.Errorf("%s: stdout %q lacks %q", c.name, stdout, c.stdout)
		}
		if !strings.Contains(stderr, c.stderr) {
			t.Errorf("%s: stderr %q lacks %q", c.name, stderr, c.stderr)
		}
	}
	for _, name := range []string{"x", "y", "none"} {
		if _, err := os.Stat(filepath.Join(tmp, name)); err == nil {
			t.Errorf("a refused run left %s", name)
		}
	}
	for _, f := range []string{"points.csv", "best.csv", "design.csv", "manifest.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("the results folder lacks %s", f)
		}
	}
	// tranche plot and tranche report read an experiment's folder too.
	if code, _, stderr := tranche(t, "plot", out); code != 0 {
		t.Errorf("plot of an experiment: exit %d: %s", code, stderr)
	}
	for _, f := range []string{"plots/wins.png", "plots/sweep-settlement.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("tranche plot drew no %s", f)
		}
	}
	if code, stdout, stderr := tranche(t, "report", out); code != 0 || !strings.Contains(stdout, "report.html") {
		t.Errorf("report of an experiment: exit %d: %s%s", code, stdout, stderr)
	}
	b, _ := os.ReadFile(filepath.Join(out, "report.html"))
	if !strings.Contains(string(b), "The answer in brief") {
		t.Error("the experiment's report has no answer in brief")
	}
}
