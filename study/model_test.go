package study_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"github.com/tranche-sim/tranche/agents"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/scenarios"
	"github.com/tranche-sim/tranche/sim"
	"github.com/tranche-sim/tranche/study"
)

var update = flag.Bool("update", false, "rewrite the golden reference file")

// run runs s with the given replications and seed, in memory, and returns
// its summary and aggregate.
func run(t *testing.T, s *scenarios.Scenario, reps int, seed uint64) (*results.Summary, *results.Aggregate) {
	t.Helper()
	s.Replications, s.Seed = reps, seed
	res, err := study.Run(context.Background(), s, study.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res.Summary, res.Aggregate
}

// paired returns the 95% t interval of the mean over replications of
// metric k of policy b minus policy a, from the aggregate's exact paired
// moments.
func paired(agg *results.Aggregate, a, b, k int) (lo, hi float64) {
	m, swapped := agg.Paired(a, b, k)
	mean := m.Mean()
	if swapped {
		mean = -mean
	}
	ci := results.TInterval(mean, math.Sqrt(m.Variance()), m.N(), 0.95)
	return ci[0], ci[1]
}

// Calibration (docs/model.md section 9): on the default scenario, each
// figure the defaults are calibrated to lies in its band, by its whole 95%
// interval:
//   - coercion alone (max-pressure) ends in a settlement in 25-40% of
//     episodes, the base rate of the sanctions literature (about a third;
//     ../shared/cases.md);
//   - of its episodes that end in the target's compliance or the sender's
//     capitulation, 30-50% end in compliance (Attia, Grauvogel and von
//     Soest 2020: under half of the sanctions lifted, approximately; see
//     docs/model.md section 9);
//   - its episodes last 12 to 60 months on average (EU regimes about 55);
//   - every default policy loses 3-8% of relief flows to diversion (the
//     oil-for-food programme: about 5% of the supplies bought).
func TestCalibration(t *testing.T) {
	t.Parallel()
	s := mustDefault(t)
	sum, _ := run(t, s, 4000, 20261122)
	inside := func(what string, ci [2]float64, lo, hi float64) {
		t.Helper()
		if !(ci[0] >= lo && ci[1] <= hi) { // a NaN interval fails too
			t.Errorf("%s: 95%% CI [%.3f, %.3f], want it inside [%.2f, %.2f]", what, ci[0], ci[1], lo, hi)
		}
		t.Logf("%s: 95%% CI [%.3f, %.3f], band [%.2f, %.2f]", what, ci[0], ci[1], lo, hi)
	}
	for _, p := range sum.Policies {
		st, _ := p.Metrics.Get("relief_leakage")
		inside(p.Policy+" relief_leakage", st.CI95, 0.03, 0.08)
		if p.Policy != "max-pressure" {
			continue
		}
		settle, _ := p.Metrics.Get("settlement")
		inside("max-pressure settlement", settle.CI95, 0.25, 0.40)
		cap, _ := p.Metrics.Get("capitulation")
		n := float64(settle.N)
		k, ended := math.Round(settle.Mean*n), math.Round((settle.Mean+cap.Mean)*n)
		inside("max-pressure share of settlements among settlements and capitulations", results.Wilson(k/ended, int(ended), 0.95), 0.30, 0.50)
		end, _ := p.Metrics.Get("rounds_to_end")
		months := float64(s.MonthsPerRound)
		inside("max-pressure months to the end", [2]float64{end.CI95[0] * months, end.CI95[1] * months}, 12, 60)
	}
}

// The default scenario is not a flat landscape: policies differ on
// settlement and on humanitarian shortfall, and the policy best for
// stability is not the one best for humanitarian outcomes; both gaps are
// significant on paired differences.
func TestTradeOffs(t *testing.T) {
	s := mustDefault(t)
	sum, agg := run(t, s, 3000, 77)
	bestDurable, bestHum := 0, 0
	worstDurable := 0
	for p := range sum.Policies {
		d, _ := sum.Policies[p].Metrics.Get("settlement")
		h, _ := sum.Policies[p].Metrics.Get("humanitarian_shortfall")
		bd, _ := sum.Policies[bestDurable].Metrics.Get("settlement")
		wd, _ := sum.Policies[worstDurable].Metrics.Get("settlement")
		bh, _ := sum.Policies[bestHum].Metrics.Get("humanitarian_shortfall")
		if d.Mean > bd.Mean {
			bestDurable = p
		}
		if d.Mean < wd.Mean {
			worstDurable = p
		}
		if h.Mean < bh.Mean {
			bestHum = p
		}
		t.Logf("%-16s settlement %.3f  shortfall %.2f", sum.Policies[p].Policy, d.Mean, h.Mean)
	}
	if bestDurable == bestHum {
		t.Fatalf("%s is best on both settlement and humanitarian shortfall: no trade-off", sum.Policies[bestDurable].Policy)
	}
	names := func(p int) string { return sum.Policies[p].Policy }
	if lo, _ := paired(agg, bestHum, bestDurable, sim.Settlement); lo <= 0 {
		t.Errorf("%s does not significantly settle more often than %s", names(bestDurable), names(bestHum))
	}
	if _, hi := paired(agg, bestDurable, bestHum, sim.HumanitarianShortfall); hi >= 0 {
		t.Errorf("%s has no significantly lower shortfall than %s", names(bestHum), names(bestDurable))
	}
	// Under the adaptive learner the range was 25 points; under the
	// rule-learner, calibrated to the same base rate, about 6 (see the
	// change log in docs/model.md): the test asks that it be there, not
	// that it be large.
	if lo, _ := paired(agg, worstDurable, bestDurable, sim.Settlement); lo <= 0 {
		t.Errorf("settlement from %s to %s: the range is not significant", names(worstDurable), names(bestDurable))
	}
}

// Golden reference run (as KTAB does): the summary of a fixed scenario and
// seed is stored in testdata and must be reproduced bit for bit, so that any
// change to the model's behaviour is deliberate. After an intended change,
// rerun with -update, review the diff of testdata/golden-default.json and
// commit it with the change that explains it.
func TestGoldenDefault(t *testing.T) {
	sum, _ := run(t, mustDefault(t), 512, 2718)
	var b bytes.Buffer
	if err := results.WriteSummaryJSON(&b, sum); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "golden-default.json")
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./study -run Golden -update to create it)", err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("summary of the golden run changed; if the model change is intended, run go test ./study -run Golden -update and commit the new %s", path)
	}
}

