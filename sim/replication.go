package sim

import (
	"math"
	"math/rand/v2"
	"reflect"

	"github.com/tranche-sim/tranche/agents"
	"github.com/tranche-sim/tranche/internal/num"
)

// Replication runs replications of a model, one at a time. It holds every
// piece of state a replication needs, allocated once, so that running a
// replication allocates nothing. A Replication is not safe for concurrent
// use; the runner gives each worker its own.
type Replication struct {
	m   *Model
	w   agents.World
	st  *streams
	typ *rand.Rand // the target's type stream, drawn from as the run goes
	dr  *draws

	coalition  *agents.Coalition
	target     *agents.Target
	civil      *agents.Civil
	neighbours *agents.Neighbours
	spoilers   *agents.Spoilers
	verifier   *agents.Verifier

	relief    []float64 // per-sector relief in force
	coverage  float64   // humanitarian coverage in force
	essential float64   // needs met by relieved essential sectors (sum of essential * relief)
	chill     float64   // over-compliance while sectors stay sanctioned (sum of overcompliance * (1 - relief))
	commodity float64   // commodity shock level
	obs       Observation
	act       Action

	pol Policy   // the policy of the replication running
	out *Outcome // where it writes
	t   tally    // its metrics so far

	// A forward-looking target's view of the policy: a forecaster for
	// each policy this Replication has run (made on first use), the one
	// in use, and the relief paths of its plans.
	forecasters []*Forecaster
	fc          *Forecaster
	path        []float64
	discounts   []float64 // δ^lag δ^k / Σ_k δ^k for the rounds of foresight
	delay       float64   // δ^lag: the report lag postpones every answer
	memo        [6]plan   // the plans forecast this round
	plans       int
}

// plan is a forecast plan, verified compliance from the round the
// coalition sees the choice and whether a violation is reported then, and
// its value.
type plan struct {
	v     float64
	viol  bool
	value float64
}

// NewReplication returns a Replication for model m.
func NewReplication(m *Model) *Replication {
	p := &m.Params
	r := &Replication{
		m:          m,
		st:         newStreams(),
		dr:         newDraws(m.Rounds, len(p.Coalition.Members), len(p.Neighbours.States), len(p.Spoilers.Factions)),
		coalition:  agents.NewCoalition(&p.Coalition),
		target:     agents.NewTarget(&p.Target, &p.Verifier),
		civil:      agents.NewCivil(&p.CivilSociety),
		neighbours: agents.NewNeighbours(&p.Neighbours),
		spoilers:   agents.NewSpoilers(&p.Spoilers),
		verifier:   agents.NewVerifier(&p.Verifier),
		relief:     make([]float64, len(p.Sectors)),
	}
	r.typ = r.st.get(SourceType)
	r.act.Relief = make([]float64, len(p.Sectors))
	if r.target.ForwardLooking() {
		n := max(p.Target.Foresight, 1)
		r.path, r.discounts = make([]float64, n), make([]float64, n)
		d, sum := 1.0, 0.0
		for k := range n {
			r.discounts[k] = d
			sum += d
			d *= p.Target.Discount
		}
		r.delay = math.Pow(p.Target.Discount, float64(p.Verifier.Lag))
		for k := range n {
			r.discounts[k] *= r.delay / sum
		}
	}
	r.obs = Observation{
		Rounds:           m.Rounds,
		Sectors:          p.Sectors,
		Weights:          m.weights,
		Relief:           r.relief,
		StandingCoverage: p.Coalition.Coverage,
		Rand:             r.st.get(SourcePolicy),
	}
	return r
}

// tally accumulates a replication's metrics round by round.
type tally struct {
	verifiedStreak, lowStreak, durableAt int
	agreement, collapsed, inRollback     bool
	episodes, incidents, falseAlarms     int
	pendingCheats, snapbacks             int
	falseSnapbacks                       int // snapbacks on a false alarm
	compliance, stability, welfare       float64
	shortfall, welfareMin                float64
	leaked, flows, relief                float64

	// The episode's end, judged on the truth: streaks of settled,
	// broken-down and capitulated rounds, whether true compliance has
	// reached the agreement threshold, and how and when it ended.
	settleStreak, breakStreak, capStreak int
	agreedTruth                          bool
	end, endAt                           int
}

// Run runs replication rep of a study with the given seed under policy pol
// and writes what it produced to out, which must have room for the model's
// rounds (see NewOutcome). The policy is Reset first.
func (r *Replication) Run(seed, rep uint64, pol Policy, out *Outcome) {
	r.start(seed, rep, pol, out)
	for round := 1; round <= r.m.Rounds; round++ {
		r.step(round)
	}
	r.finish()
}

