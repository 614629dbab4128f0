package policy

import "github.com/tranche-sim/tranche/sim"

// ProportionalParams are the parameters of proportional.
type ProportionalParams struct {
	Required  float64 `toml:"required" plausible:"[0.7,0.95]" range:"(0,1]" doc:"verified compliance the agreement requires" why:"near-full implementation"`
	Gain      float64 `toml:"gain" plausible:"[0.6,2]" range:"[0,10]" doc:"relief withheld per unit of compliance gap (target relief = 1 - gain*gap)" why:"1.2: a gap of half the obligations withholds most relief"`
	Violation float64 `toml:"violation_gap" plausible:"[0.1,0.5]" range:"[0,1]" doc:"gap added in a round with a reported violation" why:"a violation counts as a step of missing compliance: proportionate, not total"`
	Speed     float64 `toml:"speed" plausible:"[0.25,1]" range:"(0,1]" doc:"share of the distance to the target relief moved each round" why:"predictable, gradual adjustment"`
}

// DefaultProportional returns proportional's default parameters.
func DefaultProportional() ProportionalParams {
	return ProportionalParams{Required: 0.85, Gain: 1.2, Violation: 0.25, Speed: 0.5}
}

// NewPolicy returns a proportional policy.
func (p *ProportionalParams) NewPolicy() sim.Policy { return &Proportional{p: *p} }

// Proportional withholds relief in proportion to the gap between required
// and verified compliance, and moves toward that level gradually: a
// proportionate, predictable consequence (seeds) rather than all or nothing.
type Proportional struct {
	p      ProportionalParams
	relief float64
}

// Reset implements sim.Policy.
func (f *Proportional) Reset() { f.relief = 0 }

// Decide implements sim.Policy.
func (f *Proportional) Decide(o *sim.Observation, a *sim.Action) {
	gap := max(f.p.Required-o.Verified, 0)
	if o.Violation {
		gap += f.p.Violation
	}
	target := min(max(1-f.p.Gain*gap, 0), 1)
	f.relief += f.p.Speed * (target - f.relief)
	a.SetAll(f.relief)
}

// Clone implements sim.Policy.
func (f *Proportional) Clone() sim.Policy { c := *f; return &c }

// CopyFrom implements sim.Policy.
func (f *Proportional) CopyFrom(src sim.Policy) { *f = *src.(*Proportional) }
