package policy

import (
	"math"
	"testing"

	"github.com/tranche-sim/tranche/sim"
)

// step is one round seen by a policy and the relief and coverage it should
// decide.
type step struct {
	verified  float64
	violation bool
	relief    float64
	coverage  float64 // -1: don't check
}

// script feeds a policy a sequence of rounds and checks each decision.
func script(t *testing.T, name string, p sim.Policy, steps []step) {
	t.Helper()
	const sectors = 3
	relief := make([]float64, sectors)
	obs := &sim.Observation{Weights: []float64{0.2, 0.3, 0.5}, Relief: relief, StandingCoverage: 0.5, Coverage: 0.5}
	act := &sim.Action{Relief: make([]float64, sectors)}
	p.Reset()
	for i, s := range steps {
		obs.Round, obs.Verified, obs.Violation = i+1, s.verified, s.violation
		copy(act.Relief, relief)
		act.Coverage = obs.Coverage
		p.Decide(obs, act)
		copy(relief, act.Relief)
		obs.Coverage = act.Coverage
		got := obs.WeightedRelief(relief)
		if math.Abs(got-s.relief) > 1e-12 {
			t.Fatalf("%s round %d (verified %.2f, violation %v): relief %v, want %v", name, i+1, s.verified, s.violation, got, s.relief)
		}
		if s.coverage >= 0 && math.Abs(act.Coverage-s.coverage) > 1e-12 {
			t.Fatalf("%s round %d: coverage %v, want %v", name, i+1, act.Coverage, s.coverage)
		}
	}
}

func TestBuiltins(t *testing.T) {
	bigBang := DefaultBigBang() // threshold 0.5, hold 1
	phased := DefaultPhased()   // 4 tranches, hold 2, milestones 0.25, 0.45, 0.65, 0.85
	snap := DefaultPhasedSnapback()
	partial := DefaultPhased()
	partial.Severity = 0.5
	recip := DefaultReciprocal()
	maxp := DefaultMaxPressure() // threshold 0.85, hold 2, escalate below 0.25 to 0.2
	cases := []struct {
		name   string
		params sim.PolicyParams
		steps  []step
	}{
		{"big-bang", &bigBang, []step{
			{0.4, false, 0, -1}, {0.5, false, 1, 0.5}, {0, true, 1, 0.5}, {0, false, 1, -1},
		}},
		{"phased", &phased, []step{
			{0.3, false, 0, -1}, {0.3, false, 0.25, -1}, // first milestone held two rounds
			{0.5, false, 0.25, -1}, {0.5, true, 0.25, -1}, // a violation resets the count, never withdraws
			{0.5, false, 0.25, -1}, {0.5, false, 0.5, -1},
			{0.9, false, 0.5, -1}, {0.9, false, 0.75, -1}, {0.9, false, 0.75, -1}, {0.9, false, 1, -1},
			{0.9, false, 1, -1},
		}},
		{"phased-snapback", &snap, []step{
			{0.3, false, 0, -1}, {0.3, false, 0.25, -1}, {0.5, false, 0.25, -1}, {0.5, false, 0.5, -1},
			{0.5, true, 0, -1},                          // full snapback
			{0.3, false, 0, -1}, {0.3, false, 0.25, -1}, // tranches must be earned again
		}},
		{"proportionate snapback", &partial, []step{
			{0.3, false, 0, -1}, {0.3, false, 0.25, -1}, {0.5, false, 0.25, -1}, {0.5, false, 0.5, -1},
			{0.7, false, 0.5, -1}, {0.7, false, 0.75, -1},
			{0.7, true, 0.25, -1}, // half of three tranches, rounded up: two withdrawn
		}},
		{"reciprocal", &recip, []step{
			{0.2, false, 0.2, -1}, {0.6, false, 0.6, -1}, {0.6, true, 0, -1}, {0.9, false, 0.9, -1},
		}},
		{"max-pressure", &maxp, []step{
			{0.1, false, 0, 0.2}, // escalation: exemptions cut
			{0.5, false, 0, 0.5}, {0.9, false, 0, 0.5}, {0.9, false, 1, 0.5},
			{0.9, true, 0, 0.5}, // any violation re-imposes everything
			{0.1, false, 0, 0.2},
		}},
	}
	for _, c := range cases {
		script(t, c.name, c.params.NewPolicy(), c.steps)
	}
}

// Every built-in is listed once, with a summary, and its defaults make a
// policy.
func TestRegistry(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range Builtins() {
		if seen[e.Name] || e.Summary == "" {
			t.Errorf("%q: duplicate or without summary", e.Name)
		}
		seen[e.Name] = true
		if e.Defaults().NewPolicy() == nil {
			t.Errorf("%s: NewPolicy returned nil", e.Name)
		}
		if got, ok := Lookup(e.Name); !ok || got.Name != e.Name {
			t.Errorf("Lookup(%q) failed", e.Name)
		}
	}
	if _, ok := Lookup("nope"); ok {
		t.Error("Lookup(nope) succeeded")
	}
}
