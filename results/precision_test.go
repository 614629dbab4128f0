package results

import (
	"math"
	"testing"

	"github.com/tranche-sim/tranche/sim"
)

// Precision's next batch, at the edges: an epsilon so small that the
// replications it asks for overflow int must run to the cap, not report
// success; and watched metrics that no replication defines yet are not a
// target met.
func TestPrecisionUpdateEdges(t *testing.T) {
	m, err := sim.NewModel(sim.DefaultParams(), 10)
	if err != nil {
		t.Fatal(err)
	}
	agg := NewAggregate([]string{"a", "b"}, m, nil)
	for rep := range 100 {
		for p := range 2 {
			o := sim.NewOutcome(m.Rounds)
			o.Metrics[sim.DurableAgreement] = float64(rep % 2)
			o.Metrics[sim.RoundsToDurable] = math.NaN()
			agg.Add(p, o)
		}
	}
	const maxReps = 1 << 20
	cases := []struct {
		name     string
		eps      float64
		metric   string
		wantNext int
	}{
		{"tiny epsilon runs to the cap", 1e-200, "durable_agreement", maxReps},
		{"nothing defined yet: more replications", 0.01, "rounds_to_durable", 200},
	}
	for _, c := range cases {
		pr := &Precision{Epsilon: c.eps, Metrics: []string{c.metric}, MaxReplications: maxReps, MetAt: map[string]int{}}
		next := pr.Update(agg, 100)
		if next != c.wantNext || pr.Reached {
			t.Errorf("%s: next %d, reached %v; want next %d, not reached", c.name, next, pr.Reached, c.wantNext)
		}
		if len(pr.MetAt) != 0 {
			t.Errorf("%s: MetAt %v, want none", c.name, pr.MetAt)
		}
	}
}
