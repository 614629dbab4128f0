// Package agents holds the actors of the tranche model and their decision
// rules: the sanctioning coalition and its members, the target government,
// civil society, neighbouring states, spoiler factions and the independent
// verification body.
//
// Each actor is a small struct with its parameters (decoded from a scenario
// file), its state, and a Step method that reads and writes the shared World
// once per round. The round schedule, the parts of the world no actor owns
// (economy, humanitarian welfare, regional stability) and the outcome metrics
// live in package sim; agents knows nothing of output formats.
package agents

import "github.com/tranche-sim/tranche/internal/num"

// Events are the exogenous shocks of one round. They are drawn by the engine
// from their own random stream, so every policy sees the same events in the
// same replication (common random numbers).
type Events struct {
	// Crisis is true in a round in which a regional crisis starts.
	Crisis bool
	// Commodity is true in a round in which a commodity price shock hits the
	// target's economy.
	Commodity bool
	// Leadership is true in a round in which the target's leadership changes
	// (its hidden commitment is drawn again).
	Leadership bool
}

// World is the state that actors share. Every field holds its latest value:
// which round that is depends on the schedule in package sim, which runs the
// actors in a fixed order (coalition members, neighbours, target, spoilers,
// civil society, verifier) and updates the economy, welfare and stability in
// between. All levels are in [0, 1] unless a comment says otherwise.
type World struct {
	// Round is the current round, starting at 1.
	Round int
	// ReportLag is the verification body's reporting lag in rounds; it is
	// public, so the target uses it to credit the coalition's responses.
	ReportLag int

	// Relief is the weighted relief level R: 0 fully sanctioned, 1 lifted.
	Relief float64
	// ReliefDelta is the change in Relief the coalition applied at the end
	// of the previous round (negative when it re-imposed).
	ReliefDelta float64
	// Reimposed is the weighted relief withdrawn at the end of the previous
	// round (0 when nothing was re-imposed).
	Reimposed float64
	// Pressure is the effective sanctions pressure P: remaining sanctions
	// times coalition cohesion, less the share evasion bypasses. It is also
	// the coalition's leverage.
	Pressure float64
	// Cohesion is the economic weight share of coalition members enforcing.
	Cohesion float64
	// Evasion is the trade-weighted share of the target's trade used to
	// bypass sanctions through neighbours.
	Evasion float64
	// Support is the trade-weighted support of neighbours for the agreement.
	Support float64

	// Economy is the target's economic activity relative to its unsanctioned
	// level.
	Economy float64
	// Welfare is the humanitarian index W: the share of needs that are met.
	Welfare float64
	// Stability is the regional stability index S.
	Stability float64
	// Crisis is the level of an ongoing regional crisis (decays each round).
	Crisis float64

	// Compliance is the target's true implementation level X (hidden).
	Compliance float64
	// Concealed is the covert rollback G that the verifier has not exposed:
	// what the verifier would see is Compliance + Concealed (hidden).
	Concealed float64
	// Choice is the target's latest choice (hidden).
	Choice Choice
	// Reformers is the reformers' share of power in the target (hidden).
	Reformers float64
	// Diversion is the share of relief the target's networks try to divert
	// this round, before civil-society oversight.
	Diversion float64

	// Incidents is the number of spoiler attacks in the latest round (public).
	Incidents int
	// Mobilised reports whether civil society mobilised in the latest round.
	Mobilised bool
	// CivilSociety is the watchdog strength of civil society.
	CivilSociety float64
	// Leakage is the share of relief and exemptions lost to diversion.
	Leakage float64
	// NeedReport is the humanitarian need that civil society reported to the
	// coalition in the latest round (0 when it did not report).
	NeedReport float64

	// Verified is the verification body's latest compliance estimate.
	Verified float64
	// Inspected reports whether a new inspection report arrived this round.
	Inspected bool
	// Violation reports whether the verifier reported a violation this round.
	Violation bool
	// FalseAlarm reports whether this round's violation report was false
	// (hidden from the coalition; used for the false_alarms metric).
	FalseAlarm bool
	// Exposed reports whether this round's report exposed covert cheating.
	Exposed bool

	// Events are this round's exogenous shocks.
	Events Events

	// Anticipated is, for a forward-looking target, the relief change
	// each choice is expected to bring, worked out by the engine from the
	// policy's rule before the target chooses.
	Anticipated [NumChoices]float64
}

// Visible is what the verification body would measure if it saw the target
// now: true compliance plus the covert rollback it has not exposed.
func (w *World) Visible() float64 { return num.Clamp01(w.Compliance + w.Concealed) }

func b2u8(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}
