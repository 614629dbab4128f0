// Package report writes a results folder as one self-contained HTML page:
// the scenario in words and as TOML, the manifest, the summary and
// comparison tables and every figure with a caption. Images are embedded,
// the page needs no network and no JavaScript.
package report

import (
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tranche-sim/tranche/internal/shell"
	"github.com/tranche-sim/tranche/results"
)

// Figure is a figure to embed: a PNG or SVG file and how to read it. Name
// is the figure's name (plots.Figure's): the trade-off and the paired
// differences open the report, after its headline.
type Figure struct {
	Name, Title, Caption, Path string
}

// leadFigures are the figures shown right after the headline.
func leadFigures() []string { return []string{"tradeoff", "differences"} }

// headlineMetrics are the metrics the headline names a leader for.
func headlineMetrics() []string {
	return []string{"settlement", "breakdown", "capitulation", "stability_index", "humanitarian_shortfall", "leverage_retained"}
}

// KeyMetrics returns the metrics of the main summary table; the full table is
// folded below it.
func KeyMetrics() []string {
	return []string{"settlement", "breakdown", "capitulation", "stalemate", "rounds_to_end", "stability_index", "humanitarian_index", "humanitarian_shortfall", "leverage_retained"}
}

// Write writes the report of run, with figures, to w.
func Write(w io.Writer, run *results.Run, figures []Figure) error {
	page := struct {
		Run      *results.Run
		Headline []template.HTML
		Words    []string
		Policies [][2]string
		Manifest [][2]string
		Key      table
		Full     table
		Compare  table
		Ranking  table
		Pareto   string
		Lead     []figure
		Figures  []figure
		TOML     string
	}{Run: run, Headline: headline(run), Words: describe(run), Manifest: manifest(run), TOML: string(run.Scenario)}
	for _, name := range run.Manifest.Policies {
		summary := "a policy of this study"
		if p, ok := run.Definitions.Policy(name); ok {
			summary = p.Summary
		}
		page.Policies = append(page.Policies, [2]string{name, summary})
	}
	page.Key = summaryTable(run, KeyMetrics())
	var all []string
	if len(run.Summary.Policies) > 0 {
		for _, m := range run.Summary.Policies[0].Metrics {
			all = append(all, m.Key)
		}
	}
	page.Full = summaryTable(run, all)
	if c := run.Comparison; c != nil {
		page.Compare = compareTable(run, c)
		page.Pareto = strings.Join(c.ParetoEfficient, ", ")
		page.Ranking = rankingTable(c)
	}
	for _, f := range figures {
		src, err := dataURI(f.Path)
		if err != nil {
			return fmt.Errorf("report: figure %s: %w", f.Title, err)
		}
		if slices.Contains(leadFigures(), f.Name) {
			page.Lead = append(page.Lead, figure{f.Title, f.Caption, src})
		} else {
			page.Figures = append(page.Figures, figure{f.Title, f.Caption, src})
		}
	}
	return tmpl.Execute(w, page)
}

// label names a metric in words, from the folder's definitions.
func label(run *results.Run, key string) string {
	if m, ok := run.Definitions.Metric(key); ok && m.Label != "" {
		return m.Label
	}
	return key
}

// headline says which policies are best on the key metrics, with their
// intervals, and which cannot be told apart from the best.
func headline(run *results.Run) []template.HTML {
	c := run.Comparison
	if c == nil {
		return nil
	}
	esc := template.HTMLEscapeString
	var out []template.HTML
	for _, key := range headlineMetrics() {
		for _, l := range c.Leaders {
			if l.Metric != key {
				continue
			}
			dir := "lower is better"
			if l.Higher {
				dir = "higher is better"
			}
			line := fmt.Sprintf("<strong>%s</strong> (%s): best <strong>%s</strong>, %s (%s, %s).", esc(label(run, key)), dir, esc(l.Best), num(l.Stats.Mean), num(l.Stats.CI95[0]), num(l.Stats.CI95[1]))
			switch {
			case len(l.Tied) == 0:
				line += " Every other policy is told apart from it."
			case len(l.Tied) == len(l.VsBest):
				line += " No policy can be told apart from it."
			default:
				var tied []string
				for _, p := range l.Tied {
					for _, v := range l.VsBest {
						if v.Policy == p {
							tied = append(tied, fmt.Sprintf("%s (%+.3f)", esc(p), v.MeanDiff))
						}
					}
				}
				line += " Cannot be told apart from it: " + strings.Join(tied, ", ") + "."
			}
			out = append(out, template.HTML(line))
		}
	}
	if len(c.Ranking) > 0 {
		r := c.Ranking[0]
		out = append(out, template.HTML(fmt.Sprintf("<strong>Objective</strong> (%s): best <strong>%s</strong>, %s (%s, %s).",
			esc(c.Objective), esc(r.Policy), num(r.Objective.Mean), num(r.Objective.CI95[0]), num(r.Objective.CI95[1]))))
	}
	if len(c.ParetoEfficient) > 0 {
		out = append(out, template.HTML("<strong>Pareto-efficient</strong> (no other policy is at least as good on more settlements, less humanitarian shortfall and more leverage kept, on means): "+esc(strings.Join(c.ParetoEfficient, ", "))+"."))
	}
	return out
}

