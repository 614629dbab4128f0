package game

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/tranche-sim/tranche/policy"
	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/scenarios"
	"github.com/tranche-sim/tranche/sim"
)

// play plays a game of a bundled scenario on seed and replication rep,
// with script as the player's input (echoed, as a script on standard input
// is), and returns what it printed and the result.
func play(t *testing.T, script, scenario string, seed uint64, rep int) (string, *Result) {
	t.Helper()
	s, err := scenarios.Get(scenario)
	if err != nil {
		t.Fatal(err)
	}
	s.Seed = seed
	m, err := s.Model()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	r, err := Play(s, m, strings.NewReader(script), &out, Options{Replication: rep, Echo: true})
	if err != nil {
		t.Fatalf("play %s: %v\nstdout: %s", scenario, err, out.String())
	}
	return out.String(), r
}

// playDefault plays the default scenario's seed 1, replication 0.
func playDefault(t *testing.T, script string) (string, *Result) {
	t.Helper()
	return play(t, script, "default", 1, 0)
}

// histories returns the game's histories as histories.csv holds them.
func histories(t *testing.T, r *Result) string {
	t.Helper()
	var b bytes.Buffer
	if err := results.WriteHistoriesCSV(&b, r.Histories); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// checkComplete checks that a game ran to the end and has a row for the
// player and every built-in policy.
func checkComplete(t *testing.T, stdout string, r *Result) {
	t.Helper()
	if !strings.Contains(stdout, "That was the last round") {
		t.Error("the game did not reach the last round")
	}
	var names []string
	for _, row := range r.Rows {
		names = append(names, row.Policy)
	}
	if want := append([]string{You}, policy.Names()...); !slices.Equal(names, want) {
		t.Errorf("rows %v, want %v", names, want)
	}
}

func TestPlayInvalidMoves(t *testing.T) {
	cases := []struct{ name, move, want string }{
		{"unknown command", "dance", `unknown command "dance"`},
		{"unknown sector", "relieve oil", `unknown sector "oil"; sectors: humanitarian_goods, finance, energy, trade, travel`},
		{"level 2", "set energy 2", "level 2 is outside [0, 1]"},
		{"negative level", "relieve all -0.1", "outside [0, 1]"},
		{"level not a number", "coverage lots", `level "lots" is not a number`},
		{"level NaN", "set trade NaN", "is not a number"},
		{"set without level", "set energy", "missing argument: set SECTOR|all LEVEL"},
		{"relieve without sector", "relieve", "missing argument: relieve"},
		{"reimpose with a level", "reimpose energy 1", "too many arguments: reimpose"},
		{"auto 0", "auto 0", "auto 0: N must be a whole number"},
		{"ambiguous prefix", "relieve t", `ambiguous sector "t": it could be trade or travel`},
		{"coverage above 1", "coverage 1.5", "coverage level 1.5 is outside [0, 1]: 0 is no humanitarian exemptions, 1 full coverage"},
		{"coverage NaN", "coverage nan", "coverage goes from 0 (no humanitarian exemptions) to 1 (full coverage)"},
	}
	_, ref := playDefault(t, "quit\n")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stdout, r := playDefault(t, c.move+"\nquit\n")
			checkComplete(t, stdout, r)
			if n := strings.Count(stdout, "invalid: "); n != 1 {
				t.Errorf("%d lines with invalid:, want 1:\n%s", n, stdout)
			}
			_, msg, _ := strings.Cut(stdout, "invalid: ")
			if msg, _, _ = strings.Cut(msg, "round 1> "); !strings.Contains(strings.ReplaceAll(msg, "\n", " "), c.want) {
				t.Errorf("the invalid: message %q lacks %q", msg, c.want)
			}
			if n := strings.Count(stdout, "round 1> "); n != 2 {
				t.Errorf("prompt for round 1 shown %d times, want 2: the game must stay in the round", n)
			}
			if moves := string(r.MovesFile("tranche play")); strings.Contains(moves, c.move) {
				t.Errorf("the moves file records the invalid move:\n%s", moves)
			}
			// The invalid move changed nothing: the same game as quitting at once.
			if histories(t, r) != histories(t, ref) {
				t.Error("an invalid move changed the game")
			}
		})
	}
}

