package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var resultFiles = []string{"summary.json", "summary.csv", "comparison.json", "comparison.csv", "rounds.csv", "replications.csv", "histories.csv", "scenario.toml"}

// A study run as four shards (in any order, with an objective) and merged
// is identical, file for file, to the same study run in one process.
func TestShardsMergeEqualsWhole(t *testing.T) {
	tmp := t.TempDir()
	common := []string{"--reps", "500", "--seed", "11", "--quiet", "--objective", "settlement - 0.05*humanitarian_shortfall"}
	whole := filepath.Join(tmp, "whole")
	if code, _, stderr := tranche(t, append([]string{"run", "--no-plots", "--out", whole, "--workers", "1"}, common...)...); code != 0 {
		t.Fatal(stderr)
	}
	var shards []string
	for _, i := range []string{"3", "1", "0", "2"} {
		dir := filepath.Join(tmp, "shard"+i)
		if code, stdout, stderr := tranche(t, append([]string{"run", "--shard", i + "/4", "--out", dir}, common...)...); code != 0 || !strings.Contains(stdout, "shard "+i+" of 4") {
			t.Fatalf("shard %s: exit %d %s %s", i, code, stdout, stderr)
		}
		shards = append(shards, dir)
	}
	merged := filepath.Join(tmp, "merged")
	code, stdout, stderr := tranche(t, append(append([]string{"merge"}, shards...), "--out", merged, "--no-plots")...)
	if code != 0 {
		t.Fatal(stderr)
	}
	if !strings.Contains(stdout, "merged 4 shards") {
		t.Errorf("merge output: %s", stdout)
	}
	for _, f := range resultFiles {
		a, _ := os.ReadFile(filepath.Join(whole, f))
		b, err := os.ReadFile(filepath.Join(merged, f))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs between the merged shards and the whole study", f)
		}
	}
}

func TestShardsFromEnvironmentAndReruns(t *testing.T) {
	tmp := t.TempDir()
	byFlag := filepath.Join(tmp, "flag")
	if code, _, stderr := tranche(t, "run", "--reps", "300", "--quiet", "--shard", "2/3", "--out", byFlag); code != 0 {
		t.Fatal(stderr)
	}
	env := map[string]map[string]string{
		"slurm":      {"SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_MIN": "5", "SLURM_ARRAY_TASK_COUNT": "3"},
		"slurm-step": {"SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_STEP": "2", "SLURM_ARRAY_TASK_COUNT": "3"},
		"kubernetes": {"JOB_COMPLETION_INDEX": "2"},
	}
	for name, vars := range env {
		for k, v := range vars {
			t.Setenv(k, v)
		}
		dir := filepath.Join(tmp, name)
		args := []string{"run", "--reps", "300", "--quiet", "--out", dir}
		if name == "kubernetes" {
			args = append(args, "--shards", "3")
		}
		if code, _, stderr := tranche(t, args...); code != 0 {
			t.Fatalf("%s: %s", name, stderr)
		}
		a, _ := os.ReadFile(filepath.Join(byFlag, "replications.csv"))
		b, _ := os.ReadFile(filepath.Join(dir, "replications.csv"))
		if !bytes.Equal(a, b) {
			t.Errorf("%s: the shard taken from the environment is not shard 2 of 3", name)
		}
		for k := range vars {
			os.Unsetenv(k)
		}
	}
	// A retried shard finds its complete folder and does nothing.
	code, stdout, _ := tranche(t, "run", "--reps", "300", "--quiet", "--shard", "2/3", "--out", byFlag)
	if code != 0 || !strings.Contains(stdout, "already complete") {
		t.Errorf("rerun of a complete shard: exit %d, %q", code, stdout)
	}
	// A different study in that folder is not silently accepted.
	if code, _, stderr := tranche(t, "run", "--reps", "301", "--quiet", "--shard", "2/3", "--out", byFlag); code != 2 || !strings.Contains(stderr, "already exists") {
		t.Errorf("another study into a shard folder: exit %d, %q", code, stderr)
	}
}

