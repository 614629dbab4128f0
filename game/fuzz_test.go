package game

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/tranche-sim/tranche/scenarios"
)

// FuzzCommands plays a short game with arbitrary input as the player's
// commands: every line is carried out or refused, the game ends, and the
// moves file it writes replays to the same game.
func FuzzCommands(f *testing.F) {
	for _, seed := range []string{
		"relieve finance 0.5\nset all 1\n\ncoverage 0.9\nauto 2\n",
		"reimpose all\nstatus\nhelp\n# a note\nquit\n",
		"set energy 2\nrelieve\nrelieve x y z\ncoverage -1\nauto -3\nauto 99999999999999999999\n",
		"set all nan\nset all inf\nset all 1e308\nrelieve fin 0.5 0.5\n\x00\xff\n",
		"next\nnext\nnext\nnext\nnext\n",
	} {
		f.Add(seed)
	}
	s, err := scenarios.Get("default")
	if err != nil {
		f.Fatal(err)
	}
	s.Rounds = 4
	s.Outcomes.DurableRounds, s.Outcomes.CollapseRounds = 2, 2
	m, err := s.Model()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, script string) {
		if len(script) > 4096 {
			return
		}
		r, err := Play(s, m, strings.NewReader(script), io.Discard, Options{Echo: true})
		if err != nil {
			t.Fatalf("Play: %v", err)
		}
		moves := r.MovesFile("tranche play")
		again, err := Play(s, m, bytes.NewReader(moves), io.Discard, Options{Echo: true})
		if err != nil {
			t.Fatalf("replay: %v", err)
		}
		if r.Rows[0].Metrics != again.Rows[0].Metrics && !nanEqual(r.Rows[0].Metrics[:], again.Rows[0].Metrics[:]) {
			t.Errorf("the moves file does not replay the game:\n%s", moves)
		}
	})
}

func nanEqual(a, b []float64) bool {
	for i := range a {
		if a[i] != b[i] && !(a[i] != a[i] && b[i] != b[i]) {
			return false
		}
	}
	return true
}
