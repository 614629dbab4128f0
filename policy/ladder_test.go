package policy

import (
	"slices"
	"strings"
	"testing"

	"github.com/tranche-sim/tranche/sim"
)

// ladderRound is one round shown to a ladder and the per-sector relief
// and coverage it should decide.
type ladderRound struct {
	verified  float64
	violation bool
	cohesion  float64
	relief    []float64 // indexed like the world's sectors
	coverage  float64
}

// climb drives a ladder through rounds on the given sectors (standing
// coverage 0.5) and checks every sector's relief and the coverage.
func climb(t *testing.T, name string, p *LadderParams, sectors []sim.Sector, rounds []ladderRound) {
	t.Helper()
	pol := p.NewPolicy()
	w := newWorld(sectors)
	w.restart(pol, 0, 0.5)
	for i, r := range rounds {
		w.obs.Verified, w.obs.Inspected, w.obs.Violation, w.obs.Cohesion = r.verified, true, r.violation, r.cohesion
		w.decide(pol)
		if !slices.Equal(w.obs.Relief, r.relief) || !near(w.obs.Coverage, r.coverage) {
			t.Fatalf("%s round %d (verified %.2f, violation %v, cohesion %.2f): relief %v coverage %v, want %v and %v",
				name, i+1, r.verified, r.violation, r.cohesion, w.obs.Relief, w.obs.Coverage, r.relief, r.coverage)
		}
	}
}

// The default ladder on the default sectors, whose order (humanitarian
// goods, finance, energy, trade, travel) differs from the stages' order:
// relief must land on the named sectors.
func TestDefaultLadder(t *testing.T) {
	p := DefaultLadder()
	// Sectors:      hum fin ene tra trv
	none := []float64{0, 0, 0, 0, 0}
	hum := []float64{1, 0, 0, 0, 0}
	p2p := []float64{1, 0, 0, 1, 1}
	energy := []float64{1, 0, 1, 1, 1}
	all := []float64{1, 1, 1, 1, 1}
	climb(t, "default ladder", &p, sim.DefaultSectors(), []ladderRound{
		{0.3, false, 1, none, 0.5}, // humanitarian needs 0.25 for two rounds: one so far
		{0.3, false, 1, hum, 0.8},  // reached: humanitarian goods relieved, coverage 0.8
		{0.6, false, 1, hum, 0.8},  // travel and trade need 0.5 for two rounds
		{0.6, false, 1, p2p, 0.8},
		{0.6, true, 1, hum, 0.8}, // people-to-people steps back one stage
		{0.6, false, 1, hum, 0.8},
		{0.6, false, 1, p2p, 0.8}, // earned again after two rounds
		{0.9, false, 1, p2p, 0.8},
		{0.9, false, 1, energy, 0.8}, // energy at 0.7
		{0.9, false, 1, energy, 0.8},
		{0.9, false, 1, all, 0.8},  // finance at 0.85: everything relieved
		{0.9, false, 1, all, 0.8},  // nothing left to climb
		{0.9, true, 1, none, 0.5},  // finance snaps back every stage; coverage back to standing
		{0.2, false, 1, none, 0.5}, // below the first stage's 0.25
		{0.3, false, 1, none, 0.5},
		{0.3, false, 1, hum, 0.8},
		{0.3, true, 1, hum, 0.8}, // humanitarian holds on a violation
		{0.3, false, 1, hum, 0.8},
	})
}

