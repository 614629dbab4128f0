package results

import (
	"fmt"
	"math"

	"github.com/tranche-sim/tranche/sim"
)

// MetricSteps is the number of grid steps of a level metric's histogram:
// its percentiles are within half a step, 1/2000 of its range.
const MetricSteps = 1000

// RoundSteps is the number of grid steps of a per-round series' histogram
// on [0, 1]: its percentiles are within 1/200.
const RoundSteps = 100

// Sum accumulates a count and an exact fixed-point sum (see Moments); it is
// the cheaper half of Moments, for per-round means.
type Sum struct {
	n   int64
	sum int128
}

// Add adds x; NaN is skipped.
func (s *Sum) Add(x float64) {
	if math.IsNaN(x) {
		return
	}
	s.n++
	s.sum.add64(fixed(x))
}

// Merge adds o.
func (s *Sum) Merge(o *Sum) {
	s.n += o.n
	s.sum.addWide(o.sum)
}

// Mean returns the mean, correctly rounded; NaN when empty.
func (s *Sum) Mean() float64 {
	m := Moments{n: s.n, sum: s.sum}
	return m.Mean()
}

// Dist is the streaming distribution of one quantity: exact moments and a
// histogram for percentiles.
type Dist struct {
	Moments
	Hist *Histogram
}

// Aggregate accumulates the outcomes of a study: for each policy, the
// distribution of each metric over replications, and of each series in
// each round. Aggregates of the same shape merge exactly, so a study split
// across workers or machines gives the same Aggregate as one run.
type Aggregate struct {
	// Policies are the policy names, in study order.
	Policies []string
	// Metrics are the definitions of the metrics aggregated: the model's,
	// then "objective" when an objective was given.
	Metrics []sim.Metric
	// Series are the definitions of the per-round series.
	Series []sim.Series
	// Rounds is the number of rounds.
	Rounds int
	// Objective is the user's objective, or nil.
	Objective *Objective

	metric [][]Dist     // [policy][metric]
	round  []*roundGrid // [policy]
	pairs  [][]Moments  // [a*len(Policies)+b][metric]: metric of b minus metric of a, a < b
	rows   [][]float64  // scratch: one replication's metrics per policy
}

// NewAggregate returns an empty Aggregate for the named policies of model m,
// with an optional objective (nil for none).
func NewAggregate(policies []string, m *sim.Model, obj *Objective) *Aggregate {
	metrics := m.Metrics()
	if obj != nil {
		metrics = append(metrics, obj.Metric(metrics))
	}
	return newAggregate(policies, metrics, m.Series(), m.Rounds, obj)
}

// newAggregate returns an empty Aggregate of the given shape.
func newAggregate(policies []string, metrics []sim.Metric, series []sim.Series, rounds int, obj *Objective) *Aggregate {
	a := &Aggregate{Policies: policies, Metrics: metrics, Series: series, Rounds: rounds, Objective: obj}
	n := len(policies)
	a.pairs = make([][]Moments, n*n)
	for i := range a.pairs {
		if i/n < i%n {
			a.pairs[i] = make([]Moments, len(a.Metrics))
		}
	}
	a.rows = make([][]float64, n)
	for p := range a.rows {
		a.rows[p] = make([]float64, len(a.Metrics))
	}
	a.metric = make([][]Dist, len(policies))
	a.round = make([]*roundGrid, len(policies))
	for p := range policies {
		a.metric[p] = make([]Dist, len(a.Metrics))
		for k, def := range a.Metrics {
			a.metric[p][k].Hist = metricHistogram(def)
		}
		a.round[p] = newRoundGrid(a.Series, rounds)
	}
	return a
}

func metricHistogram(def sim.Metric) *Histogram {
	if def.Kind == sim.Level {
		return NewHistogram(def.Lo, def.Hi, MetricSteps)
	}
	return NewCountHistogram(def.Lo, def.Hi)
}

// Add adds the outcome of one replication under policy p.
func (a *Aggregate) Add(p int, o *sim.Outcome) {
	row := a.extend(p, o.Metrics[:])
	for k := range a.metric[p] {
		d := &a.metric[p][k]
		d.Moments.Add(row[k])
		d.Hist.Add(row[k])
	}
	a.round[p].add(o.Series)
}

// extend returns metrics, plus the objective if there is one, in policy p's
// scratch row.
func (a *Aggregate) extend(p int, metrics []float64) []float64 {
	row := a.rows[p]
	copy(row, metrics)
	if a.Objective != nil {
		row[len(row)-1] = a.Objective.Eval(metrics)
	}
	return row
}

// AddPaired adds the paired differences of one replication between every
// two policies: metrics(p) returns the model metrics of policy p in that
// replication. Differences involving an undefined (NaN) value are skipped.
func (a *Aggregate) AddPaired(metrics func(p int) []float64) {
	n := len(a.Policies)
	for p := range n {
		a.extend(p, metrics(p))
	}
	for x := range n {
		for y := x + 1; y < n; y++ {
			pair := a.pairs[x*n+y]
			rx, ry := a.rows[x], a.rows[y]
			for k := range pair {
				pair[k].Add(ry[k] - rx[k]) // NaN if either is NaN: skipped
			}
		}
	}
}

// Paired returns the moments of metric k of policy y minus policy x over
// the replications where both are defined. For x > y it returns the
// moments of x minus y with swapped = true.
func (a *Aggregate) Paired(x, y, k int) (m *Moments, swapped bool) {
	n := len(a.Policies)
	if x < y {
		return &a.pairs[x*n+y][k], false
	}
	return &a.pairs[y*n+x][k], true
}

// Merge adds everything in o, which must have the same shape.
func (a *Aggregate) Merge(o *Aggregate) error {
	if len(o.Policies) != len(a.Policies) || o.Rounds != a.Rounds || len(o.Metrics) != len(a.Metrics) || len(o.Series) != len(a.Series) || (o.Objective == nil) != (a.Objective == nil) {
		return fmt.Errorf("aggregates differ in shape: %d policies x %d rounds and %d x %d", len(a.Policies), a.Rounds, len(o.Policies), o.Rounds)
	}
	for p := range a.metric {
		if a.Policies[p] != o.Policies[p] {
			return fmt.Errorf("aggregates differ: policy %d is %q and %q", p, a.Policies[p], o.Policies[p])
		}
		for k := range a.metric[p] {
			a.metric[p][k].Moments.Merge(&o.metric[p][k].Moments)
			if err := a.metric[p][k].Hist.Merge(o.metric[p][k].Hist); err != nil {
				return fmt.Errorf("metric %s: %w", a.Metrics[k].Key, err)
			}
		}
		for q := range a.Policies {
			for k := range a.pairs[p*len(a.Policies)+q] {
				a.pairs[p*len(a.Policies)+q][k].Merge(&o.pairs[p*len(a.Policies)+q][k])
			}
		}
		if err := a.round[p].merge(o.round[p]); err != nil {
			return err
		}
	}
	return nil
}

// Metric returns the distribution of metric k under policy p.
func (a *Aggregate) Metric(p, k int) *Dist { return &a.metric[p][k] }

// Round returns the distribution of series s in round r (0-based) under
// policy p.
func (a *Aggregate) Round(p, s, r int) RoundDist { return a.round[p].dist(s, r) }
