package agents

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x5555)) }

func TestTargetApply(t *testing.T) {
	p := DefaultTarget() // step 0.25, partial share 0.5
	tg := NewTarget(&p, new(DefaultVerifier()))
	cases := []struct {
		choice       Choice
		x, g, wx, wg float64
	}{
		{Comply, 0, 0, 0.25, 0},
		{Comply, 0.9, 0, 1, 0},         // capped at full compliance
		{Partial, 0.5, 0, 0.625, 0},    // half a step
		{Stall, 0.5, 0.25, 0.5, 0.25},  // nothing changes
		{Backslide, 0.5, 0, 0.25, 0},   // open rollback
		{Backslide, 0.1, 0, 0, 0},      // floored at 0
		{Cheat, 0.75, 0, 0.5, 0.25},    // covert: the façade hides the step
		{Cheat, 0.1, 0.25, 0, 0.35},    // hides only what was there
		{Comply, 0.5, 0.25, 0.75, 0},   // complying first restores concealed rollback
		{Comply, 0.5, 0.5, 0.75, 0.25}, // ... one step at a time
	}
	for _, c := range cases {
		x, g := tg.apply(c.choice, c.x, c.g)
		if math.Abs(x-c.wx) > 1e-12 || math.Abs(g-c.wg) > 1e-12 {
			t.Errorf("%s from X=%v G=%v: got X=%v G=%v, want X=%v G=%v", c.choice, c.x, c.g, x, g, c.wx, c.wg)
		}
		if x+g > 1+1e-12 {
			t.Errorf("%s from X=%v G=%v: visible compliance %v exceeds 1", c.choice, c.x, c.g, x+g)
		}
	}
}

// binomialOK reports whether k successes in n trials are consistent with
// probability p (within 4 standard deviations, so that a correct rule fails
// about once in 16,000 runs and a wrong one fails at once).
func binomialOK(k, n int, p float64) bool {
	sd := math.Sqrt(float64(n) * p * (1 - p))
	return math.Abs(float64(k)-float64(n)*p) <= 4*sd+1e-9
}

func TestTargetChoicesFollowIncentives(t *testing.T) {
	cases := []struct {
		name       string
		commitment float64
		economy    float64 // 1: no economic damage
		wantComply bool
	}{
		{"committed reformer complies without pressure", 1, 1, true},
		{"hardline regime without pressure rolls back", 0, 1, false},
	}
	for _, c := range cases {
		p := DefaultTarget()
		p.Model = Adaptive
		tg := NewTarget(&p, new(DefaultVerifier()))
		r := newRand(7)
		n, comply, rollback := 4000, 0, 0
		for i := range n {
			w := &World{Round: 1, Compliance: 0.5, Reformers: p.Reformers, Economy: c.economy}
			tg.Commitment = c.commitment
			tg.Expect = [NumChoices]float64{}
			tg.Step(w, r.Float64(), r)
			_ = i
			switch {
			case w.Choice == Comply || w.Choice == Partial:
				comply++
			case w.Choice.Rollback():
				rollback++
			}
		}
		if c.wantComply && comply < n*3/4 {
			t.Errorf("%s: complied %d of %d times", c.name, comply, n)
		}
		if !c.wantComply && rollback < n*3/4 {
			t.Errorf("%s: rolled back %d of %d times", c.name, rollback, n)
		}
	}
}

// TestCoercionRunsThroughEconomy checks that what coerces the target is
// the damage to its economy, not the sanctions on paper: with the same
// draws, the choices do not change with the pressure when the economy is
// the same, and the target complies more often the deeper the damage.
func TestCoercionRunsThroughEconomy(t *testing.T) {
	t.Parallel()
	choices := func(economy, pressure float64) (comply int, picks []Choice) {
		p := DefaultTarget()
		p.Model = Adaptive
		p.Drift = 0 // pressure still hardens the regime (rally round the flag); hold the balance of power
		tg := NewTarget(&p, new(DefaultVerifier()))
		r := newRand(11)
		for range 4000 {
			w := &World{Round: 1, Compliance: 0.5, Reformers: p.Reformers, Economy: economy, Pressure: pressure}
			tg.Commitment = 0.3
			tg.Expect = [NumChoices]float64{}
			tg.Step(w, r.Float64(), r)
			picks = append(picks, w.Choice)
			if w.Choice == Comply || w.Choice == Partial {
				comply++
			}
		}
		return comply, picks
	}
	_, a := choices(0.7, 0.1)
	_, b := choices(0.7, 0.9)
	if !slices.Equal(a, b) {
		t.Errorf("the same economic damage under pressure 0.1 and 0.9 gave different choices")
	}
	prev := -1
	for _, y := range []float64{1, 0.8, 0.6, 0.4} {
		c, _ := choices(y, 0.5)
		// Each 0.2 of damage adds 600 to 730 compliant choices of 4000
		// (775, 1373, 2101, 2753 measured); 100 is about three binomial
		// standard deviations.
		if c <= prev+100 {
			t.Errorf("economy %v: %d compliant choices of 4000, not clearly more than %d with less damage", y, c, prev)
		}
		prev = c
	}
}

