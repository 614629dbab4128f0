package policy

import "github.com/tranche-sim/tranche/sim"

// GRITParams are the parameters of grit.
type GRITParams struct {
	Step       float64 `toml:"step" plausible:"[0.02,0.1]" range:"[0,1]" doc:"relief added each round of the unilateral initiative" why:"small, announced, verifiable steps (Osgood 1962)"`
	Initiative int     `toml:"initiative_rounds" plausible:"[2,8]" range:"[0,1000]" doc:"rounds of unconditional steps before steps depend on reciprocation" why:"a year of quarterly steps"`
	Growth     float64 `toml:"growth" plausible:"[1,4]" range:"[0,10]" doc:"multiple of step added in a round in which verified compliance rose (reciprocation)" why:"reciprocation is rewarded with larger steps"`
	Floor      float64 `toml:"leverage_floor" plausible:"[0.2,0.6]" range:"[0,1]" doc:"share of sanctions kept until full compliance is verified (relief never exceeds 1 - floor before that)" why:"GRIT never gives up its deterrent"`
	Full       float64 `toml:"full_compliance" plausible:"[0.7,0.95]" range:"(0,1]" doc:"verified compliance at which the remaining relief is released" why:"near-full implementation"`
}

// DefaultGRIT returns grit's default parameters.
func DefaultGRIT() GRITParams {
	return GRITParams{Step: 0.05, Initiative: 4, Growth: 2, Floor: 0.4, Full: 0.85}
}

// NewPolicy returns a GRIT policy.
func (p *GRITParams) NewPolicy() sim.Policy { return &GRIT{p: *p} }

// GRIT is Osgood's graduated reciprocation in tension reduction: small
// unilateral relief steps on an announced schedule whatever the response,
// then larger steps when the target reciprocates; it never withdraws
// relief (a sector that starts with relief keeps it), never cuts
// humanitarian coverage and keeps a leverage floor until full compliance is
// verified.
type GRIT struct {
	p      GRITParams
	last   float64 // previous verified compliance
	relief float64
}

// Reset implements sim.Policy.
func (g *GRIT) Reset() { g.last, g.relief = 0, 0 }

// Decide implements sim.Policy.
func (g *GRIT) Decide(o *sim.Observation, a *sim.Action) {
	step := 0.0
	switch {
	case o.Verified >= g.p.Full:
		g.relief = 1 // full compliance: the rest is released
	case o.Round <= g.p.Initiative:
		step = g.p.Step
	case o.Verified > g.last:
		step = g.p.Step * g.p.Growth
	}
	g.last = o.Verified
	// Steps stop at the leverage floor, but relief given is never taken
	// back, in any sector: a sector that starts with more keeps it.
	g.relief = max(g.relief, min(g.relief+step, 1-g.p.Floor))
	for i := range a.Relief { // a holds what is in force
		a.Relief[i] = max(a.Relief[i], g.relief)
	}
	a.Coverage = max(a.Coverage, o.StandingCoverage)
}

// Clone implements sim.Policy.
func (g *GRIT) Clone() sim.Policy { c := *g; return &c }

// CopyFrom implements sim.Policy.
func (g *GRIT) CopyFrom(src sim.Policy) { *g = *src.(*GRIT) }
