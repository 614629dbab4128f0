package agents

import "github.com/tranche-sim/tranche/internal/num"

// Faction is one spoiler faction: an armed or political group that loses
// from a settlement.
type Faction struct {
	Name      string  `toml:"name" required:"true" doc:"faction name, for output only"`
	Strength  float64 `toml:"strength" plausible:"[0.1,0.6]" default:"0.3" range:"[0,1]" doc:"initial strength" why:"spoilers exist before talks start"`
	Inclusion float64 `toml:"inclusion" plausible:"[0,0.7]" default:"0" range:"[0,1]" doc:"how far the faction is included in the settlement (0 excluded, 1 fully included)" why:"excluded spoilers have most to lose"`
}

// SpoilerParams are the spoiler factions' parameters.
type SpoilerParams struct {
	Growth          float64   `toml:"growth" plausible:"[0.01,0.06]" range:"[0,1]" doc:"strength gained per round per unit of threat from progress, for an excluded faction" why:"progress threatens spoilers' rents and they mobilise against it"`
	Decay           float64   `toml:"decay" plausible:"[0.025,0.1]" range:"[0,1]" doc:"share of strength lost per round" why:"without new grievances factions lose fighters and funds"`
	Harbour         float64   `toml:"harbour" plausible:"[0,0.03]" range:"[0,1]" doc:"strength gained per round per unit of neighbours' opposition to the agreement (1-support)" why:"hostile neighbours give spoilers sanctuary"`
	CrisisBoost     float64   `toml:"crisis_boost" plausible:"[0.05,0.2]" range:"[0,1]" doc:"strength gained in a round in which a regional crisis starts" why:"crises bring weapons and recruits"`
	AttackBase      float64   `toml:"attack_base" plausible:"[0.02,0.1]" range:"[0,1]" doc:"probability of an attack per round per unit of strength with no progress" why:"spoilers act now and then even without a settlement in sight"`
	AttackThreat    float64   `toml:"attack_threat" plausible:"[0.1,0.4]" range:"[0,1]" doc:"added attack probability per unit of strength per unit of threat from progress" why:"sabotage peaks as a settlement approaches"`
	ThreatRelief    float64   `toml:"threat_relief" plausible:"[0.25,0.75]" range:"[0,1]" doc:"weight of relief (against verified compliance) in the threat spoilers see" why:"both visible implementation and relief signal a settlement"`
	InclusionEffect float64   `toml:"inclusion_effect" plausible:"[0.5,0.95]" range:"[0,1]" doc:"share of attack probability removed by full inclusion" why:"inclusion gives a stake in the settlement"`
	Factions        []Faction `toml:"factions" doc:"spoiler factions"`
}

// DefaultSpoilers returns two factions: an armed group outside the talks and
// a partly included political faction.
func DefaultSpoilers() SpoilerParams {
	return SpoilerParams{
		Growth: 0.03, Decay: 0.05, Harbour: 0.01, CrisisBoost: 0.1,
		AttackBase: 0.05, AttackThreat: 0.25, ThreatRelief: 0.5, InclusionEffect: 0.8,
		Factions: []Faction{
			{Name: "armed-group", Strength: 0.4, Inclusion: 0},
			{Name: "hardline-party", Strength: 0.3, Inclusion: 0.5},
		},
	}
}

// Spoilers are the spoiler factions.
type Spoilers struct {
	// Strength is each faction's strength.
	Strength []float64

	p *SpoilerParams
}

// NewSpoilers returns the spoiler factions with parameters p.
func NewSpoilers(p *SpoilerParams) *Spoilers {
	return &Spoilers{p: p, Strength: make([]float64, len(p.Factions))}
}

// Reset starts a new replication.
func (s *Spoilers) Reset(w *World) {
	for i, f := range s.p.Factions {
		s.Strength[i] = f.Strength
	}
	w.Incidents = 0
}

// Step runs one round: each faction's strength moves with the threat that
// progress poses to it, and each decides whether to attack, faction i with
// the uniform draw u[i]. It sets the world's incident count.
func (s *Spoilers) Step(w *World, u []float64) {
	p := s.p
	threat := (1-p.ThreatRelief)*w.Verified + p.ThreatRelief*w.Relief
	harbour := p.Harbour * (1 - w.Support)
	boost := 0.0
	if w.Events.Crisis {
		boost = p.CrisisBoost
	}
	rate := p.AttackBase + p.AttackThreat*threat
	incidents := 0
	strength := s.Strength
	u = u[:len(strength)]
	for i := range strength {
		f := &p.Factions[i]
		z := num.Clamp01(strength[i] + p.Growth*threat*(1-f.Inclusion) + harbour - p.Decay*strength[i] + boost)
		strength[i] = z
		attack := z * rate * (1 - p.InclusionEffect*f.Inclusion)
		incidents += int(b2u8(u[i] < attack))
	}
	w.Incidents = incidents
}

// Mean returns the factions' mean strength (0 when there are none).
func (s *Spoilers) Mean() float64 {
	if len(s.Strength) == 0 {
		return 0
	}
	var sum float64
	for _, z := range s.Strength {
		sum += z
	}
	return sum / float64(len(s.Strength))
}
