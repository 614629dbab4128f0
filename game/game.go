// Package game is tranche's classroom game: a person plays the sanctioning
// coalition in one history (one replication) of a scenario, and then sees
// their outcomes beside every policy's on the same history.
//
// The player is a sim.Policy whose Decide shows what the coalition can see
// at the end of each round and reads commands (relieve, reimpose, set,
// coverage, status, next, auto, quit, help) until the player ends the
// round. The replication runs with this policy, unchanged engine and all,
// and then with every built-in policy, and every policy the scenario
// defines, on the same random streams (common random numbers).
//
// Play plays a game and returns its Result; the Result prints the outcome
// table and a short verdict, and gives the files of a saved game: the moves
// (which replay the game when read back as input), the histories and the
// Record written as game.json. Where they are saved, and how the command
// line is read, is the caller's business (cmd/tranche's play command).
package game

import (
	"bytes"
	"fmt"
	"github.com/tranche-sim/tranche/agents"
	"io"

	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/scenarios"
	"github.com/tranche-sim/tranche/sim"
)

// Width is the widest line the game prints (a projector's width).
const Width = 100

// You is the policy name of the player's row in the outcome table and the
// histories.
const You = "you"

// Options configure a game.
type Options struct {
	// Replication is the replication of the scenario's seed that is
	// played: the history. It must be in [0, scenarios.MaxReplications).
	Replication int
	// Echo prints each command after its prompt, as it is read: for input
	// that is not a terminal (a script), whose commands would otherwise
	// not be seen.
	Echo bool
}

// Row is one row of the outcome table: a policy (You for the player) and
// its outcome metrics, indexed as sim's metric constants; NaN marks an
// undefined value.
type Row struct {
	Policy  string
	Metrics [sim.NumMetrics]float64
}

// Result is a finished game: the player's outcomes beside every
// contender's on the same history.
type Result struct {
	// Scenario is the scenario played.
	Scenario *scenarios.Scenario
	// Replication is the replication played.
	Replication int
	// Rows are the outcome table's rows: the player's first, then the
	// built-in policies in policy.Names order, then the policies the
	// scenario defines, by name.
	Rows []Row
	// Best names, for each column of the table (see Columns), the rows with
	// the best value as printed; a column in which every row ties, or
	// whose metric is neither better high nor low, has none.
	Best map[string][]string
	// Skipped are the policies left out because their parameters do not
	// fit the scenario, each as "name: reason".
	Skipped []string
	// Histories are the round-by-round histories of every row, in the
	// order of Rows.
	Histories []results.HistoryRow
	// PlayerHistory is the player's part of Histories.
	PlayerHistory []results.HistoryRow
	// Moves is the number of moves the player made: the commands that
	// change or end a round, as the moves file records them.
	Moves int

	moves   []string     // the moves file's lines, with "# round N" headings
	metrics []sim.Metric // the model's metric definitions
}

// Check reports whether scenario s can be played. A forward-looking
// target works out what the coalition's rule would answer to each of its
// choices; a player has no rule to work out, so against a player it would
// expect no relief at all while the built-in rivals were foreseen: the
// comparison would be unfair, and the game refuses it.
func Check(s *scenarios.Scenario) error {
	if s.Params.Target.Model == agents.ForwardLooking {
		return fmt.Errorf("target.model = %q: a forward-looking target works out the coalition's announced rule, and a player has none to work out; play against %q (the default) or %q", agents.ForwardLooking, agents.RuleLearner, agents.Adaptive)
	}
	return nil
}

// Play plays one game of scenario s on m, which must be s's model
// (s.Model()): it prints the introduction and each round to out, reads the
// player's commands from in until the player quits, the input ends or the
// last round is played, and then runs every contender on the same history.
// It fails only when in cannot be read (the end of the input is not a
// failure: the settings are then kept to the end) or opt.Replication is
// out of range, or Check refuses s.
func Play(s *scenarios.Scenario, m *sim.Model, in io.Reader, out io.Writer, opt Options) (*Result, error) {
	if opt.Replication < 0 || opt.Replication >= scenarios.MaxReplications {
		return nil, fmt.Errorf("game: replication %d is outside [0, %d]", opt.Replication, scenarios.MaxReplications-1)
	}
	if err := Check(s); err != nil {
		return nil, err
	}
	rivals, skipped := contenders(s)

	g := newStudent(s, m, in, out, opt)
	g.intro()
	rep := sim.NewReplication(m)
	you := sim.NewOutcome(m.Rounds)
	rep.Run(s.Seed, uint64(opt.Replication), g, you)
	if g.err != nil {
		return nil, fmt.Errorf("reading the moves: %w", g.err)
	}

	r := &Result{
		Scenario: s, Replication: opt.Replication, Skipped: skipped,
		Rows:    []Row{{You, you.Metrics}},
		Moves:   g.moveCount,
		moves:   g.moves,
		metrics: m.Metrics(),
	}
	r.Histories = results.HistoryRows(You, opt.Replication, you)
	r.PlayerHistory = r.Histories
	for _, c := range rivals {
		oc := sim.NewOutcome(m.Rounds)
		rep.Run(s.Seed, uint64(opt.Replication), c.params.NewPolicy(), oc)
		r.Rows = append(r.Rows, Row{c.name, oc.Metrics})
		r.Histories = append(r.Histories, results.HistoryRows(c.name, opt.Replication, oc)...)
	}
	r.Best = bestRows(r.Rows, r.metrics)
	return r, nil
}

// The moves file's header lines (the second is followed by the command).
const (
	movesTitle    = "# moves of a game of tranche play; replay with:"
	movesReplay   = "#   tranche play"
	movesComments = "# lines starting with # are comments (your notes are kept); an empty line or 'next' ends a round"
)

// MovesFile returns the moves file of the game (moves.txt): the player's
// moves, round by round, which replay the game when read back as input.
// replay is the command that replays it, as its header says (without the
// input redirection).
func (r *Result) MovesFile(replay string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\n#   %s < moves.txt\n%s\n", movesTitle, replay, movesComments)
	for _, m := range r.moves {
		b.WriteString(m + "\n")
	}
	return b.Bytes()
}

// errWriter is a writer that keeps its first error and writes nothing
// after it.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
