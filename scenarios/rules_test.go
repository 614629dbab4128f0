package scenarios_test

import (
	"strings"
	"testing"

	"github.com/tranche-sim/tranche/scenarios"
)

// CheckRules finds, after Set, the same rule violations Check finds, and
// passes what Check passes.
func TestCheckRules(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		scenario string
		set      map[string]any
		want     string // in both errors; "" for none
	}{
		{"valid", "default", map[string]any{"verifier.quality": 0.9}, ""},
		{"durable beyond rounds", "default", map[string]any{"rounds": 10, "outcomes.durable_rounds": 12}, "durable_rounds = 12 exceeds rounds = 10"},
		{"collapse beyond rounds", "default", map[string]any{"rounds": 4, "outcomes.collapse_rounds": 5}, "collapse_rounds = 5 exceeds"},
		{"sector weights zero", "default", map[string]any{"sectors[*].weight": 0.0}, "weights sum to 0"},
		{"trade links above one", "default", map[string]any{"neighbours.states[*].trade_link": 0.5}, "trade links sum"},
		{"ladder hold beyond rounds", "ladder", map[string]any{"rounds": 1, "outcomes.durable_rounds": 1, "outcomes.collapse_rounds": 1}, "rounds of holding can never be met"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s, err := scenarios.Get(c.scenario)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range c.set {
				if err := s.Set(k, v); err != nil {
					t.Fatalf("Set(%s): %v", k, err)
				}
			}
			full, rules := s.Check("x"), s.CheckRules("x")
			for name, err := range map[string]error{"Check": full, "CheckRules": rules} {
				switch {
				case c.want == "" && err != nil:
					t.Errorf("%s: %v, want no error", name, err)
				case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
					t.Errorf("%s: %v, want an error with %q", name, err, c.want)
				}
			}
		})
	}
}
