package policy

import "github.com/tranche-sim/tranche/sim"

// SenderFatigueParams are the parameters of sender-fatigue.
type SenderFatigueParams struct {
	GiveUp    int     `toml:"give_up_after" plausible:"[12,40]" range:"[1,10000]" doc:"rounds after which all sanctions are lifted whatever the target has done" why:"six years: sanctions regimes often end without compliance (Attia and Grauvogel)"`
	Threshold float64 `toml:"threshold" plausible:"[0.7,0.95]" range:"(0,1]" doc:"verified compliance that lifts all sanctions earlier" why:"near-full implementation"`
}

// DefaultSenderFatigue returns sender-fatigue's default parameters.
func DefaultSenderFatigue() SenderFatigueParams {
	return SenderFatigueParams{GiveUp: 24, Threshold: 0.85}
}

// NewPolicy returns a sender-fatigue policy.
func (p *SenderFatigueParams) NewPolicy() sim.Policy { return &SenderFatigue{p: *p} }

// SenderFatigue is the termination baseline: sanctions stay until full
// compliance is verified or until the coalition gives up, then are lifted
// for good. Most sanctions regimes since 1990 ended, less than half with
// some compliance.
type SenderFatigue struct {
	p      SenderFatigueParams
	lifted bool
}

// Reset implements sim.Policy.
func (s *SenderFatigue) Reset() { s.lifted = false }

// Decide implements sim.Policy.
func (s *SenderFatigue) Decide(o *sim.Observation, a *sim.Action) {
	s.lifted = s.lifted || o.Round >= s.p.GiveUp || o.Verified >= s.p.Threshold
	if s.lifted {
		a.SetAll(1)
	}
}

// Clone implements sim.Policy.
func (s *SenderFatigue) Clone() sim.Policy { c := *s; return &c }

// CopyFrom implements sim.Policy.
func (s *SenderFatigue) CopyFrom(src sim.Policy) { *s = *src.(*SenderFatigue) }
