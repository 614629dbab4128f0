package plots_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/tranche-sim/tranche/experiment"
	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/results/plots"
)

// Small experiments over the default scenario: a factorial design over two
// parameters (a map), and a Latin hypercube over three with an objective.
const (
	factorialExperiment = `
scenario = "default"
policies = ["phased-snapback", "reciprocal", "max-pressure"]
replications = 30
design = "factorial"
[[parameters]]
key = "verifier.quality"
steps = 3
[[parameters]]
key = "target.commitment_alpha"
steps = 2
`
	lhsExperiment = `
scenario = "default"
policies = ["phased-snapback", "reciprocal", "max-pressure"]
replications = 12
design = "lhs"
samples = 40
objective = "settlement - 0.05*humanitarian_shortfall"
[[parameters]]
key = "verifier.quality"
[[parameters]]
key = "target.commitment_alpha"
distribution = "log-uniform"
[[parameters]]
key = "spoilers.factions[*].strength"
`
)

// experimentFolder runs an experiment into a new results folder, with the
// given number of workers.
func experimentFolder(t testing.TB, src string, workers int) string {
	t.Helper()
	e, err := experiment.Parse("test.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "experiment")
	if _, err := experiment.Run(context.Background(), e, experiment.Options{Out: dir, Workers: workers}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func loadExperiment(t testing.TB, dir string) *results.ExperimentRun {
	t.Helper()
	run, err := results.LoadExperiment(dir, results.ExperimentHeadline())
	if err != nil {
		t.Fatal(err)
	}
	return run
}

// csvTable reads a CSV file of the folder: its header's column indexes
// and its records.
func csvTable(t testing.TB, path string) (map[string]int, [][]string) {
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
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	return col, recs[1:]
}

// Every figure is drawn, named as expected, with a title and a caption;
// maps only for a factorial design over two parameters, a sweep of the
// objective only when there is one.
func TestExperimentFigures(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, src string
		want      []string
	}{
		{"factorial", factorialExperiment, []string{"wins", "map-settlement", "map-humanitarian_shortfall", "map-leverage_retained",
			"sweep-settlement", "sweep-humanitarian_shortfall", "sweep-leverage_retained"}},
		{"lhs", lhsExperiment, []string{"wins", "sweep-settlement", "sweep-humanitarian_shortfall", "sweep-leverage_retained", "sweep-objective"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			run := loadExperiment(t, experimentFolder(t, c.src, 0))
			dir := filepath.Join(t.TempDir(), "plots")
			var calls []int
			figs, err := plots.Experiment(context.Background(), run, dir, "png", func(n, total int) {
				if total != len(c.want) {
					t.Errorf("done: total %d, want %d", total, len(c.want))
				}
				calls = append(calls, n)
			})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, f := range figs {
				names = append(names, f.Name)
				if f.Title == "" || f.Caption == "" {
					t.Errorf("%s: no title or caption", f.Name)
				}
				if f.Path != filepath.Join(dir, f.Name+".png") {
					t.Errorf("%s: path %s", f.Name, f.Path)
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
			if !slices.Equal(calls, []int{1, 2, 3, 4, 5, 6, 7}[:len(c.want)]) {
				t.Errorf("done called with %v", calls)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != len(c.want) {
				t.Errorf("%d files for %d figures: temporary files left behind?", len(entries), len(c.want))
			}
		})
	}
}

func TestExperimentErrors(t *testing.T) {
	t.Parallel()
	if _, err := plots.Experiment(context.Background(), nil, t.TempDir(), "png"); err == nil {
		t.Error("no error for a nil run")
	}
	run := loadExperiment(t, experimentFolder(t, factorialExperiment, 0))
	dir := t.TempDir()
	if _, err := plots.Experiment(context.Background(), run, dir, "gif"); err == nil || !strings.Contains(err.Error(), "png, svg, pdf") {
		t.Errorf("format gif: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := plots.Experiment(ctx, run, dir, "png"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("%d files written by failed calls", len(entries))
	}
}

// A figure's bytes depend only on the results: drawn twice, and drawn from
// the folders of the same experiment run with one worker and with two, in
// every format.
func TestExperimentFiguresDeterministic(t *testing.T) {
	t.Parallel()
	one := loadExperiment(t, experimentFolder(t, factorialExperiment, 1))
	two := loadExperiment(t, experimentFolder(t, factorialExperiment, 2))
	draw := func(run *results.ExperimentRun, format string) map[string][]byte {
		figs, err := plots.Experiment(context.Background(), run, t.TempDir(), format)
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
	for _, format := range []string{"png", "svg"} {
		a, b, c := draw(one, format), draw(one, format), draw(two, format)
		if len(a) != 7 {
			t.Fatalf("%d figures", len(a))
		}
		for name, x := range a {
			if !bytes.Equal(x, b[name]) {
				t.Errorf("%s.%s differs when drawn again", name, format)
			}
			if !bytes.Equal(x, c[name]) {
				t.Errorf("%s.%s differs with the experiment's workers", name, format)
			}
		}
	}
}

// pointMeans reads points.csv by hand: each point's value of a parameter
// and each policy's mean of a metric there.
func pointMeans(t *testing.T, dir, param, metric string, policies []string) (map[int]string, map[int][]float64) {
	col, recs := csvTable(t, filepath.Join(dir, "points.csv"))
	values, means := map[int]string{}, map[int][]float64{}
	for _, r := range recs {
		if r[col["metric"]] != metric {
			continue
		}
		k, _ := strconv.Atoi(r[col["point"]])
		values[k] = r[col[param]]
		if means[k] == nil {
			means[k] = make([]float64, len(policies))
		}
		m, err := strconv.ParseFloat(r[col["mean"]], 64)
		if err != nil {
			t.Fatal(err)
		}
		means[k][slices.Index(policies, r[col["policy"]])] = m
	}
	return values, means
}

// meanCI is the mean of xs and its 95% Student's t interval.
func meanCI(xs []float64) (float64, [2]float64) {
	n := float64(len(xs))
	s := 0.0
	for _, x := range xs {
		s += x
	}
	mean := s / n
	ss := 0.0
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	half := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: n - 1}.Quantile(0.975) * math.Sqrt(ss/(n-1)/n)
	return mean, [2]float64{mean - half, mean + half}
}

// A sampled design's sweep: 40 points in 4 bins of 10 by the parameter's
// value, each policy's bin mean the mean of its point means in the bin,
// with the t-interval over those 10, drawn at the bins' mean value; all
// computed here from points.csv.
func TestSweepBinsByHand(t *testing.T) {
	t.Parallel()
	dir := experimentFolder(t, lhsExperiment, 0)
	run := loadExperiment(t, dir)
	for pi, param := range []string{"verifier_quality", "target_commitment_alpha", "spoilers_factions_strength"} {
		for _, metric := range []string{"settlement", "objective"} {
			values, means := pointMeans(t, dir, param, metric, run.Policies())
			var points []int
			for k := range values {
				points = append(points, k)
			}
			x := func(k int) float64 { v, _ := strconv.ParseFloat(values[k], 64); return v }
			sort.Slice(points, func(a, b int) bool {
				return x(points[a]) < x(points[b]) || x(points[a]) == x(points[b]) && points[a] < points[b]
			})
			if len(points) != 40 {
				t.Fatalf("%d points", len(points))
			}
			groups, bins := plots.SweepGroups(run, metric, pi)
			if !bins || len(groups) != 4 {
				t.Fatalf("%s: %d groups (bins %v), want 4 bins", param, len(groups), bins)
			}
			for b, g := range groups {
				in := points[b*10 : (b+1)*10]
				if !slices.Equal(slices.Sorted(slices.Values(g.Points)), slices.Sorted(slices.Values(in))) {
					t.Errorf("%s bin %d: points %v, want %v", param, b, g.Points, in)
				}
				sx := 0.0
				for _, k := range in {
					sx += x(k)
				}
				if math.Abs(g.X-sx/10) > 1e-12 {
					t.Errorf("%s bin %d at %g, want the mean value %g", param, b, g.X, sx/10)
				}
				for p := range run.Policies() {
					var xs []float64
					for _, k := range in {
						xs = append(xs, means[k][p])
					}
					mean, ci := meanCI(xs)
					if math.Abs(g.Mean[p]-mean) > 1e-12 || math.Abs(g.CI[p][0]-ci[0]) > 1e-9 || math.Abs(g.CI[p][1]-ci[1]) > 1e-9 || g.N[p] != 10 {
						t.Errorf("%s %s bin %d policy %d: %g %v (n %d), want %g %v", param, metric, b, p, g.Mean[p], g.CI[p], g.N[p], mean, ci)
					}
				}
			}
		}
	}
}

// pointHalfWidths returns, for each point, each policy's 95% interval
// half-width of metric, read from points.csv.
func pointHalfWidths(t *testing.T, dir, metric string, policies []string) map[int][]float64 {
	col, recs := csvTable(t, filepath.Join(dir, "points.csv"))
	out := map[int][]float64{}
	for _, r := range recs {
		if r[col["metric"]] != metric {
			continue
		}
		k, _ := strconv.Atoi(r[col["point"]])
		if out[k] == nil {
			out[k] = make([]float64, len(policies))
		}
		lo, err1 := strconv.ParseFloat(r[col["ci95_lo"]], 64)
		hi, err2 := strconv.ParseFloat(r[col["ci95_hi"]], 64)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		out[k][slices.Index(policies, r[col["policy"]])] = (hi - lo) / 2
	}
	return out
}

// A factorial design's sweep is the main effect: at each level, the mean
// over the points at that level of the policies' point means. The other
// parameters' levels are chosen, not sampled, so the band is Monte Carlo
// error only: the mean of the points' half-widths (their errors taken as
// fully correlated), not a t-interval over 2 points, which reached from
// -9 to 28 for a shortfall of 9.
func TestSweepMainEffectsByHand(t *testing.T) {
	t.Parallel()
	dir := experimentFolder(t, factorialExperiment, 0)
	run := loadExperiment(t, dir)
	halfs := pointHalfWidths(t, dir, "humanitarian_shortfall", run.Policies())
	for pi, param := range []string{"verifier_quality", "target_commitment_alpha"} {
		values, means := pointMeans(t, dir, param, "humanitarian_shortfall", run.Policies())
		groups, bins := plots.SweepGroups(run, "humanitarian_shortfall", pi)
		if bins || len(groups) != len(run.Parameters[pi].Levels) {
			t.Fatalf("%s: %d groups (bins %v)", param, len(groups), bins)
		}
		for i, g := range groups {
			level := run.Parameters[pi].Levels[i]
			if want, _ := strconv.ParseFloat(level, 64); g.X != want {
				t.Errorf("%s group %d at %g, want level %s", param, i, g.X, level)
			}
			for p := range run.Policies() {
				var xs []float64
				h := 0.0
				for k, v := range values {
					if v == level {
						xs = append(xs, means[k][p])
						h += halfs[k][p]
					}
				}
				mean, _ := meanCI(xs)
				h /= float64(len(xs))
				ci := [2]float64{mean - h, mean + h}
				if math.Abs(g.Mean[p]-mean) > 1e-12 || math.Abs(g.CI[p][0]-ci[0]) > 1e-6 || math.Abs(g.CI[p][1]-ci[1]) > 1e-6 || g.N[p] != len(xs) || len(xs) != 6/len(groups) {
					t.Errorf("%s level %s policy %d: %g %v (n %d), want %g %v (n %d)", param, level, p, g.Mean[p], g.CI[p], g.N[p], mean, ci, len(xs))
				}
			}
		}
	}
}

// Every cell of the map names the best policy of best.csv at the point of
// its two levels, and the number tied with it.
func TestMapMatchesBestCSV(t *testing.T) {
	t.Parallel()
	dir := experimentFolder(t, factorialExperiment, 0)
	run := loadExperiment(t, dir)
	col, recs := csvTable(t, filepath.Join(dir, "best.csv"))
	type key struct{ x, y, metric string }
	best, tied := map[key]string{}, map[key]int{}
	for _, r := range recs {
		k := key{r[col["verifier_quality"]], r[col["target_commitment_alpha"]], r[col["metric"]]}
		best[k] = r[col["best"]]
		if r[col["tied"]] != "" {
			tied[k] = len(strings.Split(r[col["tied"]], ";"))
		}
	}
	for _, metric := range []string{"settlement", "humanitarian_shortfall", "leverage_retained"} {
		cells, ok := plots.MapCells(run, metric)
		if !ok || len(cells) != 6 {
			t.Fatalf("%s: %d cells", metric, len(cells))
		}
		for _, c := range cells {
			k := key{c.X, c.Y, metric}
			if c.Best != best[k] || c.Tied != tied[k] || c.Best == "" {
				t.Errorf("%s at %s, %s: best %q with %d tied; best.csv: %q with %d", metric, c.X, c.Y, c.Best, c.Tied, best[k], tied[k])
			}
		}
		// The axes run up the levels.
		if cells[0].X != "0.3" || cells[0].Y != "0.6" || cells[len(cells)-1].X != "0.95" || cells[len(cells)-1].Y != "2.4" {
			t.Errorf("%s: cells from %s,%s to %s,%s", metric, cells[0].X, cells[0].Y, cells[len(cells)-1].X, cells[len(cells)-1].Y)
		}
	}
	if _, ok := plots.MapCells(loadExperiment(t, experimentFolder(t, lhsExperiment, 0)), "settlement"); ok {
		t.Error("a map for a Latin hypercube")
	}
}

// The wins are the tally's counts over the points counted.
func TestWinSharesMatchTally(t *testing.T) {
	t.Parallel()
	run := loadExperiment(t, experimentFolder(t, factorialExperiment, 0))
	tl := run.Tally
	for j, metric := range tl.Metrics {
		clearly, either, points, ok := plots.WinShares(tl, metric)
		if !ok || points != 6 {
			t.Fatalf("%s: %d points", metric, points)
		}
		sum := 0.0
		for p := range tl.Policies {
			if clearly[p] != float64(tl.Clear[j][p])/6 || either[p] != float64(tl.Clear[j][p]+tl.Best[j][p]+tl.Tied[j][p])/6 || clearly[p] > either[p] {
				t.Errorf("%s %s: %g, %g", metric, tl.Policies[p], clearly[p], either[p])
			}
			sum += clearly[p]
		}
		if sum > 1+1e-12 {
			t.Errorf("%s: clear shares add up to %g", metric, sum)
		}
	}
	if _, _, _, ok := plots.WinShares(tl, "no_such_metric"); ok {
		t.Error("shares of a metric not tallied")
	}
}

// A map cell shows what fits: the name and the ties under a glyph in a
// large cell, on one line beside it in a short one, the glyph alone in a
// small one; no line is wider than the cell.
func TestCellLayout(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		w, h       float64
		tied       int
		names      []string
		inline     bool
		want       []string
		glyphAbove float64 // least glyph radius
	}{
		{110, 110, 0, nil, false, []string{"phased-snapback"}, 4},
		{110, 110, 2, []string{"reciprocal", "big-bang"}, false, []string{"phased-snapback", "tied with", "reciprocal", "big-bang"}, 4},
		{110, 110, 14, nil, false, []string{"phased-snapback", "+14 tied"}, 4},
		{110, 50, 2, []string{"reciprocal", "big-bang"}, false, []string{"phased-snapback", "+2 tied"}, 4},
		{60, 110, 1, []string{"reciprocal"}, false, []string{"tied with", "reciprocal"}, 4},
		{200, 30, 3, nil, true, []string{"phased-snapback +3"}, 3},
		{40, 30, 3, nil, true, []string{"+3"}, 3},
		{10, 10, 3, nil, true, nil, 2},
		{4, 4, 3, nil, true, nil, 0},
	} {
		r, inline, lines := plots.CellLayout(c.w, c.h, "phased-snapback", c.tied, c.names)
		if inline != c.inline || !slices.Equal(lines, c.want) || r < c.glyphAbove || r > min(c.w, c.h)/2 {
			t.Errorf("%gx%g, %d tied: glyph %g, inline %v, %q; want inline %v, %q", c.w, c.h, c.tied, r, inline, lines, c.inline, c.want)
		}
		for _, l := range lines {
			if plots.TextWidth(l) > c.w {
				t.Errorf("%gx%g: %q is wider than the cell", c.w, c.h, l)
			}
		}
	}
}
