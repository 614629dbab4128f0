package sim

import (
	"math/rand/v2"

	"github.com/tranche-sim/tranche/agents"
	"github.com/tranche-sim/tranche/internal/num"
)

// Policy is a sequencing policy: the rule by which the coalition releases,
// holds or re-imposes relief. It sees only what the coalition can observe
// (an Observation), never the hidden truth, and it keeps whatever history it
// needs in its own fields.
//
// A Policy value is used by one goroutine at a time; the runner makes one per
// worker with PolicyParams.NewPolicy and calls Reset before each replication.
type Policy interface {
	// Reset forgets everything from the previous replication.
	Reset()
	// Decide is called at the end of every round. act arrives holding the
	// relief and humanitarian coverage now in force; Decide changes what it
	// wants. Values are clamped to [0, 1].
	Decide(obs *Observation, act *Action)
	// Clone returns a policy with the same parameters and the same state
	// that shares nothing Decide changes: deciding on the clone leaves this
	// policy as it was. A Forecaster uses clones to ask how the policy
	// would answer hypothetical observations.
	Clone() Policy
	// CopyFrom sets the policy's state to src's. src is this policy, a
	// clone of it, or a policy it was cloned from; once sized, CopyFrom
	// allocates nothing.
	CopyFrom(src Policy)
}

// PolicyParams are a policy's parameters, decoded from a scenario file. They
// make the policy.
type PolicyParams interface {
	// NewPolicy returns a fresh policy with these parameters.
	NewPolicy() Policy
}

// Observation is what the coalition sees at the end of a round.
type Observation struct {
	// Round is the current round (1-based) and Rounds the number of rounds.
	Round, Rounds int
	// Verified is the verification body's latest compliance estimate.
	Verified float64
	// Inspected is true when a new report arrived this round.
	Inspected bool
	// Violation is true when the verifier reported a violation this round.
	Violation bool
	// Incidents is the number of spoiler attacks this round.
	Incidents int
	// Welfare is the humanitarian index reported by aid agencies.
	Welfare float64
	// Cohesion is the weight share of members still enforcing.
	Cohesion float64
	// Leverage is the coalition's remaining leverage.
	Leverage float64
	// Evasion is the share of remaining sanctions bypassed by neighbours.
	Evasion float64
	// Sectors are the sanctioned sectors; read only.
	Sectors []Sector
	// Weights are the sectors' normalised economic weights; read only.
	Weights []float64
	// Relief is each sector's relief level in force; read only.
	Relief []float64
	// Coverage is the humanitarian exemption coverage in force.
	Coverage float64
	// StandingCoverage is the coalition's standing exemption coverage
	// (coalition.humanitarian_coverage).
	StandingCoverage float64
	// Events are this round's public events.
	Events agents.Events
	// Rand is the policy's own random stream.
	Rand *rand.Rand
}

// Action is what the policy decides: relief and humanitarian coverage for
// the next round.
type Action struct {
	// Relief is each sector's relief level, indexed like Observation.Sectors.
	Relief []float64
	// Coverage is the humanitarian exemption coverage.
	Coverage float64
}

// SetAll sets every sector's relief to level.
func (a *Action) SetAll(level float64) {
	for i := range a.Relief {
		a.Relief[i] = level
	}
}

// WeightedRelief returns the weighted relief level of levels, in [0, 1].
func (o *Observation) WeightedRelief(levels []float64) float64 {
	var r float64
	for i, w := range o.Weights {
		r += w * levels[i]
	}
	return num.Clamp01(r) // normalised weights may sum to 1 plus a rounding error
}
