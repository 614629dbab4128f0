package policy

import "github.com/tranche-sim/tranche/sim"

// BigBangParams are the parameters of big-bang.
type BigBangParams struct {
	Threshold float64 `toml:"threshold" plausible:"[0.35,0.75]" range:"(0,1]" doc:"verified compliance that counts as an agreement" why:"an agreement in principle: half the obligations verified"`
	Hold      int     `toml:"hold" plausible:"[1,4]" range:"[1,1000]" doc:"rounds the threshold must hold before all relief is released" why:"one review"`
}

// DefaultBigBang returns big-bang's default parameters.
func DefaultBigBang() BigBangParams { return BigBangParams{Threshold: 0.5, Hold: 1} }

// NewPolicy returns a big-bang policy.
func (p *BigBangParams) NewPolicy() sim.Policy { return &BigBang{p: *p} }

// BigBang releases all relief at once as soon as an agreement is verified
// and never takes it back: the front-loaded design of the 1994 Agreed
// Framework.
type BigBang struct {
	p        BigBangParams
	held     streak
	released bool
}

// Reset implements sim.Policy.
func (b *BigBang) Reset() { b.held, b.released = 0, false }

// Decide implements sim.Policy.
func (b *BigBang) Decide(o *sim.Observation, a *sim.Action) {
	if !b.released && b.held.update(o.Verified >= b.p.Threshold) >= b.p.Hold {
		b.released = true
	}
	if b.released {
		a.SetAll(1)
	}
}

// Clone implements sim.Policy.
func (b *BigBang) Clone() sim.Policy { c := *b; return &c }

// CopyFrom implements sim.Policy.
func (b *BigBang) CopyFrom(src sim.Policy) { *b = *src.(*BigBang) }
