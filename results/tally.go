package results

import "slices"

// Tally counts, over an experiment's design points, how often each policy
// is best on each metric: best with no other policy tied (clearly), best
// with others tied, and tied with the best. It is how an experiment's
// answer reads at a glance: "reciprocal is clearly best on durable
// agreements at 41% of the points, and cannot be told from the best at
// another 33%".
type Tally struct {
	// Policies and Metrics are the rows and columns counted.
	Policies, Metrics []string
	// Points is the number of points counted for each metric.
	Points []int
	// Clear, Best and Tied count, per metric and policy ([metric][policy]),
	// the points where the policy is best with no other tied, where it has
	// the best mean with others tied, and where it is tied with the best.
	Clear, Best, Tied [][]int
}

// NewTally returns an empty tally of the given policies on the given
// metrics.
func NewTally(policies, metrics []string) *Tally {
	t := &Tally{Policies: slices.Clone(policies), Metrics: slices.Clone(metrics), Points: make([]int, len(metrics))}
	for range metrics {
		t.Clear = append(t.Clear, make([]int, len(policies)))
		t.Best = append(t.Best, make([]int, len(policies)))
		t.Tied = append(t.Tied, make([]int, len(policies)))
	}
	return t
}

// Add counts one point's best policies.
func (t *Tally) Add(best []Best) {
	for _, b := range best {
		m := slices.Index(t.Metrics, b.Metric)
		p := slices.Index(t.Policies, b.Policy)
		if m < 0 || p < 0 {
			continue
		}
		t.Points[m]++
		if len(b.Tied) == 0 {
			t.Clear[m][p]++
			continue
		}
		t.Best[m][p]++
		for _, name := range b.Tied {
			if q := slices.Index(t.Policies, name); q >= 0 {
				t.Tied[m][q]++
			}
		}
	}
}
