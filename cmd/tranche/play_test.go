package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tranche-sim/tranche/game"
	"github.com/tranche-sim/tranche/policy"
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
		if f := strings.Fields(rows[i+1]); f[0] != name || len(f) != 1+len(game.Columns()) {
			t.Errorf("table row %d is %q, want policy %s and %d values", i+1, rows[i+1], name, len(game.Columns()))
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
		"quit: keeping the current settings", "Settlement (on true compliance):", "Humanitarian shortfall:",
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
	var g game.Record
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(dir, "game.json"))), &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Outcomes) != len(names) || g.Outcomes[0].Policy != "you" || g.Seed != 1 || g.Replication != 0 || len(g.Columns) != len(game.Columns()) {
		t.Errorf("game.json: %d outcomes, first %q, seed %d, replication %d", len(g.Outcomes), g.Outcomes[0].Policy, g.Seed, g.Replication)
	}
	for _, line := range strings.Split(stdout, "\n") {
		if strings.Contains(line, dir) {
			continue // the folder's path is the user's
		}
		if n := len([]rune(line)); n > game.Width {
			t.Errorf("line of %d columns: %q", n, line)
		}
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
	for _, want := range []string{"# round 1\n# a comment\nrelieve finance 0.5\ncoverage 1\nnext\n", "quit\n",
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
	gameDir := filepath.Join(tmp, "game")
	if code, stdout, stderr := tranche(t, "play", "--rounds", "8", "--out", gameDir); code != 0 || !strings.Contains(stdout, "game saved") {
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
		{"existing out", []string{"play", "--out", gameDir}, "already exists"},
		{"out is a file", []string{"play", "--out", script}, "results folder " + script + ": that is an existing file, not a folder"},
		{"a forward-looking target", []string{"play", "--set", "target.model=forward-looking"}, "a player has none to work out"},
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

// A game with --set records the settings in its replay command, and a game
// played with them differs from one without (a poorer verifier).
func TestPlaySet(t *testing.T) {
	t.Parallel()
	script := "set all 0.5\nauto 39\n"
	args := []string{"--seed", "5", "--set", "verifier.quality=0.1", "--set", "verifier.max_false_alarm=0.5"}
	out, dir := play(t, script, args...)
	moves := readFile(t, filepath.Join(dir, "moves.txt"))
	if !strings.Contains(moves, "tranche play --seed 5 --replication 0 --set verifier.quality=0.1 --set verifier.max_false_alarm=0.5 < moves.txt") {
		t.Errorf("moves.txt does not replay with the settings:\n%s", moves)
	}
	if !strings.Contains(readFile(t, filepath.Join(dir, "scenario.toml")), "quality = 0.1") {
		t.Error("scenario.toml lacks the setting")
	}
	plain, _ := play(t, script, "--seed", "5")
	if table(t, out) == table(t, plain) {
		t.Error("the settings changed nothing in the game")
	}
}
