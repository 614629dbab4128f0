package sim

import (
	"fmt"

	"github.com/tranche-sim/tranche/agents"
)

// Kind says what sort of value a metric takes, which decides how it is
// summarised (a proportion gets a Wilson interval) and binned (a count gets
// one bin per integer, so its percentiles are exact).
type Kind int

// Metric kinds.
const (
	// Level is a continuous value.
	Level Kind = iota
	// Count is a whole number.
	Count
	// Proportion is 0 or 1 per replication; its mean is a probability.
	Proportion
)

// String returns the kind's name: level, count or proportion.
func (k Kind) String() string {
	switch k {
	case Level:
		return "level"
	case Count:
		return "count"
	case Proportion:
		return "proportion"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// MarshalText writes the kind's name.
func (k Kind) MarshalText() ([]byte, error) {
	if k < Level || k > Proportion {
		return nil, fmt.Errorf("unknown metric kind %d", int(k))
	}
	return []byte(k.String()), nil
}

// UnmarshalText reads a kind's name.
func (k *Kind) UnmarshalText(b []byte) error {
	for _, c := range []Kind{Level, Count, Proportion} {
		if c.String() == string(b) {
			*k = c
			return nil
		}
	}
	return fmt.Errorf("unknown metric kind %q: want level, count or proportion", b)
}

// Metric describes one outcome metric, computed once per replication.
type Metric struct {
	// Key is the metric's name in every output.
	Key string `json:"key"`
	// Doc says what the metric measures.
	Doc string `json:"doc"`
	// Unit is the metric's unit, for tables and axis labels.
	Unit string `json:"unit"`
	// Kind is the sort of value.
	Kind Kind `json:"kind"`
	// Lo and Hi bound the metric's values in this model (values above Hi,
	// possible only for relief_per_compliance, fall in the top bin).
	Lo float64 `json:"lo"`
	Hi float64 `json:"hi"`
	// Better is +1 when higher is better, -1 when lower is better, 0 when
	// neither.
	Better int `json:"better"`
	// Undefined says when the metric is undefined (NaN) in a replication,
	// and is empty for a metric defined in every replication. Statistics of
	// such a metric cover a different set of replications for each policy.
	Undefined string `json:"undefined,omitempty"`
	// Label names the metric in words, for figures and reports
	// ("Durable agreement"); Key names it in tables.
	Label string `json:"label"`
}

// Indexes of the metrics in Outcome.Metrics.
const (
	DurableAgreement = iota
	Collapse
	RoundsToDurable
	BackslidingEpisodes
	Compliance
	StabilityIndex
	SpoilerIncidents
	HumanitarianIndex
	HumanitarianShortfall
	HumanitarianMin
	ReliefLeakage
	LeverageRetained
	CoalitionCohesion
	FalseAlarms
	UndetectedCheating
	AgreementReached
	ReliefFinal
	Snapbacks
	ReliefPerCompliance
	FalseSnapbacks
	Settlement
	Breakdown
	Capitulation
	Stalemate
	RoundsToEnd
	NumMetrics
)

// The ways an episode ends (Outcome.End), in the order they are checked
// within a round.
const (
	// EndStalemate: nothing was resolved by the last round.
	EndStalemate = iota
	// EndSettlement: the target complied (acquiesced), whether or not
	// relief followed.
	EndSettlement
	// EndBreakdown: an agreement was reached and abandoned.
	EndBreakdown
	// EndCapitulation: the sanctions stopped biting without compliance.
	EndCapitulation
	// NumEnds is the number of ways an episode ends.
	NumEnds
)

// EndNames are the names of the ways an episode ends, by End value.
var EndNames = [NumEnds]string{"stalemate", "settlement", "breakdown", "capitulation"}

// Metrics returns the definitions of the outcome metrics of a model with the
// given number of rounds and spoiler factions, in index order.
func Metrics(rounds, factions int) []Metric {
	t := float64(rounds)
	ms := []Metric{
		DurableAgreement:      {"durable_agreement", "1 if verified compliance held at or above outcomes.durable_threshold for the last outcomes.durable_rounds rounds with relief of at least outcomes.durable_relief in place at the end", "probability", Proportion, 0, 1, +1, "", ""},
		Collapse:              {"collapse", "1 if, at or after the round an agreement was reached, true compliance stayed at or below outcomes.collapse_compliance for outcomes.collapse_rounds consecutive rounds", "probability", Proportion, 0, 1, -1, "", ""},
		RoundsToDurable:       {"rounds_to_durable", "first round at which the durable-agreement condition held; replications that never reach it are left out (n says how many remain)", "rounds", Count, 1, t, -1, "", ""},
		BackslidingEpisodes:   {"backsliding_episodes", "number of runs of consecutive rounds in which the target rolled back (openly or covertly)", "episodes", Count, 0, float64((rounds + 1) / 2), -1, "", ""},
		Compliance:            {"compliance", "mean over rounds of the target's true implementation level", "share of obligations", Level, 0, 1, +1, "", ""},
		StabilityIndex:        {"stability_index", "mean over rounds of the regional stability index", "index 0-1", Level, 0, 1, +1, "", ""},
		SpoilerIncidents:      {"spoiler_incidents", "number of spoiler attacks", "incidents", Count, 0, t * float64(factions), -1, "", ""},
		HumanitarianIndex:     {"humanitarian_index", "mean over rounds of the humanitarian index (share of needs met)", "share of needs met", Level, 0, 1, +1, "", ""},
		HumanitarianShortfall: {"humanitarian_shortfall", "sum over rounds of the gap between humanitarian.floor and the humanitarian index, where the index is below the floor", "need-rounds", Level, 0, t, -1, "", ""},
		HumanitarianMin:       {"humanitarian_min", "lowest humanitarian index of any round", "share of needs met", Level, 0, 1, +1, "", ""},
		ReliefLeakage:         {"relief_leakage", "share of relief and exemption flows lost to diversion", "share", Level, 0, 1, -1, "", ""},
		LeverageRetained:      {"leverage_retained", "leverage in the last round relative to its level at the start (before round 1): remaining weighted sanctions times cohesion times (1 - evasion); at most 1/(initial leverage), so the model's definitions (Model.Metrics) raise Hi above 2 when the sanctions start light", "ratio", Level, 0, 2, +1, "", ""},
		CoalitionCohesion:     {"coalition_cohesion", "economic weight share of coalition members still enforcing in the last round", "share", Level, 0, 1, +1, "", ""},
		FalseAlarms:           {"false_alarms", "number of violation reports about rounds in which there was no concealed rollback and visible compliance was not below its level at the previous inspection", "reports", Count, 0, t, -1, "", ""},
		UndetectedCheating:    {"undetected_cheating", "number of rounds of covert cheating not exposed by the end", "rounds", Count, 0, t, -1, "", ""},
		AgreementReached:      {"agreement_reached", "1 if verified compliance ever reached outcomes.agreement_threshold", "probability", Proportion, 0, 1, +1, "", ""},
		ReliefFinal:           {"relief_final", "weighted relief level in force in the last round", "share of sanctions lifted", Level, 0, 1, 0, "", ""},
		Snapbacks:             {"snapbacks", "number of rounds in which the coalition re-imposed at least outcomes.snapback_size of weighted relief", "rounds", Count, 0, t, 0, "", ""},
		ReliefPerCompliance:   {"relief_per_compliance", "relief in force summed over rounds per unit of true compliance summed over rounds (undefined, and left out, when the target never complied); percentiles saturate at 10", "relief per compliance", Level, 0, 10, -1, "", ""},
		FalseSnapbacks:        {"false_snapbacks", "number of snapbacks (as counted by snapbacks) made on a false violation report: relief re-imposed in the round of a false alarm", "rounds", Count, 0, t, -1, "", ""},
		Settlement:            {"settlement", "1 if the episode ended in a settlement: true compliance at or above outcomes.durable_threshold for outcomes.durable_rounds consecutive rounds (the target acquiesced, whether or not relief followed), before any other end (settlement, breakdown, capitulation and stalemate sum to 1)", "probability", Proportion, 0, 1, +1, "", ""},
		Breakdown:             {"breakdown", "1 if the episode ended in a breakdown: after true compliance first reached outcomes.agreement_threshold, it stayed at or below outcomes.collapse_compliance for outcomes.collapse_rounds consecutive rounds, before any other end", "probability", Proportion, 0, 1, -1, "", ""},
		Capitulation:          {"capitulation", "1 if the episode ended in the sender's capitulation: leverage (sanctions still biting) at or below outcomes.capitulation_leverage for outcomes.capitulation_rounds consecutive rounds while true compliance stayed below outcomes.agreement_threshold, before any other end", "probability", Proportion, 0, 1, -1, "", ""},
		Stalemate:             {"stalemate", "1 if the episode had not ended by the last round", "probability", Proportion, 0, 1, 0, "", ""},
		RoundsToEnd:           {"rounds_to_end", "round in which the episode ended (settled, broke down or the sender capitulated); stalemates are left out (n says how many remain)", "rounds", Count, 1, t, 0, "", ""},
	}
	ms[RoundsToDurable].Undefined = "when the durable-agreement condition never held"
	ms[ReliefPerCompliance].Undefined = "when the target never complied"
	ms[RoundsToEnd].Undefined = "when the episode ended in a stalemate"
	labels := [NumMetrics]string{
		DurableAgreement: "Durable agreement", Collapse: "Collapse of an agreement", RoundsToDurable: "Rounds to a durable agreement",
		BackslidingEpisodes: "Backsliding episodes", Compliance: "True compliance", StabilityIndex: "Regional stability",
		SpoilerIncidents: "Spoiler incidents", HumanitarianIndex: "Humanitarian needs met", HumanitarianShortfall: "Humanitarian shortfall",
		HumanitarianMin: "Worst humanitarian round", ReliefLeakage: "Relief diverted", LeverageRetained: "Leverage kept",
		CoalitionCohesion: "Coalition cohesion", FalseAlarms: "False alarms", UndetectedCheating: "Undetected cheating",
		AgreementReached: "Agreement reached", ReliefFinal: "Relief in force at the end", Snapbacks: "Snapbacks",
		ReliefPerCompliance: "Relief per unit of compliance", FalseSnapbacks: "Snapbacks on false alarms",
		Settlement: "Settlement", Breakdown: "Breakdown of an agreement", Capitulation: "Sender capitulation",
		Stalemate: "Stalemate", RoundsToEnd: "Rounds to the end of the episode",
	}
	for k := range ms {
		ms[k].Label = labels[k]
	}
	return ms
}

// Indexes of the per-round series in Outcome.Series.
const (
	SeriesCompliance = iota
	SeriesVerified
	SeriesRelief
	SeriesCoverage
	SeriesHumanitarian
	SeriesStability
	SeriesLeverage
	SeriesCohesion
	SeriesReformers
	SeriesEvasion
	SeriesIncidents
	NumSeries
)

// Series describes one per-round series. Every series is a level in [0, 1]
// except spoiler_incidents, a count from 0 to the number of factions.
type Series struct {
	// Key is the series' name in rounds.csv.
	Key string `json:"key"`
	// Doc says what the series measures.
	Doc string `json:"doc"`
	// Unit is the series' unit, for axis labels.
	Unit string `json:"unit"`
	// Count is true for whole-number series.
	Count bool `json:"count"`
	// Hi is the largest value (Lo is always 0).
	Hi float64 `json:"hi"`
	// Label names the series in words, for figures.
	Label string `json:"label"`
}

// SeriesDefs returns the definitions of the per-round series of a model with
// the given number of spoiler factions, in index order.
func SeriesDefs(factions int) []Series {
	return []Series{
		SeriesCompliance:   {"compliance", "target's true implementation level after its choice", "share of obligations", false, 1, "True compliance"},
		SeriesVerified:     {"verified_compliance", "verification body's latest compliance estimate", "share of obligations", false, 1, "Verified compliance"},
		SeriesRelief:       {"relief", "weighted relief level in force", "share of sanctions lifted", false, 1, "Relief in force"},
		SeriesCoverage:     {"humanitarian_coverage", "humanitarian exemption coverage in force", "share of need covered", false, 1, "Humanitarian coverage"},
		SeriesHumanitarian: {"humanitarian_index", "share of humanitarian needs met", "share of needs met", false, 1, "Humanitarian needs met"},
		SeriesStability:    {"stability_index", "regional stability index", "index 0-1", false, 1, "Regional stability"},
		SeriesLeverage:     {"leverage", "remaining weighted sanctions times cohesion times (1 - evasion); also the pressure the target feels", "index 0-1", false, 1, "Coalition leverage"},
		SeriesCohesion:     {"coalition_cohesion", "economic weight share of members enforcing", "share of coalition weight", false, 1, "Coalition cohesion"},
		SeriesReformers:    {"reformers", "reformers' share of power in the target", "share of power", false, 1, "Reformers' share of power"},
		SeriesEvasion:      {"evasion", "trade-weighted share of the target's trade used to bypass sanctions through neighbours", "share of trade", false, 1, "Evasion"},
		SeriesIncidents:    {"spoiler_incidents", "spoiler attacks in the round", "incidents", true, float64(factions), "Spoiler incidents"},
	}
}

// Outcome is what one replication of one policy produces.
type Outcome struct {
	// Metrics holds one value per metric; NaN marks an undefined value
	// (rounds_to_durable when no durable agreement was reached).
	Metrics [NumMetrics]float64
	// Series holds, for each per-round series, one value per round.
	Series [NumSeries][]float64
	// Events holds, per round, what the coalition did and what the verifier
	// reported, for drawing individual histories.
	Events []RoundEvents
}

// RoundEvents are the notable events of one round.
type RoundEvents struct {
	// Snapback is true when the coalition re-imposed at least
	// outcomes.snapback_size of relief at the end of the round.
	Snapback bool
	// Violation is true when the verifier reported a violation.
	Violation bool
	// FalseAlarm is true when that report was false.
	FalseAlarm bool
	// Choice is the target's choice (an agents.Choice).
	Choice uint8
	// Shocks are the round's exogenous events; they are the same for every
	// policy in a replication (common random numbers).
	Shocks agents.Events
}

// NewOutcome returns an Outcome with room for the given number of rounds.
func NewOutcome(rounds int) *Outcome {
	o := &Outcome{Events: make([]RoundEvents, rounds)}
	for i := range o.Series {
		o.Series[i] = make([]float64, rounds)
	}
	return o
}
