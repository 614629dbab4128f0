package policy

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tranche-sim/tranche/sim"
)

// libRound is one round of a library test driven through a world: what it
// shows and what relief (every sector) and coverage it wants.
type libRound struct {
	verified             float64
	inspected, violation bool
	welfare              float64
	relief               float64
	coverage             float64 // -1: don't check
}

// play drives p through rounds in a fresh world on three sectors with
// standing coverage 0.5 and checks each decision.
func play(t *testing.T, name string, p sim.Policy, rounds []libRound) {
	t.Helper()
	w := newWorld(sectorsNamed("a", "b", "c"))
	w.restart(p, 0, 0.5)
	for i, r := range rounds {
		w.obs.Verified, w.obs.Inspected, w.obs.Violation, w.obs.Welfare = r.verified, r.inspected, r.violation, r.welfare
		w.decide(p)
		for k, x := range w.obs.Relief {
			if !near(x, r.relief) {
				t.Fatalf("%s round %d (verified %.2f, inspected %v, violation %v, welfare %.2f): sector %d relief %v, want %v",
					name, i+1, r.verified, r.inspected, r.violation, r.welfare, k, x, r.relief)
			}
		}
		if r.coverage >= 0 && !near(w.obs.Coverage, r.coverage) {
			t.Fatalf("%s round %d (welfare %.2f): coverage %v, want %v", name, i+1, r.welfare, w.obs.Coverage, r.coverage)
		}
	}
}

// builtin returns a fresh policy made from a built-in's default
// parameters, as a scenario that names it without a table gets.
func builtin(t *testing.T, name string) sim.Policy {
	t.Helper()
	e, ok := Lookup(name)
	if !ok {
		t.Fatalf("no built-in %q", name)
	}
	return e.Defaults().NewPolicy()
}

// Generous-reciprocal is reciprocal with forgiveness: with forgiveness 0
// it decides exactly as reciprocal does, with 1 it never withdraws relief.
func TestGenerousReciprocal(t *testing.T) {
	for _, gain := range []float64{1, 1.5} {
		recip := (&ReciprocalParams{Gain: gain}).NewPolicy()
		hard := (&GenerousParams{ReciprocalParams: ReciprocalParams{Gain: gain}, Forgiveness: 0}).NewPolicy()
		soft := (&GenerousParams{ReciprocalParams: ReciprocalParams{Gain: gain}, Forgiveness: 1}).NewPolicy()
		wr, wh, ws := newWorld(sectorsNamed("a")), newWorld(sectorsNamed("a")), newWorld(sectorsNamed("a"))
		wr.restart(recip, 0, 0.5)
		wh.restart(hard, 0, 0.5)
		ws.restart(soft, 0, 0.5)
		r := rand.New(rand.NewPCG(7, uint64(gain*10)))
		for i := range 500 {
			v, insp := r.Float64(), r.Float64() < 0.5
			viol := insp && r.Float64() < 0.3
			for _, w := range []*world{wr, wh, ws} {
				w.obs.Verified, w.obs.Inspected, w.obs.Violation = v, insp, viol
			}
			wr.decide(recip)
			wh.decide(hard)
			ws.decide(soft)
			if wh.obs.Relief[0] != wr.obs.Relief[0] {
				t.Fatalf("gain %v round %d: forgiveness 0 relief %v, reciprocal %v", gain, i+1, wh.obs.Relief[0], wr.obs.Relief[0])
			}
			// Every violation forgiven: relief mirrors compliance.
			if want := min(1, gain*v); !near(ws.obs.Relief[0], want) {
				t.Fatalf("gain %v round %d: forgiveness 1 relief %v, want %v", gain, i+1, ws.obs.Relief[0], want)
			}
		}
	}
	// The default forgives one violation in three: over many violations
	// relief survives about a third of them (4-sigma binomial band).
	p := builtin(t, "generous-reciprocal")
	w := newWorld(sectorsNamed("a"))
	w.restart(p, 0, 0.5)
	const n = 9000
	kept := 0
	for range n {
		w.obs.Verified, w.obs.Inspected, w.obs.Violation = 0.8, true, true
		w.decide(p)
		if w.obs.Relief[0] > 0 {
			kept++
		}
	}
	if mean, sd := n/3.0, math.Sqrt(n*(1.0/3)*(2.0/3)); math.Abs(float64(kept)-mean) > 4*sd {
		t.Errorf("default generous-reciprocal kept relief through %d of %d violations, want %.0f ± %.0f", kept, n, mean, 4*sd)
	}
}

