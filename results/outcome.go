package results

import (
	"fmt"

	"github.com/tranche-sim/tranche/sim"
)

// OutcomeColumn is the column of the replications table that says how each
// episode ended (settlement, breakdown, capitulation or stalemate), after
// the replication's number.
const OutcomeColumn = "outcome"

// endColumns finds the metrics that say how an episode ended (one 0/1
// metric per way, named as sim.EndNames) among metrics, and returns their
// indexes by sim end value; ok is false unless all are there.
func endColumns(metrics []sim.Metric) (idx [sim.NumEnds]int, ok bool) {
	for e, name := range sim.EndNames {
		idx[e] = -1
		for k, m := range metrics {
			if m.Key == name {
				idx[e] = k
			}
		}
		if idx[e] < 0 {
			return idx, false
		}
	}
	return idx, true
}

// checkEnds reports how the episode whose metric values are values ended,
// and whether the values say it consistently: each of the ways' metrics 0
// or 1, exactly one of them 1.
func checkEnds(idx *[sim.NumEnds]int, values []float64) (string, bool) {
	name, ones := "", 0
	for e, k := range idx {
		switch values[k] {
		case 1:
			name, ones = sim.EndNames[e], ones+1
		case 0:
		default:
			return "", false
		}
	}
	return name, ones == 1
}

// CheckOutcomeRow checks one row of a replications table: its outcome
// field against its fields for the ways an episode ends, as written
// (columns are the table's header, from ReplicationsColumns). It returns
// an error saying what is wrong, or nil; a table without an outcome
// column passes.
func CheckOutcomeRow(columns, row []string) error {
	if len(columns) < 3 || columns[2] != OutcomeColumn || len(row) != len(columns) {
		return nil
	}
	name, ones := "", 0
	for _, end := range sim.EndNames {
		k := -1
		for i, c := range columns {
			if c == end {
				k = i
			}
		}
		if k < 0 {
			return fmt.Errorf("no %s column", end)
		}
		switch row[k] {
		case "1":
			name, ones = end, ones+1
		case "0":
		default:
			return fmt.Errorf("%s is %q, not 0 or 1", end, clip(row[k]))
		}
	}
	if ones != 1 || row[2] != name {
		return fmt.Errorf("the outcome %q is not the one way the row's 0/1 columns say the episode ended", clip(row[2]))
	}
	return nil
}

// endName returns how the episode whose metric values are values ended:
// the name of the way whose metric is 1, or "" if none is (which a model's
// own replications never give).
func endName(idx *[sim.NumEnds]int, values []float64) string {
	for e, k := range idx {
		if values[k] == 1 {
			return sim.EndNames[e]
		}
	}
	return ""
}

// ReplicationsColumns returns the columns of the replications table for
// the given metrics: policy, replication, outcome (when the metrics say how
// episodes end), then one per metric.
func ReplicationsColumns(metrics []sim.Metric) []string {
	h := []string{"policy", "replication"}
	if _, ok := endColumns(metrics); ok {
		h = append(h, OutcomeColumn)
	}
	for _, m := range metrics {
		h = append(h, m.Key)
	}
	return h
}