// A custom ladder on three sectors exercising quiet rounds, cohesion,
// partial relief, coverage, hold, step-back by two and later stages
// overriding earlier ones on a shared sector.
func TestCustomLadder(t *testing.T) {
	p := LadderParams{Stages: []Stage{
		{Name: "a-half", Sectors: []string{"a"}, Relief: 0.5, Coverage: 0.9, MinCompliance: 0.3, Hold: 1, OnBacksliding: "hold", StepBack: 1},
		{Name: "b", Sectors: []string{"b"}, Relief: 1, Coverage: -1, MinCompliance: 0.5, Hold: 2, Quiet: 3, OnBacksliding: "step-back", StepBack: 1},
		{Name: "rest", Sectors: []string{"c", "a"}, Relief: 1, Coverage: -1, MinCompliance: 0.6, Hold: 1, MinCohesion: 0.7, OnBacksliding: "step-back", StepBack: 2},
	}}
	sectors := sectorsNamed("c", "a", "b") // order differs from the stages'
	// Sectors:          c  a    b
	none := []float64{0, 0, 0}
	half := []float64{0, 0.5, 0}
	withB := []float64{0, 0.5, 1}
	all := []float64{1, 1, 1}
	climb(t, "custom ladder", &p, sectors, []ladderRound{
		{0.2, false, 1, none, 0.5},
		{0.4, false, 1, half, 0.9},    // hold 1: entered at once; relief 0.5, coverage 0.9
		{0.6, false, 1, half, 0.9},    // b: no report yet, so quiet holds; 1 of 2 rounds
		{0.6, true, 1, half, 0.9},     // violation: a-half holds, b's count restarts
		{0.6, false, 1, half, 0.9},    // quiet 1 of 3
		{0.6, false, 1, half, 0.9},    // quiet 2 of 3
		{0.6, false, 1, half, 0.9},    // quiet 3: condition met, round 1 of 2
		{0.6, false, 1, withB, 0.9},   // b entered
		{0.9, false, 0.5, withB, 0.9}, // cohesion 0.5 below rest's 0.7
		{0.9, false, 0.69, withB, 0.9},
		{0.9, false, 0.7, all, 0.9}, // rest sets a to 1 over a-half's 0.5; coverage stays a-half's
		{0.9, true, 0.7, half, 0.9}, // rest steps back two stages: only a-half remains
	})

	// Step-back never goes below the bottom, and hold keeps the stage
	// but restarts the count towards the next.
	p = LadderParams{Stages: []Stage{
		{Sectors: []string{"a"}, Relief: 1, Coverage: -1, MinCompliance: 0.5, Hold: 1, OnBacksliding: "step-back", StepBack: 5},
		{Sectors: []string{"b"}, Relief: 1, Coverage: -1, MinCompliance: 0.5, Hold: 2, OnBacksliding: "hold", StepBack: 1},
	}}
	// Sectors:                c  a  b
	climb(t, "step-back floor", &p, sectors, []ladderRound{
		{0.5, false, 1, []float64{0, 1, 0}, 0.5},
		{0.5, true, 1, []float64{0, 0, 0}, 0.5}, // five stages back from the first: none
		{0.5, false, 1, []float64{0, 1, 0}, 0.5},
		{0.5, false, 1, []float64{0, 1, 0}, 0.5}, // b: 1 of 2
		{0.5, false, 1, []float64{0, 1, 1}, 0.5},
		{0.5, true, 1, []float64{0, 1, 1}, 0.5}, // b holds
		{0.5, false, 1, []float64{0, 1, 1}, 0.5},
	})

	// A coverage-only stage opens exemptions without relieving a sector,
	// and min_compliance must hold for hold consecutive rounds.
	p = LadderParams{Stages: []Stage{
		{Coverage: 1, Relief: 1, MinCompliance: 0.4, Hold: 3, OnBacksliding: "snapback", StepBack: 1},
	}}
	climb(t, "coverage only", &p, sectors, []ladderRound{
		{0.4, false, 1, none, 0.5},
		{0.4, false, 1, none, 0.5},
		{0.39, false, 1, none, 0.5}, // the streak breaks
		{0.4, false, 1, none, 0.5},
		{0.4, false, 1, none, 0.5},
		{0.4, false, 1, none, 1},  // three in a row
		{0.4, true, 1, none, 0.5}, // snapback
	})
}

// Reset forgets the stages reached and the rounds since the last report.
func TestLadderReset(t *testing.T) {
	p := LadderParams{Stages: []Stage{
		{Sectors: []string{"a"}, Relief: 1, Coverage: -1, MinCompliance: 0.5, Hold: 1, Quiet: 3, OnBacksliding: "hold", StepBack: 1},
	}}
	pol := p.NewPolicy()
	w := newWorld(sectorsNamed("a"))
	w.restart(pol, 0, 0.5)
	w.obs.Verified = 0.5
	w.decide(pol) // entered: no report yet, so quiet holds
	w.obs.Violation = true
	w.decide(pol) // a report: the stage holds
	w.restart(pol, 0, 0.5)
	w.obs.Violation = false
	// A new replication starts with no stage reached: compliance 0.2 is
	// below the stage, so nothing is relieved (remembered, the stage
	// would still be in force).
	w.obs.Verified = 0.2
	w.decide(pol)
	if w.obs.Relief[0] != 0 {
		t.Errorf("round 1 after Reset: relief %v, want 0", w.obs.Relief[0])
	}
	// ... and no report in memory: quiet is met at once (remembered, the
	// report two rounds ago would block entry until the third round).
	w.obs.Verified = 0.5
	w.decide(pol)
	if w.obs.Relief[0] != 1 {
		t.Errorf("round 2 after Reset: relief %v, want 1", w.obs.Relief[0])
	}
}

