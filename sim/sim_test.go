package sim_test

import (
	"context"
	"math"
	"sync"
	"testing"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/tranche-sim/tranche/policy"
	"github.com/tranche-sim/tranche/sim"
)

const rounds = 40

func defaultModel(t testing.TB) *sim.Model {
	t.Helper()
	m, err := sim.NewModel(sim.DefaultParams(), rounds)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func builtinParams(t testing.TB) ([]string, []sim.PolicyParams) {
	t.Helper()
	var names []string
	var params []sim.PolicyParams
	for _, e := range policy.Builtins() {
		names = append(names, e.Name)
		params = append(params, e.Defaults())
	}
	return names, params
}

// collect is a Sink that keeps every outcome, keyed by replication and
// policy, and the order of committed blocks.
type collect struct {
	mu      sync.Mutex
	metrics map[[2]int][sim.NumMetrics]float64
	series  map[[2]int][]float64
	events  map[[2]int][]sim.RoundEvents
	commits []int
}

func newCollect() *collect {
	return &collect{metrics: map[[2]int][sim.NumMetrics]float64{}, series: map[[2]int][]float64{}, events: map[[2]int][]sim.RoundEvents{}}
}

func (c *collect) Outcome(w, rep, p int, o *sim.Outcome) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := [2]int{rep, p}
	c.metrics[k] = o.Metrics
	var all []float64
	for _, s := range o.Series {
		all = append(all, s...)
	}
	c.series[k] = all
	c.events[k] = append([]sim.RoundEvents(nil), o.Events...)
}
func (c *collect) Start(int) error         { return nil }
func (c *collect) Prepare(int, *sim.Block) {}
func (c *collect) Commit(b *sim.Block) error {
	c.commits = append(c.commits, b.Index)
	return nil
}

func runStudy(t *testing.T, workers, reps int) *collect {
	t.Helper()
	_, params := builtinParams(t)
	s := &sim.Study{Model: defaultModel(t), Policies: params, Seed: 42, Replications: reps, Workers: workers}
	c := newCollect()
	if err := s.Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c
}

func same(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }

// Same seed, any number of workers: bit-identical outcomes, and blocks
// committed in order.
func TestDeterministicAcrossWorkers(t *testing.T) {
	const reps = 300
	one := runStudy(t, 1, reps)
	for _, workers := range []int{2, 4, 7} {
		many := runStudy(t, workers, reps)
		if len(many.metrics) != len(one.metrics) {
			t.Fatalf("workers=%d: %d outcomes, want %d", workers, len(many.metrics), len(one.metrics))
		}
		for k, m := range one.metrics {
			for i := range m {
				if !same(m[i], many.metrics[k][i]) {
					t.Fatalf("workers=%d: replication %d policy %d metric %d: %v, want %v", workers, k[0], k[1], i, many.metrics[k][i], m[i])
				}
			}
			for i, x := range one.series[k] {
				if !same(x, many.series[k][i]) {
					t.Fatalf("workers=%d: replication %d policy %d series value %d differs", workers, k[0], k[1], i)
				}
			}
		}
		for i, b := range many.commits {
			if b != i {
				t.Fatalf("workers=%d: block %d committed in position %d", workers, b, i)
			}
		}
	}
}

// Every policy faces the same exogenous shocks in the same replication, and
// different replications face different ones.
func TestCommonRandomNumbers(t *testing.T) {
	c := runStudy(t, 2, 200)
	names, _ := builtinParams(t)
	differ := 0
	for rep := range 200 {
		base := c.events[[2]int{rep, 0}]
		for p := 1; p < len(names); p++ {
			ev := c.events[[2]int{rep, p}]
			for r := range base {
				if ev[r].Shocks != base[r].Shocks {
					t.Fatalf("replication %d round %d: %s saw shocks %+v, %s saw %+v", rep, r+1, names[p], ev[r].Shocks, names[0], base[r].Shocks)
				}
			}
		}
		if rep > 0 {
			prev := c.events[[2]int{rep - 1, 0}]
			for r := range base {
				if prev[r].Shocks != base[r].Shocks {
					differ++
					break
				}
			}
		}
	}
	if differ < 50 {
		t.Errorf("only %d of 199 consecutive replications saw different shocks: streams look correlated", differ)
	}
}

