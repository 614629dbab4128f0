package agents

import "github.com/tranche-sim/tranche/internal/num"

// VerifierParams are the independent verification body's parameters.
type VerifierParams struct {
	Quality       float64 `toml:"quality" plausible:"[0.3,0.95]" range:"[0,1]" doc:"overall quality q: scales measurement noise, covert-cheating detection, false alarms and misreading of spoiler violence" why:"the single knob researchers vary; 0.7 is a capable but not omniscient body"`
	Access        float64 `toml:"access" plausible:"[0.6,1]" range:"[0,1]" doc:"probability that inspectors get access in a round (otherwise the previous report stands)" why:"access is negotiated and sometimes denied"`
	Lag           int     `toml:"lag" plausible:"[0,3]" range:"[0,15]" doc:"reporting lag in rounds: the report in round t is about round t-lag" why:"one quarter: inspection reports arrive the review period after the facts"`
	MaxNoise      float64 `toml:"max_noise" plausible:"[0.15,0.45]" range:"[0,1]" doc:"standard deviation of the compliance estimate at quality 0 (it is max_noise*(1-q))" why:"a poor verifier misjudges implementation by a step or more"`
	DetectOvert   float64 `toml:"detect_overt" plausible:"[0.7,1]" range:"[0,1]" doc:"probability that an inspection reports open backsliding as a violation" why:"open rollback is hard to miss"`
	DetectCovert  float64 `toml:"detect_covert" plausible:"[0.25,0.75]" range:"[0,1]" doc:"probability per inspection of exposing concealed rollback at quality 1 (it is q*detect_covert)" why:"covert programmes are found eventually, not at once"`
	MaxFalseAlarm float64 `toml:"max_false_alarm" plausible:"[0.02,0.1]" range:"[0,1]" doc:"probability per inspection of a false violation report at quality 0 (it is max_false_alarm*(1-q))" why:"a poor verifier raises false alarms now and then"`
	MaxMisread    float64 `toml:"max_misread" plausible:"[0.1,0.5]" range:"[0,1]" doc:"added false-alarm probability in a round with spoiler violence, at quality 0 (it is max_misread*(1-q))" why:"sabotage can be misread as government backsliding (seeds)"`
}

// DefaultVerifier returns the default verification body.
func DefaultVerifier() VerifierParams {
	return VerifierParams{
		Quality: 0.7, Access: 0.9, Lag: 1, MaxNoise: 0.3,
		DetectOvert: 0.9, DetectCovert: 0.5, MaxFalseAlarm: 0.05, MaxMisread: 0.3,
	}
}

// Verifier is the independent verification body. It remembers the last
// MaxLag rounds of the truth so that it can report with a lag, and what it
// saw at its last inspection, against which it judges open backsliding.
type Verifier struct {
	p         *VerifierParams
	visible   [lagRing]float64
	truth     [lagRing]float64
	concealed [lagRing]bool
	violence  [lagRing]bool
	seen      float64 // visible compliance at the last inspection
}

// NewVerifier returns a verification body with parameters p.
func NewVerifier(p *VerifierParams) *Verifier { return &Verifier{p: p} }

// Reset starts a new replication.
func (v *Verifier) Reset(w *World) {
	*v = Verifier{p: v.p}
	w.ReportLag = v.p.Lag
	w.Verified, w.Inspected, w.Violation, w.FalseAlarm, w.Exposed = 0, false, false, false, false
}

// Draws are the random numbers the verifier uses in a round: uniforms for
// access and for the violation report, a standard normal for the noise of
// its estimate. The engine draws them every round, used or not, so that the
// verifier's stream stays aligned across policies.
type Draws struct {
	Access, Noise, Flag float64
}

// Step runs one round: it records the truth of this round and, if inspectors
// get access, reports on the round Lag rounds ago: its compliance estimate,
// and a violation when it finds concealed rollback or less visible
// compliance than at its last inspection (open backsliding), or, falsely,
// now and then otherwise, with the round's draws d. Exposing concealed
// rollback resets the world's Concealed.
func (v *Verifier) Step(w *World, d Draws) {
	p := v.p
	i := w.Round % lagRing
	v.visible[i], v.truth[i] = w.Visible(), w.Compliance
	v.concealed[i], v.violence[i] = w.Concealed > 0, w.Incidents > 0

	uAccess, z, uFlag := d.Access, d.Noise, d.Flag
	w.Inspected, w.Violation, w.FalseAlarm, w.Exposed = false, false, false, false
	back := w.Round - p.Lag
	if back < 1 || uAccess >= p.Access {
		return
	}
	j := back % lagRing
	w.Inspected = true
	noise := p.MaxNoise * (1 - p.Quality) * z
	covert := 0.0
	if v.concealed[j] {
		covert = p.Quality * p.DetectCovert
	}
	// Open backsliding: less is visible than at the last inspection.
	fell := v.visible[j] < v.seen
	overt := 0.0
	if fell {
		overt = p.DetectOvert
	}
	switch {
	case covert > 0 || overt > 0:
		w.Violation = uFlag < 1-(1-covert)*(1-overt)
		w.Exposed = uFlag < covert
	default:
		alarm := p.MaxFalseAlarm * (1 - p.Quality)
		if v.violence[j] {
			alarm += p.MaxMisread * (1 - p.Quality)
		}
		w.Violation = uFlag < alarm
		// The report is false unless a violation it could not detect (at
		// quality 0 or a detection probability of 0) happened to be there.
		w.FalseAlarm = w.Violation && !v.concealed[j] && !fell
	}
	if w.Exposed {
		w.Concealed = 0
		// Everything recorded since was a façade too.
		v.concealed = [lagRing]bool{}
		v.visible = v.truth
	}
	v.seen = v.visible[j]
	w.Verified = num.Clamp01(v.visible[j] + noise)
}
