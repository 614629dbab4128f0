package sim_test

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/tranche-sim/tranche/policy"
	"github.com/tranche-sim/tranche/sim"
)

// pairedCI returns the mean and 95% t interval of the paired differences
// b[i]-a[i].
func pairedCI(a, b []float64) (mean, lo, hi float64) {
	d := make([]float64, len(a))
	for i := range a {
		d[i] = b[i] - a[i]
	}
	mean, sd := stat.MeanStdDev(d, nil)
	n := float64(len(d))
	h := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: n - 1}.Quantile(0.975) * sd / math.Sqrt(n)
	return mean, mean - h, mean + h
}

// metricOver runs reps replications of policy name on params and returns
// metric k of each.
func metricOver(t *testing.T, p sim.Params, name string, k, reps int) []float64 {
	t.Helper()
	m, err := sim.NewModel(p, rounds)
	if err != nil {
		t.Fatal(err)
	}
	e, _ := policy.Lookup(name)
	pol := e.Defaults().NewPolicy()
	r := sim.NewReplication(m)
	out := sim.NewOutcome(rounds)
	vals := make([]float64, reps)
	for i := range vals {
		r.Run(11, uint64(i), pol, out)
		vals[i] = out.Metrics[k]
	}
	return vals
}

// Switching off each kind of actor changes an outcome: the paired 95%
// interval of the difference (same seeds, so common random numbers) must
// exclude zero.
func TestEveryActorMatters(t *testing.T) {
	cases := []struct {
		actor  string
		off    func(*sim.Params)
		metric int
	}{
		{"coalition members (never tire)", func(p *sim.Params) {
			p.Coalition.FatigueRate, p.Coalition.HumFatigue, p.Coalition.ElectionShift = 0, 0, 0
		}, sim.CoalitionCohesion},
		{"target (ignores relief and pressure)", func(p *sim.Params) {
			p.Target.ReliefWeight, p.Target.PainWeight = 0, 0
		}, sim.Compliance},
		{"civil society (no watchdog)", func(p *sim.Params) {
			p.CivilSociety.Strength, p.CivilSociety.Openness = 0, 0
		}, sim.ReliefLeakage},
		{"neighbours (none)", func(p *sim.Params) { p.Neighbours.States = nil }, sim.StabilityIndex},
		{"spoilers (none)", func(p *sim.Params) { p.Spoilers.Factions = nil }, sim.StabilityIndex},
		{"verifier (no access)", func(p *sim.Params) { p.Verifier.Access = 0 }, sim.HumanitarianIndex},
	}
	const reps = 400
	defs := sim.Metrics(rounds, 2)
	for _, c := range cases {
		t.Run(c.actor, func(t *testing.T) {
			base := metricOver(t, sim.DefaultParams(), "phased-snapback", c.metric, reps)
			p := sim.DefaultParams()
			c.off(&p)
			off := metricOver(t, p, "phased-snapback", c.metric, reps)
			mean, lo, hi := pairedCI(base, off)
			if lo <= 0 && hi >= 0 {
				t.Errorf("switching off %s: %s changes by %.4f, 95%% CI [%.4f, %.4f] includes 0", c.actor, defs[c.metric].Key, mean, lo, hi)
			}
		})
	}
}