// start seeds the streams, draws every random number the replication will
// use and resets the world, the actors and policy pol.
//
// Every policy of a replication faces the same draws (common random
// numbers), and the runner runs a replication's policies one after the
// other, so the draws are made only when the replication changes; the two
// streams drawn from as the run goes, the target's type and the policy's,
// are reseeded every time.
func (r *Replication) start(seed, rep uint64, pol Policy, out *Outcome) {
	if d := r.dr; !d.made || d.seed != seed || d.rep != rep {
		r.st.seed(seed, rep)
		d.fill(r.st)
		d.made, d.seed, d.rep = true, seed, rep
	} else {
		r.st.reseed(seed, rep, SourceType, SourcePolicy, SourceForecast)
	}
	pol.Reset()
	r.pol, r.out = pol, out
	if r.target.ForwardLooking() {
		r.fc = r.forecaster(pol)
	}
	r.reset() // draws the target's commitment from its own stream
	r.t = tally{welfareMin: math.Inf(1)}
}

// step runs one round.
func (r *Replication) step(round int) {
	m, p, w, d := r.m, &r.m.Params, &r.w, r.dr
	t, out := &r.t, r.out
	w.Round = round
	i := round - 1
	rd := &d.rounds[i]

	// Exogenous shocks: a fixed number of draws every round.
	sh := rd.shocks
	w.Events = agents.Events{Crisis: sh[0] < m.pCrisis, Commodity: sh[1] < m.pCommodity, Leadership: sh[2] < m.pLeadership}
	for k := range d.members {
		if sh[3+2*k] < m.pElection {
			r.coalition.Elect(k, sh[4+2*k])
		}
	}
	w.Crisis *= p.Shocks.CrisisPersistence
	if w.Events.Crisis {
		w.Crisis++
	}
	r.commodity *= p.Economy.CommodityPersistence
	if w.Events.Commodity {
		r.commodity++
	}

	// Actors, in schedule order.
	r.coalition.Step(w, rd.coalition)
	r.neighbours.Step(w, rd.neighbours)
	w.Pressure = leverage(w.Relief, w.Cohesion, w.Evasion)
	r.updateEconomy()
	if r.fc != nil {
		r.anticipate()
	}
	r.target.Step(w, d.target[i], r.typ)
	r.spoilers.Step(w, rd.spoilers)
	r.civil.Step(w, d.civil[i])
	r.updateWorld()
	v := rd.verifier[:3]
	r.verifier.Step(w, agents.Draws{Access: v[0], Noise: v[1], Flag: v[2]})
	// Leverage is the pressure of step 4: the actors after it change
	// none of relief, cohesion and evasion.
	lev := w.Pressure

	// Record the round as it was in force.
	s := &out.Series
	s[SeriesCompliance][i] = w.Compliance
	s[SeriesVerified][i] = w.Verified
	s[SeriesRelief][i] = w.Relief
	s[SeriesCoverage][i] = r.coverage
	s[SeriesHumanitarian][i] = w.Welfare
	s[SeriesStability][i] = w.Stability
	s[SeriesLeverage][i] = lev
	s[SeriesCohesion][i] = w.Cohesion
	s[SeriesReformers][i] = w.Reformers
	s[SeriesEvasion][i] = w.Evasion
	s[SeriesIncidents][i] = float64(w.Incidents)
	r.count(t, round)

	// The coalition decides.
	r.obs.Round = round
	r.obs.Verified, r.obs.Inspected, r.obs.Violation = w.Verified, w.Inspected, w.Violation
	r.obs.Incidents, r.obs.Welfare, r.obs.Cohesion = w.Incidents, w.Welfare, w.Cohesion
	r.obs.Leverage, r.obs.Evasion, r.obs.Coverage = lev, w.Evasion, r.coverage
	r.obs.Events = w.Events
	r.pol.Decide(&r.obs, &r.act) // r.act holds what is in force (see apply)
	snap := r.apply()
	t.snapbacks += b2i(snap)
	t.falseSnapbacks += b2i(snap && w.FalseAlarm)
	out.Events[i] = RoundEvents{Snapback: snap, Violation: w.Violation, FalseAlarm: w.FalseAlarm, Choice: uint8(w.Choice), Shocks: w.Events}
}

// maxForecasters bounds the forecasters a Replication keeps: a caller that
// passes a new policy every run must not make it grow without end.
const maxForecasters = 64

