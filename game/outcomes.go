package game

import (
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/tranche-sim/tranche/policy"
	"github.com/tranche-sim/tranche/scenarios"
	"github.com/tranche-sim/tranche/sim"
)

// contender is a policy the player's game is compared with.
type contender struct {
	name   string
	params sim.PolicyParams
}

// contenders returns every built-in policy, with the scenario's parameters
// where it sets them and the defaults otherwise, then the policies the
// scenario defines itself. A policy whose parameters do not fit the
// scenario (the default ladder names the default sectors) is skipped, with
// the reason.
func contenders(s *scenarios.Scenario) (list []contender, skipped []string) {
	names := policy.Names()
	var own []string
	for n := range s.PolicyParams {
		if _, ok := policy.Lookup(n); !ok {
			own = append(own, n)
		}
	}
	sort.Strings(own)
	for _, n := range append(names, own...) {
		if p, ok := s.PolicyParams[n]; ok {
			list = append(list, contender{n, p})
			continue
		}
		c := *s
		c.Policies = []string{n}
		c.PolicyParams = map[string]sim.PolicyParams{}
		if err := c.Check("play"); err != nil {
			why := err.Error()
			var se *scenarios.Error
			if errors.As(err, &se) && len(se.Problems) > 0 {
				why = se.Problems[0].Msg
			}
			skipped = append(skipped, n+": "+why)
			continue
		}
		list = append(list, contender{n, c.PolicyParams[n]})
	}
	return list, skipped
}

// column is a column of the outcome table: a metric and its short heading
// (the table must fit in Width columns).
type column struct {
	key, head string
	index     int
}

// columns returns the outcome table's columns.
func columns() []column {
	return []column{
		{"settlement", "settled", sim.Settlement},
		{"breakdown", "breakdown", sim.Breakdown},
		{"humanitarian_index", "hum_idx", sim.HumanitarianIndex},
		{"humanitarian_shortfall", "shortfall", sim.HumanitarianShortfall},
		{"stability_index", "stability", sim.StabilityIndex},
		{"leverage_retained", "leverage", sim.LeverageRetained},
		{"snapbacks", "snapbacks", sim.Snapbacks},
		{"false_alarms", "alarms", sim.FalseAlarms},
	}
}

// Columns returns the metric keys of the outcome table's columns, in the
// order printed.
func Columns() []string {
	var keys []string
	for _, c := range columns() {
		keys = append(keys, c.key)
	}
	return keys
}

// cell formats a metric value as the table shows it.
func cell(x float64, def sim.Metric) string {
	switch {
	case math.IsNaN(x):
		return "n/a"
	case def.Kind == sim.Proportion && x == 1:
		return "yes"
	case def.Kind == sim.Proportion:
		return "no"
	case def.Kind == sim.Count:
		return strconv.Itoa(int(x))
	}
	return fmt.Sprintf("%.3f", x)
}

// bestRows returns, for each table column whose metric has a better
// direction, the rows with the best value as printed; a column in which
// every row ties has none.
func bestRows(rows []Row, defs []sim.Metric) map[string][]string {
	best := map[string][]string{}
	for _, c := range columns() {
		def := defs[c.index]
		if def.Better == 0 {
			continue
		}
		shown := func(r Row) (float64, bool) {
			x := r.Metrics[c.index]
			if math.IsNaN(x) {
				return 0, false
			}
			v, _ := strconv.ParseFloat(cell(x, def), 64)
			if def.Kind == sim.Proportion {
				v = x
			}
			return v * float64(def.Better), true
		}
		top, seen, all := math.Inf(-1), false, true
		for _, r := range rows {
			if v, ok := shown(r); ok {
				if seen && v != top {
					all = false
				}
				top = max(top, v)
				seen = true
			} else {
				all = false
			}
		}
		if !seen || all {
			continue
		}
		for _, r := range rows {
			if v, ok := shown(r); ok && v == top {
				best[c.key] = append(best[c.key], r.Policy)
			}
		}
	}
	return best
}

