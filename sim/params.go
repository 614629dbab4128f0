package sim

import (
	"github.com/tranche-sim/tranche/agents"
)

// Sector is one sanctioned sector of the target's economy.
type Sector struct {
	Name           string  `toml:"name" required:"true" doc:"sector name; policies and rule ladders refer to it"`
	Weight         float64 `toml:"weight" plausible:"[0.02,0.5]" required:"true" range:"[0,inf)" doc:"economic weight: how much sanctions on this sector hurt the target (normalised over sectors)" why:"energy and finance carry most of the pressure in modern regimes"`
	Essential      float64 `toml:"essential" plausible:"[0,0.3]" default:"0" range:"[0,1]" doc:"share of humanitarian needs met through this sector when it is fully relieved" why:"food and medicine imports matter most for welfare"`
	Overcompliance float64 `toml:"overcompliance" plausible:"[0,0.8]" default:"0" range:"[0,1]" doc:"share of exempt humanitarian trade that banks and firms refuse while this sector is sanctioned and enforced" why:"bank de-risking chills exempt trade, as after 2018 for Iran"`
	Relief         float64 `toml:"relief" default:"0" range:"[0,1]" doc:"initial relief level of the sector" why:"a study starts from full sanctions unless the scenario says otherwise"`
}

// DefaultSectors returns the five default sectors.
func DefaultSectors() []Sector {
	return []Sector{
		{Name: "humanitarian_goods", Weight: 0.05, Essential: 0.15},
		{Name: "finance", Weight: 0.30, Essential: 0.05, Overcompliance: 0.5},
		{Name: "energy", Weight: 0.35, Essential: 0.05},
		{Name: "trade", Weight: 0.20, Essential: 0.05},
		{Name: "travel", Weight: 0.10},
	}
}

// Economy are the parameters of the target's economy.
type Economy struct {
	Pain                 float64 `toml:"pain" plausible:"[0.2,0.7]" range:"[0,1]" doc:"share of economic activity lost under full, fully enforced sanctions with no evasion" why:"comprehensive sanctions cut GDP by a quarter to a half (Iran 2012, Iraq 1990s)"`
	Adjust               float64 `toml:"adjust" plausible:"[0.15,0.7]" range:"(0,1]" doc:"share of the gap to the sanctions-determined level closed each round" why:"economies adjust over a few quarters"`
	CommodityHit         float64 `toml:"commodity_hit" plausible:"[0.05,0.4]" range:"[0,1]" doc:"economic activity lost at the peak of a commodity price shock" why:"oil price swings move a commodity exporter's output by tens of percent"`
	CommodityPersistence float64 `toml:"commodity_persistence" plausible:"[0.2,0.8]" range:"[0,1)" doc:"share of a commodity shock that persists into the next round" why:"price shocks fade over a year or so"`
}

// Humanitarian are the parameters of humanitarian welfare.
type Humanitarian struct {
	DomesticSupply    float64 `toml:"domestic_supply" plausible:"[0.5,0.85]" range:"[0,2]" doc:"needs met by the domestic economy at full activity" why:"most needs are met domestically; sanctions bite through the economy and imports"`
	ExemptionCapacity float64 `toml:"exemption_capacity" plausible:"[0.1,0.5]" range:"[0,2]" doc:"needs met by humanitarian exemptions at full coverage and no over-compliance" why:"exemption channels can cover a large share of essential imports when they work"`
	EvasionSupply     float64 `toml:"evasion_supply" plausible:"[0,0.3]" range:"[0,2]" doc:"needs met by smuggled goods per unit of evasion" why:"smuggling brings some essentials, at a price"`
	CrisisNeed        float64 `toml:"crisis_need" plausible:"[0.1,0.6]" range:"[0,10]" doc:"extra need per unit of regional crisis level (need without crisis is 1)" why:"crises displace people and raise needs"`
	ViolenceNeed      float64 `toml:"violence_need" plausible:"[0.01,0.1]" range:"[0,10]" doc:"extra need per spoiler incident in the round" why:"attacks destroy infrastructure and displace people"`
	Floor             float64 `toml:"floor" plausible:"[0.75,0.95]" range:"(0,1]" doc:"share of needs that must be met; the humanitarian shortfall counts rounds below it" why:"an adequacy threshold, in the spirit of minimum humanitarian standards"`
}

