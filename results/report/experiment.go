package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/tranche-sim/tranche/internal/shell"
	"github.com/tranche-sim/tranche/results"
)

// WriteExperiment writes the report of an experiment's results folder, with
// its figures (plots.Experiment's), to w as one self-contained HTML page:
// the answer in brief (which policy is best at how many design points, on
// each headline metric), the design, the figures, the parameters and how
// to query the tables. A Morris or Saltelli experiment's report leads,
// after its design, with what its sensitivity indices say: what decides
// each headline metric under the baseline, what decides each policy
// against the baseline, and their figures (morris-METRIC, sobol-METRIC).
func WriteExperiment(w io.Writer, run *results.ExperimentRun, figures []Figure) error {
	if run == nil || run.Manifest.Experiment == nil {
		return fmt.Errorf("report: no experiment")
	}
	x := run.Manifest.Experiment
	page := experimentPage{
		Run:      run,
		Title:    run.Name,
		Design:   designSentence(run),
		Brief:    brief(run),
		Versus:   versusTable(run),
		Params:   paramTable(run),
		Manifest: experimentManifest(run),
		TOML:     string(run.Scenario),
		Source:   string(run.Source),
	}
	if page.Title == "" {
		page.Title = x.Name
	}
	if x.ShardCount > 0 {
		page.Shard = fmt.Sprintf("This folder is shard %d of %d: it holds points %d to %d of the experiment's %d; tranche merge combines the shards.",
			x.ShardIndex, x.ShardCount, x.FirstPoint, x.FirstPoint+x.PointsHere-1, x.Points)
	}
	for _, name := range run.Policies() {
		summary := "a policy of this experiment"
		if p, ok := run.Definitions.Policy(name); ok && p.Summary != "" {
			summary = p.Summary
		}
		page.Policies = append(page.Policies, [2]string{name, summary})
	}
	page.Snippet, page.SnippetNote = snippet(run)
	var sensFigs []figure
	for _, f := range orderFigures(figures) {
		src, err := dataURI(f.Path)
		if err != nil {
			return fmt.Errorf("report: figure %s: %w", f.Title, err)
		}
		if sensitivityFigure(f.Name) {
			sensFigs = append(sensFigs, figure{f.Title, f.Caption, src})
			continue
		}
		page.Figures = append(page.Figures, figure{f.Title, f.Caption, src})
	}
	page.Sens = sensitivity(run, sensFigs)
	if page.Sens == nil {
		page.Figures = append(sensFigs, page.Figures...)
	}
	if err := experimentTmpl.Execute(w, page); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// experimentPage is what the experiment's page shows.
type experimentPage struct {
	Run         *results.ExperimentRun
	Title       string
	Shard       string
	Design      []segment
	Brief       [][]segment
	Versus      table
	Policies    [][2]string
	Figures     []figure
	Params      table
	Snippet     string
	SnippetNote []segment
	Manifest    [][2]string
	TOML        string
	Source      string
	// Sens is what the sensitivity indices say (nil without them).
	Sens *sensSection
}

// segment is a piece of a sentence, bold or not: sentences are built from
// them so that the template escapes every name in them.
type segment struct {
	Text string
	Bold bool
}

// sentence builds segments: strings are plain, bold(s) is bold.
func sentence(parts ...any) []segment {
	var out []segment
	for _, p := range parts {
		switch v := p.(type) {
		case segment:
			out = append(out, v)
		case []segment:
			out = append(out, v...)
		default:
			out = append(out, segment{Text: fmt.Sprint(v)})
		}
	}
	return out
}

func bold(s string) segment { return segment{Text: s, Bold: true} }

// sensitivityFigure reports whether a figure shows sensitivity indices.
func sensitivityFigure(name string) bool {
	return strings.HasPrefix(name, "morris-") || strings.HasPrefix(name, "sobol-")
}

// orderFigures puts the figures in the report's order: the sensitivity
// figures, the wins, the maps, the sweeps, then any others, each group in
// the order given.
func orderFigures(figs []Figure) []Figure {
	rank := func(name string) int {
		switch {
		case sensitivityFigure(name):
			return -1
		case name == "wins":
			return 0
		case strings.HasPrefix(name, "map-"):
			return 1
		case strings.HasPrefix(name, "sweep-"):
			return 2
		}
		return 3
	}
	out := append([]Figure(nil), figs...)
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i].Name) < rank(out[j].Name) })
	return out
}

// metricName names a metric in words.
func metricName(m *results.ExperimentMetric) string {
	if m.Def.Label != "" {
		return m.Def.Label
	}
	return m.Def.Key
}

func direction(m *results.ExperimentMetric) string {
	switch m.Def.Better {
	case 1:
		return "higher is better"
	case -1:
		return "lower is better"
	}
	return "no better direction"
}

