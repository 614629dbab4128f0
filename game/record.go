package game

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/tranche-sim/tranche/scenarios"
)

// Record is game.json: how the game was played and the outcome table.
type Record struct {
	Tool           string `json:"tool"`
	Version        string `json:"version"`
	GoVersion      string `json:"go_version"`
	GOARCH         string `json:"goarch"`
	Scenario       string `json:"scenario"`
	ScenarioSHA256 string `json:"scenario_sha256"`
	Seed           uint64 `json:"seed"`
	Replication    int    `json:"replication"`
	Rounds         int    `json:"rounds"`
	MonthsPerRound int    `json:"months_per_round"`
	// CommonRandomNumbers says that every row ran on the same history.
	CommonRandomNumbers string    `json:"common_random_numbers"`
	CommandLine         []string  `json:"command_line"`
	Replay              string    `json:"replay"`
	Moves               int       `json:"moves"`
	Start               time.Time `json:"start"`
	// Columns are the metrics of the printed table; Best names, for each,
	// the rows with the best value (none when every row ties or neither
	// direction is better).
	Columns []string            `json:"columns"`
	Best    map[string][]string `json:"best"`
	// Outcomes hold every metric of every row, "you" first; null marks an
	// undefined value (rounds_to_durable without a durable agreement).
	Outcomes []Outcome `json:"outcomes"`
	Skipped  []string  `json:"skipped,omitempty"`
}

// Outcome is one row of Record.Outcomes: a policy and every metric, by
// key; nil marks an undefined value.
type Outcome struct {
	Policy  string              `json:"policy"`
	Metrics map[string]*float64 `json:"metrics"`
}

// Record returns the game's record with what the game determines filled
// in: the scenario and its SHA-256 (of scenarios.Format), seed,
// replication, rounds, the moves, the columns, the best rows and the
// outcomes. How it was run (Tool, Version, GoVersion, GOARCH, CommandLine,
// Replay, Start) is left for the caller to fill in.
func (r *Result) Record() *Record {
	s := r.Scenario
	sum := sha256.Sum256(scenarios.Format(s))
	rec := &Record{
		Scenario: s.Name, ScenarioSHA256: hex.EncodeToString(sum[:]),
		Seed: s.Seed, Replication: r.Replication, Rounds: s.Rounds, MonthsPerRound: s.MonthsPerRound,
		CommonRandomNumbers: "every row played the same history: the same seed and replication, so the same random streams",
		Moves:               r.Moves, Skipped: r.Skipped,
		Best: map[string][]string{},
	}
	for _, c := range columns() {
		rec.Columns = append(rec.Columns, c.key)
		rec.Best[c.key] = r.Best[c.key]
	}
	for _, row := range r.Rows {
		o := Outcome{Policy: row.Policy, Metrics: map[string]*float64{}}
		for k, d := range r.metrics {
			if x := row.Metrics[k]; !math.IsNaN(x) {
				o.Metrics[d.Key] = &x
			} else {
				o.Metrics[d.Key] = nil
			}
		}
		rec.Outcomes = append(rec.Outcomes, o)
	}
	return rec
}

// WriteJSON writes the record to w as game.json holds it: indented JSON,
// with no HTML escaping.
func (rec *Record) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil {
		return fmt.Errorf("game.json: %w", err)
	}
	return nil
}
