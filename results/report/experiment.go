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
// to query the tables.
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
	for _, f := range orderFigures(figures) {
		src, err := dataURI(f.Path)
		if err != nil {
			return fmt.Errorf("report: figure %s: %w", f.Title, err)
		}
		page.Figures = append(page.Figures, figure{f.Title, f.Caption, src})
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

// orderFigures puts the figures in the report's order: the wins, the maps,
// the sweeps, then any others, each group in the order given.
func orderFigures(figs []Figure) []Figure {
	rank := func(name string) int {
		switch {
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
	default:
		design = "a " + x.Design + " design"
	}
	s := sentence(fmt.Sprintf("%d design points of %s over %d parameters: ", run.Points, design, len(run.Parameters)))
	for i := range run.Parameters {
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
		if c.Def.Key == "durable_agreement" {
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
{{end}}
<h2>The answer in brief</h2>
{{if .Brief}}<ul class="brief">
{{range .Brief}}<li>{{template "sentence" .}}</li>
{{end}}</ul>
<p class="note">At each design point, the best policy is the one with the best mean over the replications; another policy "cannot be told apart" from it when their paired difference has a Holm-adjusted p of 0.05 or more (adjusted over every pair of policies at that point). "Clearly best" means no other policy is tied with it. These are statements about Monte Carlo error at each point, not about whether the scenario's assumptions are right.</p>
{{else}}<p>The folder has no best policy for the headline metrics.</p>
{{end}}<p><strong>The design.</strong> {{template "sentence" .Design}}</p>
{{if .Versus.Rows}}<h3>Against the baseline</h3>
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
