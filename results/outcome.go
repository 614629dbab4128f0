package results

import "github.com/tranche-sim/tranche/sim"

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
