package sim_test

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/tranche-sim/tranche/agents"
	"github.com/tranche-sim/tranche/policy"
	"github.com/tranche-sim/tranche/sim"
)

// The tests in this file check the simulation against Markov chains solved
// exactly. Under the configurations below, parts of the model reduce to
// chains on a few states; their distributions round by round follow from
// a forward recursion over the transition probabilities, which the tests
// derive here from the equations of docs/model.md, not from the code. The
// simulation must agree within its sampling error: the mean over
// replications of a metric within 3.29 standard errors (99.9%) of the
// exact mean, and the distribution at the end passing a chi-square test
// at the 0.1% level.

// holdPolicy never changes relief or coverage.
type holdPolicy struct{}

func (holdPolicy) Reset()                               {}
func (holdPolicy) Decide(*sim.Observation, *sim.Action) {}
func (holdPolicy) Clone() sim.Policy                    { return holdPolicy{} }
func (holdPolicy) CopyFrom(sim.Policy)                  {}

// quietParams returns the default parameters with every feedback into the
// target's choice switched off: members that never tire or defect, no
// evasion, no spoiler attacks, no leadership change, a balance of power
// that does not move, commitment that does not count, and a verifier that
// sees the truth at once (lag 0, quality 1, every rollback reported and
// every cheat exposed at once, no false alarms). What is left is a chain on
// the target's true compliance X (on the grid of half steps) and, under a
// policy whose relief follows the report, the relief R.
func quietParams(model string) sim.Params {
	p := sim.DefaultParams()
	c := &p.Coalition
	for i := range c.Members {
		c.Members[i].Resolve, c.Members[i].Fatigue = 1, 0
	}
	c.FatigueRate, c.HumFatigue, c.Recovery, c.DefectNoise, c.Reimposition = 0, 0, 0, 0.001, 0
	p.Shocks.ElectionRate, p.Shocks.LeadershipRate, p.Shocks.CommodityRate = 0, 0, 0
	p.Economy.Adjust = 1 // the economy is at the level this round's pressure sets
	for i := range p.Neighbours.States {
		p.Neighbours.States[i].TradeLink = 0
	}
	p.Spoilers.AttackBase, p.Spoilers.AttackThreat = 0, 0
	t := &p.Target
	t.Model = model
	t.Drift, t.Humiliation, t.SpoilerHarden, t.CommitWeight = 0, 0, 0, 0
	t.HardlinerCost = 1 // so that coercion can win: the chain visits every level
	if model != agents.ForwardLooking {
		t.LearningRate = 0 // the learners' expectations stay at their priors
	}
	p.Verifier = agents.VerifierParams{Quality: 1, Access: 1, Lag: 0, MaxNoise: 0.3, DetectOvert: 1, DetectCovert: 1}
	return p
}

// targetChain is the exact chain of quietParams: the distribution of
// (X, R) over rounds under a policy that holds relief at 0 (follows =
// false) or sets it to min(1, verified) and to 0 after a violation report
// (reciprocal with gain 1: follows = true).
type targetChain struct {
	p       sim.Params
	follows bool
	grid    float64 // X moves on multiples of step*partial_share
	n       int     // grid points from 0 to 1
}

func newTargetChain(p sim.Params, follows bool) *targetChain {
	g := p.Target.Step * p.Target.PartialShare
	return &targetChain{p: p, follows: follows, grid: g, n: int(math.Round(1/g)) + 1}
}

// expected returns the relief change each choice is expected to bring, in
// the order comply, partial, stall, backslide, cheat, when the target's
// compliance is x and relief r, under the target model's equations
// (docs/model.md section 7.2).
func (c *targetChain) expected(x, r float64) [5]float64 {
	t := &c.p.Target
	s := t.Step
	up, part, down := math.Min(x+s, 1), math.Min(x+s*t.PartialShare, 1), math.Max(x-s, 0)
	switch t.Model {
	case agents.Adaptive: // learning rate 0: the priors
		return [5]float64{t.PriorComply, t.PriorPartial, t.PriorStall, t.PriorBackslide, t.PriorCheat}
	case agents.RuleLearner: // learning rate 0: the priors as a rule, from relief 0 at the start
		rule := func(v float64) float64 { return math.Min(math.Max(t.PriorComply*v/s, 0), 1) }
		viol := math.Min(math.Max(t.PriorBackslide, 0), 1)
		// Every rollback is reported and every cheat exposed.
		return [5]float64{rule(up) - r, rule(part) - r, rule(x) - r, viol - r, viol - r}
	}
	// Forward-looking: the policy's relief over the foresight rounds after
	// the report (lag 0), weighted δ^k / Σ δ^k.
	w := make([]float64, t.Foresight)
	var sum float64
	for k := range w {
		w[k] = math.Pow(t.Discount, float64(k))
		sum += w[k]
	}
	relief := func(v float64, violation bool) float64 {
		var val float64
		for k := range w {
			level := 0.0
			if c.follows && !(violation && k == 0) {
				level = math.Min(v, 1)
			}
			val += w[k] / sum * level
		}
		return val - r
	}
	stall := relief(x, false)
	if x == 0 {
		return [5]float64{relief(up, false), relief(part, false), stall, stall, stall}
	}
	caught := relief(down, true)
	return [5]float64{relief(up, false), relief(part, false), stall, caught, caught}
}

