package plots_test

import (
	"bytes"
	"context"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/results/plots"
)

// Small sensitivity experiments: a Morris screen and a Saltelli design
// with independent streams (noise-corrected indices) over three
// parameters, one of them inert (grit is not run), and a Saltelli design
// over every parameter, more than a panel shows.
const (
	morrisExperiment = `
scenario = "default"
policies = ["phased-snapback", "reciprocal", "max-pressure"]
replications = 8
design = "morris"
samples = 6
[[parameters]]
key = "verifier.quality"
[[parameters]]
key = "target.commitment_alpha"
[[parameters]]
key = "policy.grit.step"
`
	saltelliExperiment = `
scenario = "default"
policies = ["phased-snapback", "reciprocal", "max-pressure"]
replications = 16
design = "saltelli"
samples = 16
streams = "independent"
objective = "settlement - 0.05*humanitarian_shortfall"
[[parameters]]
key = "verifier.quality"
[[parameters]]
key = "target.commitment_alpha"
[[parameters]]
key = "policy.grit.step"
`
	saltelliEverything = `
scenario = "default"
policies = ["phased-snapback", "reciprocal"]
metrics = ["settlement", "humanitarian_shortfall"]
replications = 4
design = "saltelli"
samples = 4
[[parameters]]
key = "*"
`
)

// A Morris or Saltelli folder gets a sensitivity figure per headline
// metric, first, besides the others; a PNG as wide as every experiment
// figure, with a title and a caption that says how to read it.
func TestSensitivityFigures(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, src string
		want      []string
		caption   string
	}{
		{"morris", morrisExperiment, []string{"morris-settlement", "morris-humanitarian_shortfall", "morris-leverage_retained",
			"wins", "sweep-settlement", "sweep-humanitarian_shortfall", "sweep-leverage_retained"}, "Points to the right are influential"},
		{"saltelli", saltelliExperiment, []string{"sobol-settlement", "sobol-humanitarian_shortfall", "sobol-leverage_retained", "sobol-objective",
			"wins", "sweep-settlement", "sweep-humanitarian_shortfall", "sweep-leverage_retained", "sweep-objective"}, "an interval containing 0 means the data cannot tell the effect from none"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			run := loadExperiment(t, experimentFolder(t, c.src, 0))
			if len(run.Sensitivity) == 0 {
				t.Fatal("no sensitivity rows")
			}
			figs, err := plots.Experiment(context.Background(), run, t.TempDir(), "png")
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, f := range figs {
				names = append(names, f.Name)
				if !strings.HasPrefix(f.Name, c.name[:5]) {
					continue
				}
				if f.Title == "" || !strings.Contains(f.Caption, c.caption) {
					t.Errorf("%s: title %q, caption %q", f.Name, f.Title, f.Caption)
				}
				b, err := os.ReadFile(f.Path)
				if err != nil {
					t.Fatal(err)
				}
				if img, err := png.Decode(bytes.NewReader(b)); err != nil || img.Bounds().Dx() != 864 {
					t.Errorf("%s: not a 864-pixel wide PNG (%v)", f.Name, err)
				}
			}
			if !slices.Equal(names, c.want) {
				t.Errorf("figures %v, want %v", names, c.want)
			}
		})
	}
}

