package results

import (
	"encoding/json"
	"io"

	"github.com/tranche-sim/tranche/sim"
)

// DefinitionsFile is the file of a results folder that describes what the
// folder holds.
const DefinitionsFile = "definitions.json"

// Definitions describe what a results folder holds, so that its readers
// (the figures, the report, a user's script) need nothing from the model
// that made it: the scenario in words, the policies, and the definitions
// of the metrics and per-round series (key, meaning, unit, kind, range).
type Definitions struct {
	// Scenario describes the scenario that ran.
	Scenario ScenarioInfo `json:"scenario"`
	// Policies describe the policies compared, in study order.
	Policies []PolicyInfo `json:"policies"`
	// Metrics are the outcome metrics, in the order of the tables' columns
	// (the objective last when there is one).
	Metrics []sim.Metric `json:"metrics"`
	// Series are the per-round series of rounds.csv.
	Series []sim.Series `json:"series"`
}

// ScenarioInfo describes a scenario in words.
type ScenarioInfo struct {
	// Name and Description are the scenario's.
	Name        string `json:"name"`
	Description string `json:"description"`
	// Overview are sentences that describe the scenario's world: the
	// target, the coalition, the sectors, the verifier, the region.
	Overview []string `json:"overview"`
}

// PolicyInfo describes one policy of a study.
type PolicyInfo struct {
	// Name is the policy's name in every table.
	Name string `json:"name"`
	// Summary says what the policy does, in one line.
	Summary string `json:"summary"`
	// Base is the built-in policy a policy the scenario defines starts
	// from ("" for a built-in).
	Base string `json:"base,omitempty"`
}

// Metric returns the definition of the metric with the given key.
func (d *Definitions) Metric(key string) (sim.Metric, bool) {
	for _, m := range d.Metrics {
		if m.Key == key {
			return m, true
		}
	}
	return sim.Metric{}, false
}

// SeriesDef returns the definition of the per-round series with the given
// key.
func (d *Definitions) SeriesDef(key string) (sim.Series, bool) {
	for _, s := range d.Series {
		if s.Key == key {
			return s, true
		}
	}
	return sim.Series{}, false
}

// Policy returns the description of the named policy.
func (d *Definitions) Policy(name string) (PolicyInfo, bool) {
	for _, p := range d.Policies {
		if p.Name == name {
			return p, true
		}
	}
	return PolicyInfo{}, false
}

// WriteDefinitions writes d as indented JSON.
func WriteDefinitions(w io.Writer, d *Definitions) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}
