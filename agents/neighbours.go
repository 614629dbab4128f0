package agents

import "github.com/tranche-sim/tranche/internal/num"

// Neighbour is one neighbouring state of the target.
type Neighbour struct {
	Name      string  `toml:"name" required:"true" doc:"state name, for output only"`
	TradeLink float64 `toml:"trade_link" plausible:"[0.02,0.3]" required:"true" range:"[0,1]" doc:"share of the target's trade that runs through this neighbour (links must sum to at most 1)" why:"a few neighbours carry most sanctions-busting trade"`
	Evasion   float64 `toml:"evasion" plausible:"[0,0.5]" default:"0" range:"[0,1]" doc:"initial share of its trade link used to bypass sanctions" why:"some evasion is in place before relief talks start"`
	Support   float64 `toml:"support" plausible:"[0.2,0.7]" default:"0.5" range:"[0,1]" doc:"initial (and baseline) support for the agreement" why:"neighbours start split"`
}

// NeighbourParams are the parameters of the neighbouring states.
type NeighbourParams struct {
	EvasionMax    float64 `toml:"evasion_max" plausible:"[0.3,0.8]" range:"[0,1]" doc:"largest share of its trade link a neighbour uses for evasion, under full sanctions, when it opposes the agreement and nobody enforces" why:"evasion is bounded by real trade capacity"`
	EvasionAdjust float64 `toml:"evasion_adjust" plausible:"[0.1,0.4]" range:"[0,1]" doc:"share of the gap to the desired evasion closed each round" why:"smuggling networks take a year or two to build or dismantle"`
	Enforcement   float64 `toml:"enforcement" plausible:"[0.3,0.8]" range:"[0,1]" doc:"how much a fully cohesive coalition suppresses evasion (secondary sanctions, interdiction)" why:"enforcement closes part but never all of the gap"`
	EvasionNoise  float64 `toml:"evasion_noise" plausible:"[0.01,0.06]" range:"[0,1]" doc:"standard deviation of the random change in evasion per round" why:"evasion opportunities come and go"`
	SupportAdjust float64 `toml:"support_adjust" plausible:"[0.1,0.4]" range:"[0,1]" doc:"share of the gap to the desired support closed each round" why:"neighbours re-align slowly"`
	ReliefGain    float64 `toml:"relief_gain" plausible:"[0.5,2]" range:"[0,10]" doc:"support gained per unit of relief per unit of trade link (gains from trade)" why:"relief opens legal trade that neighbours profit from"`
	Spillover     float64 `toml:"spillover" plausible:"[0.25,1]" range:"[0,10]" doc:"support gained per unit of regional instability (1-S): neighbours hurt by migration and insecurity want a settlement" why:"spillover is the neighbours' main stake in stability"`
	// NoLinksSupport is the region's support when no state trades with the target.
	NoLinksSupport float64     `toml:"support_without_links" plausible:"[0.3,0.7]" range:"[0,1]" doc:"the region's support for the agreement when no neighbouring state trades with the target (no states, or trade links all 0)" why:"0.5: neither for nor against"`
	States         []Neighbour `toml:"states" doc:"neighbouring states"`
}

// DefaultNeighbours returns three neighbours: a large trading partner, a
// transit state and a small neighbour.
func DefaultNeighbours() NeighbourParams {
	return NeighbourParams{
		EvasionMax: 0.6, EvasionAdjust: 0.2, Enforcement: 0.6, EvasionNoise: 0.03,
		SupportAdjust: 0.2, ReliefGain: 1, Spillover: 0.5, NoLinksSupport: 0.5,
		States: []Neighbour{
			{Name: "trading-partner", TradeLink: 0.25, Evasion: 0.3, Support: 0.4},
			{Name: "transit-state", TradeLink: 0.15, Evasion: 0.4, Support: 0.3},
			{Name: "small-neighbour", TradeLink: 0.05, Evasion: 0.1, Support: 0.6},
		},
	}
}

// Neighbours are the neighbouring states.
type Neighbours struct {
	// Evasion is each state's share of its trade link used for evasion.
	Evasion []float64
	// Support is each state's support for the agreement.
	Support []float64

	p     *NeighbourParams
	link  []float64 // each state's trade link
	links float64   // sum of trade links
}

// NewNeighbours returns the neighbouring states with parameters p.
func NewNeighbours(p *NeighbourParams) *Neighbours {
	n := &Neighbours{p: p, Evasion: make([]float64, len(p.States)), Support: make([]float64, len(p.States)), link: make([]float64, len(p.States))}
	for i, s := range p.States {
		n.link[i] = s.TradeLink
		n.links += s.TradeLink
	}
	return n
}

// Reset starts a new replication.
func (n *Neighbours) Reset(w *World) {
	for i, s := range n.p.States {
		n.Evasion[i], n.Support[i] = s.Evasion, s.Support
	}
	n.aggregate(w)
}

// Step runs one round: each state moves its support and its evasion, state
// i with the standard normal draw z[i]. Desired evasion grows with the
// sanctions still in place and falls with support and enforcement.
func (n *Neighbours) Step(w *World, z []float64) {
	p := n.p
	relief := w.Relief
	spill := p.Spillover * (1 - w.Stability)
	sanctioned := 1 - relief
	enforced := 1 - p.Enforcement*w.Cohesion
	support, evasion, z := n.Support, n.Evasion[:len(n.Support)], z[:len(n.Support)]
	for i := range support {
		s := &p.States[i]
		want := num.Clamp01(s.Support + p.ReliefGain*s.TradeLink*relief + spill)
		sup := support[i] + p.SupportAdjust*(want-support[i])
		support[i] = sup
		evade := p.EvasionMax * sanctioned * (1 - sup) * enforced
		evasion[i] = num.Clamp01(evasion[i] + p.EvasionAdjust*(evade-evasion[i]) + p.EvasionNoise*z[i])
	}
	n.aggregate(w)
}

func (n *Neighbours) aggregate(w *World) {
	var evasion, support float64
	link := n.link[:len(n.Evasion)]
	for i, e := range n.Evasion {
		evasion += link[i] * e
		support += link[i] * n.Support[i]
	}
	w.Evasion = num.Clamp01(evasion)
	w.Support = n.p.NoLinksSupport
	if n.links > 0 {
		w.Support = support / n.links
	}
}