// forecaster returns the forecaster of policy pol, made the first time this
// Replication runs pol and kept for its next runs (the runner passes each
// worker's same few policies again and again). A policy whose type cannot
// be compared (a struct value holding a slice, say) cannot be found again,
// and gets a new forecaster each run.
func (r *Replication) forecaster(pol Policy) *Forecaster {
	if !reflect.TypeOf(pol).Comparable() {
		return NewForecaster(pol, len(r.relief))
	}
	for _, f := range r.forecasters {
		if f.Policy() == pol { // both comparable: no panic
			return f
		}
	}
	if len(r.forecasters) == maxForecasters { // forget the oldest
		copy(r.forecasters, r.forecasters[1:])
		r.forecasters = r.forecasters[:maxForecasters-1]
	}
	f := NewForecaster(pol, len(r.relief))
	r.forecasters = append(r.forecasters, f)
	return f
}

// anticipate works out, for a forward-looking target, the relief change
// each of its choices would bring (World.Anticipated). The coalition will
// see the choice lag rounds from now; until then it decides on reports
// already made. From then on, the target assumes, it sees the compliance
// the choice leaves visible, for foresight rounds: a choice is worth the
// discounted mean of the relief in force over those rounds, less the
// relief now, discounted again for the lag. Open backsliding is reported,
// and cheating exposed (showing the truth), with the verifier's public
// chances.
func (r *Replication) anticipate() {
	w, f := &r.w, r.fc
	lag := r.m.Params.Verifier.Lag
	obs := &r.obs
	if w.Round == 1 { // no decision yet: the coalition has seen nothing
		obs.Round, obs.Verified, obs.Inspected, obs.Violation, obs.Incidents = 0, w.Verified, false, false, 0
		obs.Welfare, obs.Cohesion, obs.Leverage, obs.Evasion, obs.Coverage = w.Welfare, w.Cohesion, w.Pressure, w.Evasion, r.coverage
	}
	f.Start(obs, lag, r.st.get(SourceForecast))
	seen, truth := r.target.Outlook(w)
	reported, exposed := r.target.Chances()
	// Plans often coincide (nothing left to comply with, or to roll
	// back): each distinct one is forecast once.
	r.plans = 0
	value := func(verified float64, violation bool) float64 {
		for _, m := range r.memo[:r.plans] {
			if m.v == verified && m.viol == violation {
				return m.value
			}
		}
		f.Plan(verified, violation, r.path)
		val := -r.delay * w.Relief
		for k, x := range r.path {
			val += r.discounts[k] * x
		}
		if r.plans < len(r.memo) {
			r.memo[r.plans] = plan{verified, violation, val}
			r.plans++
		}
		return val
	}
	a := &w.Anticipated
	a[agents.Comply] = value(seen[agents.Comply], false)
	a[agents.Partial] = value(seen[agents.Partial], false)
	a[agents.Stall] = value(seen[agents.Stall], false)
	if seen[agents.Backslide] == seen[agents.Stall] { // nothing to roll back
		a[agents.Backslide], a[agents.Cheat] = a[agents.Stall], a[agents.Stall]
		return
	}
	caught := value(seen[agents.Backslide], true)
	a[agents.Backslide] = reported*caught + (1-reported)*value(seen[agents.Backslide], false)
	if truth != seen[agents.Backslide] {
		caught = value(truth, true)
	}
	a[agents.Cheat] = exposed*caught + (1-exposed)*a[agents.Stall]
}

// reset puts the world, the actors and the relief in their initial state.
func (r *Replication) reset() {
	p, w := &r.m.Params, &r.w
	*w = agents.World{}
	for i, s := range p.Sectors {
		r.relief[i] = s.Relief
	}
	r.coverage = p.Coalition.Coverage
	copy(r.act.Relief, r.relief)
	r.act.Coverage = r.coverage
	r.commodity = 0
	r.sectorSums()
	w.Relief = r.obs.WeightedRelief(r.relief)
	r.coalition.Reset(w)
	r.neighbours.Reset(w)
	r.target.Reset(w, r.typ)
	r.spoilers.Reset(w)
	r.verifier.Reset(w)
	w.Diversion = p.Target.Diversion * (1 - w.Reformers)
	w.Stability = p.Stability.Initial
	w.Pressure = leverage(w.Relief, w.Cohesion, w.Evasion)
	w.Economy = 1 - p.Economy.Pain*w.Pressure
	r.civil.Reset(w)
	w.Welfare = r.welfare()
}

