package sim_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tranche-sim/tranche/policy"
	"github.com/tranche-sim/tranche/sim"
)

// forecastPolicies returns every built-in policy and a phased-snapback
// wrapped in each modifier kind, by name.
func forecastPolicies(t testing.TB) map[string]sim.Policy {
	t.Helper()
	pols := map[string]sim.Policy{}
	for _, e := range policy.Builtins() {
		pols[e.Name] = e.Defaults().NewPolicy()
	}
	for _, m := range policy.Modifiers() {
		v := &policy.Variant{Base: "phased-snapback", Params: new(policy.DefaultPhasedSnapback()), Modifiers: []policy.Modifier{m.Defaults()}}
		pols["phased-snapback+"+m.Kind] = v.NewPolicy()
	}
	return pols
}

// observations plays a policy through rounds of random observations, as
// the engine would, calling check after each decision with the
// observation it decided on and what it has in force.
func observations(pol sim.Policy, seed uint64, check func(o *sim.Observation, inForce []float64, coverage float64)) {
	p := sim.DefaultParams()
	m, _ := sim.NewModel(p, rounds)
	r := rand.New(rand.NewPCG(seed, 1))
	relief := make([]float64, len(p.Sectors))
	for i, s := range p.Sectors {
		relief[i] = s.Relief
	}
	o := &sim.Observation{Rounds: rounds, Sectors: p.Sectors, Weights: m.Weights(), Relief: relief,
		Coverage: p.Coalition.Coverage, StandingCoverage: p.Coalition.Coverage, Rand: rand.New(rand.NewPCG(seed, 2))}
	a := &sim.Action{Relief: make([]float64, len(relief))}
	pol.Reset()
	for round := 1; round <= rounds; round++ {
		o.Round = round
		o.Verified = float64(r.IntN(9)) / 8
		o.Inspected = r.Float64() < 0.9
		o.Violation = o.Inspected && r.Float64() < 0.15
		o.Welfare, o.Cohesion, o.Leverage = r.Float64(), r.Float64(), r.Float64()
		copy(a.Relief, relief)
		a.Coverage = o.Coverage
		pol.Decide(o, a)
		for i, x := range a.Relief {
			relief[i] = min(max(x, 0), 1)
		}
		o.Coverage = min(max(a.Coverage, 0), 1)
		check(o, relief, o.Coverage)
	}
}

// A forecast leaves the policy as it was, and answers what the policy
// itself would do: a policy that forecasts after every round decides
// exactly as one that never does, and a one-round plan without lag is
// the policy's own next decision on that observation.
func TestForecastIsPure(t *testing.T) {
	t.Parallel()
	for name, pol := range forecastPolicies(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			twin := pol.Clone()
			var plain [][]float64
			observations(twin, 3, func(_ *sim.Observation, inForce []float64, _ float64) { plain = append(plain, slices.Clone(inForce)) })
			f := sim.NewForecaster(pol, len(plain[0]))
			path := make([]float64, 3)
			fr := rand.New(rand.NewPCG(9, 9))
			round := 0
			observations(pol, 3, func(o *sim.Observation, inForce []float64, coverage float64) {
				if !slices.Equal(inForce, plain[round]) {
					t.Fatalf("round %d: relief %v after forecasting, %v without", o.Round, inForce, plain[round])
				}
				round++
				now := *o
				now.Relief = slices.Clone(inForce)
				f.Start(&now, 0, fr)
				for _, v := range []float64{0, 0.5, 1} {
					for _, viol := range []bool{false, true} {
						f.Plan(v, viol, path)
						// What the policy's own next decision on that
						// observation would be, on a clone.
						c := pol.Clone()
						next := now
						next.Round++
						next.Verified, next.Inspected, next.Violation = v, true, viol
						next.Events = now.Events
						next.Rand = rand.New(rand.NewPCG(1, 1))
						a := &sim.Action{Relief: slices.Clone(inForce), Coverage: coverage}
						if name == "generous-reciprocal" || name == "phased-snapback+forgive" {
							continue // its draw is from another stream
						}
						c.Decide(&next, a)
						want := next.WeightedRelief(clamped(a.Relief))
						if path[0] != want {
							t.Fatalf("round %d, plan (%v, %v): forecast %v, the policy's decision %v", o.Round, v, viol, path[0], want)
						}
					}
				}
			})
		})
	}
}

