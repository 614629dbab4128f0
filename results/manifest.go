package results

import (
	"encoding/json"
	"io"
	"time"
)

// FormatVersion is the version of the results folder format that this
// tranche writes, and the only one it reads. Version 2 brought
// definitions.json, ci95_lo and ci95_hi in JSON, integer Parquet columns,
// the files' sizes and hashes and the completeness marker in the
// manifest. Folders of earlier releases carry no version (0 when read).
const FormatVersion = 3

// Manifest records how a results folder was made, so that the run can be
// repeated and checked. It is the last file written into a folder, and
// only a folder whose manifest says Complete is read.
type Manifest struct {
	// FormatVersion is the version of the folder's format.
	FormatVersion int `json:"format_version"`
	// Kind is KindExperiment for the folder of an experiment (tranche
	// explore), empty for a study's.
	Kind string `json:"kind,omitempty"`
	// Experiment describes an experiment's folder (nil for a study's).
	Experiment *ExperimentInfo `json:"experiment,omitempty"`
	// Tool is the tool's name and Version its version.
	Tool    string `json:"tool"`
	Version string `json:"version"`
	// Build identifies the executable: the first 16 hexadecimal digits of
	// its SHA-256. It tells builds apart when Version cannot ("devel").
	Build string `json:"build,omitempty"`
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
	// Shard marks a folder that holds one shard of a larger study (nil
	// otherwise); tranche merge combines shards into one results folder.
	Shard *Shard `json:"shard,omitempty"`
	// MergedShards is the number of shards a merged folder was made from
	// (0 for a folder made in one run).
	MergedShards int `json:"merged_shards,omitempty"`
	// Format is the format of the replications table: "csv" or "parquet"
	// (rounds.csv is always written; rounds.parquet too with parquet).
	Format string `json:"format"`
	// Workers is the number of workers (results do not depend on it).
	Workers int `json:"workers"`
	// CommandLine is the command that made the folder.
	CommandLine []string `json:"command_line"`
	// Start is when the run started and ElapsedSeconds how long it took.
	Start          time.Time `json:"start"`
	ElapsedSeconds float64   `json:"elapsed_seconds"`
	// Files are the size and SHA-256 of the folder's data files (not of
	// manifest.json, nor of figures and reports, which are drawn again
	// from the data): readers check the files they read against them.
	Files map[string]FileSum `json:"files"`
	// Complete is true when every file of the folder was written: the
	// marker written last.
	Complete bool `json:"complete"`
}

// FileSum is a file's size in bytes and SHA-256, in hexadecimal.
type FileSum struct {
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// Shard identifies one shard of a study split into Count shards: it holds
// replications [First, First+Replications) of TotalReplications.
type Shard struct {
	Index             int `json:"index"`
	Count             int `json:"count"`
	First             int `json:"first"`
	Replications      int `json:"replications"`
	TotalReplications int `json:"total_replications"`
}

// KindExperiment is the Kind of an experiment's results folder.
const KindExperiment = "experiment"

// ExperimentInfo is what an experiment's manifest records beyond a
// study's: its name, design and points, and which points the folder holds.
type ExperimentInfo struct {
	// Name is the experiment's name; Design its design ("factorial",
	// "lhs" or "sobol"), Streams its replication streams ("common" or
	// "independent").
	Name    string `json:"name"`
	Design  string `json:"design"`
	Streams string `json:"streams"`
	// Parameters are the columns of the parameters varied, and Keys their
	// keys in the scenario, in the same order.
	Parameters []string `json:"parameters"`
	Keys       []string `json:"keys"`
	// Points is the number of design points of the whole experiment;
	// FirstPoint and PointsHere the points this folder holds (all of them
	// but in a shard).
	Points     int `json:"points"`
	FirstPoint int `json:"first_point"`
	PointsHere int `json:"points_here"`
	// ShardIndex and ShardCount mark one shard of an experiment (ShardCount
	// is 0 otherwise); MergedShards counts the shards a merged folder was
	// made from.
	ShardIndex   int `json:"shard_index,omitempty"`
	ShardCount   int `json:"shard_count,omitempty"`
	MergedShards int `json:"merged_shards,omitempty"`
}

// ShardRange returns the replications of shard index of count shards of a
// study of total replications: [first, first+n). Shards differ in size by
// at most one replication.
func ShardRange(index, count, total int) (first, n int) {
	first = index * total / count
	return first, (index+1)*total/count - first
}

// StateFile is the name of the file in a shard folder that holds the exact
// aggregate state for merging.
const StateFile = "state.gob"

// WriteManifest writes m as indented JSON.
func WriteManifest(w io.Writer, m *Manifest) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(m)
}