// A Replication makes a replication's draws once and reuses them for the
// next policy of the same replication. Whatever order replications, seeds
// and policies come in, every run must equal the same run on a fresh
// Replication, which draws everything anew.
func TestDrawsReusedOnlyWithinAReplication(t *testing.T) {
	m := defaultModel(t)
	_, params := builtinParams(t)
	reused := sim.NewReplication(m)
	got, want := sim.NewOutcome(m.Rounds), sim.NewOutcome(m.Rounds)
	runs := []struct {
		seed, rep uint64
		pol       int
	}{
		{1, 0, 0}, {1, 0, 1}, {1, 0, 2}, // policies of one replication
		{1, 1, 0}, {1, 1, 3}, // the next replication
		{1, 0, 1},            // back to an earlier one
		{2, 0, 1},            // same replication, another seed
		{2, 0, 1},            // the very same run twice
		{1, 7, 4}, {1, 7, 0}, // a stochastic-free baseline after others
	}
	for _, r := range runs {
		reused.Run(r.seed, r.rep, params[r.pol].NewPolicy(), got)
		sim.NewReplication(m).Run(r.seed, r.rep, params[r.pol].NewPolicy(), want)
		for k := range got.Metrics {
			if !same(got.Metrics[k], want.Metrics[k]) {
				t.Fatalf("seed %d replication %d policy %d: metric %d is %v after reuse, %v fresh", r.seed, r.rep, r.pol, k, got.Metrics[k], want.Metrics[k])
			}
		}
		for k := range got.Series {
			for i := range got.Series[k] {
				if !same(got.Series[k][i], want.Series[k][i]) {
					t.Fatalf("seed %d replication %d policy %d: series %d round %d is %v after reuse, %v fresh", r.seed, r.rep, r.pol, k, i+1, got.Series[k][i], want.Series[k][i])
				}
			}
		}
	}
}

// Distinct (seed, replication, source) triples give distinct streams, even
// for neighbouring seeds and replications.
func TestStreamSeedsDistinct(t *testing.T) {
	seen := map[[2]uint64]bool{}
	for seed := range uint64(20) {
		for rep := range uint64(200) {
			for src := sim.SourceType; src <= sim.SourcePolicy; src++ {
				a, b := sim.StreamSeed(seed, rep, src)
				if seen[[2]uint64{a, b}] {
					t.Fatalf("seed %d rep %d source %d repeats a stream", seed, rep, src)
				}
				seen[[2]uint64{a, b}] = true
			}
		}
	}
}

