package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tranche-sim/tranche/policy"
	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/scenarios"
	"github.com/tranche-sim/tranche/sim"
)

// play plays a game with script as the student's input and returns what it
// printed and the game's folder.
func play(t *testing.T, script string, args ...string) (string, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "game")
	var out, errb bytes.Buffer
	args = append(args, "--out", dir)
	if err := playGame(args, strings.NewReader(script), &out, &errb); err != nil {
		t.Fatalf("play %v: %v\nstderr: %s\nstdout: %s", args, err, errb.String(), out.String())
	}
	return out.String(), dir
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// table returns the outcome table of a game's output: from its header to
// the legend.
func table(t *testing.T, stdout string) string {
	t.Helper()
	i := strings.Index(stdout, "\npolicy ")
	j := strings.Index(stdout, "\n* best in the column")
	if i < 0 || j < i {
		t.Fatalf("no outcome table in:\n%s", stdout)
	}
	return stdout[i+1 : j]
}

// checkComplete checks that a game ran to the end and printed a table with
// "you" and every built-in policy.
func checkComplete(t *testing.T, stdout, dir string) {
	t.Helper()
	if !strings.Contains(stdout, "That was the last round") {
		t.Error("the game did not reach the last round")
	}
	rows := strings.Split(table(t, stdout), "\n")
	names := []string{"you"}
	names = append(names, policy.Names()...)
	if len(rows) != 1+len(names) {
		t.Fatalf("table has %d rows, want a header and %d:\n%s", len(rows), len(names), strings.Join(rows, "\n"))
	}
	for i, name := range names {
		if f := strings.Fields(rows[i+1]); f[0] != name || len(f) != 1+len(playColumns) {
			t.Errorf("table row %d is %q, want policy %s and %d values", i+1, rows[i+1], name, len(playColumns))
		}
	}
	if !strings.Contains(stdout, "Common random numbers") {
		t.Error("the output does not say that every row ran on the same history")
	}
	for _, f := range []string{"histories.csv", "moves.txt", "game.json", "scenario.toml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
}

func TestPlayScriptedGame(t *testing.T) {
	script := "help\nrelieve humanitarian_goods\ncoverage 0.8\nstatus\n\nset all 0.25\nnext\nauto 3\nRELIEVE Energy\n\nquit\n"
	stdout, dir := play(t, script)
	checkComplete(t, stdout, dir)
	for _, want := range []string{
		"round 1 of 40 (year 1, quarter 1)", "round 5 of 40 (year 2, quarter 1)", "round 1> ",
		"verified compliance", "humanitarian index", "coalition cohesion", "leverage", "events:",
		"relief in force: humanitarian_goods", "humanitarian coverage", "commands (one per line",
		"from round 2: humanitarian coverage 0.80", "from round 2: humanitarian_goods 1.00",
		"quit: keeping the current settings", "Durable agreement:", "Humanitarian shortfall:",
		"game saved: " + dir, "replay: tranche play --seed 1 --replication 0 < ",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(stdout, "invalid:") {
		t.Errorf("a valid script printed invalid:\n%s", stdout)
	}
	// histories.csv: the student's rows, then every built-in's, one per round.
	rows := readCSV(t, filepath.Join(dir, "histories.csv"))
	names := append([]string{"you"}, policy.Names()...)
	if len(rows) != 1+40*len(names) {
		t.Fatalf("histories.csv has %d rows, want %d", len(rows), 1+40*len(names))
	}
	for i, r := range rows[1:] {
		if r[0] != names[i/40] || r[1] != "0" || r[2] != strconv.Itoa(i%40+1) {
			t.Fatalf("histories.csv row %d is %v", i+1, r[:3])
		}
	}
	var g gameRecord
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(dir, "game.json"))), &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Outcomes) != len(names) || g.Outcomes[0].Policy != "you" || g.Seed != 1 || g.Replication != 0 || len(g.Columns) != len(playColumns) {
		t.Errorf("game.json: %d outcomes, first %q, seed %d, replication %d", len(g.Outcomes), g.Outcomes[0].Policy, g.Seed, g.Replication)
	}
	for _, line := range strings.Split(stdout, "\n") {
		if strings.Contains(line, dir) {
			continue // the folder's path is the user's
		}
		if n := len([]rune(line)); n > playWidth {
			t.Errorf("line of %d columns: %q", n, line)
		}
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
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stdout, dir := play(t, c.move+"\nquit\n")
			checkComplete(t, stdout, dir)
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
			if moves := readFile(t, filepath.Join(dir, "moves.txt")); strings.Contains(moves, c.move) {
				t.Errorf("moves.txt records the invalid move:\n%s", moves)
			}
			// The invalid move changed nothing: the same game as quitting at once.
			_, ref := play(t, "quit\n")
			if readFile(t, filepath.Join(dir, "histories.csv")) != readFile(t, filepath.Join(ref, "histories.csv")) {
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
	for _, in := range []string{"0", "0.5", "1"} {
		if x, err := parseLevel(in, coverageScale); err != nil || strconv.FormatFloat(x, 'g', -1, 64) != in {
			t.Errorf("parseLevel(%q) = %v, %v", in, x, err)
		}
	}
}

// A sector is named in full or by a prefix that only it has; an ambiguous
// prefix is said to be one, with the sectors it could mean.
func TestSectorPrefix(t *testing.T) {
	g := &game{sectors: []string{"Finance", "Energy", "trade", "travel", "transit"}}
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
			stdout, dir := play(t, c.script)
			checkComplete(t, stdout, dir)
			if strings.Contains(stdout, "round 4> ") {
				t.Error("the game asked for moves after the student quit")
			}
			hist[c.name] = readFile(t, filepath.Join(dir, "histories.csv"))
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

func TestPlayDeterministic(t *testing.T) {
	script := "relieve humanitarian_goods\ncoverage 0.9\nnext\nset all 0.5\nauto 4\nreimpose finance\n"
	args := []string{"opportunist", "--seed", "11", "--replication", "5"}
	out1, dir1 := play(t, script, args...)
	out2, dir2 := play(t, script, args...)
	if strings.ReplaceAll(out1, dir1, "DIR") != strings.ReplaceAll(out2, dir2, "DIR") {
		t.Error("the same script printed different output")
	}
	for _, f := range []string{"histories.csv", "moves.txt", "scenario.toml"} {
		if readFile(t, filepath.Join(dir1, f)) != readFile(t, filepath.Join(dir2, f)) {
			t.Errorf("%s differs between two plays of the same script", f)
		}
	}
	// Another replication is another history.
	_, dir3 := play(t, script, "opportunist", "--seed", "11", "--replication", "6")
	if readFile(t, filepath.Join(dir1, "histories.csv")) == readFile(t, filepath.Join(dir3, "histories.csv")) {
		t.Error("replications 5 and 6 gave the same history")
	}
}

// Feeding moves.txt back replays the game exactly.
func TestPlayReplaysMoves(t *testing.T) {
	script := "# a comment\nhelp\nrelieve fin 0.5\nbogus\ncoverage 1\n\nstatus\nauto 3\nset Energy 0.75\nreimpose all\nrelieve travel\nnext\nquit\n"
	args := []string{"spoilers-weak-verification", "--seed", "3", "--replication", "2", "--rounds", "20"}
	out, dir := play(t, script, args...)
	moves := readFile(t, filepath.Join(dir, "moves.txt"))
	for _, want := range []string{"# round 1\nrelieve finance 0.5\ncoverage 1\nnext\n", "quit\n",
		"tranche play spoilers-weak-verification --seed 3 --replication 2 --rounds 20 < moves.txt"} {
		if !strings.Contains(moves, want) {
			t.Errorf("moves.txt lacks %q:\n%s", want, moves)
		}
	}
	if strings.Contains(moves, "bogus") || strings.Contains(moves, "help") || strings.Contains(moves, "status") {
		t.Errorf("moves.txt records moves that change nothing:\n%s", moves)
	}
	out2, dir2 := play(t, moves, args...)
	if table(t, out) != table(t, out2) {
		t.Error("the replay's outcome table differs")
	}
	for _, f := range []string{"histories.csv", "moves.txt"} {
		if readFile(t, filepath.Join(dir, f)) != readFile(t, filepath.Join(dir2, f)) {
			t.Errorf("replaying moves.txt gave a different %s", f)
		}
	}
}

// policyFunc is a policy made of a function; nil changes nothing.
type policyFunc func(o *sim.Observation, a *sim.Action)

func (f policyFunc) Reset() {}
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

// outcomeOf returns a row's metrics from game.json, NaN for null.
func outcomeOf(t *testing.T, dir, name string) [sim.NumMetrics]float64 {
	t.Helper()
	var g gameRecord
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(dir, "game.json"))), &g); err != nil {
		t.Fatal(err)
	}
	var x [sim.NumMetrics]float64
	for _, o := range g.Outcomes {
		if o.Policy != name {
			continue
		}
		for k, def := range sim.Metrics(40, 1) {
			v, ok := o.Metrics[def.Key]
			if !ok {
				t.Fatalf("game.json %s lacks %s", name, def.Key)
			}
			x[k] = math.NaN()
			if v != nil {
				x[k] = *v
			}
		}
		return x
	}
	t.Fatalf("game.json has no row %s", name)
	return x
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
// rounds: a student who never changes anything gets the outcomes of a
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
			_, dir := play(t, c.script, c.scenario, "--seed", strconv.FormatUint(c.seed, 10), "--replication", strconv.Itoa(c.rep))
			want := direct(t, c.scenario, c.seed, c.rep, c.pol)
			if msg, ok := sameMetrics(outcomeOf(t, dir, "you"), want.Metrics); !ok {
				t.Errorf("student's %s", msg)
			}
			var b bytes.Buffer
			results.WriteHistoriesCSV(&b, results.HistoryRows("you", c.rep, want))
			if hist := readFile(t, filepath.Join(dir, "histories.csv")); !strings.HasPrefix(hist, b.String()) {
				t.Error("the student's rows of histories.csv differ from the scripted policy's history")
			}
		})
	}
}