// updateEconomy moves the target's economy toward the level the round's
// sanctions pressure and commodity shock set. It runs before the target
// chooses: the damage is what coerces it.
func (r *Replication) updateEconomy() {
	w, e := &r.w, &r.m.Params.Economy
	goal := 1 - e.Pain*w.Pressure - e.CommodityHit*r.commodity
	w.Economy = num.Clamp01(w.Economy + e.Adjust*(goal-w.Economy))
}

// updateWorld advances humanitarian welfare and regional stability, the
// parts of the world after the actors that no actor owns.
func (r *Replication) updateWorld() {
	p, w := &r.m.Params, &r.w
	w.Welfare = r.welfare()

	s := &p.Stability
	want := s.Base + s.Agreement*w.Verified + s.Welfare*w.Welfare + s.Support*w.Support - s.Hardliners*(1-w.Reformers)
	st := w.Stability + s.Adjust*(want-w.Stability) - s.IncidentHit*float64(w.Incidents)
	if w.Events.Crisis {
		st -= s.CrisisHit
	}
	w.Stability = num.Clamp01(st)
}

// welfare returns the humanitarian index: supply from the domestic economy,
// relieved essential sectors, exemptions (less over-compliance) and
// smuggling, over need; relief and exemption flows lose the leakage share.
func (r *Replication) welfare() float64 {
	p, w := &r.m.Params, &r.w
	h := &p.Humanitarian
	exempt := h.ExemptionCapacity * r.coverage * max(1-r.chill*w.Cohesion, 0)
	supply := h.DomesticSupply*w.Economy + (r.essential+exempt)*(1-w.Leakage) + h.EvasionSupply*w.Evasion
	need := 1 + h.CrisisNeed*w.Crisis + h.ViolenceNeed*float64(w.Incidents)
	return num.Clamp01(supply / need)
}

// apply clamps and applies the policy's action; it reports whether the
// coalition re-imposed enough relief to count as a snapback. Afterwards
// r.act holds the relief and coverage in force again, ready for the next
// Decide: most rounds the policy changes nothing, and then nothing is
// copied.
func (r *Replication) apply() bool {
	w, act := &r.w, &r.act
	var withdrawn float64
	changed, differs := false, false
	for i, x := range act.Relief {
		if x == r.relief[i] { // most rounds change nothing
			continue
		}
		differs = true
		x = policyLevel(x)
		if d := r.relief[i] - x; d != 0 {
			changed = true
			if d > 0 {
				withdrawn += r.m.weights[i] * d
			}
		}
		r.relief[i] = x
	}
	if c := act.Coverage; c != r.coverage {
		differs = true
		if c = policyLevel(c); c != r.coverage {
			r.coverage, changed = c, true
		}
	}
	if differs { // the action asked for a change, or for a level out of range
		copy(act.Relief, r.relief)
		act.Coverage = r.coverage
	}
	if !changed {
		w.ReliefDelta, w.Reimposed = 0, 0
		return false
	}
	r.sectorSums()
	before := w.Relief
	w.Relief = r.obs.WeightedRelief(r.relief)
	w.ReliefDelta = w.Relief - before
	w.Reimposed = withdrawn
	return withdrawn >= r.m.Params.Outcomes.SnapbackSize
}

// sectorSums recomputes the sums over sectors that welfare needs; they
// change only when relief does.
func (r *Replication) sectorSums() {
	r.essential, r.chill = 0, 0
	for i, s := range r.m.Params.Sectors {
		r.essential += s.Essential * r.relief[i]
		r.chill += s.Overcompliance * (1 - r.relief[i])
	}
}

// count updates the tally with the round just recorded.
func (r *Replication) count(t *tally, round int) {
	p, w := &r.m.Params, &r.w
	o := &p.Outcomes
	if w.Verified >= o.DurableThreshold {
		t.verifiedStreak++
	} else {
		t.verifiedStreak = 0
	}
	if t.durableAt == 0 && t.verifiedStreak >= o.DurableRounds && w.Relief >= o.DurableRelief {
		t.durableAt = round
	}
	if w.Verified >= o.AgreementThreshold {
		t.agreement = true
	}
	if t.agreement && w.Compliance <= o.CollapseCompliance {
		t.lowStreak++
		if t.lowStreak >= o.CollapseRounds {
			t.collapsed = true
		}
	} else {
		t.lowStreak = 0
	}
	rollback := w.Choice.Rollback()
	if rollback && !t.inRollback {
		t.episodes++
	}
	t.inRollback = rollback
	if w.Choice == agents.Cheat {
		t.pendingCheats++
	}
	if w.Exposed { // exposure reveals all concealment, this round's too
		t.pendingCheats = 0
	}
	if t.endAt == 0 {
		r.judgeEnd(t, round)
	}
	t.incidents += w.Incidents
	t.falseAlarms += b2i(w.FalseAlarm)
	t.compliance += w.Compliance
	t.stability += w.Stability
	t.welfare += w.Welfare
	t.shortfall += max(p.Humanitarian.Floor-w.Welfare, 0)
	t.welfareMin = min(w.Welfare, t.welfareMin)
	flow := w.Relief + p.Humanitarian.ExemptionCapacity*r.coverage
	t.flows += flow
	t.leaked += w.Leakage * flow
	t.relief += w.Relief
}

