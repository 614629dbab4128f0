package policy

import "github.com/tranche-sim/tranche/sim"

// MaxPressureParams are the parameters of max-pressure.
type MaxPressureParams struct {
	Threshold  float64 `toml:"threshold" plausible:"[0.7,0.95]" range:"(0,1]" doc:"verified compliance that counts as full compliance" why:"near-full implementation"`
	Hold       int     `toml:"hold" plausible:"[1,4]" range:"[1,1000]" doc:"rounds full compliance must hold before relief" why:"two quarterly reviews"`
	Escalate   float64 `toml:"escalate_below" plausible:"[0.1,0.4]" range:"[0,1]" doc:"verified compliance below which humanitarian exemptions are cut" why:"maximum-pressure campaigns narrow exemptions while the target resists"`
	Escalation float64 `toml:"escalation_coverage" plausible:"[0,0.4]" range:"[0,1]" doc:"humanitarian coverage while escalating" why:"exemptions exist on paper but few licences are granted"`
}

// DefaultMaxPressure returns max-pressure's default parameters.
func DefaultMaxPressure() MaxPressureParams {
	return MaxPressureParams{Threshold: 0.85, Hold: 2, Escalate: 0.25, Escalation: 0.2}
}

// NewPolicy returns a max-pressure policy.
func (p *MaxPressureParams) NewPolicy() sim.Policy { return &MaxPressure{p: *p} }

// MaxPressure is the coercion-only baseline: no relief until full compliance
// is verified, exemptions cut while compliance is low, and all relief
// re-imposed on any reported violation.
type MaxPressure struct {
	p        MaxPressureParams
	held     streak
	released bool
}

// Reset implements sim.Policy.
func (m *MaxPressure) Reset() { m.held, m.released = 0, false }

// Decide implements sim.Policy.
func (m *MaxPressure) Decide(o *sim.Observation, a *sim.Action) {
	if o.Violation {
		m.released, m.held = false, 0
	} else if m.held.update(o.Verified >= m.p.Threshold) >= m.p.Hold {
		m.released = true
	}
	a.SetAll(0)
	a.Coverage = o.StandingCoverage
	if m.released {
		a.SetAll(1)
	} else if o.Verified < m.p.Escalate {
		a.Coverage = m.p.Escalation
	}
}

// Clone implements sim.Policy.
func (m *MaxPressure) Clone() sim.Policy { c := *m; return &c }

// CopyFrom implements sim.Policy.
func (m *MaxPressure) CopyFrom(src sim.Policy) { *m = *src.(*MaxPressure) }