func TestTargetLearnsResponse(t *testing.T) {
	p := DefaultTarget()
	p.Model = Adaptive
	tg := NewTarget(&p, new(DefaultVerifier()))
	w := &World{ReportLag: 1}
	tg.Reset(w, newRand(1))
	tg.history[1] = Backslide
	// Round 3: the coalition's latest change answers the report on round 1.
	w.Round, w.ReliefDelta = 3, -1
	tg.Step(w, newRand(2).Float64(), newRand(3))
	want := p.PriorBackslide + p.LearningRate*(-1-p.PriorBackslide)
	if math.Abs(tg.Expect[Backslide]-want) > 1e-12 {
		t.Errorf("expected response to backsliding %v, want %v", tg.Expect[Backslide], want)
	}
}

// A rule-learner learns the relief the coalition set in answer to the
// report it saw, at that report's place on the grid, and expects a choice
// to bring the relief learned where the choice would put what the verifier
// sees.
func TestRuleLearnerLearnsTheRule(t *testing.T) {
	p := DefaultTarget() // rule_grid 8, learning rate 0.3, step 0.25
	v := DefaultVerifier()
	tg := NewTarget(&p, &v)
	w := &World{ReportLag: 1}
	tg.Reset(w, newRand(1))
	before := tg.Rule
	// The coalition answered a report of 0.3125 (between grid points 2 and
	// 3, a quarter of the way) by setting relief 0.8.
	w.Round, w.Verified, w.Relief = 2, 0.3125, 0.8
	tg.learnRule(w)
	for k, want := range map[int]float64{
		2: before[2] + 0.3*0.5*(0.8-before[2]),
		3: before[3] + 0.3*0.5*(0.8-before[3]),
		1: before[1], 4: before[4],
	} {
		if math.Abs(tg.Rule[k]-want) > 1e-12 {
			t.Errorf("grid point %d: %v, want %v", k, tg.Rule[k], want)
		}
	}
	// A violation report teaches only the violation response.
	w.Violation, w.Relief = true, 0.5
	rule, viol := tg.Rule, tg.RuleViolation
	tg.learnRule(w)
	if want := viol + 0.3*(0.5-viol); math.Abs(tg.RuleViolation-want) > 1e-12 || tg.Rule != rule {
		t.Errorf("after a violation report: RuleViolation %v (want %v), grid changed: %v", tg.RuleViolation, want, tg.Rule != rule)
	}
	// Expectations: from compliance 0.5 (visible), complying shows 0.75,
	// backsliding 0.25 (reported with chance d), cheating 0.5 (exposed
	// with chance e); a violation report brings 0.1.
	tg.Rule = [maxGrid + 1]float64{}
	for k := range 9 {
		tg.Rule[k] = float64(k) / 8 // relief mirrors compliance
	}
	tg.RuleViolation = 0.1
	w.Compliance, w.Concealed, w.Relief = 0.5, 0, 0.5
	tg.expectRule(w)
	d, e := v.DetectOvert, v.Quality*v.DetectCovert
	want := [NumChoices]float64{
		Comply: 0.25, Partial: 0.125, Stall: 0,
		Backslide: d*0.1 + (1-d)*0.25 - 0.5,
		Cheat:     e*0.1 + (1-e)*0.5 - 0.5,
	}
	for c := range NumChoices {
		if math.Abs(tg.Expect[c]-want[c]) > 1e-12 {
			t.Errorf("expected relief change after %s: %v, want %v", Choice(c), tg.Expect[c], want[c])
		}
	}
}

// In its step a rule-learner pairs the relief in force with the report the
// coalition last acted on, from round 2 (in round 1 nothing has been
// decided yet).
func TestRuleLearnerPairsReliefWithReport(t *testing.T) {
	p := DefaultTarget()
	v := DefaultVerifier()
	tg := NewTarget(&p, &v)
	w := &World{ReportLag: 1}
	tg.Reset(w, newRand(1))
	prior := tg.Rule
	w.Round, w.Verified, w.Relief = 1, 0.5, 0.9
	tg.Step(w, 0.5, newRand(2))
	if tg.Rule != prior {
		t.Fatal("a rule-learner learned in round 1, before any decision")
	}
	w.Round, w.Verified, w.Violation, w.Relief = 2, 0.5, false, 0.9 // grid point 4 exactly
	tg.Step(w, 0.5, newRand(3))
	if want := prior[4] + p.LearningRate*(0.9-prior[4]); math.Abs(tg.Rule[4]-want) > 1e-12 {
		t.Errorf("grid point 4 after the coalition answered 0.5 with relief 0.9: %v, want %v", tg.Rule[4], want)
	}
	for k := range 9 {
		if k != 4 && tg.Rule[k] != prior[k] {
			t.Errorf("grid point %d moved", k)
		}
	}
}