// judgeEnd checks, on the truth, whether the episode ended in the round
// just recorded: a settlement, then a breakdown, then a capitulation (the
// first that holds).
func (r *Replication) judgeEnd(t *tally, round int) {
	o, w := &r.m.Params.Outcomes, &r.w
	x := w.Compliance
	t.settleStreak = b2i(x >= o.DurableThreshold) * (t.settleStreak + 1)
	if x >= o.AgreementThreshold {
		t.agreedTruth = true
	}
	t.breakStreak = b2i(t.agreedTruth && x <= o.CollapseCompliance) * (t.breakStreak + 1)
	// w.Pressure is this round's leverage (step 4; nothing after it
	// changes relief, cohesion or evasion).
	t.capStreak = b2i(x < o.AgreementThreshold && w.Pressure <= o.CapitulationLeverage) * (t.capStreak + 1)
	switch {
	case t.settleStreak >= o.DurableRounds:
		t.end = EndSettlement
	case t.breakStreak >= o.CollapseRounds:
		t.end = EndBreakdown
	case t.capStreak >= o.CapitulationRounds:
		t.end = EndCapitulation
	default:
		return
	}
	t.endAt = round
}

// finish turns the tally into the replication's metrics.
func (r *Replication) finish() {
	m, p, w, t, out := r.m, &r.m.Params, &r.w, &r.t, r.out
	n := float64(m.Rounds)
	last := m.Rounds - 1
	o := &out.Metrics
	durable := t.verifiedStreak >= p.Outcomes.DurableRounds && out.Series[SeriesRelief][last] >= p.Outcomes.DurableRelief
	o[DurableAgreement] = b2f(durable)
	o[Collapse] = b2f(t.collapsed)
	o[RoundsToDurable] = math.NaN()
	if t.durableAt > 0 {
		o[RoundsToDurable] = float64(t.durableAt)
	}
	o[BackslidingEpisodes] = float64(t.episodes)
	o[Compliance] = t.compliance / n
	o[StabilityIndex] = t.stability / n
	o[SpoilerIncidents] = float64(t.incidents)
	o[HumanitarianIndex] = t.welfare / n
	o[HumanitarianShortfall] = t.shortfall
	o[HumanitarianMin] = t.welfareMin
	o[ReliefLeakage] = 0
	if t.flows > 0 {
		o[ReliefLeakage] = t.leaked / t.flows
	}
	o[LeverageRetained] = math.NaN()
	if m.leverage0 > 0 {
		o[LeverageRetained] = out.Series[SeriesLeverage][last] / m.leverage0
	}
	o[CoalitionCohesion] = w.Cohesion
	o[FalseAlarms] = float64(t.falseAlarms)
	o[UndetectedCheating] = float64(t.pendingCheats)
	o[AgreementReached] = b2f(t.agreement)
	o[ReliefFinal] = out.Series[SeriesRelief][last]
	o[Snapbacks] = float64(t.snapbacks)
	o[FalseSnapbacks] = float64(t.falseSnapbacks)
	o[ReliefPerCompliance] = math.NaN()
	if t.compliance > 0 {
		o[ReliefPerCompliance] = t.relief / t.compliance
	}
	o[Settlement] = b2f(t.end == EndSettlement)
	o[Breakdown] = b2f(t.end == EndBreakdown)
	o[Capitulation] = b2f(t.end == EndCapitulation)
	o[Stalemate] = b2f(t.end == EndStalemate)
	o[RoundsToEnd] = math.NaN()
	if t.endAt > 0 {
		o[RoundsToEnd] = float64(t.endAt)
	}
}

// policyLevel is a level a policy asked for, limited to [0, 1]; a NaN, from
// a faulty policy, becomes 0.
func policyLevel(x float64) float64 {
	if x != x {
		return 0
	}
	return num.Clamp01(x)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func b2f(b bool) float64 { return float64(b2i(b)) }
