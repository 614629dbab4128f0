package results

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
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
	Policy                        string
	Round                         int
	Metric                        string
	Mean, P05, P25, P50, P75, P95 float64
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

// Load reads a results folder.
func Load(dir string) (*Run, error) {
	r := &Run{Dir: dir}
	if err := readJSON(dir, "manifest.json", &r.Manifest); err != nil {
		return nil, err
	}
	if err := readJSON(dir, DefinitionsFile, &r.Definitions); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("results folder %s has no %s: it was made by an older version of tranche (%s %s); run the study again with this version", dir, DefinitionsFile, r.Manifest.Tool, r.Manifest.Version)
		}
		return nil, err
	}
	if err := readJSON(dir, "summary.json", &r.Summary); err != nil {
		return nil, err
	}
	var cmp ComparisonReport
	switch err := readJSON(dir, "comparison.json", &cmp); {
	case err == nil:
		r.Comparison = &cmp
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	var err error
	if r.Scenario, err = os.ReadFile(filepath.Join(dir, "scenario.toml")); err != nil {
		return nil, fmt.Errorf("results folder %s: %w", dir, err)
	}
	if err := readCSV(dir, "rounds.csv", 9, func(f []string) error {
		row := RoundRow{Policy: f[0], Metric: f[2]}
		var err error
		if row.Round, err = strconv.Atoi(f[1]); err != nil {
			return err
		}
		vals, err := floats(f[3:9])
		row.Mean, row.P05, row.P25, row.P50, row.P75, row.P95 = vals[0], vals[1], vals[2], vals[3], vals[4], vals[5]
		r.Rounds = append(r.Rounds, row)
		return err
	}); err != nil {
		return nil, err
	}
	err = readCSV(dir, "histories.csv", 16, func(f []string) error {
		row := HistoryRow{Policy: f[0], Choice: f[15]}
		var err error
		if row.Replication, err = strconv.Atoi(f[1]); err != nil {
			return err
		}
		if row.Round, err = strconv.Atoi(f[2]); err != nil {
			return err
		}
		vals, err := floats(f[3:10])
		if err != nil {
			return err
		}
		row.Compliance, row.Verified, row.Relief, row.Coverage, row.Welfare, row.Stability, row.Leverage = vals[0], vals[1], vals[2], vals[3], vals[4], vals[5], vals[6]
		if row.Incidents, err = strconv.Atoi(f[10]); err != nil {
			return err
		}
		row.Snapback, row.Violation, row.FalseAlarm, row.Crisis = f[11] == "1", f[12] == "1", f[13] == "1", f[14] == "1"
		r.Histories = append(r.Histories, row)
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return r, nil
}

func readJSON(dir, name string, v any) error {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is said below
		}
		return fmt.Errorf("%s: %w", filepath.Join(dir, name), err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(dir, name), err)
	}
	return nil
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
	cr := csv.NewReader(f)
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
