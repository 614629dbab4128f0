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
// on [0, 1]: its percentiles are within 1/400.
const RoundSteps = 200

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
	x = max(min(x, MaxAbs), -MaxAbs)
	s.n++
	s.sum.add64(int64(math.Round(math.Ldexp(x, fracBits))))
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

// RoundDist is the streaming distribution of one series in one round.
type RoundDist struct {
	Sum
	Hist *Histogram
}

// Aggregate accumulates the outcomes of a study: for each policy, the
// distribution of each metric over replications, and of each series in
// each round. Aggregates of the same shape merge exactly, so a study split
// across workers or machines gives the same Aggregate as one run.
type Aggregate struct {
	// Policies are the policy names, in study order.
	Policies []string
	// Metrics and Series are the definitions of what is aggregated.
	Metrics []sim.Metric
	Series  []sim.Series
	// Rounds is the number of rounds.
	Rounds int

	metric [][]Dist        // [policy][metric]
	round  [][][]RoundDist // [policy][series][round]
}

// NewAggregate returns an empty Aggregate for the named policies of model m.
func NewAggregate(policies []string, m *sim.Model) *Aggregate {
	a := &Aggregate{Policies: policies, Metrics: m.Metrics(), Series: m.Series(), Rounds: m.Rounds}
	a.metric = make([][]Dist, len(policies))
	a.round = make([][][]RoundDist, len(policies))
	for p := range policies {
		a.metric[p] = make([]Dist, len(a.Metrics))
		for k, def := range a.Metrics {
			a.metric[p][k].Hist = metricHistogram(def)
		}
		a.round[p] = make([][]RoundDist, len(a.Series))
		for s, def := range a.Series {
			a.round[p][s] = make([]RoundDist, m.Rounds)
			for r := range a.round[p][s] {
				if def.Count {
					a.round[p][s][r].Hist = NewCountHistogram(0, def.Hi)
				} else {
					a.round[p][s][r].Hist = NewHistogram(0, def.Hi, RoundSteps)
				}
			}
		}
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
	for k := range a.metric[p] {
		d := &a.metric[p][k]
		d.Moments.Add(o.Metrics[k])
		d.Hist.Add(o.Metrics[k])
	}
	for s, series := range a.round[p] {
		vals := o.Series[s]
		for r := range series {
			series[r].Sum.Add(vals[r])
			series[r].Hist.Add(vals[r])
		}
	}
}

// Merge adds everything in o, which must have the same shape.
func (a *Aggregate) Merge(o *Aggregate) error {
	if len(o.Policies) != len(a.Policies) || o.Rounds != a.Rounds || len(o.Metrics) != len(a.Metrics) || len(o.Series) != len(a.Series) {
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
		for s := range a.round[p] {
			for r := range a.round[p][s] {
				a.round[p][s][r].Sum.Merge(&o.round[p][s][r].Sum)
				if err := a.round[p][s][r].Hist.Merge(o.round[p][s][r].Hist); err != nil {
					return fmt.Errorf("series %s: %w", a.Series[s].Key, err)
				}
			}
		}
	}
	return nil
}

// Metric returns the distribution of metric k under policy p.
func (a *Aggregate) Metric(p, k int) *Dist { return &a.metric[p][k] }

// Round returns the distribution of series s in round r (0-based) under
// policy p.
func (a *Aggregate) Round(p, s, r int) *RoundDist { return &a.round[p][s][r] }
