package policy

import "github.com/tranche-sim/tranche/sim"

// MoreForMoreParams are the parameters of more-for-more.
type MoreForMoreParams struct {
	Gain     float64 `toml:"gain" plausible:"[0.6,2]" range:"[0,10]" doc:"relief added per unit of rise in verified compliance since the last report (more for more)" why:"1.2: relief runs slightly ahead of reform"`
	LessGain float64 `toml:"less_gain" plausible:"[0.6,2]" range:"[0,10]" doc:"relief withdrawn per unit of fall in verified compliance (less for less)" why:"symmetric by default"`
	Cut      float64 `toml:"violation_cut" plausible:"[0.1,0.5]" range:"[0,1]" doc:"relief withdrawn on a reported violation" why:"a quarter: less for less, not a snapback"`
}

// DefaultMoreForMore returns more-for-more's default parameters.
func DefaultMoreForMore() MoreForMoreParams {
	return MoreForMoreParams{Gain: 1.2, LessGain: 1.2, Cut: 0.25}
}

// NewPolicy returns a more-for-more policy.
func (p *MoreForMoreParams) NewPolicy() sim.Policy { return &MoreForMore{p: *p} }

// MoreForMore scales relief to the depth and speed of reform: each rise in
// verified compliance earns relief in proportion, each fall costs it (the
// EU's neighbourhood policy after 2011).
type MoreForMore struct {
	p      MoreForMoreParams
	last   float64
	relief float64
}

// Reset implements sim.Policy.
func (m *MoreForMore) Reset() { m.last, m.relief = 0, 0 }

// Decide implements sim.Policy.
func (m *MoreForMore) Decide(o *sim.Observation, a *sim.Action) {
	if o.Inspected {
		d := o.Verified - m.last
		if d > 0 {
			m.relief += m.p.Gain * d
		} else {
			m.relief += m.p.LessGain * d
		}
		m.last = o.Verified
	}
	if o.Violation {
		m.relief -= m.p.Cut
	}
	m.relief = min(max(m.relief, 0), 1)
	a.SetAll(m.relief)
}

// Clone implements sim.Policy.
func (m *MoreForMore) Clone() sim.Policy { c := *m; return &c }

// CopyFrom implements sim.Policy.
func (m *MoreForMore) CopyFrom(src sim.Policy) { *m = *src.(*MoreForMore) }
