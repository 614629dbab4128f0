package policy

import "github.com/tranche-sim/tranche/sim"

// HumanitarianOnlyParams are the parameters of humanitarian-only.
type HumanitarianOnlyParams struct {
	MinEssential float64 `toml:"min_essential" plausible:"[0.05,0.3]" range:"[0,1]" doc:"sectors whose essential share is at least this are relieved from the start; all others stay sanctioned" why:"only the sectors that carry humanitarian goods"`
	Coverage     float64 `toml:"coverage" plausible:"[0.6,1]" range:"[0,1]" doc:"humanitarian exemption coverage" why:"fully open: the carve-out of UNSC resolution 2664 (2022)"`
}

// DefaultHumanitarianOnly returns humanitarian-only's default parameters.
func DefaultHumanitarianOnly() HumanitarianOnlyParams {
	return HumanitarianOnlyParams{MinEssential: 0.1, Coverage: 1}
}

// NewPolicy returns a humanitarian-only policy.
func (p *HumanitarianOnlyParams) NewPolicy() sim.Policy { return &HumanitarianOnly{p: *p} }

// HumanitarianOnly keeps every regime-facing sanction in place whatever
// happens and opens only humanitarian channels: exemptions at full coverage
// and the essential sectors relieved (UNSC resolution 2664, 2022). Leakage
// and banks' over-compliance still apply.
type HumanitarianOnly struct{ p HumanitarianOnlyParams }

// Reset implements sim.Policy.
func (h *HumanitarianOnly) Reset() {}

// Decide implements sim.Policy.
func (h *HumanitarianOnly) Decide(o *sim.Observation, a *sim.Action) {
	for i, s := range o.Sectors {
		a.Relief[i] = 0
		if s.Essential >= h.p.MinEssential {
			a.Relief[i] = 1
		}
	}
	a.Coverage = h.p.Coverage
}

// Clone implements sim.Policy.
func (h *HumanitarianOnly) Clone() sim.Policy { c := *h; return &c }

// CopyFrom implements sim.Policy.
func (h *HumanitarianOnly) CopyFrom(src sim.Policy) { *h = *src.(*HumanitarianOnly) }