// share formats count of total as "n (p%)".
func share(n, total int) string {
	if total == 0 {
		return fmt.Sprint(n)
	}
	return fmt.Sprintf("%d (%s)", n, pct(float64(n)/float64(total)))
}

// pct formats a share as a percentage with no more digits than it needs.
func pct(x float64) string {
	switch {
	case x > 0 && x < 0.005:
		return "<1%"
	case x < 1 && x > 0.995:
		return ">99%"
	}
	return fmt.Sprintf("%.0f%%", x*100)
}

// brief says, for each headline metric, which policies are best at how
// many points, clearly and with ties, from the tally of best.csv.
func brief(run *results.ExperimentRun) [][]segment {
	t := run.Tally
	var out [][]segment
	if t == nil {
		return nil
	}
	for _, m := range run.Headline() {
		j := -1
		for i, k := range t.Metrics {
			if k == m.Def.Key {
				j = i
			}
		}
		if j < 0 || t.Points[j] == 0 {
			continue
		}
		n := t.Points[j]
		type row struct {
			p, best, clearly, either int
		}
		var rows []row
		totalClear := 0
		for p := range t.Policies {
			rows = append(rows, row{p, t.Clear[j][p] + t.Best[j][p], t.Clear[j][p], t.Clear[j][p] + t.Best[j][p] + t.Tied[j][p]})
			totalClear += t.Clear[j][p]
		}
		list := func(count func(row) int, less func(a, b row) bool, boldNames bool) []segment {
			rs := append([]row(nil), rows...)
			sort.SliceStable(rs, func(a, b int) bool { return less(rs[a], rs[b]) })
			var out []segment
			for _, r := range rs {
				if count(r) == 0 {
					continue
				}
				if len(out) > 0 {
					out = append(out, segment{Text: ", "})
				}
				name := segment{Text: t.Policies[r.p], Bold: boldNames}
				out = append(out, name, segment{Text: " at " + share(count(r), n)})
			}
			return out
		}
		byBest := func(a, b row) bool { return a.best > b.best || (a.best == b.best && a.clearly > b.clearly) }
		s := sentence(bold(metricName(m)), fmt.Sprintf(" (%s), %d points. Best: ", direction(m), n), list(func(r row) int { return r.best }, byBest, true), ".")
		if totalClear == 0 {
			s = append(s, segment{Text: " At no point is the best clear: everywhere, other policies cannot be told apart from it."})
		} else {
			s = append(s, segment{Text: fmt.Sprintf(" The best is clear (no other policy tied with it) at %s of the points: ", share(totalClear, n))})
			s = append(s, list(func(r row) int { return r.clearly }, func(a, b row) bool { return a.clearly > b.clearly }, false)...)
			s = append(s, segment{Text: "."})
		}
		s = append(s, segment{Text: " Best or tied with the best: "})
		s = append(s, list(func(r row) int { return r.either }, func(a, b row) bool { return a.either > b.either }, false)...)
		s = append(s, segment{Text: "."})
		var never []string
		for _, r := range rows {
			if r.either == 0 {
				never = append(never, t.Policies[r.p])
			}
		}
		if len(never) > 0 {
			s = append(s, segment{Text: " Never best nor tied with the best: " + strings.Join(never, ", ") + "."})
		}
		out = append(out, s)
	}
	return out
}

// maxDesignParams is the most parameters the design's sentence describes
// one by one; beyond, the table of the parameters does.
const maxDesignParams = 12

