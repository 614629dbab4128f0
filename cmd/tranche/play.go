package main

import (
	"bufio"
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
	if _, err := os.Stat(out); err == nil {
		return usageError{fmt.Errorf("results folder %s %w", out, results.ErrExists)}
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
	title := fmt.Sprintf("you as the coalition: %s, seed %d, replication %d", s.Name, s.Seed, o.rep)
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

// game is the student as a sim.Policy: Decide shows the round and reads
// commands until the student ends it.
type game struct {
	s       *scenarios.Scenario
	in      *bufio.Reader
	out     io.Writer
	echo    bool // echo commands (input is not a terminal, so it is not shown)
	rep     int
	sectors []string
	lower   []string // sector names in lower case
	weights []float64

	reported  bool // a report has arrived
	auto      int  // rounds still to end without asking
	quit      bool // keep the settings to the end
	err       error
	moves     []string
	moveCount int
	movedIn   int // last round with a recorded move
}

func newGame(s *scenarios.Scenario, m *sim.Model, in io.Reader, out io.Writer, rep int) *game {
	g := &game{s: s, in: bufio.NewReader(in), out: out, echo: !inputIsTerminal(in), rep: rep, weights: m.Weights()}
	for _, sec := range s.Sectors {
		g.sectors = append(g.sectors, sec.Name)
		g.lower = append(g.lower, strings.ToLower(sec.Name))
	}
	return g
}

func inputIsTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (g *game) intro() {
	s := g.s
	desc, _, _ := strings.Cut(s.Description, ". ")
	fmt.Fprintln(g.out, "tranche play: you are the sanctioning coalition.")
	if desc != "" {
		fmt.Fprintln(g.out, wrapText(fmt.Sprintf("Scenario %s: %s.", s.Name, strings.TrimSuffix(desc, ".")), playWidth))
	}
	fmt.Fprintln(g.out, wrapText(fmt.Sprintf("One history: seed %d, replication %d; %d rounds of %d months. At the end of each round you see what the coalition sees, then set each sector's relief (0 = fully sanctioned, 1 = lifted) and the humanitarian exemption coverage for the next round.",
		s.Seed, g.rep, s.Rounds, s.MonthsPerRound), playWidth))
	var items []string
	for i, name := range g.sectors {
		items = append(items, fmt.Sprintf("%s %.2f", name, g.weights[i]))
	}
	fmt.Fprintln(g.out, wrapItems("Sectors and their economic weight: ", items, playWidth))
	oc := &s.Outcomes
	fmt.Fprintln(g.out, wrapText(fmt.Sprintf("Aim: a durable agreement (verified compliance >= %.2f in each of the last %d rounds, with weighted relief >= %.2f at the end), no collapse, and a humanitarian index >= %.2f.",
		oc.DurableThreshold, oc.DurableRounds, oc.DurableRelief, s.Humanitarian.Floor), playWidth))
	fmt.Fprintln(g.out, "Type 'help' for the commands; an empty line ends the round.")
}

func (g *game) help() {
	fmt.Fprint(g.out, `commands (one per line, any case; what you set takes effect next round):
  relieve SECTOR|all [LEVEL]  lift sanctions on a sector to LEVEL (default 1: fully lifted)
  reimpose SECTOR|all         re-impose a sector's sanctions in full (relief 0)
  set SECTOR|all LEVEL        set a sector's relief, from 0 (sanctioned) to 1 (lifted)
  coverage LEVEL              set humanitarian exemption coverage, from 0 to 1
  status                      show this round again, with your settings for the next
  next (or an empty line)     end the round with the current settings
  auto N                      end this round and the next N-1 with the same settings
                              (stops early when a violation is reported)
  quit                        keep the settings to the end and show the results
`)
	fmt.Fprintln(g.out, wrapText("sectors: "+strings.Join(g.sectors, ", ")+" (or all)", playWidth))
}

// Reset implements sim.Policy.
func (g *game) Reset() {}

// Decide implements sim.Policy.
func (g *game) Decide(o *sim.Observation, a *sim.Action) {
	if o.Inspected {
		g.reported = true
	}
	last := o.Round == o.Rounds
	if g.quit && !last {
		return
	}
	g.status(o)
	if last {
		fmt.Fprintln(g.out, "That was the last round: the game is over.")
		return
	}
	if g.auto > 0 {
		if !o.Violation {
			g.auto--
			return
		}
		g.auto = 0
		fmt.Fprintln(g.out, "auto stopped: a violation was reported.")
	}
	for {
		fmt.Fprintf(g.out, "round %d> ", o.Round)
		line, ok := g.readLine()
		if !ok {
			fmt.Fprintln(g.out)
			g.keep(o, "end of input")
			return
		}
		if g.echo {
			fmt.Fprintln(g.out, line)
		}
		end, err := g.command(line, o, a)
		if err != nil {
			fmt.Fprintln(g.out, wrapText("invalid: "+err.Error(), playWidth))
			continue
		}
		if end {
			return
		}
	}
}

// keep ends the game's questions: the settings stay to the end.
func (g *game) keep(o *sim.Observation, why string) {
	g.quit = true
	span := fmt.Sprintf("rounds %d-%d", o.Round+1, o.Rounds)
	if o.Round+1 == o.Rounds {
		span = fmt.Sprintf("round %d", o.Rounds)
	}
	fmt.Fprintf(g.out, "%s: keeping the current settings for %s.\n", why, span)
}

// readLine returns the next line of input without its line ending; false
// at the end of input (or on a read error, kept in g.err).
func (g *game) readLine() (string, bool) {
	line, err := g.in.ReadString('\n')
	if err != nil {
		if !errors.Is(err, io.EOF) {
			g.err = err
			return "", false
		}
		if line == "" {
			return "", false
		}
	}
	return strings.TrimRight(line, "\r\n"), true
}

// record adds a move to moves.txt.
func (g *game) record(round int, move string) {
	if g.movedIn != round {
		g.moves = append(g.moves, fmt.Sprintf("# round %d", round))
		g.movedIn = round
	}
	g.moves = append(g.moves, move)
	g.moveCount++
}

func (g *game) movesFile(replay []string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# moves of a game of tranche play; replay with:\n#   %s < moves.txt\n", strings.Join(replay, " "))
	b.WriteString("# lines starting with # are comments; an empty line or 'next' ends a round\n")
	for _, m := range g.moves {
		b.WriteString(m + "\n")
	}
	return b.Bytes()
}

// command carries out one line of input; it reports whether the round ends.
func (g *game) command(line string, o *sim.Observation, a *sim.Action) (bool, error) {
	trimmed := strings.TrimSpace(line)
	if strings.HasPrefix(trimmed, "#") {
		return false, nil
	}
	f := strings.Fields(strings.ToLower(trimmed))
	if len(f) == 0 {
		g.record(o.Round, "next")
		return true, nil
	}
	args := f[1:]
	nargs := func(lo, hi int, form string) error {
		switch {
		case len(args) < lo:
			return fmt.Errorf("missing argument: %s", form)
		case len(args) > hi:
			return fmt.Errorf("too many arguments: %s", form)
		}
		return nil
	}
	switch f[0] {
	case "help", "?":
		g.help()
	case "status":
		if err := nargs(0, 0, "status"); err != nil {
			return false, err
		}
		g.status(o)
		g.pending(o, a)
	case "next":
		if err := nargs(0, 0, "next"); err != nil {
			return false, err
		}
		g.record(o.Round, "next")
		return true, nil
	case "quit":
		if err := nargs(0, 0, "quit"); err != nil {
			return false, err
		}
		g.record(o.Round, "quit")
		g.keep(o, "quit")
		return true, nil
	case "auto":
		if err := nargs(1, 1, "auto N, e.g. 'auto 4'"); err != nil {
			return false, err
		}
		n, err := strconv.Atoi(args[0])
		if err != nil || n < 1 {
			return false, fmt.Errorf("auto %s: N must be a whole number of rounds, at least 1", args[0])
		}
		g.record(o.Round, "auto "+strconv.Itoa(n))
		g.auto = n - 1
		if end := min(o.Round+n-1, o.Rounds); end > o.Round {
			fmt.Fprintf(g.out, "ending rounds %d-%d with the current settings.\n", o.Round, end)
		}
		return true, nil
	case "coverage":
		if err := nargs(1, 1, "coverage LEVEL, e.g. 'coverage 0.8'"); err != nil {
			return false, err
		}
		x, err := parseLevel(args[0])
		if err != nil {
			return false, err
		}
		a.Coverage = x
		g.record(o.Round, "coverage "+args[0])
		fmt.Fprintf(g.out, "from round %d: humanitarian coverage %.2f (now %.2f)\n", o.Round+1, x, o.Coverage)
	case "relieve", "reimpose", "set":
		form := map[string]string{
			"relieve":  "relieve SECTOR|all [LEVEL], e.g. 'relieve energy' or 'relieve all 0.5'",
			"reimpose": "reimpose SECTOR|all, e.g. 'reimpose finance'",
			"set":      "set SECTOR|all LEVEL, e.g. 'set energy 0.5'",
		}[f[0]]
		n := map[string][2]int{"relieve": {1, 2}, "reimpose": {1, 1}, "set": {2, 2}}[f[0]]
		if err := nargs(n[0], n[1], form); err != nil {
			return false, err
		}
		which, name, err := g.sector(args[0])
		if err != nil {
			return false, err
		}
		level, text := 0.0, "0"
		switch {
		case f[0] == "relieve" && len(args) == 1:
			level, text = 1, "1"
		case f[0] != "reimpose":
			if level, err = parseLevel(args[1]); err != nil {
				return false, err
			}
			text = args[1]
		}
		before := o.WeightedRelief(a.Relief)
		for _, i := range which {
			a.Relief[i] = level
		}
		move := f[0] + " " + name
		if f[0] != "reimpose" {
			move += " " + text
		}
		g.record(o.Round, move)
		what := name
		if name == "all" {
			what = "all sectors"
		}
		fmt.Fprintf(g.out, "from round %d: %s %.2f; weighted relief %.2f -> %.2f\n", o.Round+1, what, level, before, o.WeightedRelief(a.Relief))
	default:
		return false, fmt.Errorf("unknown command %q; commands: relieve, reimpose, set, coverage, status, next, auto, quit, help", f[0])
	}
	return false, nil
}

// sector resolves a sector name (any case, or a unique prefix) or "all".
func (g *game) sector(arg string) ([]int, string, error) {
	if arg == "all" {
		idx := make([]int, len(g.sectors))
		for i := range idx {
			idx[i] = i
		}
		return idx, "all", nil
	}
	var hits []int
	for i, n := range g.lower {
		if n == arg {
			return []int{i}, g.sectors[i], nil
		}
		if strings.HasPrefix(n, arg) {
			hits = append(hits, i)
		}
	}
	if len(hits) == 1 {
		return hits, g.sectors[hits[0]], nil
	}
	return nil, "", fmt.Errorf("unknown sector %q; sectors: %s (or all)", arg, strings.Join(g.sectors, ", "))
}

// parseLevel reads a relief or coverage level in [0, 1].
func parseLevel(s string) (float64, error) {
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, fmt.Errorf("level %q is not a number; levels go from 0 (fully sanctioned) to 1 (lifted)", s)
	}
	if x < 0 || x > 1 {
		return 0, fmt.Errorf("level %s is outside [0, 1]: 0 is fully sanctioned, 1 fully lifted", s)
	}
	return x, nil
}

// status prints what the coalition sees at the end of the round.
func (g *game) status(o *sim.Observation) {
	head := fmt.Sprintf("-- round %d of %d (%s) ", o.Round, o.Rounds, roundLabel(o.Round, g.s.MonthsPerRound))
	fmt.Fprintln(g.out, head+strings.Repeat("-", max(0, 72-len(head))))
	report := "no new report"
	switch {
	case o.Inspected:
		report = "new report"
	case !g.reported:
		report = "no report yet"
	}
	violation := "no violation reported"
	if o.Violation {
		violation = "VIOLATION REPORTED"
	}
	fmt.Fprintf(g.out, "  verified compliance %.2f (%s)   %s   spoiler incidents %d\n", o.Verified, report, violation, o.Incidents)
	floor := g.s.Humanitarian.Floor
	below := ""
	if o.Welfare < floor {
		below = fmt.Sprintf(" (below the %.2f floor)", floor)
	}
	fmt.Fprintf(g.out, "  humanitarian index %.2f%s   coalition cohesion %.2f   leverage %.2f\n", o.Welfare, below, o.Cohesion, o.Leverage)
	var ev []string
	if o.Events.Crisis {
		ev = append(ev, "REGIONAL CRISIS")
	}
	if o.Events.Commodity {
		ev = append(ev, "COMMODITY PRICE SHOCK")
	}
	if o.Events.Leadership {
		ev = append(ev, "LEADERSHIP CHANGE in the target")
	}
	if len(ev) == 0 {
		ev = []string{"none"}
	}
	fmt.Fprintf(g.out, "  events: %s\n", strings.Join(ev, ", "))
	fmt.Fprintln(g.out, g.settings("  relief in force: ", o.Relief))
	fmt.Fprintf(g.out, "  weighted relief %.2f   humanitarian coverage %.2f\n", o.WeightedRelief(o.Relief), o.Coverage)
}

// pending prints the settings for the next round when they differ from
// those in force.
func (g *game) pending(o *sim.Observation, a *sim.Action) {
	same := a.Coverage == o.Coverage
	for i := range a.Relief {
		same = same && a.Relief[i] == o.Relief[i]
	}
	if same {
		fmt.Fprintln(g.out, "  next round: no change")
		return
	}
	fmt.Fprintln(g.out, g.settings(fmt.Sprintf("  from round %d: ", o.Round+1), a.Relief))
	fmt.Fprintf(g.out, "  weighted relief %.2f   humanitarian coverage %.2f\n", o.WeightedRelief(a.Relief), a.Coverage)
}

func (g *game) settings(prefix string, relief []float64) string {
	items := make([]string, len(relief))
	for i, x := range relief {
		items[i] = fmt.Sprintf("%s %.2f", g.sectors[i], x)
	}
	return wrapItems(prefix, items, playWidth)
}