type figure struct {
	Title, Caption string
	Src            template.URL
}

type table struct {
	Head []cell
	Rows [][]cell
	Note string
}

// heads returns a table's header: the first column's name, then each
// metric in words with its key below it.
func heads(run *results.Run, first string, keys []string) []cell {
	out := []cell{text(first)}
	for _, k := range keys {
		out = append(out, cell{Main: label(run, k), Sub: k})
	}
	return out
}

// cell is a table cell: a main value and, below it, a smaller one (the
// interval); text cells are left-aligned.
type cell struct {
	Main, Sub string
	Text      bool
}

func text(s string) cell { return cell{Main: s, Text: true} }

// dataURI embeds an image file.
func dataURI(path string) (template.URL, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	mime := "image/png"
	if strings.EqualFold(filepath.Ext(path), ".svg") {
		mime = "image/svg+xml"
	}
	return template.URL("data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(b)), nil
}

// describe says in words what the study was: the scenario as its results
// folder describes it, and how the study ran.
func describe(run *results.Run) []string {
	m := run.Manifest
	sc := run.Definitions.Scenario
	years := float64(m.Rounds*m.MonthsPerRound) / 12
	var words []string
	if sc.Description != "" {
		words = append(words, sc.Description)
	}
	words = append(words, fmt.Sprintf("The study ran %d replications of each of %d policies over %d rounds of %d months (%.3g years), seed %d; every policy faced the same random histories (common random numbers).",
		m.Replications, len(m.Policies), m.Rounds, m.MonthsPerRound, years, m.Seed))
	words = append(words, sc.Overview...)
	words = append(words, "Policies compared (the baseline is "+m.Baseline+"):")
	return words
}

func manifest(run *results.Run) [][2]string {
	m := run.Manifest
	rows := [][2]string{
		{"tool", m.Tool + " " + m.Version},
		{"Go", m.GoVersion + " (" + m.GOARCH + ")"},
		{"scenario", m.Scenario},
		{"scenario SHA-256", m.ScenarioSHA256},
		{"seed", fmt.Sprint(m.Seed)},
		{"replications per policy", fmt.Sprint(m.Replications)},
		{"rounds", fmt.Sprint(m.Rounds)},
		{"baseline", m.Baseline},
		{"command line", shell.Join(m.CommandLine)},
		{"started", m.Start.Format("2006-01-02 15:04:05 MST")},
		{"elapsed", fmt.Sprintf("%.2f s", m.ElapsedSeconds)},
	}
	if m.Objective != "" {
		rows = append(rows, [2]string{"objective", m.Objective})
	}
	if p := m.Precision; p != nil {
		rows = append(rows, [2]string{"precision", fmt.Sprintf("±%g on %s: reached %v with %d replications", p.Epsilon, strings.Join(p.Metrics, ", "), p.Reached, p.Replications)})
	}
	return rows
}

func summaryTable(run *results.Run, keys []string) table {
	t := table{Head: heads(run, "policy", keys), Note: "mean over replications, and below it the 95% confidence interval (and n, the replications that define the metric, where not all do)"}
	for _, p := range run.Summary.Policies {
		row := []cell{text(p.Policy)}
		for _, k := range keys {
			st, ok := p.Metrics.Get(k)
			if !ok || math.IsNaN(st.Mean) {
				row = append(row, cell{Main: "n/a"})
				continue
			}
			sub := "(" + num(st.CI95[0]) + ", " + num(st.CI95[1]) + ")" // a comma: bounds can be negative
			if st.N < run.Manifest.Replications {
				sub += fmt.Sprintf(" n=%d", st.N) // a mean over some replications only
			}
			row = append(row, cell{Main: num(st.Mean), Sub: sub})
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func compareTable(run *results.Run, c *results.ComparisonReport) table {
	keys := []string{"settlement", "breakdown", "humanitarian_shortfall", "leverage_retained"}
	if c.Objective != "" {
		keys = append(keys, "objective")
	}
	t := table{Head: heads(run, "policy", keys),
		Note: "paired difference from " + c.Baseline + " on the same replications (policy minus baseline), with its 95% confidence interval below; * Holm-adjusted p < 0.05"}
	for _, name := range run.Manifest.Policies {
		if name == c.Baseline {
			continue
		}
		row := []cell{text(name)}
		for _, k := range keys {
			cl := cell{Main: "n/a"}
			for _, x := range c.Comparisons {
				if x.Policy == name && x.Metric == k && !math.IsNaN(x.MeanDiff) {
					cl = diffCell(x)
				}
			}
			row = append(row, cl)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func rankingTable(c *results.ComparisonReport) table {
	if len(c.Ranking) == 0 {
		return table{}
	}
	t := table{Head: []cell{text("rank"), text("policy"), text("objective"), text("difference from the best")}, Note: "objective: " + c.Objective + "; 95% confidence intervals below the values; * p < 0.05 Holm-adjusted across all pairs of policies (the best is chosen by the same data); without *, a policy cannot be told apart from the best"}
	for i, r := range c.Ranking {
		vs := cell{Main: "best"}
		if r.VsBest != nil {
			vs = diffCell(*r.VsBest)
		}
		obj := cell{Main: num(r.Objective.Mean), Sub: "(" + num(r.Objective.CI95[0]) + ", " + num(r.Objective.CI95[1]) + ")"}
		t.Rows = append(t.Rows, []cell{{Main: fmt.Sprint(i + 1)}, text(r.Policy), obj, vs})
	}
	return t
}

func diffCell(x results.Comparison) cell {
	c := cell{Main: fmt.Sprintf("%+.3f", x.MeanDiff), Sub: fmt.Sprintf("(%+.3f, %+.3f)", x.CI95[0], x.CI95[1])}
	if x.PHolm < 0.05 {
		c.Main += " *"
	}
	return c
}

// num formats a statistic with three significant decimals.
func num(x float64) string {
	if math.Abs(x) >= 10 {
		return fmt.Sprintf("%.2f", x)
	}
	return fmt.Sprintf("%.3f", x)
}

var tmpl = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tranche report: {{.Run.Manifest.Scenario}}</title>
<style>
body { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; color: #222; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.3rem; margin-top: 2.2rem; border-bottom: 1px solid #ccc; padding-bottom: 0.2rem; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.6rem 0; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
th { background: #f2f2f2; }
td.text { text-align: left; }
.sub { font-size: 0.75rem; color: #666; }
.note { font-size: 0.85rem; color: #555; }
.scroll { overflow-x: auto; }
figure { margin: 1.5rem 0; }
figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: 0.9rem; color: #444; margin-top: 0.3rem; }
pre { background: #f7f7f7; padding: 0.8rem; overflow-x: auto; font-size: 0.8rem; }
details summary { cursor: pointer; margin: 0.5rem 0; }
</style>
</head>
<body>
<h1>tranche report: {{.Run.Manifest.Scenario}}</h1>
<p class="note">Sanctions-relief sequencing study: {{len .Run.Manifest.Policies}} policies, {{.Run.Manifest.Replications}} replications each, on the same random histories. Everything on this page comes from the results folder; the page needs no network and no scripts.</p>

{{if .Headline}}<h2>The answer in brief</h2>
<ul>
{{range .Headline}}<li>{{.}}</li>
{{end}}</ul>
<p class="note">Means with 95% confidence intervals (Monte Carlo error only: they do not say whether the scenario's assumptions are right). "Cannot be told apart" means a paired difference from the best with Holm-adjusted p of 0.05 or more, across every pair of policies; the number in brackets is that policy minus the best.</p>
{{end}}
{{range .Lead}}<figure>
<img src="{{.Src}}" alt="{{.Title}}">
<figcaption><strong>{{.Title}}.</strong> {{.Caption}}</figcaption>
</figure>
{{end}}
{{if .Compare.Rows}}<h2>Comparison with the baseline</h2>
{{template "table" .Compare}}
{{end}}{{if .Pareto}}<p>Pareto-efficient on more settlements, less humanitarian shortfall and more leverage kept (on means): <strong>{{.Pareto}}</strong>.</p>
{{end}}{{if .Ranking.Rows}}<h2>Ranking by the objective</h2>
{{template "table" .Ranking}}
{{end}}
<h2>Summary</h2>
{{template "table" .Key}}
<details><summary>Every metric</summary>
{{template "table" .Full}}
</details>
<p class="note">docs/model.md in the tranche repository defines every metric.</p>

<h2>Figures</h2>
{{range .Figures}}<figure>
<img src="{{.Src}}" alt="{{.Title}}">
<figcaption><strong>{{.Title}}.</strong> {{.Caption}}</figcaption>
</figure>
{{else}}<p>No figures.</p>
{{end}}
<h2>The scenario</h2>
{{range .Words}}<p>{{.}}</p>
{{end}}<ul>
{{range .Policies}}<li><strong>{{index . 0}}</strong>: {{index . 1}}</li>
{{end}}</ul>
<details><summary>The resolved scenario as TOML (repeats the run exactly)</summary>
<pre>{{.TOML}}</pre>
</details>

<h2>How this was made</h2>
<table>
{{range .Manifest}}<tr><th>{{index . 0}}</th><td style="text-align:left; white-space:normal">{{index . 1}}</td></tr>
{{end}}</table>
</body>
</html>
{{define "table"}}<div class="scroll"><table>
<tr>{{range .Head}}<th>{{.Main}}{{if .Sub}}<br><span class="sub">{{.Sub}}</span>{{end}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td{{if .Text}} class="text"{{end}}>{{.Main}}{{if .Sub}}<br><span class="sub">{{.Sub}}</span>{{end}}</td>{{end}}</tr>
{{end}}</table></div>
{{if .Note}}<p class="note">{{.Note}}</p>{{end}}
{{end}}`))