// The round loop allocates nothing, under every built-in policy.
func TestReplicationAllocatesNothing(t *testing.T) {
	m := defaultModel(t)
	r := sim.NewReplication(m)
	out := sim.NewOutcome(rounds)
	names, params := builtinParams(t)
	for i, p := range params {
		pol := p.NewPolicy()
		rep := uint64(0)
		allocs := testing.AllocsPerRun(50, func() {
			r.Run(1, rep, pol, out)
			rep++
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per replication, want 0", names[i], allocs)
		}
	}
}

// A policy that returns garbage cannot push levels out of range.
type garbage struct{ n int }

func (g *garbage) Reset()                  {}
func (g *garbage) Clone() sim.Policy       { c := *g; return &c }
func (g *garbage) CopyFrom(src sim.Policy) { g.n = src.(interface{ count() int }).count() }
func (g *garbage) count() int              { return g.n }
func (g *garbage) Decide(_ *sim.Observation, a *sim.Action) {
	g.n++
	vals := []float64{math.NaN(), -3, 7, math.Inf(1), 0.5}
	for i := range a.Relief {
		a.Relief[i] = vals[(g.n+i)%len(vals)]
	}
	a.Coverage = vals[g.n%len(vals)]
}

// shown checks that every Decide is handed, in the action, exactly the
// relief and coverage in force (the observation's); on odd rounds it then
// asks for garbage, on even rounds for nothing new.
type shown struct {
	garbage
	t *testing.T
}

func (s *shown) Decide(o *sim.Observation, a *sim.Action) {
	s.t.Helper()
	if a.Coverage != o.Coverage {
		s.t.Fatalf("round %d: action holds coverage %v, %v in force", o.Round, a.Coverage, o.Coverage)
	}
	for i, x := range a.Relief {
		if x != o.Relief[i] {
			s.t.Fatalf("round %d: action holds relief %v in sector %d, %v in force", o.Round, x, i, o.Relief[i])
		}
	}
	if o.Round%2 == 1 {
		s.garbage.Decide(o, a)
	}
}

func TestActionHoldsWhatIsInForce(t *testing.T) {
	m := defaultModel(t)
	r := sim.NewReplication(m)
	out := sim.NewOutcome(rounds)
	for rep := range uint64(20) {
		r.Run(5, rep, &shown{t: t}, out)
	}
}

func TestFaultyPolicyIsClamped(t *testing.T) {
	m := defaultModel(t)
	r := sim.NewReplication(m)
	out := sim.NewOutcome(rounds)
	for rep := range uint64(50) {
		r.Run(3, rep, &garbage{}, out)
		checkInvariants(t, m, out)
	}
}

// checkInvariants fails the test if any series or metric leaves its range.
// fataler is what checkInvariants needs of *testing.T and *rapid.T.
type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

func checkInvariants(t fataler, m *sim.Model, out *sim.Outcome) {
	t.Helper()
	for s, def := range m.Series() {
		for r, x := range out.Series[s] {
			if !(x >= 0 && x <= def.Hi) {
				t.Fatalf("series %s round %d = %v, outside [0, %v]", def.Key, r+1, x, def.Hi)
			}
		}
	}
	if sum := out.Metrics[sim.Settlement] + out.Metrics[sim.Breakdown] + out.Metrics[sim.Capitulation] + out.Metrics[sim.Stalemate]; sum != 1 {
		t.Fatalf("the episode ended in %v ways", sum)
	}
	for k, def := range m.Metrics() {
		x := out.Metrics[k]
		if k == sim.RoundsToEnd && math.IsNaN(x) != (out.Metrics[sim.Stalemate] == 1) {
			t.Fatalf("rounds_to_end %v with stalemate %v", x, out.Metrics[sim.Stalemate])
		}
		if math.IsNaN(x) && (k == sim.RoundsToDurable || k == sim.ReliefPerCompliance || k == sim.LeverageRetained || k == sim.RoundsToEnd) {
			continue
		}
		hi := def.Hi
		if k == sim.ReliefPerCompliance || k == sim.LeverageRetained {
			hi = math.Inf(1) // the histogram saturates; values may exceed it
		}
		if !(x >= def.Lo && x <= hi) {
			t.Fatalf("metric %s = %v, outside [%v, %v]", def.Key, x, def.Lo, hi)
		}
	}
	// A false snapback is a snapback, on a false alarm.
	if f := out.Metrics[sim.FalseSnapbacks]; f > out.Metrics[sim.Snapbacks] || f > out.Metrics[sim.FalseAlarms] {
		t.Fatalf("false_snapbacks %v exceeds snapbacks %v or false_alarms %v", f, out.Metrics[sim.Snapbacks], out.Metrics[sim.FalseAlarms])
	}
}

// The brief's claim "better verification means fewer false snapbacks",
// checked statistically: phased-snapback under a verifier of quality 0.9
// makes fewer false snapbacks than under quality 0.3, on the same
// replication indexes; the 99% t interval of the paired difference must lie
// below 0.
func TestBetterVerificationFewerFalseSnapbacks(t *testing.T) {
	const reps = 1000
	run := func(quality float64) []float64 {
		p := sim.DefaultParams()
		p.Verifier.Quality = quality
		m, err := sim.NewModel(p, rounds)
		if err != nil {
			t.Fatal(err)
		}
		e, _ := policy.Lookup("phased-snapback")
		pol := e.Defaults().NewPolicy()
		r, out := sim.NewReplication(m), sim.NewOutcome(m.Rounds)
		xs := make([]float64, reps)
		for rep := range xs {
			r.Run(5, uint64(rep), pol, out)
			checkInvariants(t, m, out)
			xs[rep] = out.Metrics[sim.FalseSnapbacks]
		}
		return xs
	}
	good, poor := run(0.9), run(0.3)
	diff := make([]float64, reps)
	for i := range diff {
		diff[i] = good[i] - poor[i]
	}
	mean, sd := stat.MeanStdDev(diff, nil)
	tq := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: reps - 1}.Quantile(0.995)
	hi := mean + tq*sd/math.Sqrt(reps)
	t.Logf("quality 0.9 minus 0.3: %.3f false snapbacks a replication (99%% interval up to %.3f); poor verifier %.3f", mean, hi, stat.Mean(poor, nil))
	if !(hi < 0) {
		t.Errorf("quality 0.9 minus 0.3: %.3f false snapbacks a replication, 99%% interval up to %.3f; want below 0 (poor verifier: %.3f)", mean, hi, stat.Mean(poor, nil))
	}
}

