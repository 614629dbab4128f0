package agents

import "github.com/tranche-sim/tranche/internal/num"

// Neighbour is one neighbouring state of the target.
type Neighbour struct {
	Name      string  `toml:"name" required:"true" doc:"state name, for output only"`
	TradeLink float64 `toml:"trade_link" plausible:"[0.02,0.3]" required:"true" range:"[0,1]" doc:"share of the target's trade that runs through this neighbour (links must sum to at most 1)" why:"a few neighbours carry most sanctions-busting trade"`
	Evasion   float64 `toml:"evasion" plausible:"[0,0.5]" default:"0" range:"[0,1]" doc:"initial share of its trade link used to bypass sanctions" why:"some evasion is in place before relief talks start"`
	Support   float64 `toml:"support" plausible:"[0,0.6]" default:"0.5" range:"[0,1]" doc:"initial (and baseline) support for the agreement" why:"the neighbours that carry a target's trade profit from it and mostly oppose the sanctions (Iraq's Jordan, Turkey and Syria; Early 2015 on sanctions-busting trade partners); a state left out of the default list is neither for nor against"`
}

// NeighbourParams are the parameters of the neighbouring states.
type NeighbourParams struct {
	EvasionMax    float64 `toml:"evasion_max" plausible:"[0.4,1]" range:"[0,1]" doc:"largest share of its trade link a neighbour uses for evasion, under full sanctions, with smuggling networks fully built, when it opposes the agreement and nobody enforces" why:"0.8: evasion is bounded by real trade capacity; with the networks' growth it puts evasion at about a seventh of the target's trade after a decade of sanctions, as Iraq's smuggling (about $11 billion outside the oil-for-food programme, against $64 billion sold through it; the Volcker inquiry)"`
	Networks      float64 `toml:"networks" plausible:"[0.1,0.5]" range:"[0,1]" doc:"capacity Nw of the target's smuggling networks when the episode starts, as a share of fully built networks (which let a neighbour use evasion_max of its trade link)" why:"0.2: trade routes exist before sanctions but the networks that bypass them are built up under sanctions, as Iraq's through Jordan, Turkey and Syria in the 1990s (Andreas 2005)"`
	NetworkGrowth float64 `toml:"network_growth" plausible:"[0.02,0.1]" range:"[0,1]" doc:"share of the gap to fully built networks (Nw = 1) that smuggling networks close per round under full sanctions (scaled by the sanctions still in place, 1-R)" why:"0.05: heavy, long sanctions build evasion networks over years (Andreas 2005 on Iraq and Yugoslavia; Early 2015 on sanctions-busting trade partners): half the gap in about three years"`
	NetworkCut    float64 `toml:"network_cut" plausible:"[0.02,0.1]" range:"[0,1]" doc:"share of smuggling network capacity dismantled per round by enforcement, at full enforcement by a fully cohesive coalition (scaled by enforcement times cohesion)" why:"0.05: interdiction and secondary sanctions dismantle networks slowly, and only while the coalition holds together (Early 2015)"`
	EvasionAdjust float64 `toml:"evasion_adjust" plausible:"[0.1,0.4]" range:"[0,1]" doc:"share of the gap to the desired evasion closed each round" why:"smuggling networks take a year or two to build or dismantle"`
	Enforcement   float64 `toml:"enforcement" plausible:"[0.3,0.8]" range:"[0,1]" doc:"how much a fully cohesive coalition suppresses evasion (secondary sanctions, interdiction)" why:"enforcement closes part but never all of the gap"`
	EvasionNoise  float64 `toml:"evasion_noise" plausible:"[0.01,0.06]" range:"[0,1]" doc:"standard deviation of the random change in evasion per round" why:"evasion opportunities come and go"`
	SupportAdjust float64 `toml:"support_adjust" plausible:"[0.1,0.4]" range:"[0,1]" doc:"share of the gap to the desired support closed each round" why:"neighbours re-align slowly"`
	ReliefGain    float64 `toml:"relief_gain" plausible:"[0.5,2]" range:"[0,10]" doc:"support gained per unit of relief per unit of trade link (gains from trade)" why:"relief opens legal trade that neighbours profit from"`
	Spillover     float64 `toml:"spillover" plausible:"[0.1,0.5]" range:"[0,10]" doc:"support gained per unit of regional instability (1-S): neighbours hurt by migration and insecurity want a settlement" why:"0.25: instability moves neighbours toward a settlement, but less than the trade they profit from moves them against the sanctions"`
	// NoLinksSupport is the region's support when no state trades with the target.
	NoLinksSupport float64     `toml:"support_without_links" plausible:"[0.3,0.7]" range:"[0,1]" doc:"the region's support for the agreement when no neighbouring state trades with the target (no states, or trade links all 0)" why:"0.5: neither for nor against"`
	States         []Neighbour `toml:"states" doc:"neighbouring states"`
}

// DefaultNeighbours returns three neighbours: a large trading partner, a
// transit state and a small neighbour.
func DefaultNeighbours() NeighbourParams {
	return NeighbourParams{
		EvasionMax: 0.8, Networks: 0.2, NetworkGrowth: 0.05, NetworkCut: 0.05, EvasionAdjust: 0.2, Enforcement: 0.6, EvasionNoise: 0.03,
		SupportAdjust: 0.2, ReliefGain: 1, Spillover: 0.25, NoLinksSupport: 0.5,
		States: []Neighbour{
			{Name: "trading-partner", TradeLink: 0.25, Evasion: 0.05, Support: 0.2},
			{Name: "transit-state", TradeLink: 0.15, Evasion: 0.1, Support: 0.1},
			{Name: "small-neighbour", TradeLink: 0.05, Evasion: 0.02, Support: 0.4},
		},
	}
}

// Neighbours are the neighbouring states.
type Neighbours struct {
	// Evasion is each state's share of its trade link used for evasion.
	Evasion []float64
	// Support is each state's support for the agreement.
	Support []float64
	// Networks is the capacity Nw of the target's smuggling networks, as a
	// share of fully built ones: a neighbour that opposes the agreement
	// can use up to evasion_max times Nw of its trade link for evasion
	// under full sanctions when nobody enforces.
	Networks float64

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
	n.Networks = n.p.Networks
	n.aggregate(w)
}

// Step runs one round: the smuggling networks grow under the sanctions
// still in place and are cut by enforcement, then each state moves its
// support and its evasion, state i with the standard normal draw z[i].
// Desired evasion grows with the networks' capacity and the sanctions
// still in place, and falls with support and enforcement.
func (n *Neighbours) Step(w *World, z []float64) {
	p := n.p
	relief := w.Relief
	spill := p.Spillover * (1 - w.Stability)
	sanctioned := 1 - relief
	enforcing := p.Enforcement * w.Cohesion
	enforced := 1 - enforcing
	n.Networks = num.Clamp01(n.Networks + p.NetworkGrowth*sanctioned*(1-n.Networks) - p.NetworkCut*enforcing*n.Networks)
	capacity := p.EvasionMax * n.Networks
	support, evasion, z := n.Support, n.Evasion[:len(n.Support)], z[:len(n.Support)]
	for i := range support {
		s := &p.States[i]
		want := num.Clamp01(s.Support + p.ReliefGain*s.TradeLink*relief + spill)
		sup := support[i] + p.SupportAdjust*(want-support[i])
		support[i] = sup
		evade := capacity * sanctioned * (1 - sup) * enforced
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