// probs returns the choice probabilities at (x, r): a logit over the
// utilities of section 7.2 with commitment weight 0 and no concealment.
func (c *targetChain) probs(x, r float64) [5]float64 {
	t := &c.p.Target
	s := t.Step
	rho := t.Reformers
	reform := t.ReformerWeight*rho - t.HardlinerCost*(1-rho)
	// Economic damage 1 - Y = pain·P, with pressure P = 1 - r (full
	// cohesion, no evasion) and the economy adjusted at once.
	coerce := t.PainWeight * c.p.Economy.Pain * (1 - r)
	up, part, down := math.Min(x+s, 1)-x, math.Min(x+s*t.PartialShare, 1)-x, math.Max(x-s, 0)-x
	e := c.expected(x, r)
	rw := t.ReliefWeight
	u := [5]float64{
		(reform+coerce)*up/s + rw*e[0],
		(reform+coerce)*part/s + rw*e[1],
		rw * e[2],
		(reform+coerce)*down/s + rw*e[3],
		reform*down/s + rw*e[4],
	}
	best := math.Inf(-1)
	for _, v := range u {
		best = math.Max(best, v)
	}
	var pr [5]float64
	var sum float64
	for i, v := range u {
		pr[i] = math.Exp((v - best) / t.Noise)
		sum += pr[i]
	}
	for i := range pr {
		pr[i] /= sum
	}
	if x == 0 { // nothing to roll back: rollbacks are stalls
		pr[2] += pr[3] + pr[4]
		pr[3], pr[4] = 0, 0
	}
	return pr
}

// run returns, for each round 1..rounds, the exact distribution of X
// (indexed by grid point).
func (c *targetChain) run(rounds int) [][]float64 {
	t := &c.p.Target
	moves := [5]float64{t.Step, t.Step * t.PartialShare, 0, -t.Step, -t.Step}
	// State: X index i, R index j (R is 0 or a grid point: min(1, X)).
	dist := make([][]float64, c.n)
	for i := range dist {
		dist[i] = make([]float64, c.n)
	}
	dist[0][0] = 1
	var out [][]float64
	for range rounds {
		next := make([][]float64, c.n)
		for i := range next {
			next[i] = make([]float64, c.n)
		}
		for i := range c.n {
			for j := range c.n {
				pij := dist[i][j]
				if pij == 0 {
					continue
				}
				x, r := float64(i)*c.grid, float64(j)*c.grid
				for ch, pc := range c.probs(x, r) {
					if pc == 0 {
						continue
					}
					nx := math.Min(math.Max(x+moves[ch], 0), 1)
					ni := int(math.Round(nx / c.grid))
					nj := 0
					if c.follows && ch < 3 { // a rollback is reported: relief 0
						nj = ni
					}
					next[ni][nj] += pij * pc
				}
			}
		}
		dist = next
		marg := make([]float64, c.n)
		for i := range c.n {
			for j := range c.n {
				marg[i] += dist[i][j]
			}
		}
		out = append(out, marg)
	}
	return out
}

// checkMean fails t unless the sample xs has a mean within 3.29 standard
// errors of want.
func checkMean(t *testing.T, what string, xs []float64, want float64) {
	t.Helper()
	mean, sd := stat.MeanStdDev(xs, nil)
	se := sd / math.Sqrt(float64(len(xs)))
	t.Logf("%s: simulated %.5f ± %.5f (se), exact %.5f", what, mean, se, want)
	if math.Abs(mean-want) > 3.29*se+1e-12 {
		t.Errorf("%s: simulated %.5f, exact %.5f: %.1f standard errors apart", what, mean, want, math.Abs(mean-want)/se)
	}
}

// checkDistribution fails t unless counts (of n draws) fit the exact
// probabilities probs at the 0.1% level (cells expected below 5 pooled).
func checkDistribution(t *testing.T, what string, counts []int, probs []float64, n int) {
	t.Helper()
	var chi2, poolO, poolE float64
	df := -1
	for i, p := range probs {
		e := p * float64(n)
		if e < 5 {
			poolO += float64(counts[i])
			poolE += e
			continue
		}
		d := float64(counts[i]) - e
		chi2 += d * d / e
		df++
	}
	if poolE > 0 {
		if poolE >= 1 {
			chi2 += (poolO - poolE) * (poolO - poolE) / poolE
			df++
		} else if poolO > 5 {
			t.Errorf("%s: %v draws in cells expected to hold %.2f", what, poolO, poolE)
		}
	}
	if df < 1 {
		return
	}
	p := 1 - distuv.ChiSquared{K: float64(df)}.CDF(chi2)
	t.Logf("%s: chi-square %.2f on %d df, p = %.3f", what, chi2, df, p)
	if p < 0.001 {
		t.Errorf("%s: the simulated distribution does not fit the exact one: chi-square %.2f on %d df, p = %.2g", what, chi2, df, p)
	}
}