// Tit-for-two-tats withdraws relief on the second consecutive violation
// report among inspected rounds, not on the first.
func TestTitForTwoTats(t *testing.T) {
	play(t, "tit-for-two-tats", builtin(t, "tit-for-two-tats"), []libRound{
		{0.6, true, false, 1, 0.6, -1},
		{0.6, true, true, 1, 0.6, -1}, // first report: ignored
		{0.6, true, true, 1, 0, -1},   // second: relief withdrawn
		{0.7, true, false, 1, 0.7, -1},
		{0.7, true, true, 1, 0.7, -1},
		{0.7, false, false, 1, 0.7, -1}, // no report this round: the count stays at one
		{0.7, true, true, 1, 0, -1},     // second report in a row
	})
}

// Grim-trigger mirrors compliance until the first violation, then gives
// no relief ever again, until Reset.
func TestGrimTrigger(t *testing.T) {
	p := builtin(t, "grim-trigger")
	script(t, "grim-trigger", p, []step{
		{0.3, false, 0.3, -1}, {0.6, false, 0.6, -1},
		{0.6, true, 0, -1},
		{0.9, false, 0, -1}, {1, false, 0, -1}, // never forgiven
	})
	script(t, "grim-trigger after Reset", p, []step{{0.5, false, 0.5, -1}}) // script resets: trigger forgotten
	g := GrimParams{Gain: 2}
	script(t, "grim-trigger gain 2", g.NewPolicy(), []step{{0.3, false, 0.6, -1}, {0.6, false, 1, -1}, {0.6, true, 0, -1}})
}

// GRIT: unconditional steps during the initiative, larger steps only when
// compliance rises afterwards, never a withdrawal, relief capped at
// 1 - leverage_floor until full compliance.
func TestGRIT(t *testing.T) {
	// Defaults: step 0.05, 4 initiative rounds, growth 2 (step 0.1 when
	// reciprocated), floor 0.4 (cap 0.6), full compliance 0.85.
	script(t, "grit", builtin(t, "grit"), []step{
		{0.1, false, 0.05, 0.5}, // initiative: a step whatever the response
		{0.1, false, 0.10, 0.5},
		{0.1, true, 0.15, 0.5}, // even on a violation
		{0.1, false, 0.20, 0.5},
		{0.1, false, 0.20, 0.5},  // after the initiative: no rise, no step
		{0.05, false, 0.20, 0.5}, // a fall withdraws nothing
		{0.3, false, 0.30, 0.5},  // reciprocation: step × growth
		{0.3, true, 0.30, 0.5},   // a violation withdraws nothing
		{0.5, false, 0.40, 0.5},
		{0.6, false, 0.50, 0.5},
		{0.7, false, 0.60, 0.5},
		{0.8, false, 0.60, 0.5}, // capped at 1 - floor
		{0.84, false, 0.60, 0.5},
	})
	g := GRITParams{Step: 0.1, Initiative: 0, Growth: 1, Floor: 0, Full: 1}
	script(t, "grit without initiative or floor", g.NewPolicy(), []step{
		{0.5, false, 0.1, -1}, // round 1 is past a zero-round initiative; 0.5 > 0 is a rise
		{0.5, false, 0.1, -1},
		{0.6, false, 0.2, -1},
	})

	// Coverage: never below the standing coverage, never lowered when
	// above it.
	for _, c := range []struct{ inForce, want float64 }{{0.2, 0.5}, {0.5, 0.5}, {0.9, 0.9}} {
		p := builtin(t, "grit")
		w := newWorld(sectorsNamed("a"))
		w.restart(p, 0, c.inForce)
		w.obs.Verified = 0.3
		w.decide(p)
		if !near(w.obs.Coverage, c.want) {
			t.Errorf("grit with coverage %v in force (standing 0.5): coverage %v, want %v", c.inForce, w.obs.Coverage, c.want)
		}
	}

	t.Run("full release", func(t *testing.T) {
		// After the default initiative relief is 0.2; at full compliance
		// (0.85 or more) the remaining relief is released: 1.
		script(t, "grit full release", builtin(t, "grit"), []step{
			{0.1, false, 0.05, -1}, {0.1, false, 0.1, -1}, {0.1, false, 0.15, -1}, {0.1, false, 0.2, -1},
			{0.9, false, 1, -1},
			{0.9, false, 1, -1},
		})
	})

	t.Run("never withdraws", func(t *testing.T) {
		// Defaults: relief 0.2 after the initiative; each rise at full
		// compliance adds 0.1 with the cap lifted (0.7 after 0.9); the
		// fall to 0.8 adds nothing and must take nothing away.
		p := builtin(t, "grit")
		w := newWorld(sectorsNamed("a"))
		w.restart(p, 0, 0.5)
		last := 0.0
		for _, v := range []float64{0.1, 0.1, 0.1, 0.1, 0.86, 0.87, 0.88, 0.89, 0.9, 0.8, 0.7, 0.9} {
			w.obs.Verified, w.obs.Inspected = v, true
			w.decide(p)
			if w.obs.Relief[0] < last-eps {
				t.Fatalf("round %d (verified %v): relief fell from %v to %v", w.obs.Round, v, last, w.obs.Relief[0])
			}
			last = w.obs.Relief[0]
		}
	})

	t.Run("keeps relief a sector starts with", func(t *testing.T) {
		// Sector a starts half relieved, b not at all: the first step
		// (0.05) raises b and leaves a as it is.
		p := builtin(t, "grit")
		w := newWorld(sectorsNamed("a", "b"))
		w.restart(p, 0, 0.5)
		w.obs.Relief[0] = 0.5
		w.obs.Verified = 0.1
		w.decide(p)
		if want := []float64{0.5, 0.05}; !near(w.obs.Relief[0], want[0]) || !near(w.obs.Relief[1], want[1]) {
			t.Errorf("relief %v, want %v", w.obs.Relief, want)
		}
	})
}

