package results_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tranche-sim/tranche/experiment"
	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/scenarios"
	"github.com/tranche-sim/tranche/study"
)

// A small factorial experiment: 3 × 2 points, 3 policies, an objective.
const smallFactorial = `
scenario = "default"
policies = ["phased-snapback", "reciprocal", "max-pressure"]
replications = 10
design = "factorial"
objective = "durable_agreement - 0.05*humanitarian_shortfall"
[[parameters]]
key = "verifier.quality"
steps = 3
[[parameters]]
key = "target.commitment_alpha"
levels = [2.4, 0.6]
`

// runExperiment runs an experiment into a new results folder.
func runExperiment(t testing.TB, src string) string {
	t.Helper()
	e, err := experiment.Parse("test.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "experiment")
	if _, err := experiment.Run(context.Background(), e, experiment.Options{Out: dir}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// readTableByHand reads a table of a folder by hand: column indexes and records.
func readTableByHand(t testing.TB, path string) (map[string]int, [][]string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	return col, recs[1:]
}

func parse(t testing.TB, s string) float64 {
	if s == "" {
		return math.NaN()
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func same(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }

// The loader keeps exactly the rows of the metrics asked for, as the
// tables have them: every cell of points.csv, every row of best.csv and
// effects.csv, and a tally of best.csv.
func TestLoadExperiment(t *testing.T) {
	t.Parallel()
	dir := runExperiment(t, smallFactorial)
	keep := []string{"humanitarian_shortfall", "no_such_metric", "durable_agreement", "objective", "durable_agreement"}
	run, err := results.LoadExperiment(dir, keep)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, m := range run.Metrics {
		kept = append(kept, m.Def.Key)
	}
	if want := []string{"humanitarian_shortfall", "durable_agreement", "objective"}; !slices.Equal(kept, want) {
		t.Fatalf("kept %v, want %v", kept, want)
	}
	if run.Points != 6 || len(run.Here) != 6 || run.Name != "test" || run.Dir != dir || len(run.Source) == 0 || len(run.Scenario) == 0 {
		t.Errorf("points %d, here %v, name %q, dir %s", run.Points, run.Here, run.Name, run.Dir)
	}
	// Parameters: levels in the experiment's order, as text and numbers.
	q, a := run.Parameters[0], run.Parameters[1]
	if q.Name != "verifier_quality" || q.Key != "verifier.quality" || !slices.Equal(q.Levels, []string{"0.3", "0.625", "0.95"}) || q.Type != results.ParamNumber {
		t.Errorf("first parameter %+v", q)
	}
	if !slices.Equal(a.Levels, []string{"2.4", "0.6"}) || a.Range != [2]float64{0.6, 2.4} {
		t.Errorf("second parameter: levels %v, range %v", a.Levels, a.Range)
	}
	dcol, design := readTableByHand(t, filepath.Join(dir, "design.csv"))
	for k, r := range design {
		for _, p := range run.Parameters {
			s := r[dcol[p.Name]]
			if p.Text[k] != s || p.Number[k] != parse(t, s) || p.Levels[p.Level[k]] != s {
				t.Errorf("point %d, %s: %q %g level %d; design.csv %q", k, p.Name, p.Text[k], p.Number[k], p.Level[k], s)
			}
		}
	}
	// points.csv, cell by cell.
	col, recs := readTableByHand(t, filepath.Join(dir, "points.csv"))
	seen := 0
	np := len(run.Policies())
	base := run.Baseline()
	for _, r := range recs {
		m, ok := run.Metric(r[col["metric"]])
		if !ok {
			continue
		}
		seen++
		k, _ := strconv.Atoi(r[col["point"]])
		p := slices.Index(run.Policies(), r[col["policy"]])
		c := m.Cells[k*np+p]
		n, _ := strconv.Atoi(r[col["n"]])
		lo, hi := parse(t, r[col["diff_ci95_lo"]]), parse(t, r[col["diff_ci95_hi"]])
		versus := int8(0)
		if lo > 0 {
			versus = 1
		} else if hi < 0 {
			versus = -1
		}
		if int(c.N) != n || !same(c.Mean, parse(t, r[col["mean"]])) || !same(c.CI95[0], parse(t, r[col["ci95_lo"]])) ||
			!same(c.CI95[1], parse(t, r[col["ci95_hi"]])) || c.Versus != versus || (p == base && c.Versus != 0) {
			t.Errorf("point %d %s %s: %+v; points.csv %v", k, r[col["policy"]], m.Def.Key, c, r)
		}
	}
	if seen != 6*np*3 {
		t.Errorf("%d rows of the kept metrics, want %d", seen, 6*np*3)
	}
	// best.csv, point by point, and its tally.
	col, recs = readTableByHand(t, filepath.Join(dir, "best.csv"))
	tally := results.NewTally(run.Policies(), kept)
	rows := 0
	for _, r := range recs {
		m, ok := run.Metric(r[col["metric"]])
		if !ok {
			continue
		}
		rows++
		k, _ := strconv.Atoi(r[col["point"]])
		var tied []string
		if r[col["tied"]] != "" {
			tied = strings.Split(r[col["tied"]], ";")
		}
		tally.Add([]results.Best{{Metric: m.Def.Key, Policy: r[col["best"]], Tied: tied}})
		var got []string
		for _, q := range m.Tied(k) {
			got = append(got, run.Policies()[q])
		}
		slices.Sort(got)
		slices.Sort(tied)
		b := m.Best[k]
		if run.Policies()[b.Policy] != r[col["best"]] || !same(b.Mean, parse(t, r[col["mean"]])) || !slices.Equal(got, tied) || m.TiedCount(k) != len(tied) {
			t.Errorf("best at point %d on %s: %+v tied %v; best.csv %v", k, m.Def.Key, b, got, r)
		}
	}
	if rows != 6*3 {
		t.Errorf("%d rows of best.csv kept, want 18", rows)
	}
	if !slices.Equal(tally.Points, run.Tally.Points) || !slices.EqualFunc(tally.Clear, run.Tally.Clear, slices.Equal) ||
		!slices.EqualFunc(tally.Best, run.Tally.Best, slices.Equal) || !slices.EqualFunc(tally.Tied, run.Tally.Tied, slices.Equal) {
		t.Errorf("tally %+v, want %+v", run.Tally, tally)
	}
	// effects.csv: the rows of the kept metrics.
	col, recs = readTableByHand(t, filepath.Join(dir, "effects.csv"))
	want := map[string]int{}
	for _, r := range recs {
		want[r[col["metric"]]]++
	}
	for _, m := range run.Metrics {
		if len(m.Effects) != want[m.Def.Key] || len(m.Effects) == 0 {
			t.Errorf("%s: %d effects, effects.csv has %d", m.Def.Key, len(m.Effects), want[m.Def.Key])
		}
		for _, e := range m.Effects {
			p := run.Parameters[e.Parameter]
			if e.Point == e.ReferencePoint || p.Level[e.ReferencePoint] != 0 || p.Level[e.Point] == 0 {
				t.Errorf("%s: effect %+v is not against the first level", m.Def.Key, e)
			}
		}
	}
	// Without metrics, every metric of the folder.
	all, err := results.LoadExperiment(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Metrics) != len(all.Definitions.Metrics) || len(all.Headline()) != 4 {
		t.Errorf("%d metrics of %d, headline %d", len(all.Metrics), len(all.Definitions.Metrics), len(all.Headline()))
	}
}

// copyFolder copies a results folder.
func copyFolder(t testing.TB, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "copy")
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// rewrite replaces a file of a folder and records it in the manifest as
// if the run had written it: only the loader's parsing can refuse it.
func rewrite(t testing.TB, dir, name string, edit func([]byte) []byte) {
	t.Helper()
	path := filepath.Join(dir, name)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b = edit(b)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	editManifest(t, dir, func(m *results.Manifest) {
		sum := sha256.Sum256(b)
		m.Files[name] = results.FileSum{Bytes: int64(len(b)), SHA256: hex.EncodeToString(sum[:])}
	})
}

func editManifest(t testing.TB, dir string, edit func(*results.Manifest)) {
	t.Helper()
	m, err := results.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	edit(m)
	var b bytes.Buffer
	if err := results.WriteManifest(&b, m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// replaceLine replaces line n (from 1) of a text.
func replaceLine(n int, with func(string) string) func([]byte) []byte {
	return func(b []byte) []byte {
		lines := strings.Split(string(b), "\n")
		lines[n-1] = with(lines[n-1])
		return []byte(strings.Join(lines, "\n"))
	}
}

// The loader refuses, with a message naming the file (and the line), a
// folder that is not a complete experiment of this format, a file changed
// after the run, and a file the run could not have written.
func TestLoadExperimentRefuses(t *testing.T) {
	t.Parallel()
	dir := runExperiment(t, smallFactorial)
	for _, c := range []struct {
		name  string
		edit  func(t *testing.T, dir string)
		wants []string
	}{
		{"incomplete", func(t *testing.T, d string) { editManifest(t, d, func(m *results.Manifest) { m.Complete = false }) }, []string{"incomplete"}},
		{"other format", func(t *testing.T, d string) { editManifest(t, d, func(m *results.Manifest) { m.FormatVersion++ }) }, []string{"format version"}},
		{"no manifest", func(t *testing.T, d string) { os.Remove(filepath.Join(d, "manifest.json")) }, []string{"manifest.json"}},
		{"a study's manifest", func(t *testing.T, d string) { editManifest(t, d, func(m *results.Manifest) { m.Kind = "" }) }, []string{"study"}},
		{"tampered points.csv", func(t *testing.T, d string) {
			path := filepath.Join(d, "points.csv")
			b, _ := os.ReadFile(path)
			i := bytes.LastIndexByte(b[:len(b)-2], ',') + 1
			b[i] = '9' + '0' - b[i] // same size, another digit
			if b[i] < '0' || b[i] > '9' {
				b[i] = '7'
			}
			os.WriteFile(path, b, 0o644)
		}, []string{"points.csv", "SHA-256", "changed after the run"}},
		{"points.csv grown", func(t *testing.T, d string) {
			f, _ := os.OpenFile(filepath.Join(d, "points.csv"), os.O_APPEND|os.O_WRONLY, 0)
			f.WriteString("\n")
			f.Close()
		}, []string{"points.csv", "bytes"}},
		{"best.csv missing", func(t *testing.T, d string) { os.Remove(filepath.Join(d, "best.csv")) }, []string{"best.csv"}},
		{"a bad number", func(t *testing.T, d string) {
			b, _ := os.ReadFile(filepath.Join(d, "points.csv"))
			at := slices.Index(strings.Split(strings.SplitN(string(b), "\n", 2)[0], ","), "ci95_hi")
			rewrite(t, d, "points.csv", replaceLine(2, func(l string) string {
				f := strings.Split(l, ",")
				f[at] = "x1"
				return strings.Join(f, ",")
			}))
		}, []string{"points.csv:2:", `ci95_hi = "x1"`}},
		{"a missing field", func(t *testing.T, d string) {
			rewrite(t, d, "best.csv", replaceLine(3, func(l string) string { return l[:strings.LastIndexByte(l, ',')] }))
		}, []string{"best.csv", "line 3", "fields, the header has"}},
		{"another header", func(t *testing.T, d string) {
			rewrite(t, d, "points.csv", replaceLine(1, func(l string) string { return strings.Replace(l, "mean", "average", 1) }))
		}, []string{"points.csv", "header"}},
		{"an unknown policy", func(t *testing.T, d string) {
			rewrite(t, d, "points.csv", func(b []byte) []byte { return bytes.Replace(b, []byte(",reciprocal,"), []byte(",tit-for-tat,"), 1) })
		}, []string{"points.csv:", `policy "tit-for-tat"`}},
		{"a row twice", func(t *testing.T, d string) {
			rewrite(t, d, "points.csv", func(b []byte) []byte {
				lines := strings.SplitAfter(string(b), "\n")
				return []byte(strings.Join(lines[:2], "") + lines[1] + strings.Join(lines[2:], ""))
			})
		}, []string{"points.csv:3:", "second row"}},
		{"a row missing", func(t *testing.T, d string) {
			rewrite(t, d, "points.csv", func(b []byte) []byte {
				lines := strings.SplitAfter(string(b), "\n")
				return []byte(strings.Join(lines[:1], "") + strings.Join(lines[2:], ""))
			})
		}, []string{"points.csv", "no row for point 0, policy phased-snapback, metric durable_agreement"}},
		{"values unlike design.csv", func(t *testing.T, d string) {
			rewrite(t, d, "best.csv", replaceLine(2, func(l string) string {
				f := strings.Split(l, ",")
				f[1] = "0.31"
				return strings.Join(f, ",")
			}))
		}, []string{"best.csv:2:", "design.csv"}},
		{"a point out of range", func(t *testing.T, d string) {
			rewrite(t, d, "effects.csv", replaceLine(2, func(l string) string { return "99" + l[strings.IndexByte(l, ','):] }))
		}, []string{"effects.csv:2:", `point "99"`}},
		{"a level not the design's", func(t *testing.T, d string) {
			rewrite(t, d, "design.csv", replaceLine(3, func(l string) string { return strings.Replace(l, "0.95", "0.96", 1) }))
		}, []string{"design.csv:3:", "levels"}},
		{"experiment.toml unlike the manifest", func(t *testing.T, d string) {
			rewrite(t, d, "experiment.toml", func(b []byte) []byte { return bytes.Replace(b, []byte(`"max-pressure"]`), []byte(`"big-bang"]`), 1) })
		}, []string{"different policies"}},
		{"experiment.toml not TOML", func(t *testing.T, d string) {
			rewrite(t, d, "experiment.toml", func(b []byte) []byte { return append(b, "\n[[[\n"...) })
		}, []string{"experiment.toml"}},
		{"a tied policy twice", func(t *testing.T, d string) {
			rewrite(t, d, "best.csv", func(b []byte) []byte {
				// The first row with a best: the best is also listed as tied.
				rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				best, tied := slices.Index(rows[0], "best"), slices.Index(rows[0], "tied")
				for _, r := range rows[1:] {
					if r[best] != "" {
						r[tied] = strings.TrimSuffix(r[best]+";"+r[tied], ";")
						break
					}
				}
				var out bytes.Buffer
				w := csv.NewWriter(&out)
				w.WriteAll(rows)
				return out.Bytes()
			})
		}, []string{"best.csv:", "tied"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			d := copyFolder(t, dir)
			c.edit(t, d)
			_, err := results.LoadExperiment(d, []string{"durable_agreement", "humanitarian_shortfall"})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if !strings.Contains(err.Error(), d) {
				t.Errorf("error %q does not name the folder", err)
			}
		})
	}
}

// A study's folder is refused, naming what it is.
func TestLoadExperimentRefusesAStudy(t *testing.T) {
	t.Parallel()
	s, err := scenarios.Get("default")
	if err != nil {
		t.Fatal(err)
	}
	s.Replications = 8
	dir := filepath.Join(t.TempDir(), "study")
	if _, err := study.Run(context.Background(), s, study.Options{Out: dir}); err != nil {
		t.Fatal(err)
	}
	if _, err := results.LoadExperiment(dir, nil); err == nil || !strings.Contains(err.Error(), "holds a study") {
		t.Errorf("a study's folder: %v", err)
	}
}

// A folder being written is read without a manifest (from experiment.toml)
// and without hashes, and named by its final path.
func TestFolderLoadExperiment(t *testing.T) {
	t.Parallel()
	src := runExperiment(t, smallFactorial)
	final := filepath.Join(t.TempDir(), "writing")
	f, err := results.CreateFolder(final)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	for _, name := range []string{"experiment.toml", "scenario.toml", "definitions.json", "design.csv", "points.csv", "best.csv", "effects.csv"} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.WriteFile(name, b); err != nil {
			t.Fatal(err)
		}
	}
	run, err := f.LoadExperiment([]string{"durable_agreement"})
	if err != nil {
		t.Fatal(err)
	}
	want, err := results.LoadExperiment(src, []string{"durable_agreement"})
	if err != nil {
		t.Fatal(err)
	}
	if run.Dir != final || run.Points != want.Points || !slices.Equal(run.Policies(), want.Policies()) || run.Manifest.Baseline != want.Manifest.Baseline ||
		!slices.Equal(run.Manifest.Experiment.Keys, want.Manifest.Experiment.Keys) || run.Manifest.Experiment.Design != "factorial" ||
		run.Manifest.Seed != want.Manifest.Seed || run.Manifest.Replications != 10 || run.Manifest.Objective != want.Manifest.Objective {
		t.Errorf("folder being written: %+v", run.Manifest)
	}
	got, exp := run.Metrics[0], want.Metrics[0]
	if !slices.Equal(got.Cells, exp.Cells) || !slices.Equal(got.Best, exp.Best) || len(got.Effects) != len(exp.Effects) {
		t.Error("the folder being written reads differently")
	}
	// Errors name the final folder, not the temporary one.
	os.Remove(f.Path("best.csv"))
	if _, err := f.LoadExperiment(nil); err == nil || !strings.Contains(err.Error(), final) || strings.Contains(err.Error(), f.Path("")) {
		t.Errorf("error %v", err)
	}
}

// No input makes the loader panic: random changes to every file of a
// folder (read without hashes, as a folder being written is) give a run
// or an error.
func TestLoadExperimentNoPanic(t *testing.T) {
	t.Parallel()
	src := runExperiment(t, smallFactorial)
	files := []string{"experiment.toml", "definitions.json", "design.csv", "points.csv", "best.csv", "effects.csv"}
	orig := map[string][]byte{}
	for _, name := range files {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		orig[name] = b
	}
	f, err := results.CreateFolder(filepath.Join(t.TempDir(), "fuzz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	f.WriteFile("scenario.toml", []byte("x"))
	r := rand.New(rand.NewPCG(1, 2))
	junk := []string{",", "\n", `"`, ";", "-1", "1e999", "NaN", "", "0", "99999999999", "x", "]", "{", "true"}
	errs := 0
	for _, name := range files {
		f.WriteFile(name, orig[name])
	}
	var changed []string
	for trial := range 200 {
		for _, name := range changed {
			f.WriteFile(name, orig[name])
		}
		changed = changed[:0]
		for range 1 + r.IntN(3) {
			name := files[r.IntN(len(files))]
			b := slices.Clone(orig[name])
			if len(b) == 0 {
				continue
			}
			i := r.IntN(len(b))
			j := min(len(b), i+r.IntN(12))
			b = slices.Concat(b[:i], []byte(junk[r.IntN(len(junk))]), b[j:])
			if trial%50 == 0 {
				b = b[:r.IntN(len(b))] // cut short
			}
			f.WriteFile(name, b)
			changed = append(changed, name)
		}
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("trial %d: panic %v", trial, p)
				}
			}()
			if _, err := f.LoadExperiment(nil); err != nil {
				errs++
			}
		}()
	}
	if errs == 0 {
		t.Error("no change was refused")
	}
}

// A shard's folder holds some of the points: the loader reads those, with
// the whole design.
func TestLoadExperimentShard(t *testing.T) {
	t.Parallel()
	e, err := experiment.Parse("test.toml", []byte(smallFactorial))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "shard")
	if _, err := experiment.Run(context.Background(), e, experiment.Options{Out: dir, Shard: &study.Shard{Index: 1, Count: 2}}); err != nil {
		t.Fatal(err)
	}
	run, err := results.LoadExperiment(dir, []string{"durable_agreement"})
	if err != nil {
		t.Fatal(err)
	}
	if run.Points != 6 || !slices.Equal(run.Here, []int{3, 4, 5}) || run.Tally.Points[0] != 3 {
		t.Errorf("points %d, here %v, tallied %v", run.Points, run.Here, run.Tally.Points)
	}
	if m := run.Metrics[0]; m.Cells[0].N != -1 || m.Best[0].Policy != -1 || m.Cells[3*3].N != 10 || len(m.Effects) != 0 {
		t.Errorf("cells of points not here: %+v %+v; here: %+v", m.Cells[0], m.Best[0], m.Cells[9])
	}
}

// Tables read the same however their CSV is written: every field quoted,
// lines ending in CRLF, empty lines between records (all as encoding/csv
// reads them).
func TestLoadExperimentCSVForms(t *testing.T) {
	t.Parallel()
	dir := runExperiment(t, smallFactorial)
	keep := []string{"durable_agreement", "humanitarian_shortfall"}
	want, err := results.LoadExperiment(dir, keep)
	if err != nil {
		t.Fatal(err)
	}
	quoteAll := func(b []byte) []byte {
		recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		for _, r := range recs {
			for i, f := range r {
				if i > 0 {
					out.WriteByte(',')
				}
				out.WriteString(`"` + strings.ReplaceAll(f, `"`, `""`) + `"`)
			}
			out.WriteByte('\n')
		}
		return out.Bytes()
	}
	for _, c := range []struct {
		name string
		edit func([]byte) []byte
	}{
		{"quoted", quoteAll},
		{"CRLF", func(b []byte) []byte { return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n")) }},
		{"empty lines", func(b []byte) []byte { return bytes.ReplaceAll(b, []byte("\n"), []byte("\n\n")) }},
		{"no final newline", func(b []byte) []byte { return bytes.TrimSuffix(b, []byte("\n")) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			d := copyFolder(t, dir)
			for _, name := range []string{"design.csv", "points.csv", "best.csv", "effects.csv"} {
				rewrite(t, d, name, c.edit)
			}
			got, err := results.LoadExperiment(d, keep)
			if err != nil {
				t.Fatal(err)
			}
			for j := range want.Metrics {
				g, w := got.Metrics[j], want.Metrics[j]
				if !slices.Equal(g.Cells, w.Cells) || !slices.Equal(g.Best, w.Best) || !slices.Equal(g.Effects, w.Effects) {
					t.Errorf("%s reads differently", g.Def.Key)
				}
				for k := range got.Points {
					if !slices.Equal(g.Tied(k), w.Tied(k)) {
						t.Errorf("%s: tied at point %d", g.Def.Key, k)
					}
				}
			}
			if !slices.Equal(got.Here, want.Here) || !slices.Equal(got.Parameters[0].Text, want.Parameters[0].Text) {
				t.Error("points or design read differently")
			}
		})
	}
}

// Small sensitivity experiments: a Morris screen (common streams) and a
// Saltelli design with independent streams and second-order indices, each
// with an inert parameter (grit is not run).
const (
	smallMorris = `
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
	smallSaltelli = `
scenario = "default"
policies = ["phased-snapback", "reciprocal"]
metrics = ["durable_agreement", "humanitarian_shortfall"]
replications = 10
design = "saltelli"
samples = 16
streams = "independent"
second_order = true
[[parameters]]
key = "verifier.quality"
[[parameters]]
key = "target.commitment_alpha"
[[parameters]]
key = "policy.grit.step"
`
)

// sensitivityByHand reads sensitivity.csv with encoding/csv.
func sensitivityByHand(t testing.TB, dir string) []results.SensitivityRow {
	t.Helper()
	col, recs := readTableByHand(t, filepath.Join(dir, results.SensitivityCSV))
	var out []results.SensitivityRow
	for _, r := range recs {
		f := func(name string) float64 { return parse(t, r[col[name]]) }
		out = append(out, results.SensitivityRow{Metric: r[col["metric"]], Policy: r[col["policy"]], Versus: r[col["versus"]],
			Parameter: r[col["parameter"]], Parameter2: r[col["parameter2"]], Index: r[col["index"]],
			Estimate: f("estimate"), CI95: [2]float64{f("ci95_lo"), f("ci95_hi")},
			Uncorrected: f("uncorrected"), UncorrectedCI95: [2]float64{f("uncorrected_ci95_lo"), f("uncorrected_ci95_hi")},
			NoiseShare: f("noise_share"), NoiseFloor: f("noise_floor")})
	}
	return out
}

func sameRow(a, b results.SensitivityRow) bool {
	return a.Metric == b.Metric && a.Policy == b.Policy && a.Versus == b.Versus && a.Parameter == b.Parameter && a.Parameter2 == b.Parameter2 &&
		a.Index == b.Index && same(a.Estimate, b.Estimate) && same(a.CI95[0], b.CI95[0]) && same(a.CI95[1], b.CI95[1]) &&
		same(a.Uncorrected, b.Uncorrected) && same(a.UncorrectedCI95[0], b.UncorrectedCI95[0]) && same(a.UncorrectedCI95[1], b.UncorrectedCI95[1]) &&
		same(a.NoiseShare, b.NoiseShare) && same(a.NoiseFloor, b.NoiseFloor)
}

// The loader keeps every row of sensitivity.csv, whatever metrics it keeps,
// and ranks an output's parameters by an index, largest first; folders of
// other designs have none.
func TestLoadExperimentSensitivity(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, src string
		indices   []string
	}{
		{"morris", smallMorris, []string{results.IndexMuStar, results.IndexMu, results.IndexSigma}},
		{"saltelli", smallSaltelli, []string{results.IndexS1, results.IndexST, results.IndexS2}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := runExperiment(t, c.src)
			run, err := results.LoadExperiment(dir, []string{"durable_agreement"})
			if err != nil {
				t.Fatal(err)
			}
			want := sensitivityByHand(t, dir)
			if len(run.Sensitivity) != len(want) || len(want) == 0 {
				t.Fatalf("%d rows, sensitivity.csv has %d", len(run.Sensitivity), len(want))
			}
			metrics := map[string]bool{}
			indices := map[string]bool{}
			for i, r := range run.Sensitivity {
				if !sameRow(r, want[i]) {
					t.Fatalf("row %d: %+v, sensitivity.csv has %+v", i, r, want[i])
				}
				metrics[r.Metric], indices[r.Index] = true, true
			}
			if len(metrics) < 2 {
				t.Errorf("rows of %d metrics: not only those kept?", len(metrics))
			}
			for _, ix := range c.indices {
				if !indices[ix] {
					t.Errorf("no %s rows", ix)
				}
			}
			// The ranking, by hand: largest first, NaN last, ties in the
			// parameters' order.
			order := map[string]int{}
			for i, p := range run.Manifest.Experiment.Parameters {
				order[p] = i
			}
			main := c.indices[0]
			if c.name == "saltelli" {
				main = results.IndexST
			}
			for _, out := range [][3]string{{"durable_agreement", "phased-snapback", ""}, {"humanitarian_shortfall", "reciprocal", "phased-snapback"}} {
				var sel []results.SensitivityRow
				for _, r := range want {
					if r.Metric == out[0] && r.Policy == out[1] && r.Versus == out[2] && r.Index == main {
						sel = append(sel, r)
					}
				}
				slices.SortStableFunc(sel, func(a, b results.SensitivityRow) int {
					ka, kb := a.Estimate, b.Estimate
					if math.IsNaN(ka) {
						ka = math.Inf(-1)
					}
					if math.IsNaN(kb) {
						kb = math.Inf(-1)
					}
					if ka != kb {
						if ka > kb {
							return -1
						}
						return 1
					}
					return order[a.Parameter] - order[b.Parameter]
				})
				got := run.SensitivityRanking(out[0], out[1], out[2], main)
				if len(got) != 3 || len(sel) != 3 {
					t.Fatalf("%v: %d rows ranked, %d by hand", out, len(got), len(sel))
				}
				for i := range got {
					if !sameRow(got[i], sel[i]) {
						t.Errorf("%v: rank %d is %s, by hand %s", out, i+1, got[i].Parameter, sel[i].Parameter)
					}
				}
			}
		})
	}
	t.Run("factorial", func(t *testing.T) {
		t.Parallel()
		run, err := results.LoadExperiment(runExperiment(t, smallFactorial), nil)
		if err != nil {
			t.Fatal(err)
		}
		if run.Sensitivity != nil || run.SensitivityRanking("durable_agreement", "reciprocal", "", results.IndexST) != nil {
			t.Errorf("a factorial design's sensitivity rows: %v", run.Sensitivity)
		}
	})
}

// The loader refuses a sensitivity.csv changed after the run, missing, or
// holding what the run could not have written, naming the file and line.
func TestLoadExperimentRefusesSensitivity(t *testing.T) {
	t.Parallel()
	dir := runExperiment(t, smallMorris)
	field := func(line, col int, value string) func(t *testing.T, d string) {
		return func(t *testing.T, d string) {
			rewrite(t, d, results.SensitivityCSV, replaceLine(line, func(l string) string {
				f := strings.Split(l, ",")
				f[col] = value
				return strings.Join(f, ",")
			}))
		}
	}
	for _, c := range []struct {
		name  string
		edit  func(t *testing.T, dir string)
		wants []string
	}{
		{"tampered", func(t *testing.T, d string) {
			path := filepath.Join(d, results.SensitivityCSV)
			b, _ := os.ReadFile(path)
			i := bytes.IndexAny(b[len(b)/2:], "123456789") + len(b)/2
			b[i] = '1' + '9' - b[i]
			if b[i] == '5' {
				b[i] = '6'
			}
			os.WriteFile(path, b, 0o644)
		}, []string{results.SensitivityCSV, "SHA-256", "changed after the run"}},
		{"missing", func(t *testing.T, d string) { os.Remove(filepath.Join(d, results.SensitivityCSV)) }, []string{results.SensitivityCSV}},
		{"missing and unrecorded", func(t *testing.T, d string) {
			os.Remove(filepath.Join(d, results.SensitivityCSV))
			editManifest(t, d, func(m *results.Manifest) { delete(m.Files, results.SensitivityCSV) })
		}, []string{results.SensitivityCSV}},
		{"a bad number", field(3, 6, "x1"), []string{"sensitivity.csv:3:", `estimate = "x1"`}},
		{"an unknown policy", field(2, 1, "tit-for-tat"), []string{"sensitivity.csv:2:", `policy "tit-for-tat"`}},
		{"an unknown metric", field(4, 0, "happiness"), []string{"sensitivity.csv:4:", `metric "happiness"`}},
		{"versus not the baseline", field(2, 2, "reciprocal"), []string{"sensitivity.csv:2:", "baseline"}},
		{"an unknown parameter", field(2, 3, "moon_phase"), []string{"sensitivity.csv:2:", `parameter "moon_phase"`}},
		{"another design's index", field(2, 5, "ST"), []string{"sensitivity.csv:2:", `index "ST"`, "morris"}},
		{"a second parameter", field(2, 4, "verifier_quality"), []string{"sensitivity.csv:2:", "parameter2"}},
		{"a row twice", func(t *testing.T, d string) {
			rewrite(t, d, results.SensitivityCSV, func(b []byte) []byte {
				lines := strings.SplitAfter(string(b), "\n")
				return []byte(strings.Join(lines[:3], "") + lines[2] + strings.Join(lines[3:], ""))
			})
		}, []string{"sensitivity.csv:4:", "second row"}},
		{"another header", func(t *testing.T, d string) {
			rewrite(t, d, results.SensitivityCSV, replaceLine(1, func(l string) string { return strings.Replace(l, "noise_floor", "floor", 1) }))
		}, []string{results.SensitivityCSV, "header"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			d := copyFolder(t, dir)
			c.edit(t, d)
			_, err := results.LoadExperiment(d, []string{"durable_agreement"})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if !strings.Contains(err.Error(), d) {
				t.Errorf("error %q does not name the folder", err)
			}
		})
	}
	// A sensitivity.csv in a folder whose manifest does not record it.
	d := runExperiment(t, smallFactorial)
	b, err := os.ReadFile(filepath.Join(dir, results.SensitivityCSV))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(d, results.SensitivityCSV), b, 0o644)
	if _, err := results.LoadExperiment(d, nil); err == nil || !strings.Contains(err.Error(), "records no such file") {
		t.Errorf("an unrecorded sensitivity.csv: %v", err)
	}
}

// A folder being written has its sensitivity.csv read when it has one.
func TestFolderLoadExperimentSensitivity(t *testing.T) {
	t.Parallel()
	src := runExperiment(t, smallMorris)
	f, err := results.CreateFolder(filepath.Join(t.TempDir(), "writing"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	for _, name := range []string{"experiment.toml", "scenario.toml", "definitions.json", "design.csv", "points.csv", "best.csv"} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.WriteFile(name, b); err != nil {
			t.Fatal(err)
		}
	}
	run, err := f.LoadExperiment([]string{"durable_agreement"})
	if err != nil || run.Sensitivity != nil {
		t.Fatalf("before sensitivity.csv: %v, %d rows", err, len(run.Sensitivity))
	}
	b, err := os.ReadFile(filepath.Join(src, results.SensitivityCSV))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.WriteFile(results.SensitivityCSV, b); err != nil {
		t.Fatal(err)
	}
	run, err = f.LoadExperiment([]string{"durable_agreement"})
	if err != nil {
		t.Fatal(err)
	}
	if want := sensitivityByHand(t, src); len(run.Sensitivity) != len(want) || !sameRow(run.Sensitivity[0], want[0]) {
		t.Errorf("%d rows, sensitivity.csv has %d", len(run.Sensitivity), len(want))
	}
}
