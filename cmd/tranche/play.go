package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tranche-sim/tranche/policy"
	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/results/plots"
	"github.com/tranche-sim/tranche/scenarios"
	"github.com/tranche-sim/tranche/sim"
)

// tranche play: the classroom mode. The student is the sanctioning
// coalition: a sim.Policy whose Decide shows what the coalition can see at
// the end of each round and reads commands until the student ends the
// round. One replication of the scenario runs with this policy, unchanged
// engine and all, and then with every built-in policy on the same random
// streams, so that the student's outcomes can be set beside theirs.

// playWidth is the widest line the game prints (a projector's width).
const playWidth = 100

// playOptions are the flags of tranche play.
type playOptions struct {
	scenario string
	seed     uint64
	rep      int
	rounds   int
	out      string
	set      map[string]bool
}

func parsePlay(args []string, stderr io.Writer) (*playOptions, error) {
	o := &playOptions{}
	fs := flag.NewFlagSet("tranche play", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Uint64Var(&o.seed, "seed", 0, "seed of the random streams (default: the scenario's)")
	fs.IntVar(&o.rep, "replication", 0, "which replication of the seed to play: the history (0 to 99999999)")
	fs.IntVar(&o.rounds, "rounds", 0, "rounds in the game (default: the scenario's)")
	fs.StringVar(&o.out, "out", "", "folder for the game (default tranche-out/play-SCENARIO-TIMESTAMP); must not exist")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: tranche play [SCENARIO] [flags]

You are the sanctioning coalition in one history (one replication) of the
scenario; afterwards your outcomes are set beside every built-in policy's on
the same history. SCENARIO is a TOML file or a bundled scenario name
(default: default). Commands are read from standard input, so a game can be
replayed: tranche play --seed S < moves.txt

Flags:
`)
		fs.PrintDefaults()
	}
	var err error
	if o.scenario, o.set, err = parseScenarioArgs(fs, args); err != nil {
		return nil, err
	}
	switch {
	case o.rep < 0 || o.rep >= scenarios.MaxReplications:
		return nil, usagef("--replication = %d: must be in [0, %d]", o.rep, scenarios.MaxReplications-1)
	case o.set["rounds"] && (o.rounds < 1 || o.rounds > sim.MaxRounds):
		return nil, usagef("--rounds = %d: must be in [1, %d]", o.rounds, sim.MaxRounds)
	}
	return o, nil
}

// load loads the scenario and applies --seed and --rounds.
func (o *playOptions) load() (*scenarios.Scenario, error) {
	ro := &runOptions{scenario: o.scenario, seed: o.seed, rounds: o.rounds, set: o.set}
	return ro.load()
}

// contender is a policy the student's game is compared with.
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

func playGame(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	start := time.Now()
	o, err := parsePlay(args, stderr)
	if err != nil {
		return err
	}
	s, err := o.load()
	if err != nil {
		return err
	}
	m, err := s.Model()
	if err != nil {
		return usageError{err}
	}
	out := o.out
	if out == "" {
		out = defaultOut("play-"+s.Name, start)
	}
	// Refuse an existing folder now, not after a class has played 40 rounds.
	// The folder itself is made after the game, so that a game abandoned
	// with Ctrl-C leaves nothing behind.
	if err := results.CheckNew(out); err != nil {
		if errors.Is(err, results.ErrExists) {
			return usageError{err}
		}
		return err
	}
	rivals, skipped := contenders(s)

	g := newGame(s, m, stdin, stdout, o.rep)
	g.intro()
	rep := sim.NewReplication(m)
	you := sim.NewOutcome(m.Rounds)
	rep.Run(s.Seed, uint64(o.rep), g, you)
	if g.err != nil {
		return fmt.Errorf("reading the moves: %w", g.err)
	}

	rows := []playRow{{"you", you.Metrics}}
	hist := results.HistoryRows("you", o.rep, you)
	studentHist := hist
	for _, c := range rivals {
		oc := sim.NewOutcome(m.Rounds)
		rep.Run(s.Seed, uint64(o.rep), c.params.NewPolicy(), oc)
		rows = append(rows, playRow{c.name, oc.Metrics})
		hist = append(hist, results.HistoryRows(c.name, o.rep, oc)...)
	}
	defs := m.Metrics()
	best := bestRows(rows, defs)

	replay := []string{"tranche", "play"}
	if o.scenario != "" {
		replay = append(replay, o.scenario)
	}
	replay = append(replay, "--seed", strconv.FormatUint(s.Seed, 10), "--replication", strconv.Itoa(o.rep))
	if o.set["rounds"] {
		replay = append(replay, "--rounds", strconv.Itoa(s.Rounds))
	}

	fmt.Fprintln(stdout)
	printPlayTable(stdout, s, o.rep, rows, best, defs)
	if len(skipped) > 0 {
		for _, sk := range skipped {
			fmt.Fprintln(stdout, wrapText("left out, does not fit this scenario: "+sk, playWidth))
		}
	}
	fmt.Fprintln(stdout)
	for _, line := range interpret(rows, defs, s.Name) {
		fmt.Fprintln(stdout, wrapText(line, playWidth))
	}

	folder, err := results.CreateFolder(out)
	if err != nil {
		if errors.Is(err, results.ErrExists) {
			return usageError{err}
		}
		return err
	}
	defer folder.Abort() // a no-op once committed
	resolved := scenarios.Format(s)
	sum := sha256.Sum256(resolved)
	rec := &gameRecord{
		Tool: "tranche", Version: version(), GoVersion: runtime.Version(), GOARCH: runtime.GOARCH,
		Scenario: s.Name, ScenarioSHA256: hex.EncodeToString(sum[:]),
		Seed: s.Seed, Replication: o.rep, Rounds: s.Rounds, MonthsPerRound: s.MonthsPerRound,
		CommonRandomNumbers: "every row played the same history: the same seed and replication, so the same random streams",
		CommandLine:         append([]string{"tranche", "play"}, args...),
		Replay:              strings.Join(replay, " ") + " < moves.txt",
		Moves:               g.moveCount, Start: start.UTC(), Skipped: skipped,
		Best: map[string][]string{},
	}
	for _, c := range playColumns {
		rec.Columns = append(rec.Columns, c.key)
		rec.Best[c.key] = best[c.key]
	}
	for _, r := range rows {
		gr := gameOutcome{Policy: r.policy, Metrics: map[string]*float64{}}
		for k, d := range defs {
			if x := r.metrics[k]; !math.IsNaN(x) {
				gr.Metrics[d.Key] = &x
			} else {
				gr.Metrics[d.Key] = nil
			}
		}
		rec.Outcomes = append(rec.Outcomes, gr)
	}
	var hb, jb bytes.Buffer
	if err := results.WriteHistoriesCSV(&hb, hist); err != nil {
		return err
	}
	enc := json.NewEncoder(&jb)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		data []byte
	}{
		{"histories.csv", hb.Bytes()},
		{"moves.txt", g.movesFile(replay)},
		{"game.json", jb.Bytes()},
		{"scenario.toml", resolved},
	} {
		if err := folder.WriteFile(f.name, f.data); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
	}
	title := fmt.Sprintf("You as the coalition: %s, seed %d, replication %d", s.Name, s.Seed, o.rep)
	if err := writePlayPlots(folder, studentHist, title, s.MonthsPerRound); err != nil {
		return err
	}
	if err := folder.Commit(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\ngame saved: %s\n", folder.Final())
	fmt.Fprintf(stdout, "replay: %s < %s\n", strings.Join(replay, " "), folder.Final()+string(os.PathSeparator)+"moves.txt")
	return nil
}

// writePlayPlots draws the figures of a game into the folder's plots/.
func writePlayPlots(folder *results.Folder, rows []results.HistoryRow, title string, monthsPerRound int) error {
	if err := os.MkdirAll(folder.Path("plots"), 0o755); err != nil {
		return err
	}
	return plots.History(rows, title, monthsPerRound, folder.Path(filepath.Join("plots", "history.png")))
}

// gameRecord is game.json: how the game was played and the outcome table.
type gameRecord struct {
	Tool           string `json:"tool"`
	Version        string `json:"version"`
	GoVersion      string `json:"go_version"`
	GOARCH         string `json:"goarch"`
	Scenario       string `json:"scenario"`
	ScenarioSHA256 string `json:"scenario_sha256"`
	Seed           uint64 `json:"seed"`
	Replication    int    `json:"replication"`
	Rounds         int    `json:"rounds"`
	MonthsPerRound int    `json:"months_per_round"`
	// CommonRandomNumbers says that every row ran on the same history.
	CommonRandomNumbers string    `json:"common_random_numbers"`
	CommandLine         []string  `json:"command_line"`
	Replay              string    `json:"replay"`
	Moves               int       `json:"moves"`
	Start               time.Time `json:"start"`
	// Columns are the metrics of the printed table; Best names, for each,
	// the rows with the best value (none when every row ties or neither
	// direction is better).
	Columns []string            `json:"columns"`
	Best    map[string][]string `json:"best"`
	// Outcomes hold every metric of every row, "you" first; null marks an
	// undefined value (rounds_to_durable without a durable agreement).
	Outcomes []gameOutcome `json:"outcomes"`
	Skipped  []string      `json:"skipped,omitempty"`
}

type gameOutcome struct {
	Policy  string              `json:"policy"`
	Metrics map[string]*float64 `json:"metrics"`
}

// playRow is one row of the outcome table.
type playRow struct {
	policy  string
	metrics [sim.NumMetrics]float64
}

// playColumns are the outcome table's columns: metric and short heading
// (the table must fit in playWidth columns).
var playColumns = []struct {
	key, head string
	index     int
}{
	{"durable_agreement", "durable", sim.DurableAgreement},
	{"collapse", "collapse", sim.Collapse},
	{"humanitarian_index", "hum_idx", sim.HumanitarianIndex},
	{"humanitarian_shortfall", "shortfall", sim.HumanitarianShortfall},
	{"stability_index", "stability", sim.StabilityIndex},
	{"leverage_retained", "leverage", sim.LeverageRetained},
	{"snapbacks", "snapbacks", sim.Snapbacks},
	{"false_alarms", "alarms", sim.FalseAlarms},
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
func bestRows(rows []playRow, defs []sim.Metric) map[string][]string {
	best := map[string][]string{}
	for _, c := range playColumns {
		def := defs[c.index]
		if def.Better == 0 {
			continue
		}
		shown := func(r playRow) (float64, bool) {
			x := r.metrics[c.index]
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
				best[c.key] = append(best[c.key], r.policy)
			}
		}
	}
	return best
}

func printPlayTable(w io.Writer, s *scenarios.Scenario, rep int, rows []playRow, best map[string][]string, defs []sim.Metric) {
	fmt.Fprintln(w, wrapText(fmt.Sprintf("Your outcomes beside every policy on the same history: scenario %s, seed %d, replication %d, %d rounds. Common random numbers: every row ran on the same random streams (the same shocks, the same hidden target type to start with); only the coalition's moves differ.",
		s.Name, s.Seed, rep, s.Rounds), playWidth))
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "policy")
	for _, c := range playColumns {
		fmt.Fprintf(tw, "\t%s", c.head)
	}
	fmt.Fprintln(tw)
	for _, r := range rows {
		fmt.Fprint(tw, r.policy)
		for _, c := range playColumns {
			v := cell(r.metrics[c.index], defs[c.index])
			for _, b := range best[c.key] {
				if b == r.policy {
					v += "*"
				}
			}
			fmt.Fprintf(tw, "\t%s", v)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	fmt.Fprintln(w, wrapText("* best in the column (unmarked when all rows tie; snapbacks are neither good nor bad). durable = durable_agreement, hum_idx = humanitarian_index, shortfall = humanitarian_shortfall, stability = stability_index, leverage = leverage_retained, alarms = false_alarms.", playWidth))
}

// interpret says in a few lines how the student did against the policies
// on this history.
func interpret(rows []playRow, defs []sim.Metric, scenario string) []string {
	you, others := rows[0], rows[1:]
	var lines []string

	var durable []string
	earliest := math.Inf(1)
	for _, r := range others {
		if r.metrics[sim.DurableAgreement] == 1 {
			durable = append(durable, r.policy)
			earliest = min(earliest, r.metrics[sim.RoundsToDurable])
		}
	}
	var first []string
	for _, r := range others {
		if r.metrics[sim.DurableAgreement] == 1 && r.metrics[sim.RoundsToDurable] == earliest {
			first = append(first, r.policy)
		}
	}
	var b strings.Builder
	b.WriteString("Durable agreement: ")
	if you.metrics[sim.DurableAgreement] == 1 {
		fmt.Fprintf(&b, "you reached one (first held in round %.0f); ", you.metrics[sim.RoundsToDurable])
	} else {
		b.WriteString("you did not reach one; ")
	}
	switch len(durable) {
	case 0:
		fmt.Fprintf(&b, "none of the %d policies did either.", len(others))
	default:
		fmt.Fprintf(&b, "%d of %d policies did, the earliest %s (round %.0f).", len(durable), len(others), nameList(first), earliest)
	}
	lines = append(lines, b.String())

	short := defs[sim.HumanitarianShortfall]
	low := math.Inf(1)
	for _, r := range others {
		low = min(low, r.metrics[sim.HumanitarianShortfall])
	}
	var lowest []string
	for _, r := range others {
		if cell(r.metrics[sim.HumanitarianShortfall], short) == cell(low, short) {
			lowest = append(lowest, r.policy)
		}
	}
	rank := 1
	for _, r := range others {
		if r.metrics[sim.HumanitarianShortfall] < you.metrics[sim.HumanitarianShortfall] {
			rank++
		}
	}
	lines = append(lines, fmt.Sprintf("Humanitarian shortfall: lowest %s (%s); yours %s, %s of %d rows.",
		nameList(lowest), cell(low, short), cell(you.metrics[sim.HumanitarianShortfall], short), ordinal(rank), len(rows)))
	lines = append(lines, fmt.Sprintf("This is one history: luck decides much of it. 'tranche run %s' compares policies over thousands of histories.", scenario))
	return lines
}

// nameList lists names as "a, b and c", or "a, b, c and 4 others".
func nameList(names []string) string {
	switch {
	case len(names) == 1:
		return names[0]
	case len(names) <= 3:
		return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
	}
	return fmt.Sprintf("%s and %d others", strings.Join(names[:3], ", "), len(names)-3)
}

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

// wrapText wraps text at word boundaries to lines of at most width columns.
func wrapText(text string, width int) string {
	var b strings.Builder
	n := 0
	for _, word := range strings.Fields(text) {
		switch {
		case n == 0:
		case n+1+len(word) > width:
			b.WriteByte('\n')
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += len(word)
	}
	return b.String()
}

// wrapItems lays items out after prefix, two spaces apart, continuing on
// lines indented like the first item.
func wrapItems(prefix string, items []string, width int) string {
	var b strings.Builder
	b.WriteString(prefix)
	n := len(prefix)
	indent := strings.Repeat(" ", len(prefix))
	for i, it := range items {
		if i > 0 {
			if n+2+len(it) > width {
				b.WriteString("\n" + indent)
				n = len(indent)
			} else {
				b.WriteString("  ")
				n += 2
			}
		}
		b.WriteString(it)
		n += len(it)
	}
	return b.String()
}

// roundLabel says when a round is: "year 2, quarter 1" with quarterly
// rounds.
func roundLabel(round, months int) string {
	start := (round - 1) * months // months before the round
	year := start/12 + 1
	switch {
	case months == 12:
		return fmt.Sprintf("year %d", year)
	case months%12 == 0:
		return fmt.Sprintf("years %d-%d", year, year+months/12-1)
	case 12%months == 0:
		k := start%12/months + 1
		switch months {
		case 1:
			return fmt.Sprintf("year %d, month %d", year, k)
		case 3:
			return fmt.Sprintf("year %d, quarter %d", year, k)
		case 6:
			return fmt.Sprintf("year %d, half %d", year, k)
		}
		return fmt.Sprintf("year %d, months %d-%d", year, start%12+1, start%12+months)
	}
	return fmt.Sprintf("months %d-%d", start+1, start+months)
}
