package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/tranche-sim/tranche/game"
	"github.com/tranche-sim/tranche/internal/shell"
	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/results/plots"
	"github.com/tranche-sim/tranche/scenarios"
	"github.com/tranche-sim/tranche/sim"
)

// tranche play: the classroom mode, package game's game on the command
// line. This file reads the flags, loads the scenario, wires standard input
// and output to the game and saves it in a new results folder.

// playOptions are the flags of tranche play.
type playOptions struct {
	scenario    string
	seed        uint64
	rep         int
	rounds      int
	out         string
	assignments listFlag // --set KEY=VALUE
	set         map[string]bool
}

func parsePlay(args []string, stderr io.Writer) (*playOptions, error) {
	o := &playOptions{}
	fs := flag.NewFlagSet("tranche play", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Uint64Var(&o.seed, "seed", 0, "seed of the random streams (default: the scenario's)")
	fs.IntVar(&o.rep, "replication", 0, "which replication of the seed to play: the history (0 to 99999999)")
	fs.IntVar(&o.rounds, "rounds", 0, "rounds in the game (default: the scenario's)")
	fs.StringVar(&o.out, "out", "", "folder for the game (default tranche-out/play-SCENARIO-seedSEED-TIMESTAMP); must not exist")
	fs.Var(&o.assignments, "set", "set a scenario parameter, KEY=VALUE (repeatable; tranche params lists the keys)")
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

// load loads the scenario and applies --set, --seed and --rounds.
func (o *playOptions) load() (*scenarios.Scenario, error) {
	ro := &runOptions{scenario: o.scenario, seed: o.seed, rounds: o.rounds, assignments: o.assignments, set: o.set}
	return ro.load()
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
	if err := game.Check(s); err != nil {
		return usageError{err}
	}
	out := o.out
	if out == "" {
		out = defaultOut("play-"+s.Name, s.Seed, start)
	}
	// Refuse an existing folder now, not after a class has played 40 rounds.
	// The folder itself is made after the game, so that a game abandoned
	// with Ctrl-C leaves nothing behind.
	if err := results.CheckNew(out); err != nil && !(o.out == "" && errors.Is(err, results.ErrExists)) {
		var pe *results.PathError
		if errors.As(err, &pe) {
			return usageError{err}
		}
		return err
	}

	res, err := game.Play(s, m, stdin, stdout, game.Options{Replication: o.rep, Echo: !inputIsTerminal(stdin)})
	if err != nil {
		return err
	}

	replay := []string{"tranche", "play"}
	if o.scenario != "" {
		replay = append(replay, o.scenario)
	}
	replay = append(replay, "--seed", strconv.FormatUint(s.Seed, 10), "--replication", strconv.Itoa(o.rep))
	if o.set["rounds"] {
		replay = append(replay, "--rounds", strconv.Itoa(s.Rounds))
	}
	for _, a := range o.assignments {
		replay = append(replay, "--set", a)
	}

	// Like the game's prompts, the table and the verdict are best effort:
	// the game is saved even when standard output fails.
	fmt.Fprintln(stdout)
	_ = res.WriteTable(stdout)
	fmt.Fprintln(stdout)
	_ = res.WriteVerdict(stdout)

	folder, err := results.CreateFolder(out)
	for i := 2; o.out == "" && errors.Is(err, results.ErrExists) && i < 1000; i++ {
		folder, err = results.CreateFolder(fmt.Sprintf("%s-%d", out, i)) // a game started in the same second
	}
	if err != nil {
		var pe *results.PathError
		if errors.As(err, &pe) {
			return usageError{err}
		}
		return err
	}
	defer folder.Abort() // a no-op once committed
	rec := res.Record()
	rec.Tool, rec.Version, rec.GoVersion, rec.GOARCH = "tranche", version(), runtime.Version(), runtime.GOARCH
	rec.CommandLine = append([]string{"tranche", "play"}, args...)
	rec.Replay = shell.Join(replay) + " < moves.txt"
	rec.Start = start.UTC()
	var hb, jb bytes.Buffer
	if err := results.WriteHistoriesCSV(&hb, res.Histories); err != nil {
		return err
	}
	if err := rec.WriteJSON(&jb); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		data []byte
	}{
		{"histories.csv", hb.Bytes()},
		{"moves.txt", res.MovesFile(shell.Join(replay))},
		{"game.json", jb.Bytes()},
		{"scenario.toml", scenarios.Format(s)},
	} {
		if err := folder.WriteFile(f.name, f.data); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
	}
	title := fmt.Sprintf("You as the coalition: %s, seed %d, replication %d", s.Name, s.Seed, o.rep)
	if err := writePlayPlots(folder, res.PlayerHistory, title, s.MonthsPerRound); err != nil {
		return err
	}
	if err := folder.Commit(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\ngame saved: %s\n", folder.Final())
	fmt.Fprintf(stdout, "replay: %s < %s\n", shell.Join(replay), shell.Join([]string{folder.Final() + string(os.PathSeparator) + "moves.txt"}))
	return nil
}

// inputIsTerminal reports whether r is a terminal, where the player's
// commands are seen as they are typed (and so not echoed).
func inputIsTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// writePlayPlots draws the figures of a game into the folder's plots/.
func writePlayPlots(folder *results.Folder, rows []results.HistoryRow, title string, monthsPerRound int) error {
	if err := os.MkdirAll(folder.Path("plots"), 0o755); err != nil {
		return err
	}
	return plots.History(rows, title, monthsPerRound, folder.Path(filepath.Join("plots", "history.png")))
}
