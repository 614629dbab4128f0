package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/sim"
	"github.com/tranche-sim/tranche/study"
)

// tables are the metrics printed after a run, grouped as in the model's
// questions.
// summaryTable is one printed table of the summary.
type summaryTable struct {
	title   string
	metrics []string
}

// summaryTables returns the printed tables of the summary.
func summaryTables() []summaryTable {
	return []summaryTable{
		{"How episodes ended, on true compliance", []string{"settlement", "breakdown", "capitulation", "stalemate"}},
		{"Humanitarian and leverage", []string{"humanitarian_index", "humanitarian_shortfall", "relief_leakage", "leverage_retained"}},
		{"Timing and stability; durable_agreement and collapse as the coalition saw them, on the verifier's reports", []string{"rounds_to_end", "stability_index", "durable_agreement", "collapse"}},
	}
}

// printSummary prints the summary tables of a study's result.
func printSummary(w io.Writer, res *study.Result) {
	s, sum, elapsed := res.Scenario, res.Summary, res.Manifest.ElapsedSeconds
	fmt.Fprintf(w, "scenario %s: %s x %s x %s, seed %d (%.1f s)\n",
		s.Name, count(len(s.Policies), "policy", "policies"), count(s.Replications, "replication", "replications"), count(s.Rounds, "round", "rounds"), s.Seed, elapsed)
	fmt.Fprintln(w, "mean and 95% confidence interval over replications (n: how many define the metric, where not all do)")
	defs := map[string]sim.Metric{}
	for _, m := range res.Aggregate.Metrics {
		defs[m.Key] = m
	}
	for _, t := range summaryTables() {
		fmt.Fprintf(w, "\n%s\n", t.title)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprint(tw, "policy")
		for _, k := range t.metrics {
			fmt.Fprintf(tw, "\t%s", k)
		}
		fmt.Fprintln(tw)
		for _, p := range sum.Policies {
			fmt.Fprint(tw, p.Policy)
			for _, k := range t.metrics {
				st, _ := p.Metrics.Get(k)
				fmt.Fprintf(tw, "\t%s", interval(st, defs[k]))
			}
			fmt.Fprintln(tw)
		}
		tw.Flush()
	}
}

// compared returns the metrics of the printed comparison table.
func compared() []string {
	return []string{"settlement", "breakdown", "humanitarian_shortfall", "leverage_retained"}
}

func printComparison(w io.Writer, r *results.ComparisonReport, agg *results.Aggregate) {
	keys := compared()
	if agg.Objective != nil {
		keys = append(keys, "objective")
	}
	if len(agg.Policies) > 1 {
		fmt.Fprintf(w, "\nPaired differences from %s (policy minus baseline on the same replications; 95%% CI; * Holm-adjusted p < 0.05)\n", r.Baseline)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprint(tw, "policy")
		for _, k := range keys {
			fmt.Fprintf(tw, "\t%s", k)
		}
		fmt.Fprintln(tw)
		for _, p := range agg.Policies {
			if p == r.Baseline {
				continue
			}
			fmt.Fprint(tw, p)
			for _, k := range keys {
				for _, c := range r.Comparisons {
					if c.Policy == p && c.Metric == k {
						fmt.Fprintf(tw, "\t%s", diff(c))
					}
				}
			}
			fmt.Fprintln(tw)
		}
		tw.Flush()
	}
	fmt.Fprintf(w, "\nPareto-efficient on %s (means): %s\n", strings.Join(r.ParetoCriteria, ", "), strings.Join(r.ParetoEfficient, ", "))
	if len(r.Ranking) > 0 {
		fmt.Fprintf(w, "\nRanking by objective %q (95%% CI; difference from the best, * p < 0.05 Holm-adjusted across all pairs of policies;\nwithout *, a policy cannot be told apart from the best)\n", r.Objective)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "rank\tpolicy\tobjective\tvs best")
		for i, rk := range r.Ranking {
			vs := "best"
			if rk.VsBest != nil {
				vs = diff(*rk.VsBest)
			}
			fmt.Fprintf(tw, "%d\t%s\t%.3f (%.3f, %.3f)\t%s\n", i+1, rk.Policy, rk.Objective.Mean, rk.Objective.CI95[0], rk.Objective.CI95[1], vs)
		}
		tw.Flush()
	}
}

// diff formats a paired difference with its interval and significance.
func diff(c results.Comparison) string {
	if math.IsNaN(c.MeanDiff) {
		return "n/a"
	}
	star := ""
	if c.PHolm < 0.05 {
		star = "*"
	}
	return fmt.Sprintf("%+.3f (%+.3f, %+.3f)%s", c.MeanDiff, c.CI95[0], c.CI95[1], star)
}