// Common random numbers work: on the default scenario, the paired 95%
// interval of the difference in durable agreement between big-bang and
// phased is at least twice as narrow as the interval from independent
// streams (different seeds). With misaligned streams the two would be
// about as wide. (The adaptive learner gave a ratio of 3.3; a
// rule-learner's histories part more between policies, as its target
// answers each policy's rule, and the ratio is 2.6.)
func TestPairingNarrowsIntervals(t *testing.T) {
	const reps = 4000
	s := mustDefault(t)
	s.Policies = []string{"big-bang", "phased"}
	_, agg := run(t, s, reps, 5)
	var paired results.Comparison
	for _, c := range results.Compare(agg, 0) {
		if c.Metric == "durable_agreement" {
			paired = c
		}
	}
	a, _ := results.Summarize("", 5, agg).Policies[0].Metrics.Get("durable_agreement")
	s2 := mustDefault(t)
	s2.Policies = []string{"phased"}
	indep, _ := run(t, s2, reps, 6) // independent streams
	b, _ := indep.Policies[0].Metrics.Get("durable_agreement")
	tq := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: 2*reps - 2}.Quantile(0.975)
	unpaired := 2 * tq * math.Sqrt(a.SD*a.SD/reps+b.SD*b.SD/reps)
	width := paired.CI95[1] - paired.CI95[0]
	t.Logf("paired width %.4f, unpaired %.4f, ratio %.2f", width, unpaired, unpaired/width)
	if unpaired < 2*width {
		t.Errorf("paired interval %.4f is not 2 times narrower than the unpaired %.4f (ratio %.2f): common random numbers are not aligned", width, unpaired, unpaired/width)
	}
}