func TestVerifierRates(t *testing.T) {
	cases := []struct {
		name       string
		params     func(p *VerifierParams) // changes to the defaults, if any
		setup      func(w *World, v *Verifier)
		rate       func(p VerifierParams) float64
		exposed    bool // every report exposes concealed rollback
		falseAlarm bool // every report is a false alarm (otherwise none is)
	}{
		{"false alarms when the target complies", nil, func(w *World, v *Verifier) { w.Compliance, w.Choice = 1, Stall },
			func(p VerifierParams) float64 { return p.Access * p.MaxFalseAlarm * (1 - p.Quality) }, false, true},
		{"misread spoiler violence", nil, func(w *World, v *Verifier) { w.Compliance, w.Choice, w.Incidents = 1, Stall, 1 },
			func(p VerifierParams) float64 { return p.Access * (p.MaxFalseAlarm + p.MaxMisread) * (1 - p.Quality) }, false, true},
		{"open backsliding", nil, func(w *World, v *Verifier) { w.Compliance, w.Choice, v.seen = 0.5, Backslide, 0.75 },
			func(p VerifierParams) float64 { return p.Access * p.DetectOvert }, false, false},
		{"concealed rollback", nil, func(w *World, v *Verifier) { w.Compliance, w.Concealed, w.Choice = 0.5, 0.25, Stall },
			func(p VerifierParams) float64 { return p.Access * p.Quality * p.DetectCovert }, true, false},
		// A verifier that cannot detect a violation still raises alarms at
		// its false-alarm rate; those reports are right, not false.
		{"concealed rollback at quality 0", func(p *VerifierParams) { p.Quality = 0 },
			func(w *World, v *Verifier) { w.Compliance, w.Concealed, w.Choice = 0.5, 0.25, Stall },
			func(p VerifierParams) float64 { return p.Access * p.MaxFalseAlarm }, false, false},
		{"open backsliding never reported as such", func(p *VerifierParams) { p.DetectOvert = 0 },
			func(w *World, v *Verifier) { w.Compliance, w.Choice, v.seen = 0.5, Backslide, 0.75 },
			func(p VerifierParams) float64 { return p.Access * p.MaxFalseAlarm * (1 - p.Quality) }, false, false},
	}
	for _, c := range cases {
		p := DefaultVerifier()
		p.Lag = 0
		if c.params != nil {
			c.params(&p)
		}
		v := NewVerifier(&p)
		r := newRand(9)
		n, flagged, exposed, falses := 20000, 0, 0, 0
		for range n {
			w := &World{Round: 1}
			v.Reset(w)
			c.setup(w, v)
			v.Step(w, Draws{Access: r.Float64(), Noise: r.NormFloat64(), Flag: r.Float64()})
			if w.Violation {
				flagged++
			}
			if w.FalseAlarm {
				falses++
				if !w.Violation {
					t.Fatalf("%s: a false alarm without a violation report", c.name)
				}
			}
			if w.Exposed {
				exposed++
				if w.Concealed != 0 {
					t.Fatalf("%s: exposure left concealed rollback %v", c.name, w.Concealed)
				}
			}
		}
		if want := c.rate(p); !binomialOK(flagged, n, want) {
			t.Errorf("%s: %d violation reports in %d rounds, want rate %.4f", c.name, flagged, n, want)
		}
		if flagged == 0 {
			t.Errorf("%s: no reports: the case checks nothing", c.name)
		}
		if c.exposed && exposed != flagged {
			t.Errorf("%s: %d exposures for %d reports", c.name, exposed, flagged)
		}
		if want := map[bool]int{true: flagged, false: 0}[c.falseAlarm]; falses != want {
			t.Errorf("%s: %d false alarms among %d reports, want %d", c.name, falses, flagged, want)
		}
	}
}

