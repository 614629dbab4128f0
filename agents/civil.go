package agents

import "github.com/tranche-sim/tranche/internal/num"

// CivilParams are civil society's parameters.
type CivilParams struct {
	Strength   float64 `toml:"strength" plausible:"[0.2,0.6]" range:"[0,1]" doc:"initial (and baseline) watchdog strength σ₀" why:"civil society in sanctioned states is weak but present"`
	Oversight  float64 `toml:"oversight" plausible:"[0.4,0.8]" range:"[0,1]" doc:"share of attempted diversion that a civil society of full strength stops" why:"watchdogs who vet disbursements cut leakage (seeds)"`
	Repression float64 `toml:"repression" plausible:"[0.02,0.1]" range:"[0,1]" doc:"share of strength lost per round per unit of hardliner share" why:"hardliners repress watchdogs"`
	Recovery   float64 `toml:"recovery" plausible:"[0.05,0.2]" range:"[0,1]" doc:"share of the gap to baseline strength recovered per round" why:"organisations rebuild when repression eases"`
	Openness   float64 `toml:"openness" plausible:"[0.01,0.04]" range:"[0,1]" doc:"strength gained per round per unit of relief (contacts, funding, space)" why:"relief reopens channels that civil society uses"`
}

// DefaultCivil returns the default civil-society parameters.
func DefaultCivil() CivilParams {
	return CivilParams{Strength: 0.4, Oversight: 0.6, Repression: 0.05, Recovery: 0.1, Openness: 0.02}
}

// Civil is civil society: a watchdog that can be repressed.
type Civil struct {
	p *CivilParams
}

// NewCivil returns civil society with parameters p.
func NewCivil(p *CivilParams) *Civil { return &Civil{p: p} }

// Reset starts a new replication.
func (c *Civil) Reset(w *World) {
	w.CivilSociety = c.p.Strength
	w.Mobilised, w.NeedReport = false, 0
	w.Leakage = w.Diversion * (1 - c.p.Oversight*w.CivilSociety)
}

// Step runs one round: strength moves, civil society mobilises with
// probability equal to its strength (when the uniform draw u is below it),
// and its oversight sets
// the leakage of relief. When it mobilises it reports humanitarian need to the
// coalition (and amplifies reform pressure, see TargetParams.CivicAmplify).
func (c *Civil) Step(w *World, u float64) {
	p := c.p
	s := w.CivilSociety
	s += p.Recovery*(p.Strength-s) + p.Openness*w.Relief - p.Repression*(1-w.Reformers)*s
	s = num.Clamp01(s)
	w.CivilSociety = s
	w.Mobilised = u < s
	w.NeedReport = float64(b2u8(w.Mobilised)) * (1 - w.Welfare) // need is reported when it mobilises
	w.Leakage = w.Diversion * (1 - p.Oversight*s)
}
