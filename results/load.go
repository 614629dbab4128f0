package results

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
)

// Run is a results folder read back from its files, so that plots and
// reports can be redrawn without running the study again.
type Run struct {
	// Dir is the folder.
	Dir string
	// Manifest, Summary and Comparison are read from their JSON files;
	// Comparison is nil if comparison.json is absent.
	Manifest   Manifest
	Summary    Summary
	Comparison *ComparisonReport
	// Rounds are the rows of rounds.csv.
	Rounds []RoundRow
	// Histories are the rows of histories.csv (nil if absent).
	Histories []HistoryRow
	// Scenario is the text of scenario.toml.
	Scenario []byte
	// Definitions describe the policies, metrics and series, read from
	// definitions.json.
	Definitions Definitions
}

// RoundRow is one row of rounds.csv.
type RoundRow struct {
	Policy                            string
	Round                             int
	Metric                            string
	Mean, SD, P05, P25, P50, P75, P95 float64
	// Shares are the shares of replications in the fifths of the series'
	// range, lowest first.
	Shares [LevelBands]float64
}

// Series returns the rows of one policy and series, in round order.
func (r *Run) Series(policy, metric string) []RoundRow {
	var out []RoundRow
	for _, row := range r.Rounds {
		if row.Policy == policy && row.Metric == metric {
			out = append(out, row)
		}
	}
	return out
}

// readCSV calls row for each record after the header of a CSV file with the
// given number of fields.
func readCSV(dir, name string, fields int, row func([]string) error) error {
	path := filepath.Join(dir, name)
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("results folder %s: %w", dir, err)
	}
	defer f.Close()
	cr := csv.NewReader(io.LimitReader(f, MaxTableBytes))
	cr.FieldsPerRecord = fields
	cr.ReuseRecord = true
	if _, err := cr.Read(); err != nil {
		return fmt.Errorf("%s: header: %w", path, err)
	}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if err := row(rec); err != nil {
			return fmt.Errorf("%s:%d: %w", path, line, err)
		}
	}
}

// floats parses CSV fields; an empty field is NaN.
func floats(f []string) ([]float64, error) {
	out := make([]float64, len(f))
	for i, s := range f {
		if s == "" {
			out[i] = math.NaN()
			continue
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, err
		}
		out[i] = x
	}
	return out, nil
}
