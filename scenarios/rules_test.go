package scenarios_test

import (
	"bytes"
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
		{"capitulation beyond rounds", "default", map[string]any{"rounds": 4, "outcomes.durable_rounds": 2, "outcomes.collapse_rounds": 2, "outcomes.capitulation_rounds": 6}, "capitulation_rounds = 6 exceeds rounds = 4"},
		{"abandoned above reached", "default", map[string]any{"outcomes.collapse_compliance": 0.35, "outcomes.agreement_threshold": 0.35}, "is not below outcomes.agreement_threshold"},
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

// Keys resolves a key to the parameters it sets: [*] to every element, a
// name or an index to one, so that overlapping keys can be found.
func TestKeys(t *testing.T) {
	t.Parallel()
	s, err := scenarios.Get("default")
	if err != nil {
		t.Fatal(err)
	}
	all, err := s.Keys("spoilers.factions[*].strength")
	if err != nil || len(all) != len(s.Spoilers.Factions) || len(all) < 2 {
		t.Fatalf("Keys([*]) = %v, %v; want one key per faction", all, err)
	}
	one, err := s.Keys("spoilers.factions[1].strength")
	if err != nil || len(one) != 1 || one[0] != all[1] {
		t.Errorf("Keys([1]) = %v, %v; want [%s]", one, err, all[1])
	}
	if _, err := s.Keys("spoilers.factions[*].strenght"); err == nil {
		t.Error("an unknown key resolved")
	}
}

// A Setter sets what Set sets, refuses what Set refuses with the same
// message, and writes into its own scenario only.
func TestSetter(t *testing.T) {
	t.Parallel()
	cases := []struct {
		key  string
		v    any
		want string // error; "" for none
	}{
		{"verifier.quality", 0.5, ""},
		{"spoilers.factions[*].strength", 0.25, ""},
		{"verifier.lag", int64(2), ""},
		{"policy.phased-snapback.tranches", int64(3), ""},
		{"verifier.quality", 1.5, "verifier.quality = 1.5 is out of range"},
		{"verifier.lag", 2.5, "verifier.lag = 2.5"},
	}
	for _, c := range cases {
		a, _ := scenarios.Get("default")
		b, _ := scenarios.Get("default")
		set, err := a.Setter(c.key)
		if err != nil {
			t.Fatalf("Setter(%s): %v", c.key, err)
		}
		errA, errB := set(c.v), b.Set(c.key, c.v)
		switch {
		case c.want == "" && (errA != nil || errB != nil):
			t.Errorf("%s = %v: setter %v, Set %v", c.key, c.v, errA, errB)
		case c.want != "" && (errA == nil || errB == nil || errA.Error() != errB.Error() || !strings.Contains(errA.Error(), c.want)):
			t.Errorf("%s = %v: setter %v, Set %v; want both %q", c.key, c.v, errA, errB, c.want)
		}
		if !bytes.Equal(scenarios.Format(a), scenarios.Format(b)) {
			t.Errorf("%s = %v: the setter and Set leave different scenarios", c.key, c.v)
		}
	}
	if _, err := (&scenarios.Scenario{}).Setter("nope"); err == nil {
		t.Error("a setter for an unknown key")
	}
}