// Level messages use the wording of the level's own scale, never the
// other's.
func TestParseLevelWording(t *testing.T) {
	cases := []struct {
		name, in     string
		scale        levelScale
		want, absent string
	}{
		{"relief too high", "2", reliefScale, "relief level 2 is outside [0, 1]: 0 is fully sanctioned, 1 fully lifted", "coverage"},
		{"relief not a number", "x", reliefScale, `relief level "x" is not a number; relief goes from 0 (fully sanctioned) to 1 (fully lifted)`, "coverage"},
		{"coverage too high", "1.5", coverageScale, "coverage level 1.5 is outside [0, 1]: 0 is no humanitarian exemptions, 1 full coverage", "sanctioned"},
		{"coverage negative", "-0.5", coverageScale, "0 is no humanitarian exemptions, 1 full coverage", "lifted"},
		{"coverage infinite", "inf", coverageScale, `coverage level "inf" is not a number; coverage goes from 0 (no humanitarian exemptions) to 1 (full coverage)`, "sanctioned"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseLevel(c.in, c.scale)
			if err == nil {
				t.Fatalf("parseLevel(%q) accepted it", c.in)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("parseLevel(%q): %q lacks %q", c.in, err, c.want)
			}
			if strings.Contains(err.Error(), c.absent) {
				t.Errorf("parseLevel(%q): %q uses the other scale's wording (%q)", c.in, err, c.absent)
			}
		})
	}
	for _, c := range []struct {
		in   string
		want float64
	}{{"0", 0}, {"0.5", 0.5}, {"1", 1}, {"1e-1", 0.1}} {
		if x, err := parseLevel(c.in, coverageScale); err != nil || x != c.want {
			t.Errorf("parseLevel(%q) = %v, %v; want %v", c.in, x, err, c.want)
		}
	}
}

// A sector is named in full or by a prefix that only it has; an ambiguous
// prefix is said to be one, with the sectors it could mean.
func TestSectorPrefix(t *testing.T) {
	g := &student{sectors: []string{"Finance", "Energy", "trade", "travel", "transit"}}
	for _, n := range g.sectors {
		g.lower = append(g.lower, strings.ToLower(n))
	}
	cases := []struct {
		arg, name, err string
	}{
		{"finance", "Finance", ""},
		{"f", "Finance", ""},
		{"trad", "trade", ""},
		{"all", "all", ""},
		{"t", "", `ambiguous sector "t": it could be trade, travel or transit; type more of the name`},
		{"tra", "", `ambiguous sector "tra": it could be trade, travel or transit`},
		{"trav", "travel", ""},
		{"x", "", `unknown sector "x"; sectors: Finance, Energy, trade, travel, transit (or all)`},
	}
	for _, c := range cases {
		_, name, err := g.sector(c.arg)
		switch {
		case c.err == "" && err != nil:
			t.Errorf("sector(%q): %v", c.arg, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("sector(%q): error %v, want %q", c.arg, err, c.err)
		case name != c.name:
			t.Errorf("sector(%q) = %q, want %q", c.arg, name, c.name)
		}
	}
}

// Quitting and running out of input end the game the same way, at any
// round.
func TestPlayEndsEarly(t *testing.T) {
	cases := []struct{ name, script string }{
		{"quit in round 3", "relieve all 0.5\nnext\nnext\nquit\n"},
		{"end of input in round 3", "relieve all 0.5\nnext\nnext\n"},
		{"end of input without a newline", "relieve all 0.5\nnext\nnext"},
		{"end of input at once", ""},
		{"quit at once", "quit\n"},
	}
	hist := map[string]string{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stdout, r := playDefault(t, c.script)
			checkComplete(t, stdout, r)
			if strings.Contains(stdout, "round 4> ") {
				t.Error("the game asked for moves after the player quit")
			}
			hist[c.name] = histories(t, r)
		})
	}
	for _, pair := range [][2]string{{"quit in round 3", "end of input in round 3"}, {"quit in round 3", "end of input without a newline"}, {"end of input at once", "quit at once"}} {
		if hist[pair[0]] != hist[pair[1]] {
			t.Errorf("%s and %s gave different games", pair[0], pair[1])
		}
	}
	if hist["quit in round 3"] == hist["quit at once"] {
		t.Error("relieving in round 1 changed nothing")
	}
}