func TestLadderCheck(t *testing.T) {
	sectors := []string{"humanitarian_goods", "finance", "energy"}
	good := Stage{Sectors: []string{"energy"}, Relief: 1, Coverage: -1, MinCompliance: 0.5, Hold: 2, OnBacksliding: "hold", StepBack: 1}
	with := func(f func(*Stage)) Stage { s := good; f(&s); return s }
	// want is one expected problem: its field and substrings of its
	// message (which starts with the field).
	type want struct {
		field string
		subs  []string
	}
	cases := []struct {
		name   string
		stages []Stage
		rounds int
		want   []want
	}{
		// A stage without sectors is fine when it sets a coverage.
		{"valid", []Stage{good, with(func(s *Stage) { s.Sectors = nil; s.Coverage = 0.9 })}, 40, nil},
		{"empty ladder", nil, 40, []want{{"stages", []string{"no stages"}}}},
		{"unknown sector", []Stage{good, with(func(s *Stage) { s.Sectors = []string{"finance", "oil"} })}, 40,
			[]want{{"stages[1].sectors", []string{`unknown sector "oil"`, "humanitarian_goods, finance, energy"}}}},
		{"duplicate sector", []Stage{with(func(s *Stage) { s.Sectors = []string{"energy", "finance", "energy"} })}, 40,
			[]want{{"stages[0].sectors", []string{`"energy" is listed twice`}}}},
		{"unknown and duplicate in one stage", []Stage{with(func(s *Stage) { s.Sectors = []string{"oil", "energy", "energy"} })}, 40,
			[]want{{"stages[0].sectors", []string{`unknown sector "oil"`}}, {"stages[0].sectors", []string{`"energy" is listed twice`}}}},
		{"releases nothing", []Stage{good, with(func(s *Stage) { s.Sectors = nil })}, 40,
			[]want{{"stages[1]", []string{"releases nothing"}}}},
		// hold 11 needs 11 rounds of holding: impossible in 10.
		{"hold beyond rounds", []Stage{with(func(s *Stage) { s.Hold = 11 })}, 10,
			[]want{{"stages[0].hold", []string{"11", "10 rounds"}}}},
		{"hold equal to rounds is fine", []Stage{with(func(s *Stage) { s.Hold = 10 })}, 10, nil},
		{"quiet beyond rounds", []Stage{good, with(func(s *Stage) { s.Quiet = 12 })}, 10,
			[]want{{"stages[1].quiet_rounds", []string{"12", "10 rounds"}}}},
	}
	for _, c := range cases {
		p := LadderParams{Stages: c.stages}
		got := p.Check(sectors, c.rounds)
		if len(got) != len(c.want) {
			t.Errorf("%s: problems %v, want %v", c.name, got, c.want)
			continue
		}
		for i, w := range c.want {
			if got[i].Field != w.field || !strings.HasPrefix(got[i].Msg, w.field+":") {
				t.Errorf("%s: problem %d %+v, want field %q and a message starting with it", c.name, i, got[i], w.field)
			}
			for _, sub := range w.subs {
				if !strings.Contains(got[i].Msg, sub) {
					t.Errorf("%s: message %q does not contain %q", c.name, got[i].Msg, sub)
				}
			}
		}
	}

	// The default ladder fits the default sectors.
	var names []string
	for _, s := range sim.DefaultSectors() {
		names = append(names, s.Name)
	}
	d := DefaultLadder()
	if probs := d.Check(names, 40); len(probs) != 0 {
		t.Errorf("default ladder on the default sectors: %v", probs)
	}
}