// WriteTable writes the outcome table to w: what it compares, the rows
// with the best value of each column starred, a legend, and the policies
// left out, each wrapped to Width. It returns the first write error.
func (r *Result) WriteTable(w io.Writer) error {
	ew := &errWriter{w: w}
	s, defs := r.Scenario, r.metrics
	fmt.Fprintln(ew, wrapText(fmt.Sprintf("Your outcomes beside every policy on the same history: scenario %s, seed %d, replication %d, %d rounds. Common random numbers: every row ran on the same random streams (the same shocks, the same hidden target type to start with); only the coalition's moves differ.",
		s.Name, s.Seed, r.Replication, s.Rounds), Width))
	fmt.Fprintln(ew)
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "policy")
	for _, c := range columns() {
		fmt.Fprintf(tw, "\t%s", c.head)
	}
	fmt.Fprintln(tw)
	for _, row := range r.Rows {
		fmt.Fprint(tw, row.Policy)
		for _, c := range columns() {
			v := cell(row.Metrics[c.index], defs[c.index])
			for _, b := range r.Best[c.key] {
				if b == row.Policy {
					v += "*"
				}
			}
			fmt.Fprintf(tw, "\t%s", v)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	fmt.Fprintln(ew, wrapText("* best in the column (unmarked when all rows tie; snapbacks are neither good nor bad). settled = settlement (it and breakdown are judged on true compliance), hum_idx = humanitarian_index, shortfall = humanitarian_shortfall, stability = stability_index, leverage = leverage_retained, alarms = false_alarms.", Width))
	for _, sk := range r.Skipped {
		fmt.Fprintln(ew, wrapText("left out, does not fit this scenario: "+sk, Width))
	}
	if ew.err != nil {
		return fmt.Errorf("writing the outcome table: %w", ew.err)
	}
	return nil
}

// WriteVerdict writes to w, in a few lines wrapped to Width, how the player
// did against the policies on this history. It returns the first write
// error.
func (r *Result) WriteVerdict(w io.Writer) error {
	ew := &errWriter{w: w}
	for _, line := range interpret(r.Rows, r.metrics, r.Scenario.Name) {
		fmt.Fprintln(ew, wrapText(line, Width))
	}
	if ew.err != nil {
		return fmt.Errorf("writing the verdict: %w", ew.err)
	}
	return nil
}

// ending names how an episode that did not settle ended, and when.
func ending(m *[sim.NumMetrics]float64) string {
	switch {
	case m[sim.Breakdown] == 1:
		return fmt.Sprintf("it broke down in round %.0f", m[sim.RoundsToEnd])
	case m[sim.Capitulation] == 1:
		return fmt.Sprintf("the coalition's sanctions stopped biting in round %.0f", m[sim.RoundsToEnd])
	}
	return "nothing was settled by the end"
}

// interpret says in a few lines how the player did against the policies
// on this history; rows[0] is the player's.
func interpret(rows []Row, defs []sim.Metric, scenario string) []string {
	you, others := rows[0], rows[1:]
	var lines []string

	// How the episode ended, judged on the truth (a settlement, the
	// primary outcome), and when.
	var settled []string
	earliest := math.Inf(1)
	for _, r := range others {
		if r.Metrics[sim.Settlement] == 1 {
			settled = append(settled, r.Policy)
			earliest = min(earliest, r.Metrics[sim.RoundsToEnd])
		}
	}
	var first []string
	for _, r := range others {
		if r.Metrics[sim.Settlement] == 1 && r.Metrics[sim.RoundsToEnd] == earliest {
			first = append(first, r.Policy)
		}
	}
	var b strings.Builder
	b.WriteString("Settlement (on true compliance): ")
	if you.Metrics[sim.Settlement] == 1 {
		fmt.Fprintf(&b, "you reached one (round %.0f); ", you.Metrics[sim.RoundsToEnd])
	} else {
		fmt.Fprintf(&b, "you did not reach one (%s); ", ending(&you.Metrics))
	}
	switch len(settled) {
	case 0:
		fmt.Fprintf(&b, "none of the %d policies did either.", len(others))
	default:
		fmt.Fprintf(&b, "%d of %d policies did, the earliest %s (round %.0f).", len(settled), len(others), nameList(first), earliest)
	}
	lines = append(lines, b.String())

	short := defs[sim.HumanitarianShortfall]
	low := math.Inf(1)
	for _, r := range others {
		low = min(low, r.Metrics[sim.HumanitarianShortfall])
	}
	var lowest []string
	for _, r := range others {
		if cell(r.Metrics[sim.HumanitarianShortfall], short) == cell(low, short) {
			lowest = append(lowest, r.Policy)
		}
	}
	rank := 1
	for _, r := range others {
		if r.Metrics[sim.HumanitarianShortfall] < you.Metrics[sim.HumanitarianShortfall] {
			rank++
		}
	}
	lines = append(lines, fmt.Sprintf("Humanitarian shortfall: lowest of the policies %s (%s); yours %s, %s of %d rows.",
		nameList(lowest), cell(low, short), cell(you.Metrics[sim.HumanitarianShortfall], short), ordinal(rank), len(rows)))
	lines = append(lines, fmt.Sprintf("This is one history: luck decides much of it. 'tranche run %s' compares policies over thousands of histories.", scenario))
	return lines
}

// nameList lists names as "a, b and c", or "a, b, c and 4 others".
func nameList(names []string) string {
	switch {
	case len(names) == 1:
		return names[0]
	case len(names) <= 4: // "and 1 others" would be wrong, and no shorter
		return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
	}
	return fmt.Sprintf("%s and %d others", strings.Join(names[:3], ", "), len(names)-3)
}

// ordinal writes n as "1st", "2nd", "11th" and so on.
func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(n) + suffix
}