// designSentence describes the design: points, parameters and their
// ranges or levels, replications and streams.
func designSentence(run *results.ExperimentRun) []segment {
	x := run.Manifest.Experiment
	m := &run.Manifest
	var design string
	switch x.Design {
	case "factorial":
		design = "a full factorial design (every combination of the levels)"
	case "lhs":
		design = "a Latin hypercube sample"
	case "sobol":
		design = "a Sobol' sequence (a low-discrepancy sample)"
	case "morris":
		design = "Morris's elementary-effects design"
		if d := len(run.Parameters); d > 0 && run.Points%(d+1) == 0 {
			design += fmt.Sprintf(" (%d trajectories of %d points, each step moving one parameter)", run.Points/(d+1), d+1)
		}
	case "saltelli":
		design = "Saltelli's scheme for Sobol' indices"
		d := len(run.Parameters)
		per := d + 2 // A, B and an AB matrix per parameter
		for _, r := range run.Sensitivity {
			if r.Index == results.IndexS2 {
				per = 2*d + 2 // and a BA matrix per parameter
				break
			}
		}
		if d > 0 && run.Points%per == 0 {
			design += fmt.Sprintf(" (%d base samples, %d points each)", run.Points/per, per)
		}
	default:
		design = "a " + x.Design + " design"
	}
	s := sentence(fmt.Sprintf("%d design points of %s over %d parameters: ", run.Points, design, len(run.Parameters)))
	if len(run.Parameters) > maxDesignParams {
		s = append(s, segment{Text: "each over its range or levels, as the table of the parameters below lists them"})
	}
	for i := range run.Parameters {
		if len(run.Parameters) > maxDesignParams {
			break
		}
		p := &run.Parameters[i]
		if i > 0 {
			s = append(s, segment{Text: "; "})
		}
		s = append(s, bold(p.Name), segment{Text: " (" + p.Key + ") " + values(p)})
	}
	s = append(s, segment{Text: fmt.Sprintf(". At every point, each of the %d policies ran %d replications", len(m.Policies), m.Replications)})
	switch x.Streams {
	case "common":
		s = append(s, segment{Text: fmt.Sprintf(" on the same random streams (seed %d): every point and every policy faced the same random histories, so differences between policies and between points are paired.", m.Seed)})
	case "independent":
		s = append(s, segment{Text: fmt.Sprintf(" on the same random streams within a point (so differences between policies are paired), independent from point to point (seed %d).", m.Seed)})
	default:
		s = append(s, segment{Text: fmt.Sprintf(" (streams %s, seed %d).", x.Streams, m.Seed)})
	}
	if len(run.Here) != run.Points {
		s = append(s, segment{Text: fmt.Sprintf(" This folder has results for %d of the points.", len(run.Here))})
	}
	return s
}

// values describes a parameter's values.
func values(p *results.ExperimentParameter) string {
	switch {
	case p.Levels != nil && len(p.Levels) <= 12:
		return "at levels " + strings.Join(p.Levels, ", ")
	case p.Levels != nil:
		return fmt.Sprintf("at %d levels, %s to %s", len(p.Levels), p.Levels[0], p.Levels[len(p.Levels)-1])
	}
	d := ""
	if p.Distribution != "" {
		d = ", " + p.Distribution
	}
	return fmt.Sprintf("from %s to %s%s", strconv.FormatFloat(p.Range[0], 'g', 6, 64), strconv.FormatFloat(p.Range[1], 'g', 6, 64), d)
}

