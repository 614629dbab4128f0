package plots_test

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/results/plots"
	"github.com/tranche-sim/tranche/scenarios"
	"github.com/tranche-sim/tranche/study"
)

// studyRun is a small results folder of the default scenario, made through
// the library, shared by the tests that need a real one.
var studyRun struct {
	once sync.Once
	dir  string // removed by TestMain
	run  *results.Run
	err  error
}

// realRun runs the default scenario with few replications into a results
// folder and loads it.
func realRun(t testing.TB) *results.Run {
	t.Helper()
	studyRun.once.Do(func() {
		s, err := scenarios.Get("default")
		if err != nil {
			studyRun.err = err
			return
		}
		s.Replications = 64
		if studyRun.dir, err = os.MkdirTemp("", "tranche-plots-test-"); err != nil {
			studyRun.err = err
			return
		}
		out := filepath.Join(studyRun.dir, "run")
		if _, err := study.Run(context.Background(), s, study.Options{Out: out}); err != nil {
			studyRun.err = err
			return
		}
		studyRun.run, studyRun.err = results.Load(out)
	})
	if studyRun.err != nil {
		t.Fatal(studyRun.err)
	}
	return studyRun.run
}

func TestMain(m *testing.M) {
	code := m.Run()
	if studyRun.dir != "" {
		os.RemoveAll(studyRun.dir)
	}
	os.Exit(code)
}

// expectedNames are the figures All must draw for a run.
func expectedNames(run *results.Run) []string {
	names := []string{"tradeoff"}
	if run.Comparison != nil && len(run.Manifest.Policies) >= 2 {
		names = append(names, "differences")
	}
	names = append(names, "means", "outcomes", "endings", "levels-compliance", "levels-relief", "levels-humanitarian_index", "levels-stability_index", "levels-leverage", "levels-coalition_cohesion")
	seen := map[string]bool{}
	for _, r := range run.Histories {
		seen[r.Policy] = true
	}
	for _, p := range run.Manifest.Policies {
		if seen[p] {
			names = append(names, "histories-"+p)
		}
	}
	return names
}

func TestAll(t *testing.T) {
	run := realRun(t)
	if len(run.Histories) == 0 || run.Comparison == nil {
		t.Fatal("the test run has no histories or no comparison")
	}
	want := expectedNames(run)
	// Expected sizes in pixels at the PNG resolution (96 dpi).
	size := map[string][2]int{}
	for name, px := range plots.FigureSizes(run) {
		size[name] = px
	}
	for _, format := range []string{"png", "svg", "pdf"} {
		t.Run(format, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "figures") // All creates it
			figs, err := plots.All(context.Background(), run, dir, format)
			if err != nil {
				t.Fatal(err)
			}
			if len(figs) != len(want) {
				t.Fatalf("got %d figures, want %d (%v)", len(figs), len(want), want)
			}
			for i, f := range figs {
				if f.Name != want[i] {
					t.Errorf("figure %d is %q, want %q", i, f.Name, want[i])
				}
				if f.Title == "" || f.Caption == "" {
					t.Errorf("%s: no title or caption", f.Name)
				}
				if f.Path != filepath.Join(dir, f.Name+"."+format) {
					t.Errorf("%s: path %s", f.Name, f.Path)
				}
				b, err := os.ReadFile(f.Path)
				if err != nil {
					t.Fatal(err)
				}
				if len(b) == 0 {
					t.Fatalf("%s is empty", f.Path)
				}
				switch format {
				case "png":
					img, err := png.Decode(bytes.NewReader(b))
					if err != nil {
						t.Fatalf("%s: %v", f.Path, err)
					}
					got := img.Bounds().Size()
					if w := size[f.Name]; got.X != w[0] || got.Y != w[1] || got.X != 864 {
						t.Errorf("%s: %dx%d pixels, want %dx%d", f.Name, got.X, got.Y, w[0], w[1])
					}
				case "svg":
					if !bytes.HasPrefix(b, []byte("<?xml")) && !bytes.HasPrefix(b, []byte("<svg")) {
						t.Errorf("%s does not start as SVG: %q", f.Path, b[:min(len(b), 20)])
					}
					// Every font names generic fallbacks.
					if bytes.Contains(b, []byte("font-family:Liberation Sans;")) || !bytes.Contains(b, []byte("sans-serif;")) {
						t.Errorf("%s names a font without a generic fallback", f.Path)
					}
				case "pdf":
					if !bytes.HasPrefix(b, []byte("%PDF")) {
						t.Errorf("%s does not start as PDF: %q", f.Path, b[:min(len(b), 20)])
					}
				}
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != len(want) {
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Errorf("folder holds %v; temporary files left behind?", names)
			}
		})
	}
}

func TestHistoryOfRun(t *testing.T) {
	run := realRun(t)
	var rows []results.HistoryRow
	for _, r := range run.Histories {
		if r.Policy == run.Manifest.Policies[0] && r.Replication == 0 {
			rows = append(rows, r)
		}
	}
	path := filepath.Join(t.TempDir(), "history.png")
	if err := plots.History(rows, "Replication 0", run.Manifest.MonthsPerRound, path); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Fatal(err)
	}
}

// Figures are the same bytes whatever the number of workers drawing them
// and from one drawing to the next.
func TestFiguresDeterministic(t *testing.T) {
	run := realRun(t)
	draw := func(procs int) map[string][]byte {
		old := runtime.GOMAXPROCS(procs)
		defer runtime.GOMAXPROCS(old)
		dir := t.TempDir()
		figs, err := plots.All(context.Background(), run, dir, "png")
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]byte{}
		for _, f := range figs {
			b, err := os.ReadFile(f.Path)
			if err != nil {
				t.Fatal(err)
			}
			out[f.Name] = b
		}
		return out
	}
	a, b, c := draw(1), draw(2), draw(4)
	for name, x := range a {
		if !bytes.Equal(x, b[name]) || !bytes.Equal(x, c[name]) {
			t.Errorf("%s differs with the number of workers", name)
		}
	}
}

// BenchmarkFigures draws every figure of a 5-policy, 64-replication run as
// PNG: the largest fixed cost of a run (docs/performance.md).
func BenchmarkFigures(b *testing.B) {
	run := realRun(b)
	for b.Loop() {
		if _, err := plots.All(context.Background(), run, b.TempDir(), "png"); err != nil {
			b.Fatal(err)
		}
	}
}