// Proportional moves half way each round towards 1 - gain × gap.
func TestProportional(t *testing.T) {
	// Defaults: required 0.85, gain 1.2, violation gap 0.25, speed 0.5.
	p := builtin(t, "proportional")
	steps := []step{
		{0.85, false, 0.5, -1},     // no gap: target 1, half way from 0
		{0.85, false, 0.75, -1},    // half the remaining distance
		{0.95, false, 0.875, -1},   // compliance above required is no gap
		{0.35, false, 0.6375, -1},  // gap 0.5: target 0.4; 0.875 + (0.4-0.875)/2
		{0.85, true, 0.66875, -1},  // violation gap 0.25: target 0.7
		{0, false, 0.334375, -1},   // gap 0.85: target below 0 is 0
		{0.6, true, 0.3671875, -1}, // gap 0.25 + violation 0.25: target 1-1.2×0.5 = 0.4, half way from 0.334375
	}
	script(t, "proportional", p, steps)
	script(t, "proportional after Reset", p, steps[:2]) // relief starts from 0 again
}

// More-for-more adds gain × rise at each inspection, removes less_gain ×
// fall, cuts violation_cut on a violation, within [0, 1].
func TestMoreForMore(t *testing.T) {
	// Defaults: gain 1.2, less_gain 1.2, violation cut 0.25.
	play(t, "more-for-more", builtin(t, "more-for-more"), []libRound{
		{0.25, true, false, 1, 0.3, -1}, // rise 0.25 from 0
		{0.5, false, false, 1, 0.3, -1}, // no new report: nothing changes
		{0.5, true, false, 1, 0.6, -1},  // rise 0.25 since the last report
		{0.4, true, false, 1, 0.48, -1}, // fall 0.1: less for less
		{0.4, true, true, 1, 0.23, -1},  // no change, but a violation cuts 0.25
		{0, true, false, 1, 0, -1},      // fall 0.4: 0.23 - 0.48 clamped to 0
		{1, true, false, 1, 1, -1},      // rise 1: 1.2 clamped to 1
		{1, true, false, 1, 1, -1},      // no change
		{0.9, true, false, 1, 0.88, -1}, // from the clamped 1, not from 1.2
	})
}