func printPrecision(w io.Writer, p *results.Precision) {
	status := "reached"
	if !p.Reached {
		status = "NOT reached"
	}
	widest := "widest: " + p.Widest
	if p.Widest == "" {
		widest = "no watched metric was defined in two replications of any policy"
	}
	fmt.Fprintf(w, "\nPrecision ±%g on %s: %s with %d replications per policy (%s)\n", p.Epsilon, strings.Join(p.Metrics, ", "), status, p.Replications, widest)
	names := make([]string, 0, len(p.MetAt))
	for n := range p.MetAt {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		return p.MetAt[names[i]] < p.MetAt[names[j]] || p.MetAt[names[i]] == p.MetAt[names[j]] && names[i] < names[j]
	})
	for _, n := range names {
		fmt.Fprintf(w, "  %s met it at %d replications\n", n, p.MetAt[n])
	}
	if len(p.Skipped) > 0 {
		fmt.Fprintf(w, "  left out (undefined in fewer than two replications): %s\n", strings.Join(p.Skipped, ", "))
	}
}

// interval formats a mean and its confidence interval.
func interval(st results.Stats, def sim.Metric) string {
	if math.IsNaN(st.Mean) {
		return "n/a"
	}
	f := "%.3f"
	if def.Hi > 1 {
		f = "%.2f"
	}
	if math.IsNaN(st.CI95[0]) || math.IsNaN(st.CI95[1]) { // one replication defines it
		return fmt.Sprintf(f+" (no interval: n=%d)", st.Mean, st.N)
	}
	// A comma, not a dash, between the bounds: they can be negative.
	out := fmt.Sprintf(f+" ("+f+", "+f+")", st.Mean, st.CI95[0], st.CI95[1])
	if def.Undefined != "" {
		// A mean over some replications only: say how many.
		out += fmt.Sprintf(" n=%d", st.N)
	}
	return out
}

// progress draws a progress line on stderr for runs longer than a second,
// when stderr is a terminal and the user did not ask for quiet: the phase,
// a bar, the rate, the time elapsed and the time left.
type progress struct {
	w     io.Writer
	start time.Time
	on    bool
	mu    sync.Mutex
	last  time.Time
	drawn bool
	phase string    // the phase shown
	since time.Time // when the phase began
}

func newProgress(w io.Writer, quiet bool) *progress {
	now := time.Now()
	return &progress{w: w, start: now, since: now, on: !quiet && isTerminal(w)}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// update draws the line for a study's progress.
func (p *progress) update(s study.Progress) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if s.Phase != p.phase {
		p.phase, p.since = s.Phase, now
	} else if now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	if now.Sub(p.start) < time.Second {
		return
	}
	p.last = now
	fmt.Fprint(p.w, "\r\033[K"+progressLine(s, now.Sub(p.start), now.Sub(p.since)))
	p.drawn = true
}

// progressLine is the progress line of s, elapsed into the run and inPhase
// into its phase: the phase and, where it counts units, a bar, the count,
// the rate and the time left.
func progressLine(s study.Progress, elapsed, inPhase time.Duration) string {
	clock := func(d time.Duration) string {
		d = d.Round(time.Second)
		return fmt.Sprintf("%d:%02d", int(d.Minutes()), int(d.Seconds())%60)
	}
	line := s.Phase
	if s.Total > 0 {
		frac := min(float64(s.Done)/float64(s.Total), 1)
		const width = 24
		n := int(frac * width)
		line = fmt.Sprintf("%s [%s%s] %3.0f%% %d/%d %s", s.Phase, strings.Repeat("=", n), strings.Repeat(" ", width-n), 100*frac, s.Done, s.Total, s.Unit)
		if secs := inPhase.Seconds(); secs > 0 && s.Done > 0 {
			rate := float64(s.Done) / secs
			left := time.Duration(float64(s.Total-s.Done) / rate * float64(time.Second))
			line += fmt.Sprintf(", %s/s, %s left", humanRate(rate), clock(left))
		}
	}
	return line + ", " + clock(elapsed) + " elapsed"
}

// humanRate writes a rate with a thousands separator or one decimal.
func humanRate(r float64) string {
	switch {
	case r >= 1000:
		n := int(r + 0.5)
		s := strconv.Itoa(n)
		for i := len(s) - 3; i > 0; i -= 3 {
			s = s[:i] + "," + s[i:]
		}
		return s
	case r >= 10:
		return strconv.Itoa(int(r + 0.5))
	}
	return strconv.FormatFloat(r, 'f', 1, 64)
}

func (p *progress) finish() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// count writes n with the singular or plural noun.
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