// A failure to read the input is an error, not the end of the input.
func TestPlayReadError(t *testing.T) {
	s, err := scenarios.Get("default")
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.Model()
	if err != nil {
		t.Fatal(err)
	}
	broken := errors.New("broken pipe")
	in := io.MultiReader(strings.NewReader("relieve all\n"), iotest.ErrReader(broken))
	_, err = Play(s, m, in, &bytes.Buffer{}, Options{})
	if !errors.Is(err, broken) || !strings.HasPrefix(err.Error(), "reading the moves: ") {
		t.Errorf("Play with a failing input: %v, want reading the moves: %v", err, broken)
	}
	for _, rep := range []int{-1, scenarios.MaxReplications} {
		if _, err := Play(s, m, strings.NewReader(""), &bytes.Buffer{}, Options{Replication: rep}); err == nil {
			t.Errorf("Play accepted replication %d", rep)
		}
	}
}

// The moves file holds the moves that change or end a round and the
// player's own notes (comments), under a heading for each round, and
// replays the game; a replay does not copy the headings again.
func TestMovesFile(t *testing.T) {
	script := "# a comment\nhelp\nrelieve fin 0.5\nbogus\ncoverage 1\n\nstatus\nauto 3\nset Energy 0.75\nreimpose all\nrelieve travel\nnext\nquit\n"
	_, r := play(t, script, "spoilers-weak-verification", 3, 2)
	moves := string(r.MovesFile("tranche play X --seed 3"))
	for _, want := range []string{
		"# moves of a game of tranche play; replay with:\n#   tranche play X --seed 3 < moves.txt\n",
		"# round 1\n# a comment\nrelieve finance 0.5\ncoverage 1\nnext\n# round 2\nauto 3\n",
		"set energy 0.75\nreimpose all\nrelieve travel 1\nnext\n", "quit\n",
	} {
		if !strings.Contains(moves, want) {
			t.Errorf("the moves file lacks %q:\n%s", want, moves)
		}
	}
	if r.Moves != 9 {
		t.Errorf("Moves = %d, want 9 (notes are not moves)", r.Moves)
	}
	if _, r2 := play(t, moves, "spoilers-weak-verification", 3, 2); string(r2.MovesFile("tranche play X --seed 3")) != moves {
		t.Errorf("replaying the moves file gave another moves file:\n%s", r2.MovesFile("tranche play X --seed 3"))
	}
	for _, absent := range []string{"bogus", "help", "status"} {
		if strings.Contains(moves, absent) {
			t.Errorf("the moves file records %q, which changes nothing:\n%s", absent, moves)
		}
	}
	_, r2 := play(t, moves, "spoilers-weak-verification", 3, 2)
	if histories(t, r) != histories(t, r2) || string(r2.MovesFile("tranche play X --seed 3")) != moves {
		t.Error("replaying the moves file gave another game")
	}
}

// policyFunc is a policy made of a function; nil changes nothing.
type policyFunc func(o *sim.Observation, a *sim.Action)

func (f policyFunc) Reset()              {}
func (f policyFunc) Clone() sim.Policy   { return f }
func (f policyFunc) CopyFrom(sim.Policy) {}
func (f policyFunc) Decide(o *sim.Observation, a *sim.Action) {
	if f != nil {
		f(o, a)
	}
}

// direct runs pol on one replication of a bundled scenario.
func direct(t *testing.T, scenario string, seed uint64, rep int, pol sim.Policy) *sim.Outcome {
	t.Helper()
	s, err := scenarios.Get(scenario)
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.Model()
	if err != nil {
		t.Fatal(err)
	}
	out := sim.NewOutcome(m.Rounds)
	sim.NewReplication(m).Run(seed, uint64(rep), pol, out)
	return out
}

// row returns the game's row for a policy.
func row(t *testing.T, r *Result, name string) [sim.NumMetrics]float64 {
	t.Helper()
	for _, row := range r.Rows {
		if row.Policy == name {
			return row.Metrics
		}
	}
	t.Fatalf("the game has no row %s", name)
	return [sim.NumMetrics]float64{}
}

func sameMetrics(a, b [sim.NumMetrics]float64) (string, bool) {
	defs := sim.Metrics(40, 1)
	for k := range a {
		if a[k] != b[k] && !(math.IsNaN(a[k]) && math.IsNaN(b[k])) {
			return fmt.Sprintf("%s: %v, want %v", defs[k].Key, a[k], b[k]), false
		}
	}
	return "", true
}