// pairsHolm returns, for every pair of policies (x < y), the mean paired
// difference y - x on metric k and its paired t-test p-value,
// Holm-adjusted across all the pairs.
func pairsHolm(agg *results.Aggregate, k int) (diff map[[2]int]float64, p map[[2]int]float64) {
	var pairs [][2]int
	var ps []float64
	diff, p = map[[2]int]float64{}, map[[2]int]float64{}
	for x := range agg.Policies {
		for y := x + 1; y < len(agg.Policies); y++ {
			m, swapped := agg.Paired(x, y, k)
			mean := m.Mean()
			if swapped {
				mean = -mean
			}
			pairs = append(pairs, [2]int{x, y})
			diff[[2]int{x, y}] = mean
			ps = append(ps, results.PairedTTest(m.Mean(), math.Sqrt(m.Variance()), m.N()))
		}
	}
	for i, q := range results.Holm(ps) {
		p[pairs[i]] = q
	}
	return diff, p
}

// lagReversals runs the default scenario under target model model at
// verifier.lag 0 to 3 and returns the pairs of policies whose difference
// in durable agreement is significant (Holm p < 0.05 over all pairs) at
// the default lag and reversed, significantly, at another, described.
func lagReversals(t *testing.T, model string) (reversed []string, significant int) {
	const reps, seed = 3000, 4242
	def := mustDefault(t)
	baseLag := def.Params.Verifier.Lag
	type res struct {
		diff, p map[[2]int]float64
	}
	at := map[int]res{}
	names := def.Policies
	for lag := range 4 {
		s := mustDefault(t)
		if err := s.Set("verifier.lag", lag); err != nil {
			t.Fatal(err)
		}
		if err := s.Set("target.model", model); err != nil {
			t.Fatal(err)
		}
		_, agg := run(t, s, reps, seed)
		d, p := pairsHolm(agg, sim.Settlement)
		at[lag] = res{d, p}
	}
	base := at[baseLag]
	for pair, d := range base.diff {
		if base.p[pair] >= 0.05 {
			continue
		}
		significant++
		for lag := range 4 {
			r := at[lag]
			t.Logf("%s, lag %d: %s - %s = %+.3f (Holm p %.3g)", model, lag, names[pair[1]], names[pair[0]], r.diff[pair], r.p[pair])
			if r.p[pair] < 0.05 && (r.diff[pair] > 0) != (d > 0) {
				reversed = append(reversed, fmt.Sprintf("%s against %s: %+.3f at lag %d, %+.3f at lag %d (Holm p %.3g)",
					names[pair[1]], names[pair[0]], d, baseLag, r.diff[pair], lag, r.p[pair]))
			}
		}
	}
	return reversed, significant
}

// With the rule-learner, what the target learns does not hang on a
// coincidence between the report lag and a policy's rhythm: no pair of the
// default scenario's policies that differs in durable agreement (Holm p <
// 0.05 over all pairs) at the default verifier.lag is reversed, with Holm
// p < 0.05, at a lag from 0 to 3.
func TestRankingSurvivesLag(t *testing.T) {
	t.Parallel()
	reversed, n := lagReversals(t, "rule-learner")
	t.Logf("rule-learner: %d of 10 pairs differ at the default lag", n)
	for _, r := range reversed {
		t.Error(r)
	}
}

