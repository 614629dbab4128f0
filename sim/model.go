package sim

import (
	"errors"
	"fmt"
	"math"

	"github.com/tranche-sim/tranche/agents"
)

// MaxRounds is the largest number of rounds a model may have.
const MaxRounds = 10000

// Model is a validated, ready-to-run set of parameters and a horizon.
type Model struct {
	// Params are the model's parameters; do not change them after NewModel.
	Params Params
	// Rounds is the number of rounds in a replication.
	Rounds int

	weights                          []float64 // normalised sector weights
	pCrisis, pCommodity, pLeadership float64
	pElection                        float64
	leverage0                        float64
}

// NewModel checks the parameters that the engine depends on and returns a
// model. Range checks of individual parameters belong to package scenarios;
// NewModel only refuses what would make the engine misbehave.
func NewModel(p Params, rounds int) (*Model, error) {
	if rounds < 1 || rounds > MaxRounds {
		return nil, fmt.Errorf("rounds = %d: must be in [1, %d]", rounds, MaxRounds)
	}
	if len(p.Sectors) == 0 {
		return nil, errors.New("sectors: at least one sector is needed")
	}
	if len(p.Coalition.Members) == 0 {
		return nil, errors.New("coalition.members: at least one member is needed")
	}
	if p.Verifier.Lag < 0 || p.Verifier.Lag > agents.MaxLag {
		return nil, fmt.Errorf("verifier.lag = %d: must be in [0, %d]", p.Verifier.Lag, agents.MaxLag)
	}
	m := &Model{Params: p, Rounds: rounds, weights: make([]float64, len(p.Sectors))}
	var total float64
	for _, s := range p.Sectors {
		total += s.Weight
	}
	if !(total > 0 && total <= math.MaxFloat64) {
		return nil, errors.New("sectors: weights must sum to more than 0 and to a finite number")
	}
	var r0 float64
	for i, s := range p.Sectors {
		m.weights[i] = s.Weight / total
		r0 += m.weights[i] * s.Relief
	}
	var members float64
	for _, mb := range p.Coalition.Members {
		members += mb.Weight
	}
	if !(members > 0 && members <= math.MaxFloat64) {
		return nil, errors.New("coalition.members: weights must sum to more than 0 and to a finite number")
	}
	prob := func(rate float64) float64 { return 1 - math.Exp(-rate) }
	m.pCrisis = prob(p.Shocks.CrisisRate)
	m.pCommodity = prob(p.Shocks.CommodityRate)
	m.pLeadership = prob(p.Shocks.LeadershipRate)
	m.pElection = prob(p.Shocks.ElectionRate)
	var evasion float64
	for _, s := range p.Neighbours.States {
		evasion += s.TradeLink * s.Evasion
	}
	m.leverage0 = leverage(r0, 1, min(evasion, 1))
	return m, nil
}

// Weights returns the normalised sector weights.
func (m *Model) Weights() []float64 { return m.weights }

// Metrics returns the definitions of the model's outcome metrics. Their
// bounds are the model's: leverage_retained, L_T/L₀ with L_T at most 1,
// reaches 1/L₀, above 2 when the sanctions start light.
func (m *Model) Metrics() []Metric {
	ms := Metrics(m.Rounds, len(m.Params.Spoilers.Factions))
	lr := &ms[LeverageRetained]
	if m.leverage0 > 0 {
		lr.Hi = max(lr.Hi, 1/m.leverage0)
	} else {
		lr.Undefined = "because the initial leverage is 0 (relief or evasion starts at 1)"
	}
	return ms
}

// Series returns the definitions of the model's per-round series.
func (m *Model) Series() []Series { return SeriesDefs(len(m.Params.Spoilers.Factions)) }

// leverage is what the coalition has left to trade, which is also the
// pressure the target feels: remaining weighted sanctions, enforced by the
// cohesive share of the coalition, less the share that evasion bypasses.
func leverage(relief, cohesion, evasion float64) float64 {
	return (1 - relief) * cohesion * (1 - evasion)
}