// versusTable counts, for each policy and headline metric, the points
// where the policy is better and worse than the baseline (the 95% interval
// of the paired difference on one side of zero).
func versusTable(run *results.ExperimentRun) table {
	base := run.Baseline()
	ms := run.Headline()
	if base < 0 || len(ms) == 0 || len(run.Policies()) < 2 || len(run.Here) == 0 {
		return table{}
	}
	t := table{Head: []cell{text("policy")},
		Note: fmt.Sprintf("Design points where the policy is better, and where it is worse, than the baseline %s (of %d points): the 95%% interval of the paired difference, policy minus baseline on the same replications, lies wholly on the better or the worse side of zero. At the remaining points the data cannot tell. These intervals are not corrected for multiple comparisons: across many points, a few are on one side by chance.",
			run.Manifest.Baseline, len(run.Here))}
	for _, m := range ms {
		t.Head = append(t.Head, cell{Main: metricName(m), Sub: m.Def.Key})
	}
	np := len(run.Policies())
	for p, name := range run.Policies() {
		if p == base {
			continue
		}
		row := []cell{text(name)}
		for _, m := range ms {
			up, down := 0, 0
			for _, k := range run.Here {
				switch m.Cells[k*np+p].Versus {
				case 1:
					up++
				case -1:
					down++
				}
			}
			better, worse := up, down
			if m.Def.Better < 0 {
				better, worse = down, up
			}
			if m.Def.Better == 0 {
				row = append(row, cell{Main: fmt.Sprintf("higher at %d", up), Sub: fmt.Sprintf("lower at %d", down)})
				continue
			}
			row = append(row, cell{Main: fmt.Sprintf("better at %d", better), Sub: fmt.Sprintf("worse at %d", worse)})
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// paramTable lists the parameters.
func paramTable(run *results.ExperimentRun) table {
	t := table{Head: []cell{text("column"), text("scenario key"), text("type"), text("values")},
		Note: "The column is the parameter's name in design.csv, points.csv, best.csv and effects.csv; the scenario key is what it sets (tranche params describes each)."}
	for i := range run.Parameters {
		p := &run.Parameters[i]
		t.Rows = append(t.Rows, []cell{text(p.Name), text(p.Key), text(p.Type), text(values(p))})
	}
	return t
}

// snippet is a pandas snippet answering "where does one policy beat the
// baseline on one metric", for this folder's policies, metrics and
// columns, and the answer this folder gives.
func snippet(run *results.ExperimentRun) (string, []segment) {
	pols := run.Policies()
	base := run.Baseline()
	if base < 0 || len(pols) < 2 || len(run.Metrics) == 0 {
		return "", nil
	}
	p := -1
	for i, name := range pols {
		if name == "reciprocal" && i != base {
			p = i
		}
	}
	if p < 0 {
		p = (base + 1) % len(pols)
	}
	m := run.Headline()
	var metric *results.ExperimentMetric
	for _, c := range m {
		if c.Def.Key == "settlement" {
			metric = c
		}
	}
	if metric == nil && len(m) > 0 {
		metric = m[0]
	}
	if metric == nil {
		metric = &run.Metrics[0]
	}
	test, word := `rows["diff_ci95_lo"] > 0`, "above"
	want := int8(1)
	if metric.Def.Better < 0 {
		test, word, want = `rows["diff_ci95_hi"] < 0`, "below", -1
	}
	var cols []string
	for _, prm := range run.Parameters {
		cols = append(cols, py(prm.Name))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "import pandas as pd\n\n")
	if run.Manifest.Format == "parquet" {
		fmt.Fprintf(&b, "points = pd.read_parquet(\"points.parquet\")  # or pd.read_csv(\"points.csv\")\n")
	} else {
		fmt.Fprintf(&b, "points = pd.read_csv(\"points.csv\")\n")
	}
	fmt.Fprintf(&b, "rows = points[(points[\"policy\"] == %s) & (points[\"metric\"] == %s)]\n", py(pols[p]), py(metric.Def.Key))
	fmt.Fprintf(&b, "# %s minus %s on the same replications: 95%% interval wholly %s zero\n", comment(pols[p]), comment(pols[base]), word)
	fmt.Fprintf(&b, "better = rows[%s]\n", test)
	fmt.Fprintf(&b, "print(len(better), \"of\", len(rows), \"points\")\n")
	fmt.Fprintf(&b, "# where those points lie, parameter by parameter\n")
	fmt.Fprintf(&b, "params = [%s]\n", strings.Join(cols, ", "))
	fmt.Fprintf(&b, "print(better[params].describe())\n")
	count := 0
	np := len(pols)
	for _, k := range run.Here {
		if metric.Cells[k*np+p].Versus == want {
			count++
		}
	}
	note := sentence("Where does ", bold(pols[p]), " beat the baseline ", bold(pols[base]), " on ", bold(lowerFirst(metricName(metric))),
		fmt.Sprintf(" (%s)? In this folder, at %d of %d points. ", direction(metric), count, len(run.Here)))
	if run.Manifest.Experiment.Design == "factorial" {
		note = append(note, segment{Text: "effects.csv has, for each level of each parameter, the paired difference from the parameter's first level with the other parameters held; "})
	}
	note = append(note, segment{Text: "best.csv names the best policy at each point and, in tied, those that cannot be told apart from it. points.csv can be large: pd.read_csv(..., usecols=[...]) or DuckDB (SELECT ... FROM 'points.csv') read only what a question needs."})
	return b.String(), note
}

// py returns s as a Python string literal (JSON's escapes are Python's).
func py(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return strings.TrimSpace(b.String())
}

// comment makes s safe in a Python comment.
func comment(s string) string { return strings.NewReplacer("\n", " ", "\r", " ").Replace(s) }

// lowerFirst returns s with its first letter in lower case, unless its
// second is upper case too (an acronym).
func lowerFirst(s string) string {
	if len(s) < 2 || s[0] < 'A' || s[0] > 'Z' || (s[1] >= 'A' && s[1] <= 'Z') {
		return s
	}
	return string(s[0]-'A'+'a') + s[1:]
}

// experimentManifest lists how the folder was made.
func experimentManifest(run *results.ExperimentRun) [][2]string {
	m := &run.Manifest
	x := m.Experiment
	rows := [][2]string{
		{"tool", strings.TrimSpace(m.Tool + " " + m.Version)},
		{"Go", m.GoVersion + " (" + m.GOARCH + ")"},
		{"experiment", x.Name},
		{"scenario", m.Scenario},
		{"scenario SHA-256", m.ScenarioSHA256},
		{"design", x.Design},
		{"design points", fmt.Sprint(x.Points)},
		{"streams", x.Streams},
		{"seed", fmt.Sprint(m.Seed)},
		{"replications per policy and point", fmt.Sprint(m.Replications)},
		{"baseline", m.Baseline},
	}
	if m.Rounds > 0 {
		rows = append(rows, [2]string{"rounds", fmt.Sprintf("%d of %d months", m.Rounds, m.MonthsPerRound)})
	}
	if m.Objective != "" {
		rows = append(rows, [2]string{"objective", m.Objective})
	}
	if x.MergedShards > 0 {
		rows = append(rows, [2]string{"merged from", fmt.Sprintf("%d shards", x.MergedShards)})
	}
	if len(m.CommandLine) > 0 {
		rows = append(rows, [2]string{"command line", shell.Join(m.CommandLine)})
	}
	if !m.Start.IsZero() {
		rows = append(rows, [2]string{"started", m.Start.Format("2006-01-02 15:04:05 MST")})
	}
	if m.ElapsedSeconds > 0 && !math.IsInf(m.ElapsedSeconds, 0) {
		rows = append(rows, [2]string{"elapsed", fmt.Sprintf("%.2f s", m.ElapsedSeconds)})
	}
	return rows
}

var experimentTmpl = template.Must(template.New("experiment").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tranche experiment: {{.Title}}</title>
<style>
body { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; color: #222; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.3rem; margin-top: 2.2rem; border-bottom: 1px solid #ccc; padding-bottom: 0.2rem; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.6rem 0; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
th { background: #f2f2f2; text-align: left; }
td.text { text-align: left; white-space: normal; }
.sub { font-size: 0.75rem; color: #666; }
.note { font-size: 0.85rem; color: #555; }
.lead { font-size: 1.05rem; }
.scroll { overflow-x: auto; }
ul.brief li { margin-bottom: 0.5rem; }
figure { margin: 1.5rem 0; }
figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: 0.9rem; color: #444; margin-top: 0.3rem; }
pre { background: #f7f7f7; padding: 0.8rem; overflow-x: auto; font-size: 0.8rem; }
details summary { cursor: pointer; margin: 0.5rem 0; }
</style>
</head>
<body>
<h1>tranche experiment: {{.Title}}</h1>
{{with .Run.Description}}<p class="lead">{{.}}</p>
{{end}}<p class="note">Scenario {{.Run.Manifest.Scenario}}: {{len .Run.Manifest.Policies}} policies compared at each of {{.Run.Points}} design points, {{.Run.Manifest.Replications}} replications each. Everything on this page comes from the results folder; the page needs no network and no scripts.</p>
{{with .Shard}}<p><strong>{{.}}</strong></p>
{{end}}{{with .Sens}}<p><strong>The design.</strong> {{template "sentence" $.Design}}</p>
<h2>What decides this outcome</h2>
<p>{{template "sentence" .Intro}}</p>
{{range .Outcomes}}<h3>{{.Title}}</h3>
<p>{{template "sentence" .Sentence}}</p>
{{template "table" .Table}}
{{end}}{{if .Policies.Rows}}<h2>What decides each policy against the baseline</h2>
<p>{{template "sentence" .Versus}}</p>
{{template "table" .Policies}}
{{end}}{{with .Note}}<p class="note">{{template "sentence" .}}</p>
{{end}}{{range .Figures}}<figure>
<img src="{{.Src}}" alt="{{.Title}}">
<figcaption><strong>{{.Title}}.</strong> {{.Caption}}</figcaption>
</figure>
{{end}}{{end}}
<h2>The answer in brief</h2>
{{if .Brief}}<ul class="brief">
{{range .Brief}}<li>{{template "sentence" .}}</li>
{{end}}</ul>
<p class="note">At each design point, the best policy is the one with the best mean over the replications; another policy "cannot be told apart" from it when their paired difference has a Holm-adjusted p of 0.05 or more (adjusted over every pair of policies at that point). "Clearly best" means no other policy is tied with it. These are statements about Monte Carlo error at each point, not about whether the scenario's assumptions are right.</p>
{{else}}<p>The folder has no best policy for the headline metrics.</p>
{{end}}{{if not .Sens}}<p><strong>The design.</strong> {{template "sentence" .Design}}</p>
{{end}}{{if .Versus.Rows}}<h3>Against the baseline</h3>
{{template "table" .Versus}}
{{end}}
<h2>Figures</h2>
{{range .Figures}}<figure>
<img src="{{.Src}}" alt="{{.Title}}">
<figcaption><strong>{{.Title}}.</strong> {{.Caption}}</figcaption>
</figure>
{{else}}<p>No figures.</p>
{{end}}
<h2>The parameters</h2>
{{template "table" .Params}}

<h2>The policies</h2>
<ul>
{{range .Policies}}<li><strong>{{index . 0}}</strong>: {{index . 1}}</li>
{{end}}</ul>
<p>The baseline, which points.csv's diff columns compare the others with, is <strong>{{.Run.Manifest.Baseline}}</strong>.</p>

{{if .Snippet}}<h2>Work with the tables</h2>
<p>points.csv has a row per design point, policy and metric, with the parameters' values as columns, the policy's mean and 95% interval, and its paired difference from the baseline (diff, diff_ci95_lo, diff_ci95_hi). For example, with pandas:</p>
<pre>{{.Snippet}}</pre>
<p class="note">{{template "sentence" .SnippetNote}}</p>
{{end}}
<h2>The scenario</h2>
{{with .Run.Definitions.Scenario.Description}}<p>{{.}}</p>
{{end}}{{range .Run.Definitions.Scenario.Overview}}<p>{{.}}</p>
{{end}}<details><summary>The base scenario as TOML (scenario.toml)</summary>
<pre>{{.TOML}}</pre>
</details>
{{if .Source}}<details><summary>The experiment resolved, as TOML (experiment.toml: tranche explore repeats it)</summary>
<pre>{{.Source}}</pre>
</details>
{{end}}
<h2>How this was made</h2>
<table>
{{range .Manifest}}<tr><th>{{index . 0}}</th><td style="text-align:left; white-space:normal">{{index . 1}}</td></tr>
{{end}}</table>
</body>
</html>
{{define "sentence"}}{{range .}}{{if .Bold}}<strong>{{.Text}}</strong>{{else}}{{.Text}}{{end}}{{end}}{{end}}
{{define "table"}}<div class="scroll"><table>
<tr>{{range .Head}}<th>{{.Main}}{{if .Sub}}<br><span class="sub">{{.Sub}}</span>{{end}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td{{if .Text}} class="text"{{end}}>{{.Main}}{{if .Sub}}<br><span class="sub">{{.Sub}}</span>{{end}}</td>{{end}}</tr>
{{end}}</table></div>
{{if .Note}}<p class="note">{{.Note}}</p>{{end}}
{{end}}`))

// The sensitivity sections of a Morris or Saltelli experiment's report.

// Numbers of parameters the sensitivity sections name.
const (
	sensTop       = 8 // rows of an outcome's table
	sensPolicyTop = 3 // parameters per policy against the baseline
	sensListed    = 6 // parameters named among those that cannot be told from none
)

// sensSection is what the report says of a folder's sensitivity indices.
type sensSection struct {
	Intro    []segment
	Outcomes []sensOutcome
	Versus   []segment
	Policies table
	Note     []segment
	Figures  []figure
}

// sensOutcome is what decides one headline metric under the baseline.
type sensOutcome struct {
	Title    string
	Sentence []segment
	Table    table
}

// sensIndex describes the main and companion index of a design.
type sensIndex struct {
	design          string
	main, companion string // sensitivity.csv's index names
	mainW           string // the main index's name in the report
	floorAware      bool   // told apart from none only above the noise floor (Morris)
	corrected       bool   // estimates corrected for replication noise
	independent     bool
	params          int
	keys            map[string]string
	run             *results.ExperimentRun
}

func newSensIndex(run *results.ExperimentRun) *sensIndex {
	x := run.Manifest.Experiment
	s := &sensIndex{design: x.Design, run: run, params: len(run.Parameters), keys: map[string]string{}, independent: x.Streams == "independent"}
	for _, p := range run.Parameters {
		s.keys[p.Name] = p.Key
	}
	switch x.Design {
	case "morris":
		s.main, s.companion, s.mainW, s.floorAware = results.IndexMuStar, results.IndexSigma, "μ*", true
	case "saltelli":
		s.main, s.companion, s.mainW, s.corrected = results.IndexST, results.IndexS1, "ST", s.independent
	}
	return s
}

// num3 formats an index.
func num3(x float64) string {
	switch {
	case math.IsNaN(x):
		return "n/a"
	case math.IsInf(x, 1):
		return "+∞"
	case math.IsInf(x, -1):
		return "−∞"
	}
	return strconv.FormatFloat(x, 'g', 3, 64)
}

// interval formats a 95% interval.
func interval(ci [2]float64) string {
	if math.IsNaN(ci[0]) || math.IsNaN(ci[1]) {
		return ""
	}
	return num3(ci[0]) + " to " + num3(ci[1])
}

// toldApart reports whether a row's effect can be told from none: its 95%
// interval lies above 0 (above the noise floor, for Morris's μ*).
func (s *sensIndex) toldApart(r results.SensitivityRow) bool {
	floor := 0.0
	if s.floorAware && r.NoiseFloor > 0 {
		floor = r.NoiseFloor
	}
	return !math.IsNaN(r.CI95[0]) && r.CI95[0] > floor
}

// noiseWords says how much of an output's variance is replication noise.
func noiseWords(share float64) string {
	switch {
	case math.IsNaN(share) || math.IsInf(share, 0):
		return ""
	case share > 1:
		return fmt.Sprintf("Replication noise is as large as all of its variance across the design points (noise share %s): the differences between points are within noise.", pct(share))
	}
	return fmt.Sprintf("Replication noise is %s of its variance across the design points.", pct(share))
}

// sensitivity makes the sensitivity sections (nil without indices).
func sensitivity(run *results.ExperimentRun, figs []figure) *sensSection {
	x := run.Manifest.Experiment
	if len(run.Sensitivity) == 0 || x == nil || !results.SensitivityDesign(x.Design) {
		return nil
	}
	s := newSensIndex(run)
	sec := &sensSection{Figures: figs}
	base := run.Manifest.Baseline
	switch s.design {
	case "morris":
		sec.Intro = sentence("From sensitivity.csv: Morris's elementary effects of the ", fmt.Sprint(s.params),
			" parameters. μ* is the mean absolute change in an outcome when one parameter alone moves (scaled to the parameter's whole range): the larger, the more the parameter decides the outcome. σ, the spread of those changes, is large where the parameter acts through interactions or non-linearly. ")
	default:
		sec.Intro = sentence("From sensitivity.csv: Sobol' indices of the ", fmt.Sprint(s.params),
			" parameters. ST, the total index, is the share of an outcome's variance across the parameters' ranges that involves the parameter, alone or with others; S1, the first-order index, the share it explains alone. ")
	}
	switch {
	case !s.independent:
		sec.Intro = append(sec.Intro, segment{Text: "Every design point shares its replications (common streams): replication noise does not reach the differences between points, so an inert parameter gets exactly 0 and no correction for noise is needed."})
	case s.corrected:
		sec.Intro = append(sec.Intro, segment{Text: "Each design point has its own replications (independent streams), so replication noise adds to the outcomes' variance: the indices are corrected for it (sensitivity.csv keeps the uncorrected values in its uncorrected columns)."})
	default:
		sec.Intro = append(sec.Intro, segment{Text: "Each design point has its own replications (independent streams), so replication noise gives even an inert parameter a μ* near the noise floor; μ* is not corrected for it, and a parameter is told from no effect only when its 95% interval lies above the floor."})
	}
	if !s.floorAware || !s.independent {
		sec.Intro = append(sec.Intro, segment{Text: " A parameter whose 95% interval reaches 0 cannot be told from no effect."})
	}
	for _, m := range run.Headline() {
		rows := run.SensitivityRanking(m.Def.Key, base, "", s.main)
		if len(rows) == 0 {
			continue
		}
		sec.Outcomes = append(sec.Outcomes, sensOutcome{
			Title:    metricName(m) + " under " + base,
			Sentence: s.outcomeSentence(m, base, rows),
			Table:    s.outcomeTable(m, base, rows),
		})
	}
	if ms := run.Headline(); len(ms) > 0 {
		m := ms[0]
		sec.Policies = s.policyTable(m)
		if len(sec.Policies.Rows) > 0 {
			sec.Versus = sentence("On ", bold(lowerFirst(metricName(m))), " (", direction(m), "), what decides each policy's paired difference from the baseline ", bold(base),
				" (policy minus baseline on the same replications): where it does better or worse than the baseline, and by how much. The parameters with the largest "+s.mainW+", each with its 95% interval.")
		}
	}
	for _, r := range run.Sensitivity {
		if r.Index == results.IndexS2 {
			sec.Note = sentence("sensitivity.csv also holds second-order indices (S2, with parameter2) of every pair of parameters: the share of variance due to their interaction alone.")
			break
		}
	}
	return sec
}

// outcomeSentence names the parameters that decide an output most, and
// those that cannot be told from none.
func (s *sensIndex) outcomeSentence(m *results.ExperimentMetric, base string, rows []results.SensitivityRow) []segment {
	var apart, none []results.SensitivityRow
	for _, r := range rows {
		if s.toldApart(r) {
			apart = append(apart, r)
		} else {
			none = append(none, r)
		}
	}
	out := sentence(bold(metricName(m)), " under the baseline ", bold(base), " (", direction(m), ")")
	if len(apart) == 0 {
		out = append(out, segment{Text: ": no parameter's effect can be told from none."})
	} else {
		out = append(out, segment{Text: " is decided most by "})
		top := apart[:min(3, len(apart))]
		for i, r := range top {
			switch {
			case i == 0:
			case i == len(top)-1:
				out = append(out, segment{Text: " and "})
			default:
				out = append(out, segment{Text: ", "})
			}
			est := num3(r.Estimate)
			if i == 0 {
				est = s.mainW + " " + est
				if iv := interval(r.CI95); iv != "" {
					est += ", 95% interval " + iv
				}
			}
			out = append(out, bold(r.Parameter), segment{Text: " (" + est + ")"})
		}
		out = append(out, segment{Text: "."})
		switch {
		case len(none) == 0:
			out = append(out, segment{Text: fmt.Sprintf(" Every one of the %d parameters can be told from no effect.", len(rows))})
		case len(none) <= sensListed:
			out = append(out, segment{Text: fmt.Sprintf(" %d of the %d parameters cannot be told from no effect: ", len(none), len(rows))})
			out = append(out, nameList(none)...)
			out = append(out, segment{Text: "."})
		default:
			out = append(out, segment{Text: fmt.Sprintf(" %d of the %d parameters cannot be told from no effect; those with the largest %s: ", len(none), len(rows), s.mainW)})
			out = append(out, nameList(none[:sensListed])...)
			out = append(out, segment{Text: fmt.Sprintf(" and %d more.", len(none)-sensListed)})
		}
	}
	if w := noiseWords(rows[0].NoiseShare); w != "" {
		out = append(out, segment{Text: " " + w})
	}
	if s.floorAware && rows[0].NoiseFloor > 0 {
		out = append(out, segment{Text: fmt.Sprintf(" Noise alone gives a μ* of about %s (the noise floor).", num3(rows[0].NoiseFloor))})
	}
	return out
}

// nameList lists parameters' names in bold: "a", "a and b", "a, b and c".
func nameList(rows []results.SensitivityRow) []segment {
	var out []segment
	for i, r := range rows {
		switch {
		case i == 0:
		case i == len(rows)-1:
			out = append(out, segment{Text: " and "})
		default:
			out = append(out, segment{Text: ", "})
		}
		out = append(out, bold(r.Parameter))
	}
	return out
}

// outcomeTable ranks the parameters that decide an output most.
func (s *sensIndex) outcomeTable(m *results.ExperimentMetric, policy string, rows []results.SensitivityRow) table {
	other := map[string]results.SensitivityRow{}
	for _, r := range s.run.SensitivityRanking(m.Def.Key, policy, "", s.companion) {
		other[r.Parameter] = r
	}
	t := table{Head: []cell{text("rank"), text("parameter"), text("scenario key")}}
	switch s.design {
	case "morris":
		t.Head = append(t.Head, cell{Main: "μ*", Sub: "95% interval"}, cell{Main: "σ"})
	default:
		t.Head = append(t.Head, cell{Main: "ST, total", Sub: "95% interval"}, cell{Main: "S1, first order", Sub: "95% interval"})
	}
	t.Head = append(t.Head, text("told from none"))
	for i, r := range rows[:min(sensTop, len(rows))] {
		row := []cell{{Main: fmt.Sprint(i + 1)}, text(r.Parameter), text(s.keys[r.Parameter]), {Main: num3(r.Estimate), Sub: interval(r.CI95)}}
		c, ok := other[r.Parameter]
		switch {
		case !ok:
			row = append(row, cell{Main: "n/a"})
		case s.design == "morris":
			row = append(row, cell{Main: num3(c.Estimate)})
		default:
			row = append(row, cell{Main: num3(c.Estimate), Sub: interval(c.CI95)})
		}
		told := "yes"
		if !s.toldApart(r) {
			told = "no"
		}
		t.Rows = append(t.Rows, append(row, text(told)))
	}
	if len(rows) > sensTop {
		t.Note = fmt.Sprintf("The %d of %d parameters with the largest %s; sensitivity.csv has them all.", sensTop, len(rows), s.mainW)
	}
	return t
}

// policyTable names, for each other policy, the parameters that decide
// its difference from the baseline on metric m.
func (s *sensIndex) policyTable(m *results.ExperimentMetric) table {
	base := s.run.Manifest.Baseline
	t := table{Head: []cell{text("policy")}}
	for i := range sensPolicyTop {
		t.Head = append(t.Head, text([]string{"first", "second", "third"}[i]))
	}
	t.Head = append(t.Head, cell{Main: "cannot be told from none", Sub: "of the parameters"}, cell{Main: "replication noise", Sub: "share of the variance"})
	anyNoise := false
	for _, p := range s.run.Policies() {
		if p == base {
			continue
		}
		rows := s.run.SensitivityRanking(m.Def.Key, p, base, s.main)
		if len(rows) == 0 {
			continue
		}
		row := []cell{text(p)}
		for i := range sensPolicyTop {
			if i >= len(rows) {
				row = append(row, cell{})
				continue
			}
			r := rows[i]
			sub := s.mainW + " " + num3(r.Estimate)
			if iv := interval(r.CI95); iv != "" {
				sub += " (" + iv + ")"
			}
			if !s.toldApart(r) {
				sub += ", not told from none"
			}
			row = append(row, cell{Main: r.Parameter, Sub: sub, Text: true})
		}
		none := 0
		for _, r := range rows {
			if !s.toldApart(r) {
				none++
			}
		}
		noise := "n/a"
		if sh := rows[0].NoiseShare; !math.IsNaN(sh) && !math.IsInf(sh, 0) {
			noise, anyNoise = pct(sh), true
		}
		t.Rows = append(t.Rows, append(row, cell{Main: fmt.Sprintf("%d of %d", none, len(rows))}, cell{Main: noise}))
	}
	if !anyNoise {
		t.Head = t.Head[:len(t.Head)-1]
		for i := range t.Rows {
			t.Rows[i] = t.Rows[i][:len(t.Rows[i])-1]
		}
	}
	return t
}
