package results

import (
	"math"
	"slices"
	"sort"

	"github.com/tranche-sim/tranche/sim"
)

// PointStats accumulates the statistics of one design point of an
// experiment: for each policy and metric the exact moments over
// replications, and for each pair of policies the moments of their paired
// differences (policies run on the same replications, so every difference
// is paired). It is reset and reused point after point; adding a
// replication allocates nothing.
type PointStats struct {
	metrics []sim.Metric
	p, m    int
	stats   []Moments // [policy*m + metric]
	pairs   []Moments // [pair(a, b)*m + metric]: b minus a, a < b
	cur     []float64 // the replication being added: [policy*m + metric]
	tt      tTable
	crit    map[[2]int]float64 // Holm's critical t by (df, pairs left)
	sig     []bool
	order   []int
	tstat   []float64
}

// NewPointStats returns an empty PointStats for the given number of
// policies and the given metrics.
func NewPointStats(policies int, metrics []sim.Metric) *PointStats {
	m := len(metrics)
	pairs := policies * (policies - 1) / 2
	return &PointStats{
		metrics: slices.Clone(metrics), p: policies, m: m,
		stats: make([]Moments, policies*m),
		pairs: make([]Moments, pairs*m),
		cur:   make([]float64, policies*m),
	}
}

// Reset empties the statistics, for the next point.
func (s *PointStats) Reset() {
	clear(s.stats)
	clear(s.pairs)
}

// Values returns where the metrics of the replication being added go for
// policy p: fill it for every policy, then call Add.
func (s *PointStats) Values(p int) []float64 { return s.cur[p*s.m : (p+1)*s.m : (p+1)*s.m] }

// Add adds the replication whose metrics Values holds.
func (s *PointStats) Add() {
	for i, x := range s.cur {
		s.stats[i].Add(x)
	}
	k := 0
	for a := range s.p {
		ya := s.cur[a*s.m : (a+1)*s.m]
		for b := a + 1; b < s.p; b++ {
			yb := s.cur[b*s.m : (b+1)*s.m]
			d := s.pairs[k*s.m : (k+1)*s.m]
			for j := range d {
				d[j].Add(yb[j] - ya[j])
			}
			k++
		}
	}
}

// pair returns the moments of policy b minus policy a on metric j, and
// whether they are stored the other way round (a minus b).
func (s *PointStats) pair(a, b, j int) (*Moments, bool) {
	swapped := a > b
	if swapped {
		a, b = b, a
	}
	// Pairs are numbered (0,1), (0,2), ..., (0,p-1), (1,2), ...
	k := a*(2*s.p-a-1)/2 + (b - a - 1)
	return &s.pairs[k*s.m+j], swapped
}

// PointRow is one row of an experiment's points table: a policy's
// statistics on one metric at one design point, and its paired difference
// from the baseline policy.
type PointRow struct {
	Policy, Metric string
	// N is the number of replications that define the metric.
	N int
	// Mean, SD and CI95 are over replications (CI95 as in Stats: Wilson's
	// for proportions, Student's t otherwise).
	Mean, SD float64
	CI95     [2]float64
	// Diff is the mean of the policy minus the baseline on the same
	// replications, with its 95% interval; NaN for the baseline itself.
	Diff     float64
	DiffCI95 [2]float64
}

// Rows appends the rows of the point to dst, policy by policy and metric
// by metric in the order given to NewPointStats, with differences from
// the baseline policy.
func (s *PointStats) Rows(dst []PointRow, policies []string, baseline int) []PointRow {
	start := len(dst)
	nan := math.NaN()
	for p := range s.p {
		for j, def := range s.metrics {
			st := s.describe(&s.stats[p*s.m+j], def.Kind)
			r := PointRow{Policy: policies[p], Metric: def.Key, N: st.N, Mean: st.Mean, SD: st.SD, CI95: st.CI95,
				Diff: nan, DiffCI95: [2]float64{nan, nan}}
			dst = append(dst, r)
		}
	}
	// Paired differences from the baseline.
	for j := range s.metrics {
		for p := range s.p {
			if p == baseline {
				continue
			}
			d, swapped := s.pair(baseline, p, j)
			mean, sd, n := d.Mean(), math.Sqrt(d.Variance()), d.N()
			ci := s.tt.interval(mean, sd, n)
			if swapped {
				mean, ci = -mean, [2]float64{-ci[1], -ci[0]}
			}
			r := &dst[start+p*s.m+j]
			r.Diff = roundDecimals(mean, MeanDecimals)
			r.DiffCI95 = [2]float64{roundDecimals(ci[0], MeanDecimals), roundDecimals(ci[1], MeanDecimals)}
		}
	}
	return dst
}

// describe returns the statistics of moments, rounded as Stats are
// (percentiles, which a point does not keep, are zero).
func (s *PointStats) describe(m *Moments, kind sim.Kind) Stats {
	return describeMoments(m, kind, &s.tt)
}

// Best is the best policy on one metric at one design point, and the
// policies that cannot be told apart from it.
type Best struct {
	Metric string
	// Policy is the policy with the best mean (higher or lower, as the
	// metric's Better says); Stats are its statistics.
	Policy string
	Stats  Stats
	// Tied are the other policies whose paired difference from the best
	// has a Holm-adjusted p-value of 0.05 or more, the adjustment made over
	// every pair of policies on the metric (as the report's headline does):
	// the data cannot tell them apart from the best.
	Tied []string
}