func TestCoalitionFatigueAndDefection(t *testing.T) {
	p := DefaultCoalition()
	c := NewCoalition(&p)
	w := &World{}
	c.Reset(w)
	r := newRand(3)
	// Full sanctions, no progress, no relief: fatigue grows by fatigue_rate
	// a round, and members defect once fatigue passes their resolve.
	u := make([]float64, len(p.Members))
	step := func() {
		for i := range u {
			u[i] = r.Float64()
		}
		c.Step(w, u)
	}
	for range 200 {
		step()
	}
	for i, f := range c.Fatigue {
		if f != 1 {
			t.Errorf("member %d: fatigue %v after 200 rounds of stalemate, want 1", i, f)
		}
	}
	if w.Cohesion > 0.2 {
		t.Errorf("cohesion %v after a long stalemate, want most members defected", w.Cohesion)
	}
	// Visible success and full relief bring fatigue down and members back.
	w.Relief, w.Verified = 1, 1
	for range 200 {
		step()
	}
	if w.Cohesion != 1 {
		t.Errorf("cohesion %v after long success, want 1", w.Cohesion)
	}
}

func TestSpoilerAttackRate(t *testing.T) {
	p := DefaultSpoilers()
	p.Growth, p.Decay, p.Harbour = 0, 0, 0 // hold strength fixed
	s := NewSpoilers(&p)
	w := &World{Verified: 0.5, Relief: 0.5, Support: 1}
	s.Reset(w)
	r := newRand(4)
	n, attacks := 20000, 0
	for range n {
		s.Step(w, []float64{r.Float64(), r.Float64()})
		attacks += w.Incidents
	}
	threat := (1-p.ThreatRelief)*0.5 + p.ThreatRelief*0.5
	var want float64
	for _, f := range p.Factions {
		want += f.Strength * (p.AttackBase + p.AttackThreat*threat) * (1 - p.InclusionEffect*f.Inclusion)
	}
	if math.Abs(float64(attacks)/float64(n)-want) > 4*math.Sqrt(want/float64(n)) {
		t.Errorf("%.4f attacks per round, want %.4f", float64(attacks)/float64(n), want)
	}
}

func TestCivilSocietyOversightCutsLeakage(t *testing.T) {
	p := DefaultCivil()
	c := NewCivil(&p)
	for _, strength := range []float64{0, 0.5, 1} {
		w := &World{Diversion: 0.2, CivilSociety: strength, Reformers: 1}
		p.Strength, p.Recovery, p.Openness = strength, 0, 0
		c.Step(w, newRand(5).Float64())
		if want := 0.2 * (1 - p.Oversight*strength); math.Abs(w.Leakage-want) > 1e-12 {
			t.Errorf("strength %v: leakage %v, want %v", strength, w.Leakage, want)
		}
	}
}

func TestNeighboursEvadeLessUnderEnforcement(t *testing.T) {
	p := DefaultNeighbours()
	p.EvasionNoise = 0
	evasionAt := func(cohesion float64) float64 {
		n := NewNeighbours(&p)
		w := &World{Cohesion: cohesion, Stability: 0.5}
		n.Reset(w)
		for range 200 {
			n.Step(w, make([]float64, len(p.States)))
		}
		return w.Evasion
	}
	if lax, strict := evasionAt(0), evasionAt(1); !(strict < lax) {
		t.Errorf("evasion %v under full enforcement, %v under none: want less under enforcement", strict, lax)
	}
}

// below, when it settles the comparison, gives exactly u < logistic(x),
// and it settles most of them.
func TestBelowIsExact(t *testing.T) {
	r := newRand(12)
	const n = 500000
	settled := 0
	for range n {
		u, x := r.Float64(), -30+60*r.Float64()
		got, ok := below(u, x)
		if ok && got != (u < logistic(x)) {
			t.Fatalf("below(%v, %v) = %v, want %v", u, x, got, !got)
		}
		settled += int(b2u8(ok))
	}
	// The bounds leave u < 1/(2+|x|) undecided: for |x| uniform up to 30,
	// a share of (1/30)·ln(32/2) ≈ 0.092.
	if share := float64(settled) / n; share < 0.88 {
		t.Errorf("below settled %.3f of the comparisons, want at least 0.85", share)
	}
}

// Only the two rollbacks reduce compliance, and no out-of-range value does.
func TestChoiceRollback(t *testing.T) {
	for _, c := range []struct {
		choice Choice
		want   bool
	}{
		{Comply, false}, {Partial, false}, {Stall, false}, {Backslide, true}, {Cheat, true},
		{NumChoices, false}, {255, false},
	} {
		if got := c.choice.Rollback(); got != c.want {
			t.Errorf("%v.Rollback() = %v, want %v", c.choice, got, c.want)
		}
	}
}

// Without trade links the region's support is the scenario's
// support_without_links, not a number fixed in the code.
func TestSupportWithoutLinks(t *testing.T) {
	for _, want := range []float64{0.2, 0.5, 0.9} {
		p := DefaultNeighbours()
		p.States, p.NoLinksSupport = nil, want
		n := NewNeighbours(&p)
		w := &World{Round: 1}
		n.Reset(w)
		n.Step(w, nil)
		if w.Support != want {
			t.Errorf("support_without_links %v: support %v", want, w.Support)
		}
	}
}