// A script is exactly the policy that makes the same moves in the same
// rounds: a player who never changes anything gets the outcomes of a
// policy whose Decide does nothing, and so on.
func TestPlayEqualsScriptedPolicy(t *testing.T) {
	const energy, finance = 2, 1
	cases := []struct {
		name     string
		script   string
		scenario string
		seed     uint64
		rep      int
		pol      policyFunc
	}{
		{"never changes anything (no input)", "", "default", 1, 0, nil},
		{"never changes anything (next, then quit)", "next\n\nnext\nquit\n", "opportunist", 4, 9, nil},
		{"relieve all in round 1, then end of input", "relieve all\n", "default", 1, 0,
			func(o *sim.Observation, a *sim.Action) {
				if o.Round == 1 {
					a.SetAll(1)
				}
			}},
		{"energy and coverage in round 2", "\nset energy 0.5\ncoverage 0.9\n", "default", 2, 7,
			func(o *sim.Observation, a *sim.Action) {
				if o.Round == 2 {
					a.Relief[energy] = 0.5
					a.Coverage = 0.9
				}
			}},
		{"relieve, then snap back finance", "relieve all\nnext\nnext\nreimpose finance\nquit\n", "opportunist", 1, 3,
			func(o *sim.Observation, a *sim.Action) {
				switch o.Round {
				case 1:
					a.SetAll(1)
				case 3:
					a.Relief[finance] = 0
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, r := play(t, c.script, c.scenario, c.seed, c.rep)
			want := direct(t, c.scenario, c.seed, c.rep, c.pol)
			if msg, ok := sameMetrics(row(t, r, You), want.Metrics); !ok {
				t.Errorf("player's %s", msg)
			}
			var b bytes.Buffer
			results.WriteHistoriesCSV(&b, results.HistoryRows(You, c.rep, want))
			var p bytes.Buffer
			results.WriteHistoriesCSV(&p, r.PlayerHistory)
			if !strings.HasPrefix(histories(t, r), b.String()) || p.String() != b.String() {
				t.Error("the player's history differs from the scripted policy's")
			}
		})
	}
}

// The built-in rows are the built-in policies run on the same replication.
func TestPlayBuiltinsOnSameHistory(t *testing.T) {
	_, r := play(t, "quit\n", "default", 6, 4)
	for _, name := range []string{"phased-snapback", "big-bang", "max-pressure", "ladder"} {
		e, _ := policy.Lookup(name)
		want := direct(t, "default", 6, 4, e.Defaults().NewPolicy())
		if msg, ok := sameMetrics(row(t, r, name), want.Metrics); !ok {
			t.Errorf("%s row: %s", name, msg)
		}
	}
}

// auto N ends N rounds without asking, unless a violation is reported.
func TestPlayAuto(t *testing.T) {
	s, err := scenarios.Get("spoilers-weak-verification")
	if err != nil {
		t.Fatal(err)
	}
	for _, rep := range []int{0, 1, 2, 3, 4, 5} {
		stdout, r := play(t, "relieve all\nauto 6\nquit\n", "spoilers-weak-verification", s.Seed, rep)
		checkComplete(t, stdout, r)
		// Expected: the next prompt after round 1 is at the first round 2-6
		// with a violation report, or at round 7.
		want := 7
		o := direct(t, "spoilers-weak-verification", s.Seed, rep, policyFunc(func(o *sim.Observation, a *sim.Action) {
			if o.Round == 1 {
				a.SetAll(1)
			}
		}))
		for r := 2; r <= 6; r++ {
			if o.Events[r-1].Violation {
				want = r
				break
			}
		}
		for r := 2; r <= 7; r++ {
			if got := strings.Contains(stdout, fmt.Sprintf("round %d> ", r)); got != (r == want) {
				t.Errorf("replication %d: prompt for round %d shown: %v; want the first prompt after round 1 in round %d", rep, r, got, want)
			}
		}
		if stopped := strings.Contains(stdout, "auto stopped"); stopped != (want < 7) {
			t.Errorf("replication %d: auto stopped: %v, want %v", rep, stopped, want < 7)
		}
	}
}

func TestRoundLabel(t *testing.T) {
	cases := []struct {
		round, months int
		want          string
	}{
		{1, 3, "year 1, quarter 1"},
		{5, 3, "year 2, quarter 1"},
		{40, 3, "year 10, quarter 4"},
		{14, 1, "year 2, month 2"},
		{3, 6, "year 2, half 1"},
		{4, 12, "year 4"},
		{2, 24, "years 3-4"},
		{2, 4, "year 1, months 5-8"},
		{3, 5, "months 11-15"},
	}
	for _, c := range cases {
		if got := roundLabel(c.round, c.months); got != c.want {
			t.Errorf("roundLabel(%d, %d) = %q, want %q", c.round, c.months, got, c.want)
		}
	}
}