func TestMergeRefuses(t *testing.T) {
	tmp := t.TempDir()
	shard := func(name string, args ...string) string {
		dir := filepath.Join(tmp, name)
		if code, _, stderr := tranche(t, append([]string{"run", "--quiet", "--out", dir}, args...)...); code != 0 {
			t.Fatal(stderr)
		}
		return dir
	}
	s0 := shard("s0", "--reps", "200", "--shard", "0/3")
	s1 := shard("s1", "--reps", "200", "--shard", "1/3")
	s2 := shard("s2", "--reps", "200", "--shard", "2/3")
	otherSeed := shard("seed", "--reps", "200", "--shard", "1/3", "--seed", "99")
	otherCount := shard("count", "--reps", "200", "--shard", "1/2")
	otherScenario := shard("scen", "opportunist", "--reps", "200", "--shard", "1/3")
	whole := shard("whole", "--reps", "200", "--no-plots")
	// A shard run by another build of tranche: the same folder with the
	// manifest's build changed.
	otherBuild := shard("build", "--reps", "200", "--shard", "1/3")
	manifest := filepath.Join(otherBuild, "manifest.json")
	b, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m["build"] == "" || m["build"] == nil {
		t.Fatalf("manifest has no build: %s", b)
	}
	m["build"] = "0123456789abcdef"
	if b, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(manifest, b, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		dirs []string
		want string
	}{
		{"missing shard", []string{s0, s2}, "missing shard(s) 1 of 3"},
		{"duplicated shard", []string{s0, s1, s1, s2}, "shard 1 of 3 is given twice"},
		{"different seed", []string{s0, otherSeed, s2}, "seed 1 and 99"},
		{"different shard count", []string{s0, otherCount, s2}, "number of shards 3 and 2"},
		{"different scenario", []string{s0, otherScenario, s2}, "shards of different studies"},
		{"different build", []string{s0, otherBuild, s2}, "0123456789abcdef"},
		{"not a shard", []string{whole}, "is not a shard"},
		{"not a folder", []string{filepath.Join(tmp, "nope")}, "nope: no such folder"},
	}
	for _, c := range cases {
		out := filepath.Join(tmp, "merged-"+strings.ReplaceAll(c.name, " ", "-"))
		code, _, stderr := tranche(t, append(append([]string{"merge"}, c.dirs...), "--out", out)...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", c.name, code, stderr, c.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s: a refused merge wrote %s", c.name, out)
		}
	}
	if code, _, stderr := tranche(t, "run", "--precision", "0.01", "--shard", "0/2"); code != 2 || !strings.Contains(stderr, "cannot be split") {
		t.Errorf("--precision with --shard: exit %d %q", code, stderr)
	}
}

// With --format parquet, merged shards write the same Parquet tables as a
// single run.
func TestShardsMergeParquet(t *testing.T) {
	tmp := t.TempDir()
	common := []string{"--reps", "300", "--seed", "4", "--quiet", "--format", "parquet"}
	whole := filepath.Join(tmp, "whole")
	if code, _, stderr := tranche(t, append([]string{"run", "--no-plots", "--out", whole}, common...)...); code != 0 {
		t.Fatal(stderr)
	}
	var shards []string
	for _, i := range []string{"0", "1"} {
		dir := filepath.Join(tmp, "s"+i)
		if code, _, stderr := tranche(t, append([]string{"run", "--shard", i + "/2", "--out", dir}, common...)...); code != 0 {
			t.Fatal(stderr)
		}
		shards = append(shards, dir)
	}
	merged := filepath.Join(tmp, "merged")
	if code, _, stderr := tranche(t, append(append([]string{"merge"}, shards...), "--out", merged, "--no-plots")...); code != 0 {
		t.Fatal(stderr)
	}
	for _, f := range []string{"replications.parquet", "rounds.parquet", "summary.json", "rounds.csv"} {
		a, err1 := os.ReadFile(filepath.Join(whole, f))
		b, err2 := os.ReadFile(filepath.Join(merged, f))
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs between the merged shards and the whole study (%v %v)", f, err1, err2)
		}
	}
}

// A rerun with another objective does not pass for the complete shard.
func TestShardRerunChecksObjective(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "s")
	if code, _, stderr := tranche(t, "run", "--reps", "100", "--quiet", "--shard", "0/2", "--out", dir); code != 0 {
		t.Fatal(stderr)
	}
	code, _, stderr := tranche(t, "run", "--reps", "100", "--quiet", "--shard", "0/2", "--out", dir, "--objective", "settlement")
	if code != 2 || !strings.Contains(stderr, "already exists") {
		t.Errorf("rerun with another objective: exit %d %q, want 2 and already exists", code, stderr)
	}
}
