package results

import (
	"encoding/json"
	"io"
	"math"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// Comparison is one policy's paired difference from the baseline on one
// metric, computed on the same replications (common random numbers).
type Comparison struct {
	Policy   string `json:"policy"`
	Baseline string `json:"baseline"`
	Metric   string `json:"metric"`
	// N is the number of replications in which both values are defined.
	N int `json:"n"`
	// MeanDiff is the mean of policy minus baseline.
	MeanDiff float64 `json:"mean_diff"`
	// CI95 is the 95% Student t interval of MeanDiff.
	CI95 [2]float64 `json:"-"` // JSON: ci95_lo and ci95_hi
	// P is the two-sided paired t-test p-value of "no difference", and
	// PHolm that p-value after Holm's correction across the policies
	// compared with the baseline on this metric (in a Ranking, across
	// every pair of policies: see Ranking).
	P     float64 `json:"p_value"`
	PHolm float64 `json:"p_holm"`
}

// Compare returns every other policy's paired difference from the baseline
// policy on every metric, in policy order then metric order.
func Compare(a *Aggregate, baseline int) []Comparison {
	var out []Comparison
	var tt tTable
	for k := range a.Metrics {
		out = append(out, compareMetric(a, baseline, k, &tt)...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		return policyIndex(a, out[i].Policy) < policyIndex(a, out[j].Policy)
	})
	return out
}

// compareMetric returns the paired differences of metric k from the
// baseline, in policy order, with Holm's adjustment over the family of
// them.
func compareMetric(a *Aggregate, baseline, k int, tt *tTable) []Comparison {
	def := a.Metrics[k]
	var out []Comparison
	for p, name := range a.Policies {
		if p == baseline {
			continue
		}
		m, swapped := a.Paired(baseline, p, k)
		mean, sd, n := m.Mean(), math.Sqrt(m.Variance()), m.N()
		ci := tt.interval(mean, sd, n)
		if swapped { // the accumulator holds baseline minus policy
			mean, ci = -mean, [2]float64{-ci[1], -ci[0]}
		}
		p := PairedTTest(mean, sd, n)
		mean, ci = roundDecimals(mean, MeanDecimals), [2]float64{roundDecimals(ci[0], MeanDecimals), roundDecimals(ci[1], MeanDecimals)}
		out = append(out, Comparison{Policy: name, Baseline: a.Policies[baseline], Metric: def.Key, N: n, MeanDiff: mean, CI95: ci, P: p})
	}
	ps := make([]float64, len(out))
	for i, c := range out {
		ps[i] = c.P
	}
	for i, q := range Holm(ps) {
		out[i].PHolm = q
	}
	return out
}

func policyIndex(a *Aggregate, name string) int {
	for i, p := range a.Policies {
		if p == name {
			return i
		}
	}
	return -1
}

// PairedTTest returns the two-sided p-value of a paired t-test of mean
// difference 0, from the differences' mean, standard deviation and count.
// When every difference is equal (sd 0) it is 1 for a zero mean and 0
// otherwise; it is NaN for fewer than two pairs.
func PairedTTest(mean, sd float64, n int) float64 {
	switch {
	case n < 2 || math.IsNaN(mean) || math.IsNaN(sd):
		return math.NaN()
	case sd == 0 && mean == 0:
		return 1
	case sd == 0:
		return 0
	}
	t := math.Abs(mean) / (sd / math.Sqrt(float64(n)))
	return 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Survival(t)
}

// Holm returns Holm's step-down adjusted p-values (Holm 1979), which
// control the family-wise error rate: sorted ascending, the i-th smallest
// (from 0) is multiplied by m-i, and running maxima keep the order. NaN
// p-values stay NaN and do not count in m.
func Holm(p []float64) []float64 {
	idx := make([]int, 0, len(p))
	for i, x := range p {
		if !math.IsNaN(x) {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(i, j int) bool { return p[idx[i]] < p[idx[j]] })
	out := make([]float64, len(p))
	for i := range out {
		out[i] = math.NaN()
	}
	m := len(idx)
	running := 0.0
	for rank, i := range idx {
		running = max(running, min(1, float64(m-rank)*p[i]))
		out[i] = running
	}
	return out
}

// ComparisonCSVHeader is the header of comparison.csv.
const ComparisonCSVHeader = "policy,baseline,metric,mean_diff,ci95_lo,ci95_hi,p_value,p_holm,n\n"

// WriteComparisonCSV writes the comparisons, one row per policy and metric.
func WriteComparisonCSV(w io.Writer, cs []Comparison) error {
	t, err := newCSVTable(w, ComparisonCSVHeader)
	if err != nil {
		return err
	}
	for _, c := range cs {
		t.row().str(c.Policy).str(c.Baseline).str(c.Metric)
		for _, x := range []float64{c.MeanDiff, c.CI95[0], c.CI95[1], c.P, c.PHolm} {
			t.num(x)
		}
		if err := t.num(float64(c.N)).end(); err != nil {
			return err
		}
	}
	return t.close()
}

// MarshalJSON writes NaN as null.
func (c Comparison) MarshalJSON() ([]byte, error) {
	return json.Marshal(comparisonJSON{c.Policy, c.Baseline, c.Metric, c.N, jsonNumber(c.MeanDiff), jsonNumber(c.CI95[0]), jsonNumber(c.CI95[1]), jsonNumber(c.P), jsonNumber(c.PHolm)})
}

// comparisonJSON is a Comparison as JSON: null for NaN, and the fields
// named as comparison.csv names them.
type comparisonJSON struct {
	Policy   string   `json:"policy"`
	Baseline string   `json:"baseline"`
	Metric   string   `json:"metric"`
	N        int      `json:"n"`
	MeanDiff *float64 `json:"mean_diff"`
	CI95Lo   *float64 `json:"ci95_lo"`
	CI95Hi   *float64 `json:"ci95_hi"`
	P        *float64 `json:"p_value"`
	PHolm    *float64 `json:"p_holm"`
}

// UnmarshalJSON reads what MarshalJSON writes, null as NaN.
func (c *Comparison) UnmarshalJSON(data []byte) error {
	var in comparisonJSON
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	*c = Comparison{Policy: in.Policy, Baseline: in.Baseline, Metric: in.Metric, N: in.N, MeanDiff: val(in.MeanDiff),
		CI95: [2]float64{val(in.CI95Lo), val(in.CI95Hi)}, P: val(in.P), PHolm: val(in.PHolm)}
	return nil
}

// Criterion is a metric and the direction in which it is better.
type Criterion struct {
	Metric string
	Higher bool
}

// TradeOffCriteria returns the criteria of the Pareto set that tranche
// reports: more settlements, less humanitarian shortfall, more
// leverage kept.
func TradeOffCriteria() []Criterion {
	return []Criterion{{"settlement", true}, {"humanitarian_shortfall", false}, {"leverage_retained", true}}
}

// Pareto returns the policies of s that no other policy beats on every
// criterion (on means): no other is at least as good on all and better on
// one.
func Pareto(s *Summary, criteria []Criterion) []string {
	val := func(p PolicySummary, c Criterion) float64 {
		st, _ := p.Metrics.Get(c.Metric)
		if c.Higher {
			return st.Mean
		}
		return -st.Mean
	}
	var out []string
	for _, p := range s.Policies {
		dominated := false
		for _, q := range s.Policies {
			if q.Policy == p.Policy {
				continue
			}
			geq, gt := true, false
			for _, c := range criteria {
				a, b := val(q, c), val(p, c)
				geq = geq && b <= a
				gt = gt || a > b
			}
			if geq && gt {
				dominated = true
				break
			}
		}
		if !dominated {
			out = append(out, p.Policy)
		}
	}
	return out
}

// Rank is one policy's place in a ranking by the objective.
type Rank struct {
	Policy string `json:"policy"`
	// Objective are the objective's statistics for this policy.
	Objective Stats `json:"objective"`
	// VsBest is the paired difference from the best policy (nil for the
	// best itself), with Holm's correction across every pair of policies
	// (see Ranking).
	VsBest *Comparison `json:"vs_best,omitempty"`
}

// Ranking orders the policies by the mean of the objective (the last
// metric of a), best first, with each policy's paired difference from the
// best. It returns nil when a has no objective.
//
// The best is chosen by the same data, so Holm's correction across the
// comparisons with it alone would not hold the error rate: a policy truly
// tied with the best would be called worse more than 5% of the time (about
// 9% for five equal policies, 15% for ten). The differences' PHolm is
// therefore Holm's correction across every pair of policies, a family that
// does not depend on which policy came out best; a policy truly as good as
// the best is called worse than it with probability at most 5%.
func Ranking(a *Aggregate, s *Summary) []Rank {
	if a.Objective == nil {
		return nil
	}
	k := len(a.Metrics) - 1
	order := make([]int, len(a.Policies))
	for i := range order {
		order[i] = i
	}
	mean := func(p int) float64 { // an undefined mean ranks last, never first
		if m := a.Metric(p, k).Mean(); !math.IsNaN(m) {
			return m
		}
		return math.Inf(-1)
	}
	sort.SliceStable(order, func(i, j int) bool { return mean(order[i]) > mean(order[j]) })
	best := order[0]
	var vs []Comparison
	for _, c := range Compare(a, best) {
		if c.Metric == "objective" {
			vs = append(vs, c)
		}
	}
	adjusted := allPairsHolm(a, k)
	for i := range vs {
		vs[i].PHolm = adjusted[[2]int{policyIndex(a, vs[i].Policy), best}]
	}
	var out []Rank
	for _, p := range order {
		st, _ := s.Policies[p].Metrics.Get("objective")
		r := Rank{Policy: a.Policies[p], Objective: st}
		for i := range vs {
			if vs[i].Policy == a.Policies[p] {
				r.VsBest = &vs[i]
			}
		}
		out = append(out, r)
	}
	return out
}

// allPairsHolm returns the paired t-test p-value of every pair of policies
// on metric k, Holm-adjusted across all the pairs, keyed by the pair in
// both orders.
func allPairsHolm(a *Aggregate, k int) map[[2]int]float64 {
	var pairs [][2]int
	var ps []float64
	for x := range a.Policies {
		for y := x + 1; y < len(a.Policies); y++ {
			m, _ := a.Paired(x, y, k)
			pairs = append(pairs, [2]int{x, y})
			ps = append(ps, PairedTTest(m.Mean(), math.Sqrt(m.Variance()), m.N()))
		}
	}
	out := map[[2]int]float64{}
	for i, q := range Holm(ps) {
		x, y := pairs[i][0], pairs[i][1]
		out[[2]int{x, y}], out[[2]int{y, x}] = q, q
	}
	return out
}

// ComparisonReport is what comparison.json holds.
type ComparisonReport struct {
	Baseline string `json:"baseline"`
	// Comparisons are every other policy's paired differences from the
	// baseline.
	Comparisons []Comparison `json:"comparisons"`
	// ParetoEfficient are the policies no other beats on all of
	// ParetoCriteria (on means).
	ParetoCriteria  []string `json:"pareto_criteria"`
	ParetoEfficient []string `json:"pareto_efficient"`
	// Objective and Ranking are present when an objective was given.
	Objective string `json:"objective,omitempty"`
	Ranking   []Rank `json:"ranking,omitempty"`
	// Leaders are, for each metric that is better one way and defined in
	// every replication, the policy best on it and the policies that
	// cannot be told apart from the best.
	Leaders []Leader `json:"leaders,omitempty"`
}

// Leader is the policy best on one metric (by mean), with every other
// policy's paired difference from it. As in a Ranking, the p-values are
// Holm-adjusted across every pair of policies on the metric, since the
// best is chosen by the same data.
type Leader struct {
	Metric string `json:"metric"`
	// Higher is true when higher values are better.
	Higher bool `json:"higher_is_better"`
	// Best is the best policy and Stats its statistics.
	Best  string `json:"best"`
	Stats Stats  `json:"stats"`
	// Tied are the policies that cannot be told apart from the best
	// (Holm-adjusted p >= 0.05), in policy order.
	Tied []string `json:"tied"`
	// VsBest are the other policies' paired differences from the best
	// (policy minus best), in policy order.
	VsBest []Comparison `json:"vs_best"`
}

// Leaders returns the leader of every metric that is better one way and
// defined in every replication, in metric order; none with fewer than two
// policies.
func Leaders(a *Aggregate, s *Summary) []Leader {
	if len(a.Policies) < 2 {
		return nil
	}
	var out []Leader
	var tt tTable
	for k, def := range a.Metrics {
		if def.Better == 0 || def.Undefined != "" || def.Key == "objective" {
			continue
		}
		best := -1
		for p := range a.Policies {
			m := a.Metric(p, k).Mean()
			if math.IsNaN(m) {
				continue
			}
			if best < 0 || float64(def.Better)*(m-a.Metric(best, k).Mean()) > 0 {
				best = p
			}
		}
		if best < 0 {
			continue
		}
		st, _ := s.Policies[best].Metrics.Get(def.Key)
		l := Leader{Metric: def.Key, Higher: def.Better > 0, Best: a.Policies[best], Stats: st}
		adjusted := allPairsHolm(a, k)
		for _, c := range compareMetric(a, best, k, &tt) {
			c.PHolm = adjusted[[2]int{policyIndex(a, c.Policy), best}]
			l.VsBest = append(l.VsBest, c)
			if !(c.PHolm < 0.05) {
				l.Tied = append(l.Tied, c.Policy)
			}
		}
		out = append(out, l)
	}
	return out
}

// NewComparisonReport builds the comparison report of a study.
func NewComparisonReport(a *Aggregate, s *Summary, baseline int) *ComparisonReport {
	r := &ComparisonReport{Baseline: a.Policies[baseline], Comparisons: Compare(a, baseline)}
	for _, c := range TradeOffCriteria() {
		dir := "-"
		if c.Higher {
			dir = "+"
		}
		r.ParetoCriteria = append(r.ParetoCriteria, dir+c.Metric)
	}
	r.ParetoEfficient = Pareto(s, TradeOffCriteria())
	r.Leaders = Leaders(a, s)
	if a.Objective != nil {
		r.Objective = a.Objective.Expr
		r.Ranking = Ranking(a, s)
	}
	return r
}

// WriteComparisonJSON writes the report as indented JSON.
func WriteComparisonJSON(w io.Writer, r *ComparisonReport) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
