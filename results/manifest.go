package results

import (
	"encoding/json"
	"io"
	"time"
)

// Manifest records how a results folder was made, so that the run can be
// repeated and checked.
type Manifest struct {
	// Tool is the tool's name and Version its version.
	Tool    string `json:"tool"`
	Version string `json:"version"`
	// GoVersion is the Go release that built the tool and GOARCH the
	// architecture it ran on: results are bit-identical on the same
	// architecture (compilers may fuse multiply-adds on others).
	GoVersion string `json:"go_version"`
	GOARCH    string `json:"goarch"`
	// Scenario is the scenario's name and ScenarioSHA256 the SHA-256 of the
	// resolved scenario.toml in the folder.
	Scenario       string `json:"scenario"`
	ScenarioSHA256 string `json:"scenario_sha256"`
	// Seed, Replications and Rounds are the study's.
	Seed         uint64 `json:"seed"`
	Replications int    `json:"replications"`
	Rounds       int    `json:"rounds"`
	// MonthsPerRound labels time axes.
	MonthsPerRound int `json:"months_per_round"`
	// Policies are the policies compared, in scenario order; Baseline the
	// one the others are compared with.
	Policies []string `json:"policies"`
	Baseline string   `json:"baseline"`
	// Objective is the --objective expression, if any.
	Objective string `json:"objective,omitempty"`
	// Precision records a --precision run (nil otherwise).
	Precision *Precision `json:"precision,omitempty"`
	// FirstReplication is the index of the first replication (non-zero for
	// a shard of a larger study).
	FirstReplication int `json:"first_replication"`
	// Workers is the number of workers (results do not depend on it).
	Workers int `json:"workers"`
	// CommandLine is the command that made the folder.
	CommandLine []string `json:"command_line"`
	// Start is when the run started and ElapsedSeconds how long it took.
	Start          time.Time `json:"start"`
	ElapsedSeconds float64   `json:"elapsed_seconds"`
}

// WriteManifest writes m as indented JSON.
func WriteManifest(w io.Writer, m *Manifest) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(m)
}
