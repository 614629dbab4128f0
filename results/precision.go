package results

import (
	"fmt"
	"math"
	"slices"

	"github.com/tranche-sim/tranche/sim"
)

// FirstBatch is the number of replications a precision-driven run starts
// with.
const FirstBatch = 1024

// Precision drives a run that adds replications until the 95% confidence
// interval half-width of every watched metric, for every policy, is at most
// Epsilon. Each next batch size follows from the current exact statistics,
// so a precision run is as reproducible as a fixed one.
type Precision struct {
	// Epsilon is the target half-width; Metrics the metric keys watched.
	Epsilon float64  `json:"epsilon"`
	Metrics []string `json:"metrics"`
	// MaxReplications caps the run.
	MaxReplications int `json:"max_replications"`
	// Replications is how many ran; Reached whether the target was met.
	Replications int  `json:"replications"`
	Reached      bool `json:"reached"`
	// MetAt is, per policy, the number of replications at which all its
	// watched metrics first met the target (absent if never).
	MetAt map[string]int `json:"met_at"`
	// Widest names the widest interval at the end.
	Widest string `json:"widest"`
	// Skipped lists metric and policy pairs left out because fewer than two
	// replications defined them (such as rounds_to_durable for a policy
	// that never reaches a durable agreement).
	Skipped []string `json:"skipped,omitempty"`
}

// HalfWidth returns the larger half of a confidence interval.
func HalfWidth(s Stats) float64 { return max(s.Mean-s.CI95[0], s.CI95[1]-s.Mean) }

// Update records the state after done replications and returns the total
// to run next: done or less means stop.
func (pr *Precision) Update(a *Aggregate, done int) int {
	pr.Replications = done
	pr.Skipped = nil
	worst, worstKey := 0.0, ""
	needed, measured := 0, 0
	var tt tTable
	for p, name := range a.Policies {
		met, measuredP := true, 0
		for k, def := range a.Metrics {
			if !slices.Contains(pr.Metrics, def.Key) {
				continue
			}
			st := describe(a.Metric(p, k), def.Kind, &tt)
			h := HalfWidth(st)
			if st.N < 2 || math.IsNaN(h) {
				pr.Skipped = append(pr.Skipped, name+"/"+def.Key)
				continue
			}
			measured++
			measuredP++
			if h > worst {
				worst, worstKey = h, fmt.Sprintf("%s of %s ±%.4g", def.Key, name, h)
			}
			if h > pr.Epsilon {
				met = false
				// n grows as the square of the shrink factor; 10% margin.
				// The count is of replications run (a metric defined in
				// only some of them gains in proportion), capped in
				// floating point: a tiny epsilon must not overflow int.
				want := float64(done) * (h / pr.Epsilon) * (h / pr.Epsilon) * 1.1
				needed = max(needed, int(min(math.Ceil(want), float64(pr.MaxReplications))))
			}
		}
		if _, ok := pr.MetAt[name]; met && measuredP > 0 && !ok {
			pr.MetAt[name] = done
		}
	}
	pr.Widest = worstKey
	if measured == 0 { // nothing to measure yet: more replications may define it
		pr.Reached = false
		return min(done*2, pr.MaxReplications)
	}
	if needed == 0 {
		pr.Reached = true
		return done
	}
	next := max(needed, done+done/2) // grow by at least half, so estimates settle
	next = (next + sim.BlockSize - 1) / sim.BlockSize * sim.BlockSize
	return min(next, pr.MaxReplications)
}