// The adaptive learner credits each relief change to its choice lag+1
// rounds before, so a policy that answers off that beat is misread: the
// review found that a two-round wind-down costs reciprocal about 0.19 of
// durable agreement. A learner of the coalition's rule reads the same
// policy correctly, and bears the wind-down's cost only as the weaker
// deterrent it is. At the relief weight the adaptive learner was
// calibrated with (8), the wind-down must cost the adaptive learner's
// reciprocal significantly (lower bound above 0.1, the review's 0.19
// reproduced), and the rule-learner's less than half of that lower bound.
func TestWindDownCreditAssignment(t *testing.T) {
	t.Parallel()
	text := `policies = ["reciprocal", "reciprocal-wd"]
[target]
relief_weight = 8.0
[policy.reciprocal-wd]
base = "reciprocal"
[[policy.reciprocal-wd.modifiers]]
kind = "wind-down"
rounds = 2
`
	cost := map[string][2]float64{}
	for _, model := range []string{"adaptive", "rule-learner"} {
		s, err := scenarios.Parse("wind-down.toml", []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Set("target.model", model); err != nil {
			t.Fatal(err)
		}
		_, agg := run(t, s, 3000, 20261122)
		lo, hi := paired(agg, 1, 0, sim.DurableAgreement) // reciprocal minus reciprocal-wd
		cost[model] = [2]float64{lo, hi}
		t.Logf("%s: the wind-down costs reciprocal (%.3f, %.3f) of durable agreement", model, lo, hi)
	}
	if a := cost["adaptive"]; !(a[0] > 0.1) {
		t.Errorf("adaptive learner: the wind-down's cost (%.3f, %.3f) does not reproduce the review's 0.19", a[0], a[1])
	}
	if r := cost["rule-learner"]; !(r[1] < cost["adaptive"][0]/2) {
		t.Errorf("rule-learner: the wind-down costs (%.3f, %.3f), not less than half the adaptive learner's lower bound %.3f", r[0], r[1], cost["adaptive"][0])
	}
}

// The shadow of the future: a more patient forward-looking target (higher
// target.discount) settles more often under policies that
// make future relief depend on present behaviour (phased-snapback,
// reciprocal, max-pressure re-impose on a violation), as repeated-game
// theory expects (cooperation needs a discount factor above a threshold;
// ../shared/cases.md). Under big-bang, which gives everything at once,
// patience has no such lever; the test logs it and phased.
func TestPatienceUnderConditionalPolicies(t *testing.T) {
	t.Parallel()
	const reps, seed = 3000, 5
	means := map[float64]*results.Summary{}
	for _, d := range []float64{0.5, 0.98} {
		s := mustDefault(t)
		for k, v := range map[string]any{"target.model": "forward-looking", "target.discount": d} {
			if err := s.Set(k, v); err != nil {
				t.Fatal(err)
			}
		}
		sum, _ := run(t, s, reps, seed)
		means[d] = sum
	}
	for i, p := range means[0.5].Policies {
		lo, _ := p.Metrics.Get("settlement")
		hi, _ := means[0.98].Policies[i].Metrics.Get("settlement")
		diff := hi.Mean - lo.Mean
		se := math.Sqrt(hi.SD*hi.SD/reps + lo.SD*lo.SD/reps)
		t.Logf("%-16s discount 0.5: %.3f, 0.98: %.3f, difference %+.3f (99.9%% interval %+.3f to %+.3f)", p.Policy, lo.Mean, hi.Mean, diff, diff-3.29*se, diff+3.29*se)
		switch p.Policy {
		case "phased-snapback", "reciprocal", "max-pressure":
			if !(diff-3.29*se > 0) {
				t.Errorf("%s: patience does not raise settlement (%+.3f, 99.9%% interval from %+.3f)", p.Policy, diff, diff-3.29*se)
			}
		}
	}
}

// A results folder's scenario.toml written before coercion ran through the
// economy cannot repeat its run today, and is refused with a message that
// says so and what to do, rather than run with different results; without
// its first line it is an ordinary scenario, whose missing parameters take
// today's defaults.
func TestLegacyResolvedScenario(t *testing.T) {
	t.Parallel()
	path := filepath.Join("..", "scenarios", "testdata", "resolved-before-target-model.toml")
	_, err := scenarios.Load(path)
	if err == nil || !strings.Contains(err.Error(), "cannot repeat its run") || !strings.Contains(err.Error(), "resolved-before-target-model.toml") {
		t.Fatalf("an old resolved scenario: error %v, want one naming the file and saying its run cannot be repeated", err)
	}
	text := must(os.ReadFile(path))
	_, rest, _ := bytes.Cut(text, []byte("\n"))
	s, err := scenarios.Parse("edited.toml", rest)
	if err != nil {
		t.Fatalf("without its first line: %v", err)
	}
	if s.Params.Neighbours.NetworkGrowth != agents.DefaultNeighbours().NetworkGrowth || s.Params.Target.Model != agents.DefaultTarget().Model {
		t.Errorf("missing parameters do not take today's defaults: network_growth %v, model %q", s.Params.Neighbours.NetworkGrowth, s.Params.Target.Model)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
