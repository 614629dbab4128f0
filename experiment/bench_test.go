package experiment_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/tranche-sim/tranche/experiment"
	"github.com/tranche-sim/tranche/scenarios"
	"github.com/tranche-sim/tranche/sim"
)

// BenchmarkExplore runs a Latin hypercube over four parameters of the
// default scenario, with its five policies, on one worker, writing its
// results folder (without figures), at 100 and at 10 replications per
// design point. It reports
// policy-replications per second and, as of-bound, that rate over the
// rate of the same number of policy-replications of the default scenario
// run bare (the loop of sim's BenchmarkPolicyReplication), measured in the
// same iteration: the share of the engine's speed an experiment keeps
// after its fixed costs per point.
func BenchmarkExplore(b *testing.B) {
	for _, reps := range []int{100, 10} {
		b.Run(fmt.Sprintf("reps=%d", reps), func(b *testing.B) {
			points := 20000 / reps // 10,000 policy-replications per iteration
			e, err := experiment.Parse("bench.toml", []byte(fmt.Sprintf(`design = "lhs"
samples = %d
replications = %d
[[parameters]]
key = "verifier.quality"
[[parameters]]
key = "target.commitment_alpha"
[[parameters]]
key = "spoilers.factions[*].strength"
[[parameters]]
key = "coalition.members[*].resolve"
`, points/2, reps)))
			if err != nil {
				b.Fatal(err)
			}
			runs := points / 2 * reps * len(e.Policies)
			bare := bareRunner(b, len(e.Policies))
			var inExp, inBare time.Duration
			dir := b.TempDir()
			i := 0
			for b.Loop() {
				i++
				t0 := time.Now()
				out := filepath.Join(dir, strconv.Itoa(i))
				if _, err := experiment.Run(context.Background(), e, experiment.Options{Workers: 1, Out: out}); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				bare(runs)
				inExp += t1.Sub(t0)
				inBare += time.Since(t1)
			}
			rate := float64(runs*b.N) / inExp.Seconds()
			b.ReportMetric(rate, "policy-replications/s")
			b.ReportMetric(inBare.Seconds()/inExp.Seconds(), "of-bound")
		})
	}
}

// bareRunner returns a function that runs n policy-replications of the
// default scenario's policies as sim's BenchmarkPolicyReplication does.
func bareRunner(b *testing.B, policies int) func(n int) {
	s, err := scenarios.Get("default")
	if err != nil {
		b.Fatal(err)
	}
	m, err := s.Model()
	if err != nil {
		b.Fatal(err)
	}
	r := sim.NewReplication(m)
	out := sim.NewOutcome(m.Rounds)
	var pols []sim.Policy
	for _, p := range s.Study() {
		pols = append(pols, p.NewPolicy())
	}
	rep := 0
	return func(n int) {
		for i := range n {
			r.Run(1, uint64(rep), pols[i%len(pols)], out)
			if i%len(pols) == len(pols)-1 {
				rep++
			}
		}
	}
}
