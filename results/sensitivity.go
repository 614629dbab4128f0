package results

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
)

// SensitivityCSV holds a sensitivity experiment's indices.
const SensitivityCSV = "sensitivity.csv"

// The indices of sensitivity.csv.
const (
	IndexMuStar = "mu_star" // Morris: mean absolute elementary effect
	IndexMu     = "mu"      // Morris: mean elementary effect
	IndexSigma  = "sigma"   // Morris: standard deviation of the elementary effects
	IndexS1     = "S1"      // Sobol': first order
	IndexST     = "ST"      // Sobol': total
	IndexS2     = "S2"      // Sobol': second order, of Parameter with Parameter2
)

// SensitivityRow is one index of one parameter for one output of an
// experiment: a metric under a policy, or, when Versus names the
// baseline, the policy's paired difference from it on the metric.
type SensitivityRow struct {
	Metric, Policy, Versus string
	Parameter, Parameter2  string
	Index                  string
	// Estimate and CI95 are corrected for replication noise where the
	// design's streams are independent; Uncorrected and UncorrectedCI95
	// are the estimator's without the correction (equal otherwise).
	Estimate, Uncorrected float64
	CI95, UncorrectedCI95 [2]float64
	// NoiseShare is the share of the output's variance over the design
	// points that is replication noise: the mean over points of each
	// point's Monte Carlo variance, over the variance of the points'
	// values. NoiseFloor (Morris) is the mu* an inert parameter would show
	// from that noise alone (0 with common streams, whose noise does not
	// reach the differences between points).
	NoiseShare, NoiseFloor float64
}

// SensitivityHeader is the header of sensitivity.csv.
func SensitivityHeader() []string {
	return []string{"metric", "policy", "versus", "parameter", "parameter2", "index", "estimate", "ci95_lo", "ci95_hi",
		"uncorrected", "uncorrected_ci95_lo", "uncorrected_ci95_hi", "noise_share", "noise_floor"}
}

// WriteSensitivity writes rows as sensitivity.csv, with its header.
func WriteSensitivity(w io.Writer, rows []SensitivityRow) error {
	t, err := newCSVTable(w, joinHeader(SensitivityHeader()))
	if err != nil {
		return err
	}
	for _, r := range rows {
		t.row().str(r.Metric).str(r.Policy).str(r.Versus).str(r.Parameter).str(r.Parameter2).str(r.Index).
			num(r.Estimate).num(r.CI95[0]).num(r.CI95[1]).num(r.Uncorrected).num(r.UncorrectedCI95[0]).num(r.UncorrectedCI95[1]).
			num(r.NoiseShare).num(r.NoiseFloor)
		if err := t.end(); err != nil {
			return err
		}
	}
	return t.close()
}

// ReadSensitivity reads sensitivity.csv, checking its header and numbers.
func ReadSensitivity(r io.Reader) ([]SensitivityRow, error) {
	cr := csv.NewReader(r)
	head := SensitivityHeader()
	cr.FieldsPerRecord = len(head)
	h, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", SensitivityCSV, err)
	}
	for i := range head {
		if h[i] != head[i] {
			return nil, fmt.Errorf("%s: header %v, want %v", SensitivityCSV, h, head)
		}
	}
	var out []SensitivityRow
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", SensitivityCSV, err)
		}
		num := func(i int) (float64, error) {
			if rec[i] == "" {
				return math.NaN(), nil
			}
			x, err := strconv.ParseFloat(rec[i], 64)
			if err != nil {
				return 0, fmt.Errorf("%s line %d, %s: %q is not a number", SensitivityCSV, line, head[i], rec[i])
			}
			return x, nil
		}
		row := SensitivityRow{Metric: rec[0], Policy: rec[1], Versus: rec[2], Parameter: rec[3], Parameter2: rec[4], Index: rec[5]}
		vals := make([]float64, 8)
		for i := range vals {
			if vals[i], err = num(6 + i); err != nil {
				return nil, err
			}
		}
		row.Estimate, row.CI95 = vals[0], [2]float64{vals[1], vals[2]}
		row.Uncorrected, row.UncorrectedCI95 = vals[3], [2]float64{vals[4], vals[5]}
		row.NoiseShare, row.NoiseFloor = vals[6], vals[7]
		out = append(out, row)
	}
}

func joinHeader(h []string) string {
	s := ""
	for i, x := range h {
		if i > 0 {
			s += ","
		}
		s += x
	}
	return s
}
