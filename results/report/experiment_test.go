package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"html"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tranche-sim/tranche/experiment"
	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/results/plots"
	"github.com/tranche-sim/tranche/results/report"
)

const (
	factorialExperiment = `
description = "Does the verifier's quality decide it?"
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
policies = ["phased-snapback", "max-pressure", "big-bang"]
replications = 10
design = "lhs"
samples = 24
objective = "settlement - 0.05*humanitarian_shortfall"
[[parameters]]
key = "verifier.quality"
[[parameters]]
key = "target.commitment_alpha"
distribution = "log-uniform"
`
)

// experimentRun runs an experiment into a new folder and loads it with its
// headline metrics.
func experimentRun(t *testing.T, src string) *results.ExperimentRun {
	t.Helper()
	e, err := experiment.Parse("test.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "experiment")
	if _, err := experiment.Run(context.Background(), e, experiment.Options{Out: dir}); err != nil {
		t.Fatal(err)
	}
	run, err := results.LoadExperiment(dir, results.ExperimentHeadline())
	if err != nil {
		t.Fatal(err)
	}
	return run
}

// experimentReport draws run's figures and writes its report.
func experimentReport(t *testing.T, run *results.ExperimentRun) (string, []plots.Figure) {
	t.Helper()
	figs, err := plots.Experiment(context.Background(), run, t.TempDir(), "png")
	if err != nil {
		t.Fatal(err)
	}
	var rf []report.Figure
	for _, f := range figs {
		rf = append(rf, report.Figure{Name: f.Name, Title: f.Title, Caption: f.Caption, Path: f.Path})
	}
	var b bytes.Buffer
	if err := report.WriteExperiment(&b, run, rf); err != nil {
		t.Fatal(err)
	}
	return b.String(), figs
}

// The report answers first, with the tally's numbers, then shows every
// figure with its caption (wins, maps, sweeps), the parameters and how to
// query the tables, with the answer to the query from this folder.
func TestExperimentReport(t *testing.T) {
	t.Parallel()
	run := experimentRun(t, factorialExperiment)
	page, figs := experimentReport(t, run)
	order := []string{"tranche experiment: test", "Does the verifier&#39;s quality decide it?", "The answer in brief",
		"<strong>Settlement</strong> (higher is better), 6 points.", "<strong>The design.</strong> 6 design points of a full factorial design",
		"Against the baseline", "Which policy is best, and how often", "Best policy on settlement", "Settlement across the parameters",
		"The parameters", "Work with the tables", "How this was made"}
	at := -1
	for _, w := range order {
		i := strings.Index(page, w)
		if i < 0 {
			t.Fatalf("report lacks %q", w)
		}
		if i < at {
			t.Errorf("%q comes too early", w)
		}
		at = i
	}
	if n := strings.Count(page, "<img src=\"data:image/png;base64,"); n != len(figs) || n != 7 {
		t.Errorf("%d images for %d figures", n, len(figs))
	}
	text := html.UnescapeString(page)
	for _, f := range figs {
		for _, s := range []string{f.Title, f.Caption} {
			if !strings.Contains(text, s) {
				t.Errorf("report lacks %q", s)
			}
		}
	}
	// The tally's numbers, policy by policy.
	tl := run.Tally
	for j, metric := range tl.Metrics {
		m, _ := run.Metric(metric)
		n := tl.Points[j]
		if n != 6 {
			t.Fatalf("%s: %d points", metric, n)
		}
		for p, name := range tl.Policies {
			best, either := tl.Clear[j][p]+tl.Best[j][p], tl.Clear[j][p]+tl.Best[j][p]+tl.Tied[j][p]
			if best > 0 {
				want := fmt.Sprintf("<strong>%s</strong> at %d (%.0f%%)", name, best, 100*float64(best)/float64(n))
				if !strings.Contains(page, want) {
					t.Errorf("%s: report lacks %q", metric, want)
				}
			}
			want := fmt.Sprintf("%s at %d (%.0f%%)", name, either, 100*float64(either)/float64(n))
			if either == 0 {
				want = "Never best nor tied with the best: "
			}
			if !strings.Contains(page, want) {
				t.Errorf("%s (%s): report lacks %q", metric, m.Def.Label, want)
			}
		}
	}
	// The query and its answer, counted here from points.csv.
	f, err := os.Open(filepath.Join(run.Dir, "points.csv"))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	count := 0
	for _, r := range recs[1:] {
		if lo, err := strconv.ParseFloat(r[col["diff_ci95_lo"]], 64); err == nil && lo > 0 && r[col["policy"]] == "reciprocal" && r[col["metric"]] == "settlement" {
			count++
		}
	}
	for _, want := range []string{
		`rows = points[(points[&#34;policy&#34;] == &#34;reciprocal&#34;) &amp; (points[&#34;metric&#34;] == &#34;settlement&#34;)]`,
		`better = rows[rows[&#34;diff_ci95_lo&#34;] &gt; 0]`,
		`params = [&#34;verifier_quality&#34;, &#34;target_commitment_alpha&#34;]`,
		fmt.Sprintf("In this folder, at %d of 6 points.", count),
		"<td class=\"text\">verifier.quality</td>", "at levels 0.3, 0.625, 0.95",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if ext := regexp.MustCompile(`(?i)(src|href)\s*=\s*"(https?:|//)`).FindString(page); ext != "" {
		t.Errorf("report refers to the network: %s", ext)
	}
}

// A sampled design with an objective: the objective is a headline metric,
// the design names its ranges and distributions, and there is no map.
func TestExperimentReportSampled(t *testing.T) {
	t.Parallel()
	run := experimentRun(t, lhsExperiment)
	page, figs := experimentReport(t, run)
	for _, want := range []string{"<strong>Objective</strong> (higher is better), 24 points.", "24 design points of a Latin hypercube sample",
		"(target.commitment_alpha) from 0.6 to 2.4, log-uniform", "Objective across the parameters",
		// No reciprocal here: the query asks about the first other policy.
		`points[&#34;policy&#34;] == &#34;max-pressure&#34;`} {
		if !strings.Contains(page, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(page, "Best policy on") || len(figs) != 5 {
		t.Errorf("%d figures; a map for a Latin hypercube?", len(figs))
	}
}

// Everything from the folder is escaped: a description, a parameter's name
// and a caption holding markup show as text.
func TestExperimentReportEscapes(t *testing.T) {
	t.Parallel()
	run := experimentRun(t, factorialExperiment)
	run.Description = `<script>alert("description")</script>`
	run.Parameters[0].Name = `<b onmouseover="x()">quality</b>`
	run.Definitions.Scenario.Description = `</p><script>alert(2)</script>`
	var b bytes.Buffer
	fig := report.Figure{Name: "wins", Title: "<i>wins</i>", Caption: `<img src=x onerror="alert(3)">`, Path: testFigure(t)}
	if err := report.WriteExperiment(&b, run, []report.Figure{fig}); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, bad := range []string{"<script", "<b onmouseover", "<i>wins", "<img src=x"} {
		if strings.Contains(strings.ToLower(page), bad) {
			t.Errorf("report contains %q unescaped", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(&#34;description&#34;)&lt;/script&gt;", "&lt;b onmouseover=&#34;x()&#34;&gt;quality&lt;/b&gt;", "&lt;img src=x"} {
		if !strings.Contains(page, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

func TestExperimentReportErrors(t *testing.T) {
	t.Parallel()
	if err := report.WriteExperiment(&bytes.Buffer{}, nil, nil); err == nil {
		t.Error("no error for no experiment")
	}
	run := experimentRun(t, factorialExperiment)
	missing := filepath.Join(t.TempDir(), "missing.png")
	err := report.WriteExperiment(&bytes.Buffer{}, run, []report.Figure{{Name: "wins", Title: "The wins", Path: missing}})
	if err == nil || !strings.Contains(err.Error(), "The wins") || !strings.Contains(err.Error(), "missing.png") {
		t.Errorf("a missing figure: %v", err)
	}
}

// Small sensitivity experiments, each with an inert parameter (grit is
// not run): a Morris screen on common streams, and Sobol' indices on
// independent streams (corrected for noise).
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
replications = 40
design = "saltelli"
samples = 16
streams = "independent"
[[parameters]]
key = "verifier.quality"
[[parameters]]
key = "target.commitment_alpha"
[[parameters]]
key = "target.learning_rate"
[[parameters]]
key = "policy.grit.step"
`
)

// sensRow is a row of sensitivity.csv, read by hand.
type sensRow struct {
	metric, policy, versus, parameter, index string
	est, lo, floor                           float64
}

func readSensitivity(t *testing.T, dir string) []sensRow {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "sensitivity.csv"))
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
	num := func(s string) float64 {
		if s == "" {
			return math.NaN()
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	var out []sensRow
	for _, r := range recs[1:] {
		out = append(out, sensRow{r[col["metric"]], r[col["policy"]], r[col["versus"]], r[col["parameter"]], r[col["index"]],
			num(r[col["estimate"]]), num(r[col["ci95_lo"]]), num(r[col["noise_floor"]])})
	}
	return out
}

// topByHand returns an output's parameter with the largest index, and
// how many of its parameters cannot be told from no effect (95% interval
// not above 0, or above the noise floor for mu*).
func topByHand(rows []sensRow, metric, policy, versus, index string) (string, int, int) {
	top, best, none, n := "", math.Inf(-1), 0, 0
	for _, r := range rows {
		if r.metric != metric || r.policy != policy || r.versus != versus || r.index != index {
			continue
		}
		n++
		if !(r.lo > max(r.floor, 0)) {
			none++
		}
		if r.est > best {
			top, best = r.parameter, r.est
		}
	}
	return top, none, n
}

// section returns the part of page from the first from to the next of
// the ends after it.
func section(t *testing.T, page, from string, ends ...string) string {
	t.Helper()
	i := strings.Index(page, from)
	if i < 0 {
		t.Fatalf("report lacks %q", from)
	}
	s := page[i+len(from):]
	cut := len(s)
	for _, e := range ends {
		if j := strings.Index(s, e); j >= 0 {
			cut = min(cut, j)
		}
	}
	return s[:cut]
}

// A sensitivity design's report leads, after its design, with what
// decides each headline metric under the baseline and each policy against
// it, then their figures: each section names the top parameter of its
// output as sensitivity.csv ranks it, and says how many parameters cannot
// be told from no effect and what the streams did to noise.
func TestExperimentReportSensitivity(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, src, index, prefix string
		noise                    string
	}{
		{"morris", morrisExperiment, "mu_star", "morris-", "an inert parameter gets exactly 0 and no correction for noise is needed"},
		{"saltelli", saltelliExperiment, "ST", "sobol-", "the indices are corrected for it"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			run := experimentRun(t, c.src)
			page, figs := experimentReport(t, run)
			var sensTitle string
			for _, f := range figs {
				if strings.HasPrefix(f.Name, c.prefix) && sensTitle == "" {
					sensTitle = html.EscapeString(f.Title)
				}
			}
			if sensTitle == "" {
				t.Fatal("no sensitivity figure")
			}
			order := []string{"tranche experiment: test", "<strong>The design.</strong>", "What decides this outcome", c.noise,
				"What decides each policy against the baseline", sensTitle, "The answer in brief", "Which policy is best, and how often", "<h2>The parameters</h2>"}
			at := -1
			for _, w := range order {
				i := strings.Index(page, w)
				if i < 0 {
					t.Fatalf("report lacks %q", w)
				}
				if i < at {
					t.Errorf("%q comes too early", w)
				}
				at = i
			}
			if n := strings.Count(page, "<strong>The design.</strong>"); n != 1 {
				t.Errorf("the design %d times", n)
			}
			rows := readSensitivity(t, run.Dir)
			base := run.Manifest.Baseline
			for _, m := range run.Headline() {
				top, _, n := topByHand(rows, m.Def.Key, base, "", c.index)
				if n == 0 {
					continue
				}
				s := section(t, page, "<h3>"+m.Def.Label+" under "+base+"</h3>", "<h3>", "<h2>")
				if !strings.Contains(s, `<td class="text">`+top+`</td>`) || !strings.Contains(s, "<strong>"+m.Def.Label+"</strong> under the baseline") {
					t.Errorf("%s: the section does not rank %s, sensitivity.csv's top: %s", m.Def.Key, top, s)
				}
				if i, j := strings.Index(s, `<td class="text">`+top+`</td>`), strings.Index(s, `<td>2</td>`); i < 0 || j >= 0 && j < i {
					t.Errorf("%s: %s is not ranked first", m.Def.Key, top)
				}
			}
			first, ranked := run.Headline()[0].Def.Key, 0
			policies := section(t, page, "What decides each policy against the baseline", "<figure>", "<h2>")
			for _, p := range run.Policies() {
				if p == base {
					continue
				}
				top, none, n := topByHand(rows, first, p, base, c.index)
				row := section(t, policies, `<td class="text">`+p+`</td>`, "</tr>")
				if want := fmt.Sprintf("<td>%d of %d</td>", none, n); !strings.Contains(row, want) {
					t.Errorf("%s against %s: lacks %q: %s", p, base, want, row)
				}
				if top == "" { // no index is a number: noise swamps the differences
					continue
				}
				ranked++
				if !strings.HasPrefix(strings.TrimSpace(row), `<td class="text">`+top+`<br>`) {
					t.Errorf("%s against %s: the first parameter is not sensitivity.csv's top, %s: %s", p, base, top, row)
				}
			}
			if ranked == 0 {
				t.Error("no policy's difference has indices")
			}
		})
	}
}

// Names in the sensitivity sections are escaped.
func TestExperimentReportSensitivityEscapes(t *testing.T) {
	t.Parallel()
	run := experimentRun(t, morrisExperiment)
	for i := range run.Sensitivity {
		if run.Sensitivity[i].Parameter == "verifier_quality" {
			run.Sensitivity[i].Parameter = `<i onmouseover="x()">quality</i>`
		}
	}
	var b bytes.Buffer
	if err := report.WriteExperiment(&b, run, nil); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if strings.Contains(page, "<i onmouseover") || !strings.Contains(page, "&lt;i onmouseover=&#34;x()&#34;&gt;quality&lt;/i&gt;") {
		t.Error("a parameter's name is not escaped")
	}
	if !strings.Contains(page, "What decides this outcome") {
		t.Error("no sensitivity section")
	}
}