// Stability are the parameters of the regional stability index.
type Stability struct {
	Initial     float64 `toml:"initial" plausible:"[0.3,0.7]" range:"[0,1]" doc:"stability index at the start" why:"a tense but not collapsing region"`
	Base        float64 `toml:"base" plausible:"[0.2,0.4]" range:"[0,1]" doc:"baseline of the level stability tends to" why:"sets the index's scale"`
	Agreement   float64 `toml:"agreement" plausible:"[0.1,0.4]" range:"[0,1]" doc:"weight of verified compliance in the level stability tends to" why:"a working agreement calms the region"`
	Welfare     float64 `toml:"welfare" plausible:"[0.1,0.4]" range:"[0,1]" doc:"weight of the humanitarian index in the level stability tends to" why:"humanitarian distress drives migration and unrest"`
	Support     float64 `toml:"support" plausible:"[0.05,0.2]" range:"[0,1]" doc:"weight of neighbours' support for the agreement" why:"supportive neighbours police their borders"`
	Hardliners  float64 `toml:"hardliners" plausible:"[0.1,0.3]" range:"[0,1]" doc:"weight of the target's hardliner share (lowers stability)" why:"hardliner-dominated regimes project force"`
	Adjust      float64 `toml:"adjust" plausible:"[0.15,0.5]" range:"(0,1]" doc:"share of the gap to the level stability tends to closed each round" why:"stability recovers over a few quarters"`
	IncidentHit float64 `toml:"incident_hit" plausible:"[0.02,0.1]" range:"[0,1]" doc:"stability lost per spoiler incident" why:"each attack sets the region back"`
	CrisisHit   float64 `toml:"crisis_hit" plausible:"[0.05,0.2]" range:"[0,1]" doc:"stability lost when a regional crisis starts" why:"crises are the largest single shocks to stability"`
}

// Shocks are the rates of exogenous events, per round. Each kind arrives as
// a Poisson process thinned to at most one event per round: the probability
// of an event in a round is 1-exp(-rate).
type Shocks struct {
	CrisisRate        float64 `toml:"crisis_rate" plausible:"[0.01,0.05]" range:"[0,5]" doc:"rate of regional crises per round" why:"about one crisis a decade"`
	CrisisPersistence float64 `toml:"crisis_persistence" plausible:"[0.5,0.85]" range:"[0,1)" doc:"share of the crisis level that persists into the next round" why:"crises last a year or two"`
	CommodityRate     float64 `toml:"commodity_rate" plausible:"[0.025,0.1]" range:"[0,5]" doc:"rate of commodity price shocks per round" why:"large price swings every five years or so"`
	LeadershipRate    float64 `toml:"leadership_rate" plausible:"[0.01,0.04]" range:"[0,5]" doc:"rate of leadership changes in the target per round (each redraws the hidden commitment)" why:"leaders of sanctioned states rarely change: about once in 12 years"`
	ElectionRate      float64 `toml:"election_rate" plausible:"[0.05,0.085]" range:"[0,5]" doc:"rate of elections per coalition member per round" why:"one election every four years in each member"`
}

