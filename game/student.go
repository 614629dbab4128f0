package game

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/tranche-sim/tranche/scenarios"
	"github.com/tranche-sim/tranche/sim"
)

// student is the student as a sim.Policy: Decide shows the round and reads
// commands until the student ends it.
type student struct {
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

func newStudent(s *scenarios.Scenario, m *sim.Model, in io.Reader, out io.Writer, opt Options) *student {
	g := &student{s: s, in: bufio.NewReader(in), out: out, echo: opt.Echo, rep: opt.Replication, weights: m.Weights()}
	for _, sec := range s.Sectors {
		g.sectors = append(g.sectors, sec.Name)
		g.lower = append(g.lower, strings.ToLower(sec.Name))
	}
	return g
}

func (g *student) intro() {
	s := g.s
	desc, _, _ := strings.Cut(s.Description, ". ")
	fmt.Fprintln(g.out, "tranche play: you are the sanctioning coalition.")
	if desc != "" {
		fmt.Fprintln(g.out, wrapText(fmt.Sprintf("Scenario %s: %s.", s.Name, strings.TrimSuffix(desc, ".")), Width))
	}
	fmt.Fprintln(g.out, wrapText(fmt.Sprintf("One history: seed %d, replication %d; %d rounds of %d months. At the end of each round you see what the coalition sees, then set each sector's relief (0 = fully sanctioned, 1 = lifted) and the humanitarian exemption coverage for the next round.",
		s.Seed, g.rep, s.Rounds, s.MonthsPerRound), Width))
	var items []string
	for i, name := range g.sectors {
		items = append(items, fmt.Sprintf("%s %.2f", name, g.weights[i]))
	}
	fmt.Fprintln(g.out, wrapItems("Sectors and their economic weight: ", items, Width))
	oc := &s.Outcomes
	fmt.Fprintln(g.out, wrapText(fmt.Sprintf("Aim: a settlement (true compliance >= %.2f for %d rounds in a row; you see only the verifier's reports, the truth is shown at the end), no breakdown, and a humanitarian index >= %.2f.",
		oc.DurableThreshold, oc.DurableRounds, s.Humanitarian.Floor), Width))
	fmt.Fprintln(g.out, "Type 'help' for the commands; an empty line ends the round.")
}

func (g *student) help() {
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
	fmt.Fprintln(g.out, wrapText("sectors: "+strings.Join(g.sectors, ", ")+" (or all)", Width))
}

// Reset implements sim.Policy.
func (g *student) Reset() {}

// Clone implements sim.Policy. Nobody can foresee what a student will do,
// so a forward-looking target that asks gets a policy that keeps the
// relief in force.
func (g *student) Clone() sim.Policy { return unforeseen{} }

// CopyFrom implements sim.Policy: a student's state is in the student.
func (g *student) CopyFrom(sim.Policy) {}

// unforeseen is what a forward-looking target expects of a student: no
// change.
type unforeseen struct{}

func (unforeseen) Reset()                               {}
func (unforeseen) Decide(*sim.Observation, *sim.Action) {}
func (u unforeseen) Clone() sim.Policy                  { return u }
func (unforeseen) CopyFrom(sim.Policy)                  {}

// Decide implements sim.Policy.
func (g *student) Decide(o *sim.Observation, a *sim.Action) {
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
			fmt.Fprintln(g.out, wrapText("invalid: "+err.Error(), Width))
			continue
		}
		if end {
			return
		}
	}
}

// keep ends the game's questions: the settings stay to the end.
func (g *student) keep(o *sim.Observation, why string) {
	g.quit = true
	span := fmt.Sprintf("rounds %d-%d", o.Round+1, o.Rounds)
	if o.Round+1 == o.Rounds {
		span = fmt.Sprintf("round %d", o.Rounds)
	}
	fmt.Fprintf(g.out, "%s: keeping the current settings for %s.\n", why, span)
}

// readLine returns the next line of input without its line ending; false
// at the end of input (or on a read error, kept in g.err).
func (g *student) readLine() (string, bool) {
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

// record adds a move to the moves file.
func (g *student) record(round int, move string) {
	g.write(round, move)
	g.moveCount++
}

// write adds a line to the moves file, under the round's heading.
func (g *student) write(round int, line string) {
	if g.movedIn != round {
		g.moves = append(g.moves, fmt.Sprintf("# round %d", round))
		g.movedIn = round
	}
	g.moves = append(g.moves, line)
}

// command carries out one line of input; it reports whether the round ends.
func (g *student) command(line string, o *sim.Observation, a *sim.Action) (bool, error) {
	trimmed := strings.TrimSpace(line)
	if strings.HasPrefix(trimmed, "#") {
		if !generatedComment(trimmed) { // the player's own note: kept, not a move
			g.write(o.Round, trimmed)
		}
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
		x, err := parseLevel(args[0], coverageScale)
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
			if level, err = parseLevel(args[1], reliefScale); err != nil {
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
func (g *student) sector(arg string) ([]int, string, error) {
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
	switch len(hits) {
	case 0:
		return nil, "", fmt.Errorf("unknown sector %q; sectors: %s (or all)", arg, strings.Join(g.sectors, ", "))
	case 1:
		return hits, g.sectors[hits[0]], nil
	}
	names := make([]string, len(hits))
	for i, h := range hits {
		names[i] = g.sectors[h]
	}
	return nil, "", fmt.Errorf("ambiguous sector %q: it could be %s; type more of the name",
		arg, strings.Join(names[:len(names)-1], ", ")+" or "+names[len(names)-1])
}

// levelScale is the scale of a level, for messages about a level the student
// got wrong: a sector's relief or the humanitarian exemption coverage.
type levelScale int

const (
	reliefScale levelScale = iota
	coverageScale
)

// words returns the quantity ("relief" or "coverage") and what 0 and 1 mean
// on the scale.
func (sc levelScale) words() (what, zero, one string) {
	if sc == coverageScale {
		return "coverage", "no humanitarian exemptions", "full coverage"
	}
	return "relief", "fully sanctioned", "fully lifted"
}

// parseLevel reads a level in [0, 1] on scale: a sector's relief or the
// humanitarian exemption coverage.
func parseLevel(s string, scale levelScale) (float64, error) {
	what, zero, one := scale.words()
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, fmt.Errorf("%s level %q is not a number; %s goes from 0 (%s) to 1 (%s)", what, s, what, zero, one)
	}
	if x < 0 || x > 1 {
		return 0, fmt.Errorf("%s level %s is outside [0, 1]: 0 is %s, 1 %s", what, s, zero, one)
	}
	return x, nil
}

// status prints what the coalition sees at the end of the round.
func (g *student) status(o *sim.Observation) {
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
func (g *student) pending(o *sim.Observation, a *sim.Action) {
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

func (g *student) settings(prefix string, relief []float64) string {
	items := make([]string, len(relief))
	for i, x := range relief {
		items[i] = fmt.Sprintf("%s %.2f", g.sectors[i], x)
	}
	return wrapItems(prefix, items, Width)
}

// generatedComment reports whether a comment line is one the moves file
// writes itself (its header and round headings), which a replay must not
// copy a second time.
func generatedComment(line string) bool {
	var n int
	if _, err := fmt.Sscanf(line, "# round %d", &n); err == nil && line == fmt.Sprintf("# round %d", n) {
		return true
	}
	return line == movesTitle || line == movesComments || strings.HasPrefix(line, movesReplay)
}
