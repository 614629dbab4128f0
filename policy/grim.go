package policy

import "github.com/tranche-sim/tranche/sim"

// GrimParams are the parameters of grim-trigger.
type GrimParams struct {
	Gain float64 `toml:"gain" plausible:"[0.5,1.5]" range:"[0,10]" doc:"relief per unit of verified compliance before the trigger (relief = min(1, gain*compliance))" why:"1: relief mirrors compliance until the first violation"`
}

// DefaultGrim returns grim-trigger's default parameters.
func DefaultGrim() GrimParams { return GrimParams{Gain: 1} }

// NewPolicy returns a grim-trigger policy.
func (p *GrimParams) NewPolicy() sim.Policy { return &Grim{p: *p} }

// Grim mirrors verified compliance until the first reported violation, then
// withdraws all relief for good: the grim trigger of repeated-game theory.
type Grim struct {
	p         GrimParams
	triggered bool
}

// Reset implements sim.Policy.
func (g *Grim) Reset() { g.triggered = false }

// Decide implements sim.Policy.
func (g *Grim) Decide(o *sim.Observation, a *sim.Action) {
	g.triggered = g.triggered || o.Violation
	if g.triggered {
		a.SetAll(0)
		return
	}
	a.SetAll(min(1, g.p.Gain*o.Verified))
}

// Clone implements sim.Policy.
func (g *Grim) Clone() sim.Policy { c := *g; return &c }

// CopyFrom implements sim.Policy.
func (g *Grim) CopyFrom(src sim.Policy) { *g = *src.(*Grim) }