// The sensitivity figures' bytes depend only on the results, in every
// format.
func TestSensitivityFiguresDeterministic(t *testing.T) {
	t.Parallel()
	for _, src := range []string{morrisExperiment, saltelliExperiment} {
		run := loadExperiment(t, experimentFolder(t, src, 0))
		for _, format := range []string{"png", "svg"} {
			var drawn [2]map[string][]byte
			for i := range drawn {
				figs, err := plots.Experiment(context.Background(), run, t.TempDir(), format)
				if err != nil {
					t.Fatal(err)
				}
				drawn[i] = map[string][]byte{}
				for _, f := range figs {
					if strings.HasPrefix(f.Name, "morris-") || strings.HasPrefix(f.Name, "sobol-") {
						if drawn[i][f.Name], err = os.ReadFile(f.Path); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
			if len(drawn[0]) < 3 {
				t.Fatalf("%d sensitivity figures", len(drawn[0]))
			}
			for name, b := range drawn[0] {
				if !bytes.Equal(b, drawn[1][name]) {
					t.Errorf("%s.%s differs when drawn again", name, format)
				}
			}
		}
	}
}

// rankedByHand ranks the parameters of one output by an index, read from
// sensitivity.csv here: largest estimate first, ties in the experiment's
// order of the parameters; estimates that are not numbers are left out.
func rankedByHand(t *testing.T, dir string, params []string, metric, policy, versus, index string) []string {
	t.Helper()
	col, recs := csvTable(t, filepath.Join(dir, "sensitivity.csv"))
	type entry struct {
		name string
		est  float64
		at   int
	}
	var es []entry
	for _, r := range recs {
		if r[col["metric"]] != metric || r[col["policy"]] != policy || r[col["versus"]] != versus || r[col["index"]] != index {
			continue
		}
		x, err := strconv.ParseFloat(r[col["estimate"]], 64)
		if err != nil || math.IsNaN(x) {
			continue
		}
		es = append(es, entry{r[col["parameter"]], x, slices.Index(params, r[col["parameter"]])})
	}
	slices.SortFunc(es, func(a, b entry) int {
		switch {
		case a.est > b.est:
			return -1
		case a.est < b.est:
			return 1
		}
		return a.at - b.at
	})
	var out []string
	for _, e := range es {
		out = append(out, e.name)
	}
	return out
}

// Each panel of a Sobol' figure shows the output's 15 parameters with the
// largest total index, ranked as sensitivity.csv's ST ranks them (ties in
// the parameters' order); each panel of a Morris figure names the 8 with
// the largest mu*. Panels: the metric under the baseline, then each other
// policy minus the baseline.
func TestSensitivityRanking(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, src, index string
		top              int
	}{
		{"saltelli", saltelliExperiment, results.IndexST, 15},
		{"saltelli over every parameter", saltelliEverything, results.IndexST, 15},
		{"morris", morrisExperiment, results.IndexMuStar, 8},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := experimentFolder(t, c.src, 0)
			run := loadExperiment(t, dir)
			params := run.Manifest.Experiment.Parameters
			base := run.Manifest.Baseline
			checked := 0
			for _, m := range run.Headline() {
				panels := plots.SensitivityPanels(run, m.Def.Key)
				var want []plots.SensitivityPanel
				want = append(want, plots.SensitivityPanel{Policy: base})
				for _, p := range run.Policies() {
					if p != base {
						want = append(want, plots.SensitivityPanel{Policy: p, Versus: base})
					}
				}
				if len(panels) != len(want) {
					t.Fatalf("%s: %d panels, want %d", m.Def.Key, len(panels), len(want))
				}
				for i, p := range panels {
					if p.Policy != want[i].Policy || p.Versus != want[i].Versus {
						t.Errorf("%s: panel %d is %s minus %q, want %s minus %q", m.Def.Key, i, p.Policy, p.Versus, want[i].Policy, want[i].Versus)
					}
					ranked := rankedByHand(t, dir, params, m.Def.Key, p.Policy, p.Versus, c.index)
					ranked = ranked[:min(c.top, len(ranked))]
					if !slices.Equal(p.Named, ranked) {
						t.Errorf("%s, %s minus %q: the figure ranks %v, sensitivity.csv %v", m.Def.Key, p.Policy, p.Versus, p.Named, ranked)
					}
					checked += len(ranked)
				}
			}
			if checked == 0 {
				t.Error("nothing ranked")
			}
			if len(params) > 15 && len(plots.SensitivityPanels(run, "settlement")[0].Named) != 15 {
				t.Errorf("%d parameters, not 15, in a panel", len(plots.SensitivityPanels(run, "settlement")[0].Named))
			}
		})
	}
	// No figure, no panels: a design without indices.
	run := loadExperiment(t, experimentFolder(t, factorialExperiment, 0))
	if p := plots.SensitivityPanels(run, "settlement"); p != nil {
		t.Errorf("a factorial design's sensitivity panels: %v", p)
	}
}