// Outcomes are the thresholds that define the outcome metrics.
type Outcomes struct {
	DurableThreshold     float64 `toml:"durable_threshold" plausible:"[0.6,0.9]" range:"(0,1]" doc:"compliance that counts as holding the agreement: verified compliance for durable_agreement, true compliance for settlement" why:"three steps of four: substantial, not perfect, implementation"`
	DurableRounds        int     `toml:"durable_rounds" plausible:"[2,8]" range:"[1,1000]" doc:"rounds in a row that compliance must hold: true compliance for a settlement, verified compliance at the end for a durable agreement" why:"a year of quarterly reviews"`
	DurableRelief        float64 `toml:"durable_relief" plausible:"[0.25,0.75]" range:"[0,1]" doc:"relief that must be in place at the end for durable_agreement (the verifier-based metric; settlement does not need relief)" why:"an agreement the coalition has not rewarded is not one it can certify as durable"`
	AgreementThreshold   float64 `toml:"agreement_threshold" plausible:"[0.35,0.65]" range:"(0,1]" doc:"compliance at which an agreement counts as reached: verified for agreement_reached and collapse, true for breakdown and capitulation" why:"half of the obligations implemented and verified"`
	CollapseCompliance   float64 `toml:"collapse_compliance" plausible:"[0.1,0.3]" range:"[0,1]" doc:"true compliance at or below which an agreement counts as abandoned; below agreement_threshold" why:"a step or less of implementation left"`
	CollapseRounds       int     `toml:"collapse_rounds" plausible:"[2,6]" range:"[1,1000]" doc:"rounds of sustained backsliding that make a reached agreement collapse" why:"three quarters: more than a passing crisis"`
	CapitulationLeverage float64 `toml:"capitulation_leverage" plausible:"[0.1,0.4]" range:"[0,1]" doc:"leverage (remaining sanctions times cohesion times 1 - evasion) at or below which the sanctions count as no longer biting, for the capitulation outcome" why:"0.2: under a quarter of the default's initial bite (0.86), as when most relief is given or most members have stopped enforcing"`
	CapitulationRounds   int     `toml:"capitulation_rounds" plausible:"[2,8]" range:"[1,1000]" doc:"consecutive rounds of leverage at or below capitulation_leverage, without compliance, that make the sender's capitulation" why:"a year: sanctions lifted or abandoned for good, not a pause"`
	SnapbackSize         float64 `toml:"snapback_size" plausible:"[0.05,0.25]" range:"(0,1]" doc:"weighted relief withdrawn in one round that counts as a snapback" why:"smaller changes are adjustments, not re-imposition"`
}

// Params are all the model's parameters. Package scenarios decodes them from
// a scenario file.
type Params struct {
	Sectors      []Sector               `toml:"sectors" doc:"sanctioned sectors"`
	Economy      Economy                `toml:"economy"`
	Humanitarian Humanitarian           `toml:"humanitarian"`
	Stability    Stability              `toml:"stability"`
	Shocks       Shocks                 `toml:"shocks"`
	Outcomes     Outcomes               `toml:"outcomes"`
	Coalition    agents.CoalitionParams `toml:"coalition"`
	Target       agents.TargetParams    `toml:"target"`
	CivilSociety agents.CivilParams     `toml:"civil_society"`
	Neighbours   agents.NeighbourParams `toml:"neighbours"`
	Spoilers     agents.SpoilerParams   `toml:"spoilers"`
	Verifier     agents.VerifierParams  `toml:"verifier"`
}

// DefaultParams returns the default model: the calibrated parameters of the
// default scenario.
func DefaultParams() Params {
	return Params{
		Sectors: DefaultSectors(),
		Economy: Economy{Pain: 0.45, Adjust: 0.35, CommodityHit: 0.2, CommodityPersistence: 0.5},
		Humanitarian: Humanitarian{
			DomesticSupply: 0.65, ExemptionCapacity: 0.3, EvasionSupply: 0.1,
			CrisisNeed: 0.3, ViolenceNeed: 0.03, Floor: 0.85,
		},
		Stability: Stability{
			Initial: 0.5, Base: 0.3, Agreement: 0.25, Welfare: 0.25, Support: 0.1, Hardliners: 0.2,
			Adjust: 0.3, IncidentHit: 0.05, CrisisHit: 0.1,
		},
		Shocks: Shocks{
			CrisisRate: 0.025, CrisisPersistence: 0.7, CommodityRate: 0.05,
			LeadershipRate: 0.02, ElectionRate: 0.0625,
		},
		Outcomes: Outcomes{
			DurableThreshold: 0.75, DurableRounds: 4, DurableRelief: 0.5,
			AgreementThreshold: 0.5, CollapseCompliance: 0.25, CollapseRounds: 3, SnapbackSize: 0.1,
			CapitulationLeverage: 0.2, CapitulationRounds: 4,
		},
		Coalition:    agents.DefaultCoalition(),
		Target:       agents.DefaultTarget(),
		CivilSociety: agents.DefaultCivil(),
		Neighbours:   agents.DefaultNeighbours(),
		Spoilers:     agents.DefaultSpoilers(),
		Verifier:     agents.DefaultVerifier(),
	}
}

// ActorsPerRound is the number of actor decisions in one round: each
// coalition member, the target, civil society, each neighbour, each spoiler
// faction and the verification body.
func (p *Params) ActorsPerRound() int {
	return len(p.Coalition.Members) + 1 + 1 + len(p.Neighbours.States) + len(p.Spoilers.Factions) + 1
}
