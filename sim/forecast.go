package sim

import (
	"math/rand/v2"

	"github.com/tranche-sim/tranche/agents"
)

// A Forecaster answers how a policy would respond to hypothetical
// observations: the relief it would have in force in each of the rounds
// ahead if the coalition observed a given verified compliance from some
// round on. The answer is a pure function of the policy's state and the
// observations: the forecaster decides on its own clone of the policy and
// never changes the policy itself, nor draws from the policy's stream (a
// policy with random parts draws from the stream the forecaster is given).
//
// A forward-looking target uses it: the policy's rule is public, so the
// target can work out what each of its choices would bring.
type Forecaster struct {
	pol       Policy // the policy forecast
	shadow    Policy // a clone that the forecast runs on
	base      Policy // a clone in the state after the rounds every plan shares
	obs       Observation
	act       Action
	inForce   []float64 // relief in force in the shadow's world
	relief    float64   // its weighted relief
	baseForce []float64 // and after the rounds every plan shares
	baseCov   float64
	baseRel   float64
}

// NewForecaster returns a forecaster for policy p in a model with the given
// number of sectors. It clones p twice; nothing else it does allocates.
func NewForecaster(p Policy, sectors int) *Forecaster {
	return &Forecaster{
		pol: p, shadow: p.Clone(), base: p.Clone(),
		act:       Action{Relief: make([]float64, sectors)},
		inForce:   make([]float64, sectors),
		baseForce: make([]float64, sectors),
	}
}

// Policy returns the policy the forecaster forecasts.
func (f *Forecaster) Policy() Policy { return f.pol }

// Start prepares the forecasts of one round. now is what the coalition
// observed at the end of the latest round (its Relief and Coverage in
// force now); for the first lag decisions ahead the coalition sees reports
// about rounds already past, which no choice now can change, so Start
// runs the policy's clone through them, observing now's report again each
// time without a new violation. rand is the stream random parts of the
// policy draw from in forecasts.
func (f *Forecaster) Start(now *Observation, lag int, rand *rand.Rand) {
	f.obs = *now
	f.obs.Relief = f.inForce
	f.obs.Events = agents.Events{}
	f.obs.Violation, f.obs.Inspected = false, false
	f.obs.Rand = rand
	copy(f.inForce, now.Relief)
	copy(f.act.Relief, now.Relief)
	f.obs.Coverage, f.act.Coverage = now.Coverage, now.Coverage
	f.relief = now.WeightedRelief(f.inForce)
	f.base.CopyFrom(f.pol)
	for range lag {
		f.decide(f.base)
	}
	copy(f.baseForce, f.inForce)
	f.baseCov, f.baseRel = f.obs.Coverage, f.relief
}

// Plan fills path with the weighted relief the policy would have in force
// after each of the len(path) decisions that follow the shared rounds, if
// from the first of them on the coalition observed verified compliance
// verified, with a violation reported in the first when violation is true.
// Call Start first; Plan may be called any number of times after it.
func (f *Forecaster) Plan(verified float64, violation bool, path []float64) {
	f.shadow.CopyFrom(f.base)
	copy(f.inForce, f.baseForce)
	copy(f.act.Relief, f.baseForce)
	f.obs.Coverage, f.act.Coverage, f.relief = f.baseCov, f.baseCov, f.baseRel
	round := f.obs.Round
	f.obs.Verified, f.obs.Inspected = verified, true
	for h := range path {
		f.obs.Violation = violation && h == 0
		path[h] = f.decide(f.shadow)
	}
	f.obs.Round = round
	f.obs.Violation = false
}

// decide runs the decision of pol, a clone, for the next round and puts its action
// in force, as the engine would; it returns the weighted relief. As in the
// engine, the action holds what is in force between decisions, so that a
// decision that changes nothing costs nothing more.
func (f *Forecaster) decide(pol Policy) float64 {
	f.obs.Round++
	pol.Decide(&f.obs, &f.act)
	changed := false
	act := f.act.Relief
	in := f.inForce[:len(act)]
	for i, x := range act {
		if x != in[i] {
			x = policyLevel(x)
			act[i] = x
			changed = changed || x != in[i]
			in[i] = x
		}
	}
	if c := f.act.Coverage; c != f.obs.Coverage {
		c = policyLevel(c)
		f.act.Coverage, f.obs.Coverage = c, c
	}
	if changed {
		f.relief = f.obs.WeightedRelief(f.inForce)
	}
	return f.relief
}
