package results

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/tranche-sim/tranche/sim"
)

// Stats summarise one metric of one policy over replications.
type Stats struct {
	// N is the number of replications in which the metric was defined.
	N int `json:"n"`
	// Mean and SD are the sample mean and standard deviation.
	Mean float64 `json:"mean"`
	SD   float64 `json:"sd"`
	// CI95 is the 95% confidence interval of the mean: Wilson's score
	// interval for proportions, Student's t interval otherwise.
	CI95 [2]float64 `json:"-"` // JSON: ci95_lo and ci95_hi
	// P05 to P95 are percentiles over replications, read off the metric's
	// histogram (within half a grid step; exact for counts).
	P05 float64 `json:"p05"`
	P25 float64 `json:"p25"`
	P50 float64 `json:"p50"`
	P75 float64 `json:"p75"`
	P95 float64 `json:"p95"`
}

// Describe summarises a metric's distribution.
func Describe(d *Dist, kind sim.Kind) Stats {
	return describe(d, kind, nil)
}

// describe is Describe with a table of t quantiles shared by the calls of
// one summary (nil for none).
func describe(d *Dist, kind sim.Kind, t *tTable) Stats {
	s := describeMoments(&d.Moments, kind, t)
	q := d.Hist.Quantiles(0.05, 0.25, 0.5, 0.75, 0.95)
	s.P05, s.P25, s.P50, s.P75, s.P95 = q[0], q[1], q[2], q[3], q[4]
	return s
}

// describeMoments is describe without the percentiles, which need a
// histogram.
func describeMoments(m *Moments, kind sim.Kind, t *tTable) Stats {
	n := m.N()
	s := Stats{N: n, Mean: m.Mean(), SD: math.Sqrt(m.Variance())}
	if kind == sim.Proportion {
		s.CI95 = Wilson(s.Mean, n, 0.95)
	} else {
		s.CI95 = t.interval(s.Mean, s.SD, n)
	}
	s.Mean, s.SD = roundDecimals(s.Mean, MeanDecimals), roundDecimals(s.SD, MeanDecimals)
	s.CI95 = [2]float64{roundDecimals(s.CI95[0], MeanDecimals), roundDecimals(s.CI95[1], MeanDecimals)}
	return s
}

// TInterval returns the two-sided confidence interval at the given level of
// a mean with sample standard deviation sd from n values, using Student's t
// with n-1 degrees of freedom (gonum distuv.StudentsT). It is NaN for n < 2.
func TInterval(mean, sd float64, n int, level float64) [2]float64 {
	if n < 2 {
		return [2]float64{math.NaN(), math.NaN()}
	}
	return tAround(mean, sd, n, tQuantile(n, level))
}

func tQuantile(n int, level float64) float64 { return tQuantileDF(float64(n-1), level) }

// tQuantileDF returns the quantile of Student's t with df degrees of
// freedom for a two-sided interval at the given level.
func tQuantileDF(df, level float64) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(1 - (1-level)/2)
}

func tAround(mean, sd float64, n int, t float64) [2]float64 {
	h := t * sd / math.Sqrt(float64(n))
	return [2]float64{mean - h, mean + h}
}

// tTable remembers the t quantiles of 95% intervals by count, for the many
// intervals of one study, whose counts are nearly always equal: the
// quantile (an inverse incomplete beta function) costs more than
// everything else an interval needs. A nil *tTable remembers nothing.
type tTable struct {
	t map[int]float64
}

// interval returns TInterval(mean, sd, n, 0.95).
func (tt *tTable) interval(mean, sd float64, n int) [2]float64 {
	if n < 2 {
		return [2]float64{math.NaN(), math.NaN()}
	}
	if tt == nil {
		return TInterval(mean, sd, n, 0.95)
	}
	t, ok := tt.t[n]
	if !ok {
		if tt.t == nil {
			tt.t = map[int]float64{}
		}
		t = tQuantile(n, 0.95)
		tt.t[n] = t
	}
	return tAround(mean, sd, n, t)
}

// Wilson returns Wilson's score interval at the given level for a
// proportion p observed in n trials. Unlike the normal interval it stays
// inside [0, 1] and is not degenerate when p is 0 or 1.
func Wilson(p float64, n int, level float64) [2]float64 {
	if n < 1 {
		return [2]float64{math.NaN(), math.NaN()}
	}
	z := distuv.UnitNormal.Quantile(1 - (1-level)/2)
	nf := float64(n)
	z2 := z * z / nf
	center := (p + z2/2) / (1 + z2)
	half := z / (1 + z2) * math.Sqrt(p*(1-p)/nf+z2/(4*nf))
	return [2]float64{max(center-half, 0), min(center+half, 1)}
}
