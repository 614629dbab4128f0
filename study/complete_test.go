package study_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/study"
)

// A study stopped while its results are written (after the simulation,
// before the folder is complete) leaves nothing: no results folder, no
// reservation, no temporary folder. It once went on, committed the folder
// and returned success.
func TestInterruptWhileWriting(t *testing.T) {
	t.Parallel()
	for _, plots := range []bool{false, true} {
		tmp := t.TempDir()
		out := filepath.Join(tmp, "res")
		s := mustDefault(t)
		s.Replications = 128
		ctx, cancel := context.WithCancel(context.Background())
		opts := study.Options{Out: out, Plots: plots, Progress: func(p study.Progress) {
			if p.Phase == study.PhaseWriting { // the simulation is over
				cancel()
			}
		}}
		_, err := study.Run(ctx, s, opts)
		cancel()
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "interrupted") {
			t.Errorf("plots %v: error %v, want an interruption", plots, err)
		}
		if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
			t.Errorf("plots %v: the interrupted study left %v", plots, entries)
		}
	}
}

// A results folder is reserved before the study runs: a second study
// asking for it is refused at once, and one whose name was made up by
// default takes the next free name.
func TestOutReserved(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	out := filepath.Join(tmp, "res")
	f, err := results.CreateFolder(out) // another run, still working
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	s := mustDefault(t)
	s.Replications = 64
	calls := 0
	_, err = study.Run(context.Background(), s, study.Options{Out: out, Progress: func(study.Progress) { calls++ }})
	if !errors.Is(err, results.ErrExists) || !study.IsInput(err) || calls > 0 {
		t.Errorf("a reserved folder: %v after %d progress calls; want ErrExists before simulating", err, calls)
	}
	res, err := study.Run(context.Background(), s, study.Options{Out: out, UniqueOut: true})
	if err != nil || res.Dir != out+"-2" {
		t.Errorf("UniqueOut: %v, folder %v; want %s-2", err, res, out)
	}

	// Studies started together with the same default name each get a
	// folder of their own.
	var wg sync.WaitGroup
	dirs := make([]string, 4)
	for i := range dirs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := study.Run(context.Background(), s, study.Options{Out: filepath.Join(tmp, "same"), UniqueOut: true, Workers: 1})
			if err != nil {
				t.Error(err)
				return
			}
			dirs[i] = res.Dir
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, d := range dirs {
		if seen[d] {
			t.Errorf("two studies wrote %s", d)
		}
		seen[d] = true
	}
}

// Readers refuse a results folder that is incomplete, of another format
// version, or whose files were changed after the run, and say which.
func TestReadersRefuse(t *testing.T) {
	t.Parallel()
	s := mustDefault(t)
	s.Replications = 64
	src := filepath.Join(t.TempDir(), "res")
	if _, err := study.Run(context.Background(), s, study.Options{Out: src}); err != nil {
		t.Fatal(err)
	}
	editManifest := func(dir string, edit func(m map[string]any)) {
		b, _ := os.ReadFile(filepath.Join(dir, "manifest.json"))
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		edit(m)
		b, _ = json.Marshal(m)
		os.WriteFile(filepath.Join(dir, "manifest.json"), b, 0o644)
	}
	cases := []struct {
		name   string
		change func(dir string)
		want   string
	}{
		{"incomplete", func(dir string) { editManifest(dir, func(m map[string]any) { m["complete"] = false }) }, "is incomplete"},
		{"older release", func(dir string) { editManifest(dir, func(m map[string]any) { delete(m, "format_version") }) }, "made by an earlier release of tranche"},
		{"later format", func(dir string) {
			editManifest(dir, func(m map[string]any) { m["format_version"] = results.FormatVersion + 1 })
		}, "made by a later tranche"},
		{"summary edited", func(dir string) {
			p := filepath.Join(dir, "summary.json")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, []byte(strings.Replace(string(b), "0.", "1.", 1)), 0o644)
		}, "summary.json: its SHA-256 differs from the manifest's"},
		{"rounds truncated", func(dir string) {
			p := filepath.Join(dir, "rounds.csv")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)/2], 0o644)
		}, "rounds.csv has"},
		{"rounds replaced by a device", func(dir string) {
			p := filepath.Join(dir, "rounds.csv")
			os.Remove(p)
			os.Symlink("/dev/zero", p)
		}, "rounds.csv is not a regular file"},
		{"manifest huge", func(dir string) {
			os.WriteFile(filepath.Join(dir, "manifest.json"), make([]byte, results.MaxManifestBytes+1), 0o644)
		}, "larger than"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "copy")
			copyDir(t, src, dir)
			c.change(dir)
			_, err := study.LoadFolder(dir)
			if err == nil || !strings.Contains(err.Error(), c.want) || !study.IsInput(err) {
				t.Errorf("LoadFolder: %v, want an input error with %q", err, c.want)
			}
			if _, err := study.Report(context.Background(), dir, ""); err == nil {
				t.Error("Report accepted the folder")
			}
			if _, err := study.Plot(context.Background(), dir, "png"); err == nil {
				t.Error("Plot accepted the folder")
			}
		})
	}
}

// copyDir copies the regular files of a results folder (not plots/).
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