// The target's choice process under each decision model, against its
// exact chain: under a policy that holds relief (so only coercion and the
// priors act) and under reciprocal (relief follows the report, so the
// forward-looking target's forecasts and the coupling of relief, pressure
// and choice act).
func TestTargetChainExact(t *testing.T) {
	t.Parallel()
	const reps, rounds = 4000, 20
	for _, model := range []string{agents.Adaptive, agents.RuleLearner, agents.ForwardLooking} {
		for _, follows := range []bool{false, true} {
			name := model + "/hold"
			if follows {
				name = model + "/reciprocal"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				p := quietParams(model)
				m, err := sim.NewModel(p, rounds)
				if err != nil {
					t.Fatal(err)
				}
				var pol sim.Policy = holdPolicy{}
				if follows {
					e, _ := policy.Lookup("reciprocal")
					pol = e.Defaults().NewPolicy()
				}
				chain := newTargetChain(p, follows)
				exact := chain.run(rounds)
				var wantMean float64
				for _, d := range exact {
					for i, q := range d {
						wantMean += q * float64(i) * chain.grid / rounds
					}
				}
				r, out := sim.NewReplication(m), sim.NewOutcome(rounds)
				means := make([]float64, reps)
				counts := make([]int, chain.n)
				for rep := range reps {
					r.Run(11, uint64(rep), pol, out)
					means[rep] = out.Metrics[sim.Compliance]
					last := out.Series[sim.SeriesCompliance][rounds-1]
					counts[int(math.Round(last/chain.grid))]++
					if ev := out.Series[sim.SeriesEvasion][rounds-1]; ev != 0 {
						t.Fatalf("evasion %v: the configuration is not quiet", ev)
					}
				}
				checkMean(t, "mean compliance over rounds", means, wantMean)
				checkDistribution(t, fmt.Sprintf("compliance in round %d", rounds), counts, exact[rounds-1], reps)
			})
		}
	}
}

// The coalition members' fatigue and defection, with relief held fixed,
// against their exact chain: with no recovery, no humanitarian fatigue and
// no elections, each member's fatigue rises by fatigue_rate (1-R) a round,
// deterministically, and whether it enforces is a two-state chain whose
// switching probabilities (logistic in fatigue against resolve, with
// hysteresis for rejoining) change with the round; members are
// independent, so cohesion's distribution is that of a weighted sum.
func TestCoalitionChainExact(t *testing.T) {
	t.Parallel()
	const reps, rounds = 4000, 40
	p := sim.DefaultParams()
	c := &p.Coalition
	c.HumFatigue, c.Recovery = 0, 0
	p.Shocks.ElectionRate = 0
	m, err := sim.NewModel(p, rounds)
	if err != nil {
		t.Fatal(err)
	}
	logistic := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	var total float64
	for _, mb := range c.Members {
		total += mb.Weight
	}
	// P(member i enforces) after each round.
	enforce := make([][]float64, len(c.Members))
	for i, mb := range c.Members {
		f, pe := mb.Fatigue, 1.0
		for range rounds {
			f = math.Min(math.Max(f+c.FatigueRate*(1-0), 0), 1) // relief 0 throughout
			defect := logistic((f - mb.Resolve) / c.DefectNoise)
			rejoin := logistic((mb.Resolve - c.Hysteresis - f) / c.DefectNoise)
			pe = pe*(1-defect) + (1-pe)*rejoin
			enforce[i] = append(enforce[i], pe)
		}
	}
	var wantMean float64
	for i, mb := range c.Members {
		for _, pe := range enforce[i] {
			wantMean += mb.Weight / total * pe / rounds
		}
	}
	// The distribution of final cohesion over the members' patterns.
	probs := map[float64]float64{}
	for mask := range 1 << len(c.Members) {
		q, coh := 1.0, 0.0
		for i, mb := range c.Members {
			pe := enforce[i][rounds-1]
			if mask&(1<<i) != 0 {
				q *= pe
				coh += mb.Weight / total
			} else {
				q *= 1 - pe
			}
		}
		probs[math.Round(coh*1e9)/1e9] += q
	}
	var levels []float64
	for v := range probs {
		levels = append(levels, v)
	}
	r, out := sim.NewReplication(m), sim.NewOutcome(rounds)
	means := make([]float64, reps)
	counts := make([]int, len(levels))
	for rep := range reps {
		r.Run(13, uint64(rep), holdPolicy{}, out)
		means[rep] = stat.Mean(out.Series[sim.SeriesCohesion], nil)
		final := math.Round(out.Metrics[sim.CoalitionCohesion]*1e9) / 1e9
		found := false
		for k, v := range levels {
			if v == final {
				counts[k]++
				found = true
			}
		}
		if !found {
			t.Fatalf("replication %d: final cohesion %v is no sum of member weights", rep, final)
		}
	}
	want := make([]float64, len(levels))
	for k, v := range levels {
		want[k] = probs[v]
	}
	checkMean(t, "mean cohesion over rounds", means, wantMean)
	checkDistribution(t, fmt.Sprintf("cohesion in round %d", rounds), counts, want, reps)
}
