package policy

import "github.com/tranche-sim/tranche/sim"

// ReciprocalParams are the parameters of reciprocal.
type ReciprocalParams struct {
	Gain float64 `toml:"gain" plausible:"[0.5,1.5]" range:"[0,10]" doc:"relief per unit of verified compliance (relief = min(1, gain*compliance))" why:"1: relief mirrors compliance"`
}

// DefaultReciprocal returns reciprocal's default parameters.
func DefaultReciprocal() ReciprocalParams { return ReciprocalParams{Gain: 1} }

// NewPolicy returns a reciprocal policy.
func (p *ReciprocalParams) NewPolicy() sim.Policy { return &Reciprocal{p: *p} }

// Reciprocal is tit-for-tat on verified compliance (Axelrod): relief mirrors
// the latest verified compliance, and a reported violation withdraws all
// relief for that round.
type Reciprocal struct{ p ReciprocalParams }

// Reset implements sim.Policy.
func (r *Reciprocal) Reset() {}

// Decide implements sim.Policy.
func (r *Reciprocal) Decide(o *sim.Observation, a *sim.Action) {
	if o.Violation {
		a.SetAll(0)
		return
	}
	a.SetAll(min(1, r.p.Gain*o.Verified))
}

// Clone implements sim.Policy.
func (r *Reciprocal) Clone() sim.Policy { c := *r; return &c }

// CopyFrom implements sim.Policy.
func (r *Reciprocal) CopyFrom(src sim.Policy) { *r = *src.(*Reciprocal) }