// Best returns, for each metric with a better direction that is defined
// in every replication, the best policy and the policies tied with it.
func (s *PointStats) Best(policies []string) []Best {
	var out []Best
	for j, def := range s.metrics {
		if def.Better == 0 || def.Undefined != "" {
			continue
		}
		best := -1
		for p := range s.p {
			m := s.stats[p*s.m+j].Mean()
			if math.IsNaN(m) {
				continue
			}
			if best < 0 || float64(def.Better)*(m-s.stats[best*s.m+j].Mean()) > 0 {
				best = p
			}
		}
		if best < 0 {
			continue
		}
		b := Best{Metric: def.Key, Policy: policies[best], Stats: s.describe(&s.stats[best*s.m+j], def.Kind)}
		sig := s.holmSignificant(j)
		for p := range s.p {
			if p == best {
				continue
			}
			a, c := min(p, best), max(p, best)
			if !sig[a*(2*s.p-a-1)/2+(c-a-1)] {
				b.Tied = append(b.Tied, policies[p])
			}
		}
		out = append(out, b)
	}
	return out
}

// holmSignificant returns, for every pair of policies in pair order,
// whether their paired difference on metric j is significant at 5% after
// Holm's adjustment over all the pairs (Holm 1979): the step-down test,
// which rejects the pairs in order of decreasing |t| while |t| exceeds
// the t quantile at 1 - 0.05/(2k), k the pairs not yet rejected. It is the
// same test as Holm-adjusted p-values below 0.05 when every pair has the
// same number of replications, as at a design point, and needs a
// quantile per rank rather than a p-value per pair.
func (s *PointStats) holmSignificant(j int) []bool {
	m := len(s.pairs) / max(s.m, 1)
	s.sig = slices.Grow(s.sig[:0], m)[:m]
	s.order = slices.Grow(s.order[:0], m)[:m]
	s.tstat = slices.Grow(s.tstat[:0], m)[:m]
	n := -1
	for k := range m {
		d := &s.pairs[k*s.m+j]
		if n < 0 {
			n = d.N()
		}
		if d.N() != n { // counts differ: fall back to p-values
			return s.holmByP(j)
		}
		mean, sd := d.Mean(), math.Sqrt(d.Variance())
		t := math.Abs(mean) / (sd / math.Sqrt(float64(n)))
		switch {
		case n < 2 || math.IsNaN(mean) || math.IsNaN(sd):
			t = math.NaN()
		case sd == 0 && mean == 0:
			t = 0
		case sd == 0:
			t = math.Inf(1)
		}
		s.tstat[k], s.order[k], s.sig[k] = t, k, false
	}
	if n < 2 {
		return s.sig
	}
	sort.SliceStable(s.order, func(a, b int) bool { return s.tstat[s.order[a]] > s.tstat[s.order[b]] })
	for i, k := range s.order {
		if !(s.tstat[k] > s.holmCritical(n-1, m-i)) {
			break
		}
		s.sig[k] = true
	}
	return s.sig
}

// holmCritical returns the t quantile at 1 - 0.05/(2k) with df degrees of
// freedom, remembered.
func (s *PointStats) holmCritical(df, k int) float64 {
	key := [2]int{df, k}
	if t, ok := s.crit[key]; ok {
		return t
	}
	if s.crit == nil {
		s.crit = map[[2]int]float64{}
	}
	t := tQuantileDF(float64(df), 1-0.05/float64(k))
	s.crit[key] = t
	return t
}

// holmByP is holmSignificant by Holm-adjusted p-values, for pairs whose
// counts differ.
func (s *PointStats) holmByP(j int) []bool {
	m := len(s.pairs) / max(s.m, 1)
	ps := make([]float64, m)
	for k := range m {
		d := &s.pairs[k*s.m+j]
		ps[k] = PairedTTest(d.Mean(), math.Sqrt(d.Variance()), d.N())
	}
	for k, q := range Holm(ps) {
		s.sig[k] = q < 0.05
	}
	return s.sig
}

// Difference is a difference of means with its 95% interval.
type Difference struct {
	N    int
	Mean float64
	CI95 [2]float64
}

// PairedDifference returns the mean of paired differences and its
// Student's t interval, from their moments; rounded as Stats are.
func PairedDifference(d *Moments) Difference {
	mean, sd, n := d.Mean(), math.Sqrt(d.Variance()), d.N()
	ci := TInterval(mean, sd, n, 0.95)
	return Difference{N: n, Mean: roundDecimals(mean, MeanDecimals),
		CI95: [2]float64{roundDecimals(ci[0], MeanDecimals), roundDecimals(ci[1], MeanDecimals)}}
}

// WelchDifference returns the difference of the means of b and a,
// measured on independent replications, with Welch's interval (Student's
// t with the Welch-Satterthwaite degrees of freedom); rounded as Stats
// are. N is the smaller of the two counts.
func WelchDifference(a, b *Moments) Difference {
	na, nb := float64(a.N()), float64(b.N())
	mean := b.Mean() - a.Mean()
	out := Difference{N: min(a.N(), b.N()), Mean: roundDecimals(mean, MeanDecimals), CI95: [2]float64{math.NaN(), math.NaN()}}
	if na < 2 || nb < 2 {
		return out
	}
	va, vb := a.Variance()/na, b.Variance()/nb
	se := math.Sqrt(va + vb)
	var t float64
	if se == 0 {
		t = 0
	} else {
		df := (va + vb) * (va + vb) / (va*va/(na-1) + vb*vb/(nb-1))
		t = tQuantileDF(df, 0.95)
	}
	out.CI95 = [2]float64{roundDecimals(mean-t*se, MeanDecimals), roundDecimals(mean+t*se, MeanDecimals)}
	return out
}