// BenchmarkPolicyReplication runs replications the way a study does: each
// replication index under the default scenario's five policies in turn, so
// that its draws are made once and shared (common random numbers). It
// reports the cost of one policy-replication; set against
// BenchmarkReplication, it splits a replication's time into its draws and
// the model's work.
func BenchmarkPolicyReplication(b *testing.B) {
	m := defaultModel(b)
	r := sim.NewReplication(m)
	out := sim.NewOutcome(rounds)
	var pols []sim.Policy
	for _, name := range []string{"phased-snapback", "phased", "big-bang", "reciprocal", "max-pressure"} {
		e, ok := policy.Lookup(name)
		if !ok {
			b.Fatalf("no policy %s", name)
		}
		pols = append(pols, e.Defaults().NewPolicy())
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		r.Run(1, uint64(n/len(pols)), pols[n%len(pols)], out)
		n++
	}
	actorRounds := float64(m.Params.ActorsPerRound() * m.Rounds)
	b.ReportMetric(actorRounds*float64(b.N)/b.Elapsed().Seconds(), "actor-rounds/s")
}

// BenchmarkReplication runs one replication of the default scenario under
// phased-snapback and reports actor decisions per second.
func BenchmarkReplication(b *testing.B) {
	m := defaultModel(b)
	r := sim.NewReplication(m)
	out := sim.NewOutcome(rounds)
	e, _ := policy.Lookup("phased-snapback")
	pol := e.Defaults().NewPolicy()
	b.ReportAllocs()
	rep := uint64(0)
	for b.Loop() {
		r.Run(1, rep, pol, out)
		rep++
	}
	actorRounds := float64(m.Params.ActorsPerRound() * m.Rounds)
	b.ReportMetric(actorRounds*float64(b.N)/b.Elapsed().Seconds(), "actor-rounds/s")
	b.ReportMetric(b.Elapsed().Seconds()*1e9/(actorRounds*float64(b.N)), "ns/actor-round")
}

// leverage_retained is at most 1/L₀, which exceeds the usual top of its
// range, 2, when the sanctions start light; the model's metric definitions
// must bound it, or its percentiles would saturate at 2 unseen.
func TestLeverageRetainedWithinBounds(t *testing.T) {
	for _, relief := range []float64{0, 0.7} {
		p := sim.DefaultParams()
		for i := range p.Sectors {
			p.Sectors[i].Relief = relief
		}
		m, err := sim.NewModel(p, rounds)
		if err != nil {
			t.Fatal(err)
		}
		hi := m.Metrics()[sim.LeverageRetained].Hi
		e, _ := policy.Lookup("max-pressure")
		pol := e.Defaults().NewPolicy()
		r, out := sim.NewReplication(m), sim.NewOutcome(m.Rounds)
		above2 := 0
		for rep := range uint64(500) {
			r.Run(7, rep, pol, out)
			x := out.Metrics[sim.LeverageRetained]
			if !(x >= 0 && x <= hi) {
				t.Fatalf("initial relief %v, replication %d: leverage_retained %v outside [0, %v]", relief, rep, x, hi)
			}
			if x > 2 {
				above2++
			}
		}
		if relief > 0 && above2 == 0 {
			t.Errorf("initial relief %v: no replication above 2 (Hi %v): the case checks nothing", relief, hi)
		}
		if relief == 0 && hi != 2 {
			t.Errorf("initial relief 0: Hi = %v, want the usual 2", hi)
		}
	}
}
