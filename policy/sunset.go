package policy

import "github.com/tranche-sim/tranche/sim"

// SunsetParams are the parameters of phased-sunset.
type SunsetParams struct {
	PhasedParams
	Exemption float64 `toml:"exemption_coverage" plausible:"[0.6,1]" range:"[0,1]" doc:"humanitarian coverage while exemptions are in force" why:"needs-based exemptions that actually reach people"`
	Review    int     `toml:"review_every" plausible:"[2,8]" range:"[1,1000]" doc:"rounds between reviews; exemptions lapse at a review unless renewed" why:"yearly review, as sunset clauses require (seeds)"`
	Need      float64 `toml:"renew_below" plausible:"[0.75,0.95]" range:"[0,1]" doc:"humanitarian index below which a review renews the exemptions (need persists)" why:"renew while needs are not met"`
}

// DefaultSunset returns phased-sunset's default parameters.
func DefaultSunset() SunsetParams {
	p := DefaultPhasedSnapback()
	p.Severity = 0.5
	return SunsetParams{PhasedParams: p, Exemption: 0.9, Review: 4, Need: 0.9}
}

// NewPolicy returns a phased-sunset policy.
func (p *SunsetParams) NewPolicy() sim.Policy {
	return &Sunset{p: *p, phased: p.PhasedParams.NewPolicy()}
}

// Sunset is phased relief with proportionate snapback, plus needs-based
// humanitarian exemptions under a sunset clause: exemptions open at
// exemption_coverage, and every review_every rounds they lapse to the
// standing coverage unless the humanitarian index shows need persists.
type Sunset struct {
	p      SunsetParams
	phased sim.Policy
	open   bool
}

// Reset implements sim.Policy.
func (s *Sunset) Reset() { s.phased.Reset(); s.open = true }

// Decide implements sim.Policy.
func (s *Sunset) Decide(o *sim.Observation, a *sim.Action) {
	s.phased.Decide(o, a)
	if o.Round%s.p.Review == 0 {
		s.open = o.Welfare < s.p.Need
	}
	a.Coverage = o.StandingCoverage
	if s.open {
		a.Coverage = s.p.Exemption
	}
}

// Clone implements sim.Policy.
func (s *Sunset) Clone() sim.Policy { return &Sunset{p: s.p, phased: s.phased.Clone(), open: s.open} }

// CopyFrom implements sim.Policy.
func (s *Sunset) CopyFrom(src sim.Policy) {
	o := src.(*Sunset)
	s.phased.CopyFrom(o.phased)
	s.open = o.open
}