// Humanitarian-only relieves exactly the sectors whose essential share
// reaches min_essential and opens exemptions, whatever happens.
func TestHumanitarianOnly(t *testing.T) {
	sectors := []sim.Sector{
		{Name: "food", Weight: 1, Essential: 0.15},
		{Name: "medicine", Weight: 1, Essential: 0.1}, // exactly the default threshold: relieved
		{Name: "banks", Weight: 1, Essential: 0.09},
		{Name: "travel", Weight: 1},
	}
	cases := []struct {
		name     string
		params   HumanitarianOnlyParams
		relief   []float64
		coverage float64
	}{
		{"defaults", DefaultHumanitarianOnly(), []float64{1, 1, 0, 0}, 1},
		{"stricter", HumanitarianOnlyParams{MinEssential: 0.15, Coverage: 0.7}, []float64{1, 0, 0, 0}, 0.7},
		{"every sector", HumanitarianOnlyParams{MinEssential: 0, Coverage: 0.6}, []float64{1, 1, 1, 1}, 0.6},
	}
	for _, c := range cases {
		p := c.params.NewPolicy()
		w := newWorld(sectors)
		w.restart(p, 0.5, 0.2) // relief in force elsewhere is taken back
		for i, o := range []struct {
			v    float64
			viol bool
		}{{0, false}, {1, false}, {1, true}, {0.5, false}} {
			w.obs.Verified, w.obs.Inspected, w.obs.Violation = o.v, true, o.viol
			w.decide(p)
			for k := range sectors {
				if w.obs.Relief[k] != c.relief[k] {
					t.Fatalf("%s round %d: relief %v, want %v", c.name, i+1, w.obs.Relief, c.relief)
				}
			}
			if w.obs.Coverage != c.coverage {
				t.Fatalf("%s round %d: coverage %v, want %v", c.name, i+1, w.obs.Coverage, c.coverage)
			}
		}
	}
}

// Phased-sunset: phased with proportionate snapback; exemptions open at
// exemption_coverage and at every review (every 4th round) lapse to the
// standing coverage when welfare >= renew_below, renew when below.
func TestPhasedSunset(t *testing.T) {
	// Defaults: exemption 0.9, review every 4, renew below 0.9; standing
	// coverage 0.5.
	play(t, "phased-sunset", builtin(t, "phased-sunset"), []libRound{
		{0.3, true, false, 0.95, 0, 0.9}, // exemptions open from the start
		{0.3, true, false, 0.95, 0.25, 0.9},
		{0.3, true, false, 0.95, 0.25, 0.9},
		{0.3, true, false, 0.95, 0.25, 0.5}, // review: needs met, exemptions lapse
		{0.3, true, false, 0.5, 0.25, 0.5},  // need again, but no review until round 8
		{0.3, true, false, 0.5, 0.25, 0.5},
		{0.3, true, false, 0.5, 0.25, 0.5},
		{0.3, true, false, 0.5, 0.25, 0.9},  // review: need persists, renewed
		{0.3, true, false, 0.95, 0.25, 0.9}, // no review: stays open
		{0.3, true, false, 0.95, 0.25, 0.9},
		{0.3, true, false, 0.95, 0.25, 0.9},
		{0.3, true, false, 0.89, 0.25, 0.9}, // review, just below: renewed
		{0.3, true, false, 0.95, 0.25, 0.9},
		{0.3, true, false, 0.95, 0.25, 0.9},
		{0.3, true, false, 0.95, 0.25, 0.9},
		{0.3, true, false, 0.9, 0.25, 0.5}, // review at exactly renew_below: lapses
		{0.3, true, true, 0.5, 0, 0.5},     // violation: half of one tranche, rounded up, withdrawn
	})
}

// Sender-fatigue keeps sanctions until full compliance or give_up_after
// rounds, then lifts all of them for good.
func TestSenderFatigue(t *testing.T) {
	// Defaults: give up after 24 rounds, threshold 0.85.
	var steps []step
	for i := range 23 {
		steps = append(steps, step{0.84, i%5 == 0, 0, -1}) // below the threshold: nothing moves
	}
	steps = append(steps, step{0.1, false, 1, -1}, step{0, true, 1, -1}) // round 24: given up; never re-imposed
	script(t, "sender-fatigue gives up", builtin(t, "sender-fatigue"), steps)
	script(t, "sender-fatigue complied", builtin(t, "sender-fatigue"), []step{
		{0.5, false, 0, -1}, {0.85, false, 1, -1}, {0, true, 1, -1},
	})
	f := SenderFatigueParams{GiveUp: 3, Threshold: 1}
	script(t, "sender-fatigue give_up_after 3", f.NewPolicy(), []step{
		{0.99, false, 0, -1}, {0.99, false, 0, -1}, {0, true, 1, -1},
	})
}

