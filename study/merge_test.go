package study_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/study"
)

// shards runs a study of 200 replications as three shards and returns
// their folders.
func shards(t *testing.T, format string, seed uint64) []string {
	t.Helper()
	tmp := t.TempDir()
	s := mustDefault(t)
	s.Replications, s.Seed = 200, seed
	var dirs []string
	for i := range 3 {
		dir := filepath.Join(tmp, string(rune('a'+i)))
		if _, err := study.Run(context.Background(), s, study.Options{Out: dir, Format: format, Shard: &study.Shard{Index: i, Count: 3}}); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, dir)
	}
	return dirs
}

// resign records a file's new size and SHA-256 in its folder's manifest, as
// someone crafting a shard would.
func resign(t *testing.T, dir, name string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	mb, _ := os.ReadFile(filepath.Join(dir, "manifest.json"))
	var m map[string]any
	if err := json.Unmarshal(mb, &m); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	m["files"].(map[string]any)[name] = map[string]any{"bytes": len(b), "sha256": hex.EncodeToString(sum[:])}
	mb, _ = json.Marshal(m)
	os.WriteFile(filepath.Join(dir, "manifest.json"), mb, 0o644)
}

// Merge refuses shards whose files were changed or swapped, whether or not
// their manifests were changed to match; it once merged them with exit 0
// and wrong summaries.
func TestMergeVerifies(t *testing.T) {
	t.Parallel()
	good := shards(t, "csv", 1)
	other := shards(t, "csv", 2)
	cases := []struct {
		name   string
		change func(dirs []string)
		want   string
	}{
		{"state of another shard", func(d []string) {
			copyFile(t, filepath.Join(d[1], results.StateFile), filepath.Join(d[0], results.StateFile))
		}, "the manifest records"},
		{"state of another shard, manifest to match", func(d []string) {
			copyFile(t, filepath.Join(d[1], results.StateFile), filepath.Join(d[0], results.StateFile))
			resign(t, d[0], results.StateFile)
		}, "counts 67 replications, want 66"},
		{"state of another seed, manifest to match", func(d []string) {
			copyFile(t, filepath.Join(other[0], results.StateFile), filepath.Join(d[0], results.StateFile))
			resign(t, d[0], results.StateFile)
		}, "it is another study's state"},
		{"state garbage, manifest to match", func(d []string) {
			os.WriteFile(filepath.Join(d[0], results.StateFile), []byte("not a state at all"), 0o644)
			resign(t, d[0], results.StateFile)
		}, "aggregate state"},
		{"a row deleted", func(d []string) {
			p := filepath.Join(d[2], "replications.csv")
			b, _ := os.ReadFile(p)
			lines := strings.SplitAfter(string(b), "\n")
			os.WriteFile(p, []byte(strings.Join(append(lines[:5], lines[6:]...), "")), 0o644)
		}, "replications.csv has"},
		{"a row deleted, manifest to match", func(d []string) {
			p := filepath.Join(d[2], "replications.csv")
			b, _ := os.ReadFile(p)
			lines := strings.SplitAfter(string(b), "\n")
			os.WriteFile(p, []byte(strings.Join(append(lines[:5], lines[6:]...), "")), 0o644)
			resign(t, d[2], "replications.csv")
		}, "replications.csv: row 6 is"},
		{"an outcome that its 0/1 columns deny, manifest to match", func(d []string) {
			p := filepath.Join(d[1], "replications.csv")
			b, _ := os.ReadFile(p)
			lines := strings.SplitAfter(string(b), "\n")
			f := strings.Split(lines[1], ",")
			if f[2] == "settlement" {
				f[2] = "breakdown"
			} else {
				f[2] = "settlement"
			}
			lines[1] = strings.Join(f, ",")
			os.WriteFile(p, []byte(strings.Join(lines, "")), 0o644)
			resign(t, d[1], "replications.csv")
		}, "is not the one way the row's 0/1 columns say"},
		{"two ways an episode ended, manifest to match", func(d []string) {
			p := filepath.Join(d[1], "replications.csv")
			b, _ := os.ReadFile(p)
			lines := strings.SplitAfter(string(b), "\n")
			head := strings.Split(strings.TrimSpace(lines[0]), ",")
			f := strings.Split(lines[1], ",")
			for i, c := range head {
				if c == "settlement" || c == "breakdown" || c == "capitulation" || c == "stalemate" {
					f[i] = "1"
				}
			}
			lines[1] = strings.Join(f, ",")
			os.WriteFile(p, []byte(strings.Join(lines, "")), 0o644)
			resign(t, d[1], "replications.csv")
		}, "is not the one way the row's 0/1 columns say"},
		{"a table of zeros", func(d []string) {
			p := filepath.Join(d[1], "replications.csv")
			os.Remove(p)
			os.Symlink("/dev/zero", p)
		}, "replications.csv is not a regular file"},
		{"a header without end, manifest to match", func(d []string) {
			p := filepath.Join(d[1], "histories.csv")
			os.WriteFile(p, []byte(strings.Repeat("x", 200<<10)), 0o644)
			resign(t, d[1], "histories.csv")
		}, "histories.csv"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tmp := t.TempDir()
			var dirs []string
			for i, d := range good {
				nd := filepath.Join(tmp, string(rune('a'+i)))
				copyDir(t, d, nd)
				dirs = append(dirs, nd)
			}
			c.change(dirs)
			out := filepath.Join(tmp, "merged")
			_, err := study.Merge(context.Background(), dirs, study.MergeOptions{Out: out})
			if err == nil || !strings.Contains(err.Error(), c.want) || !study.IsInput(err) {
				t.Errorf("Merge: %v, want an input error with %q", err, c.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("a refused merge left its folder")
			}
		})
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// A merge stopped by its context leaves nothing: it once left
// .OUT.partial-* behind every time it was interrupted.
func TestMergeInterrupted(t *testing.T) {
	t.Parallel()
	dirs := shards(t, "csv", 1)
	tmp := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := study.Merge(ctx, dirs, study.MergeOptions{Out: filepath.Join(tmp, "merged"), Plots: true})
	if err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Errorf("a cancelled merge: %v", err)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("the interrupted merge left %v", entries)
	}
}
