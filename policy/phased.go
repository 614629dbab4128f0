package policy

import (
	"math"

	"github.com/tranche-sim/tranche/sim"
)

// PhasedParams are the parameters of phased and phased-snapback.
type PhasedParams struct {
	Tranches int     `toml:"tranches" plausible:"[2,8]" range:"[1,100]" doc:"number of equal tranches; each raises every sector's relief by 1/tranches" why:"four tranches, as in the staged relief of the 2013-2016 Iran deal"`
	Hold     int     `toml:"hold" plausible:"[1,4]" range:"[1,1000]" doc:"rounds verified compliance must hold at a milestone before its tranche is released" why:"two quarterly reviews"`
	First    float64 `toml:"first_milestone" plausible:"[0.1,0.5]" range:"[0,1]" doc:"verified compliance required for the first tranche" why:"a first step buys a first tranche"`
	Last     float64 `toml:"last_milestone" plausible:"[0.7,0.95]" range:"[0,1]" doc:"verified compliance required for the last tranche (milestones in between are evenly spaced)" why:"near-full implementation before the last tranche"`
	Severity float64 `toml:"snapback_severity" plausible:"[0,1]" range:"[0,1]" doc:"share of released tranches withdrawn when the verifier reports a violation (0: hold only)" why:"phased: 0, relief is held but never withdrawn; phased-snapback: 1, a full snapback as in UNSCR 2231"`
}

// DefaultPhased returns phased's default parameters.
func DefaultPhased() PhasedParams {
	return PhasedParams{Tranches: 4, Hold: 2, First: 0.25, Last: 0.85}
}

// DefaultPhasedSnapback returns phased-snapback's default parameters.
func DefaultPhasedSnapback() PhasedParams {
	p := DefaultPhased()
	p.Severity = 1
	return p
}

// DefaultProportionate returns phased-proportionate's default parameters:
// a violation withdraws half the released tranches.
func DefaultProportionate() PhasedParams {
	p := DefaultPhased()
	p.Severity = 0.5
	return p
}

// NewPolicy returns a phased policy.
func (p *PhasedParams) NewPolicy() sim.Policy {
	f := &Phased{p: *p, milestones: make([]float64, p.Tranches), levels: make([]float64, p.Tranches+1)}
	for k := range f.milestones {
		f.milestones[k] = p.Last
		if p.Tranches > 1 {
			f.milestones[k] = p.First + (p.Last-p.First)*float64(k)/float64(p.Tranches-1)
		}
	}
	for k := range f.levels {
		f.levels[k] = float64(k) / float64(p.Tranches)
	}
	return f
}

// Phased releases relief in equal tranches, each after verified compliance
// has held its milestone for Hold rounds. A reported violation resets the
// count and withdraws Severity of the released tranches (rounded up).
type Phased struct {
	p          PhasedParams
	milestones []float64 // verified compliance required for tranche k (0-based): evenly spaced from First to Last
	levels     []float64 // relief with k tranches released
	released   int
	held       streak
}

// Reset implements sim.Policy.
func (f *Phased) Reset() { f.released, f.held = 0, 0 }

// Decide implements sim.Policy.
func (f *Phased) Decide(o *sim.Observation, a *sim.Action) {
	switch {
	case o.Violation:
		f.held = 0
		f.released -= int(math.Ceil(f.p.Severity * float64(f.released)))
	case f.released < f.p.Tranches && f.held.update(o.Verified >= f.milestones[f.released]) >= f.p.Hold:
		f.released++
		f.held = 0
	}
	a.SetAll(f.levels[f.released])
}

// Clone implements sim.Policy (its milestones and levels, never changed, are shared).
func (f *Phased) Clone() sim.Policy { c := *f; return &c }

// CopyFrom implements sim.Policy.
func (f *Phased) CopyFrom(src sim.Policy) { *f = *src.(*Phased) }