// Phased-proportionate withdraws half the released tranches, rounded up,
// on each violation.
func TestPhasedProportionate(t *testing.T) {
	// Defaults: 4 tranches, hold 2, milestones 0.25, 0.45, 0.65, 0.85.
	script(t, "phased-proportionate", builtin(t, "phased-proportionate"), []step{
		{0.9, false, 0, -1}, {0.9, false, 0.25, -1},
		{0.9, false, 0.25, -1}, {0.9, false, 0.5, -1},
		{0.9, false, 0.5, -1}, {0.9, false, 0.75, -1},
		{0.9, false, 0.75, -1}, {0.9, false, 1, -1},
		{0.9, true, 0.5, -1},  // 4 released: 2 withdrawn
		{0.9, true, 0.25, -1}, // 2: 1 withdrawn
		{0.9, true, 0, -1},    // 1: half rounded up is 1
		{0.9, true, 0, -1},    // none left
	})
}

// Patient-snapback pauses on a single report and snaps back only when a
// second report confirms it within two rounds.
func TestPatientSnapback(t *testing.T) {
	script(t, "patient-snapback", builtin(t, "patient-snapback"), []step{
		{0.3, false, 0, -1}, {0.3, false, 0.25, -1},
		{0.5, false, 0.25, -1}, {0.5, false, 0.5, -1},
		{0.5, true, 0.5, -1},                        // one report: pause, no snapback
		{0.9, false, 0.5, -1},                       // still paused: no progress counted either
		{0.5, false, 0.5, -1},                       // unconfirmed after two rounds: dropped
		{0.5, true, 0.5, -1},                        // pause
		{0.5, true, 0, -1},                          // confirmed: full snapback
		{0.3, false, 0, -1}, {0.3, false, 0.25, -1}, // tranches earned again
	})
}

// Every built-in, alone and under every modifier, keeps relief and
// coverage in [0, 1] and does not panic over random observations.
func TestBuiltinsStayInRange(t *testing.T) {
	var mods []Modifier
	for _, e := range Modifiers() {
		mods = append(mods, e.Defaults())
	}
	for _, e := range Builtins() {
		for _, wrapped := range []bool{false, true} {
			name := e.Name
			var pp sim.PolicyParams = e.Defaults()
			if wrapped {
				name += "+modifiers"
				pp = &Variant{Base: e.Name, Params: pp, Modifiers: mods}
			}
			t.Run(name, func(t *testing.T) {
				p := pp.NewPolicy()
				w := newWorld(sim.DefaultSectors()) // the default ladder names these
				r := rand.New(rand.NewPCG(21, uint64(len(name))))
				w.obs.Rand = rand.New(rand.NewPCG(22, 23))
				round := 0
				defer func() {
					if v := recover(); v != nil {
						t.Fatalf("panic in round %d: %v", round, v)
					}
				}()
				for range 5 {
					w.restart(p, 0, r.Float64())
					for i := range w.obs.Relief {
						w.obs.Relief[i] = r.Float64()
					}
					w.obs.StandingCoverage = r.Float64()
					for round = 1; round <= 200; round++ {
						o := w.obs
						o.Verified = r.Float64()
						o.Inspected = r.Float64() < 0.5
						o.Violation = o.Inspected && r.Float64() < 0.3
						o.Incidents = r.IntN(3)
						o.Welfare, o.Cohesion, o.Leverage, o.Evasion = r.Float64(), r.Float64(), r.Float64(), r.Float64()
						w.decide(p)
						for k, x := range w.act.Relief {
							if !(x >= 0 && x <= 1) {
								t.Fatalf("round %d: sector %d relief %v", round, k, x)
							}
						}
						if c := w.act.Coverage; !(c >= 0 && c <= 1) {
							t.Fatalf("round %d: coverage %v", round, c)
						}
					}
				}
			})
		}
	}
}
