package results_test

import (
	"context"
	"io"
	"testing"

	"github.com/tranche-sim/tranche/policy"
	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/sim"
)

// BenchmarkStudy runs a whole study of the five core policies on one
// worker, with everything tranche run does per replication: aggregation
// of metrics, per-round series and paired differences, and the
// replications table formatted (to io.Discard). It reports policy-
// replications per second, the figure whole-study throughput is made of.
func BenchmarkStudy(b *testing.B) {
	m, err := sim.NewModel(sim.DefaultParams(), 40)
	if err != nil {
		b.Fatal(err)
	}
	names := []string{"phased-snapback", "phased", "big-bang", "reciprocal", "max-pressure"}
	var params []sim.PolicyParams
	for _, n := range names {
		e, _ := policy.Lookup(n)
		params = append(params, e.Defaults())
	}
	const reps = 1024
	b.ReportAllocs()
	for b.Loop() {
		rec, err := results.NewRecorder(names, m, 1, nil, io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		st := &sim.Study{Model: m, Policies: params, Seed: 1, Replications: reps, Workers: 1}
		if err := st.Run(context.Background(), rec); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(reps*len(names)*b.N)/b.Elapsed().Seconds(), "policy-replications/s")
}