func clamped(x []float64) []float64 {
	for i := range x {
		x[i] = min(max(x[i], 0), 1)
	}
	return x
}

// Forecasting allocates nothing once the forecaster is made.
func TestForecastAllocatesNothing(t *testing.T) {
	for name, pol := range forecastPolicies(t) {
		p := sim.DefaultParams()
		m, _ := sim.NewModel(p, rounds)
		relief := make([]float64, len(p.Sectors))
		o := &sim.Observation{Round: 5, Rounds: rounds, Sectors: p.Sectors, Weights: m.Weights(), Relief: relief, Verified: 0.5}
		pol.Reset()
		pol.Decide(o, &sim.Action{Relief: make([]float64, len(relief))})
		f := sim.NewForecaster(pol, len(relief))
		fr := rand.New(rand.NewPCG(1, 2))
		path := make([]float64, 4)
		n := testing.AllocsPerRun(50, func() {
			f.Start(o, 1, fr)
			f.Plan(0.75, false, path)
			f.Plan(0.25, true, path)
		})
		if n != 0 {
			t.Errorf("%s: %v allocations per forecast", name, n)
		}
	}
}

// BenchmarkTargetModels runs policy-replications of the default scenario's
// five policies, as BenchmarkPolicyReplication does, under each target
// model: the forward-looking target's forecasts are its extra cost.
func BenchmarkTargetModels(b *testing.B) {
	for _, model := range []string{"adaptive", "rule-learner", "forward-looking"} {
		b.Run(model, func(b *testing.B) {
			p := sim.DefaultParams()
			p.Target.Model = model
			m, err := sim.NewModel(p, rounds)
			if err != nil {
				b.Fatal(err)
			}
			r := sim.NewReplication(m)
			out := sim.NewOutcome(rounds)
			var pols []sim.Policy
			for _, name := range []string{"phased-snapback", "phased", "big-bang", "reciprocal", "max-pressure"} {
				e, _ := policy.Lookup(name)
				pols = append(pols, e.Defaults().NewPolicy())
			}
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				r.Run(1, uint64(n/len(pols)), pols[n%len(pols)], out)
				n++
			}
		})
	}
}

// fixedLevels is a stateless policy with value receivers and a slice: its
// type cannot be compared.
type fixedLevels struct{ levels []float64 }

func (fixedLevels) Reset() {}
func (f fixedLevels) Decide(_ *sim.Observation, a *sim.Action) {
	copy(a.Relief, f.levels)
}
func (f fixedLevels) Clone() sim.Policy { return fixedLevels{levels: slices.Clone(f.levels)} }
func (fixedLevels) CopyFrom(sim.Policy) {}

// A forward-looking target can face any legal policy, one whose type
// cannot be compared included, run after run; and a caller that passes a
// new policy every run does not make the replication keep every one.
func TestForwardLookingAnyPolicy(t *testing.T) {
	t.Parallel()
	p := sim.DefaultParams()
	p.Target.Model = "forward-looking"
	m, err := sim.NewModel(p, rounds)
	if err != nil {
		t.Fatal(err)
	}
	r, out := sim.NewReplication(m), sim.NewOutcome(rounds)
	pol := fixedLevels{levels: []float64{0.2, 0.2, 0.2, 0.2, 0.2}}
	for rep := range uint64(3) {
		r.Run(1, rep, pol, out) // panicked: comparing uncomparable type
	}
	e, _ := policy.Lookup("reciprocal")
	want := sim.NewOutcome(rounds)
	r.Run(1, 0, e.Defaults().NewPolicy(), want)
	for i := range 500 {
		r.Run(1, 0, e.Defaults().NewPolicy(), out) // a new policy each run
		if i > 0 {
			continue
		}
		for k := range out.Metrics {
			if math.Float64bits(out.Metrics[k]) != math.Float64bits(want.Metrics[k]) {
				t.Fatalf("metric %d: a new policy with the same parameters gives %v, not %v", k, out.Metrics[k], want.Metrics[k])
			}
		}
	}
	if n := sim.Forecasters(r); n > 64 {
		t.Errorf("the replication keeps %d forecasters after 500 new policies", n)
	}
}