// The built-in rows are the built-in policies run on the same replication.
func TestPlayBuiltinsOnSameHistory(t *testing.T) {
	_, dir := play(t, "quit\n", "--seed", "6", "--replication", "4")
	for _, name := range []string{"phased-snapback", "big-bang", "max-pressure", "ladder"} {
		e, _ := policy.Lookup(name)
		want := direct(t, "default", 6, 4, e.Defaults().NewPolicy())
		if msg, ok := sameMetrics(outcomeOf(t, dir, name), want.Metrics); !ok {
			t.Errorf("%s row: %s", name, msg)
		}
	}
}

// auto N ends N rounds without asking, unless a violation is reported.
func TestPlayAuto(t *testing.T) {
	for _, rep := range []int{0, 1, 2, 3, 4, 5} {
		stdout, dir := play(t, "relieve all\nauto 6\nquit\n", "spoilers-weak-verification", "--replication", strconv.Itoa(rep))
		checkComplete(t, stdout, dir)
		// Expected: the next prompt after round 1 is at the first round 2-6
		// with a violation report, or at round 7.
		s, _ := scenarios.Get("spoilers-weak-verification")
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

// The command line: a game through run() exits 0; usage errors exit 2 and
// write nothing.
func TestPlayExitStatus(t *testing.T) {
	tmp := t.TempDir()
	script := filepath.Join(tmp, "moves.txt")
	os.WriteFile(script, []byte("relieve all\nquit\n"), 0o644)
	f, err := os.Open(script)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	stdin := os.Stdin
	os.Stdin = f
	defer func() { os.Stdin = stdin }()
	game := filepath.Join(tmp, "game")
	if code, stdout, stderr := tranche(t, "play", "--rounds", "8", "--out", game); code != 0 || !strings.Contains(stdout, "game saved") {
		t.Fatalf("play: exit %d: %s\n%s", code, stderr, stdout)
	}

	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown scenario", []string{"play", "nowhere"}, "no bundled scenario of that name"},
		{"bad seed", []string{"play", "--seed", "x"}, "invalid value"},
		{"negative replication", []string{"play", "--replication", "-1"}, "--replication = -1"},
		{"rounds 0", []string{"play", "--rounds", "0"}, "--rounds = 0"},
		{"too few rounds for the outcomes", []string{"play", "--rounds", "2"}, "durable_rounds = 4 exceeds rounds = 2"},
		{"two scenarios", []string{"play", "default", "opportunist"}, "play takes one scenario"},
		{"existing out", []string{"play", "--out", game}, "already exists"},
		{"out is a file", []string{"play", "--out", script}, "results folder " + script + ": that is an existing file, not a folder"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := tranche(t, c.args...)
			if code != 2 || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, c.want)
			}
		})
	}
	entries, _ := os.ReadDir(tmp)
	if len(entries) != 2 {
		t.Errorf("the folder holds %d entries, want moves.txt and game", len(entries))
	}
}
