package sensitivity

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/stat"
)

const (
	// MaxDesignValues is the largest number of coordinates, points times
	// dimensions, of a design that MorrisDesign or SaltelliSample returns.
	MaxDesignValues = 100_000_000

	// MaxMorrisLevels is the largest number of grid levels MorrisDesign
	// accepts.
	MaxMorrisLevels = 1 << 20
)

// morrisStream is the second seed of the PCG source of MorrisDesign, which
// selects one of its streams; the first seed is the caller's.
const morrisStream = 0xda3e39cb94b95bdb

// A Trajectory is a path of D+1 points in [0,1]^D, each step between
// consecutive points changing exactly one coordinate, each coordinate
// changing at exactly one step: one elementary effect per factor.
type Trajectory struct {
	// Points holds the D+1 points, each of length D.
	Points [][]float64
}

// MorrisDelta returns the step Δ = p/(2(p-1)) of a Morris design on a grid
// of p = levels >= 2 levels, the usual choice (Morris 1991) that makes
// every level of the grid equally likely: 2/3 for SALib's default of
// p = 4.
func MorrisDelta(levels int) float64 {
	return float64(levels) / float64(2*(levels-1))
}

// MorrisDesign returns r trajectories in [0,1]^d on the grid of p = levels
// levels {0, 1/(p-1), ..., 1}, each moving every factor once by
// Δ = p/(2(p-1)) (see [MorrisDelta]), drawn as in Morris (1991) and SALib's
// morris sampler without trajectory optimisation. For each trajectory and
// each factor i independently, a base level x*_i is drawn uniformly from
// {0, 1/(p-1), ..., 1-Δ} (the p/2 levels from which a step Δ up stays in
// the grid) and a direction uniformly from up and down; the trajectory
// starts with factor i at x*_i if it goes up and at x*_i+Δ if it goes down,
// and moves the factors one at a time, in a uniformly random order, to the
// other value. Every point of the grid is thus equally likely at every
// step.
//
// The design is a deterministic function of d, r, levels and seed (for a
// given version of math/rand/v2): the random numbers come from
// rand.NewPCG(seed, 0xda3e39cb94b95bdb). The points of all trajectories
// share one backing array; each has length and capacity d.
//
// MorrisDesign returns an error unless d >= 1, r >= 2 (the standard
// deviation σ needs two elementary effects per factor), levels is even and
// 2 <= levels <= MaxMorrisLevels, and r(d+1)d <= MaxDesignValues. Levels
// must be even because then the p/2 base levels and their images x*+Δ
// split the grid in two halves of equal size, so that the design samples
// every level with the same probability; with an odd p some levels would be
// sampled more often than others (Morris 1991; SALib warns of a biased
// sample).
func MorrisDesign(d, r, levels int, seed uint64) ([]Trajectory, error) {
	switch {
	case d < 1:
		return nil, fmt.Errorf("sensitivity: Morris design with %d factors, need at least 1", d)
	case r < 2:
		return nil, fmt.Errorf("sensitivity: Morris design with %d trajectories, need at least 2 for the standard deviation of the elementary effects", r)
	case levels < 2 || levels > MaxMorrisLevels:
		return nil, fmt.Errorf("sensitivity: Morris design with %d levels, need 2 to %d", levels, MaxMorrisLevels)
	case levels%2 != 0:
		return nil, fmt.Errorf("sensitivity: Morris design with %d levels, need an even number: with step Δ = p/(2(p-1)) an odd grid is not sampled evenly (some levels more often than others)", levels)
	case d > MaxDesignValues/(d+1) || r > MaxDesignValues/((d+1)*d):
		return nil, fmt.Errorf("sensitivity: Morris design of %d trajectories of %d factors has more than %d values", r, d, MaxDesignValues)
	}
	rng := rand.New(rand.NewPCG(seed, morrisStream))
	half := levels / 2
	scale := float64(levels - 1)
	data := make([]float64, r*(d+1)*d)
	trajs := make([]Trajectory, r)
	pts := make([][]float64, r*(d+1))
	for k := range pts {
		pts[k] = data[k*d : (k+1)*d : (k+1)*d]
	}
	// from[i] and to[i] are the grid levels (integers in [0, p)) of factor
	// i before and after its step.
	from := make([]int, d)
	to := make([]int, d)
	for t := range trajs {
		for i := range d {
			lo := rng.IntN(half)
			if rng.IntN(2) == 0 {
				from[i], to[i] = lo, lo+half
			} else {
				from[i], to[i] = lo+half, lo
			}
		}
		order := rng.Perm(d)
		tp := pts[t*(d+1) : (t+1)*(d+1) : (t+1)*(d+1)]
		for i := range d {
			tp[0][i] = float64(from[i]) / scale
		}
		for k, i := range order {
			copy(tp[k+1], tp[k])
			tp[k+1][i] = float64(to[i]) / scale
		}
		trajs[t] = Trajectory{Points: tp}
	}
	return trajs, nil
}

// MorrisOptions holds the options of MorrisIndices. The zero value gives
// the defaults.
type MorrisOptions struct {
	// Resamples is the number of bootstrap resamples of the trajectories
	// for the interval on μ* (0: DefaultResamples).
	Resamples int
	// Level is the level of the interval (0: DefaultLevel).
	Level float64
	// Seed seeds the bootstrap.
	Seed uint64
	// NoiseVar is the variance of the noise in each output value, the noise
	// being independent across points (0: none). It sets NoiseFloor.
	NoiseVar float64
}

// MorrisResult holds the statistics of the elementary effects of each
// factor.
type MorrisResult struct {
	// Mu, MuStar and Sigma are, per factor, the mean elementary effect μ,
	// the mean absolute elementary effect μ* and the standard deviation σ
	// of the elementary effects (n-1 denominator).
	Mu, MuStar, Sigma []float64
	// MuStarCI is the normal bootstrap interval on μ*, resampling the
	// trajectories: μ* ± z·sd of the resampled μ*, as SALib, with the
	// lower end clipped at 0.
	MuStarCI [][2]float64
	// NoiseFloor is the μ* that a factor without effect would show from
	// the noise alone: the mean of |EE| for EE = (e' - e)/Δ with e, e'
	// independent N(0, NoiseVar), that is sqrt(2·NoiseVar)/Δ·sqrt(2/π).
	// Δ is taken from the steps given: 1/Δ is the mean of 1/|step| over all
	// steps of all trajectories (1/Δ, up to rounding, for MorrisDesign's).
	// It is 0 without NoiseVar. A μ* not clearly above NoiseFloor is
	// indistinguishable from noise.
	NoiseFloor float64
	// Effects[i][t] is the elementary effect of factor i in trajectory t.
	Effects [][]float64
}

// MorrisIndices computes Morris's elementary effects and their statistics
// from trajectories and outputs: y[t][k] is the output at point k of
// trajs[t].
//
// Each elementary effect is computed from the points given: for the step
// from point k to point k+1 of a trajectory, the one coordinate i that
// changes and its signed change h give EE_i = (y[t][k+1] - y[t][k]) / h.
// The trajectories therefore need not come from MorrisDesign, nor follow
// any order of factors, nor use the same step.
//
// MorrisIndices returns an error if there are fewer than 2 trajectories,
// if y and trajs have different lengths, if a trajectory of D factors does
// not have D+1 points of length D (D being that of the first trajectory)
// or y[t] D+1 values, if a coordinate or output is not finite, if a step
// changes no coordinate or more than one, or if a factor changes at more
// than one step of a trajectory; and if the options are out of range.
func MorrisIndices(trajs []Trajectory, y [][]float64, opts MorrisOptions) (*MorrisResult, error) {
	resamples, z, err := bootstrapSettings("MorrisIndices", opts.Resamples, opts.Level, opts.NoiseVar)
	if err != nil {
		return nil, err
	}
	r := len(trajs)
	if r < 2 {
		return nil, fmt.Errorf("sensitivity: MorrisIndices: %d trajectories, need at least 2", r)
	}
	if len(y) != r {
		return nil, fmt.Errorf("sensitivity: MorrisIndices: %d trajectories but outputs for %d", r, len(y))
	}
	d := len(trajs[0].Points) - 1
	if d < 1 {
		return nil, fmt.Errorf("sensitivity: MorrisIndices: trajectory 0 has %d points, need at least 2", d+1)
	}
	effects := make([][]float64, d)
	eeData := make([]float64, d*r)
	for i := range effects {
		effects[i] = eeData[i*r : (i+1)*r : (i+1)*r]
	}
	// step[i] is the step of the current trajectory at which factor i
	// changes, -1 if none yet.
	step := make([]int, d)
	var invStep float64
	for t, tr := range trajs {
		if len(tr.Points) != d+1 {
			return nil, fmt.Errorf("sensitivity: MorrisIndices: trajectory %d has %d points, want %d as trajectory 0", t, len(tr.Points), d+1)
		}
		if len(y[t]) != d+1 {
			return nil, fmt.Errorf("sensitivity: MorrisIndices: trajectory %d has %d points but %d outputs", t, d+1, len(y[t]))
		}
		for k, p := range tr.Points {
			if len(p) != d {
				return nil, fmt.Errorf("sensitivity: MorrisIndices: trajectory %d, point %d has %d coordinates, want %d", t, k, len(p), d)
			}
			if v := y[t][k]; !finite(v) {
				return nil, fmt.Errorf("sensitivity: MorrisIndices: output %d of trajectory %d is %v", k, t, v)
			}
		}
		// The coordinates of the first point must be finite; those of the
		// next are then finite if the one that changes is (a NaN differs
		// from everything, so it shows as a change).
		for i, x := range tr.Points[0] {
			if !finite(x) {
				return nil, fmt.Errorf("sensitivity: MorrisIndices: trajectory %d, point 0, coordinate %d is %v", t, i, x)
			}
		}
		for i := range step {
			step[i] = -1
		}
		for k := range d {
			p, q := tr.Points[k], tr.Points[k+1]
			changed := -1
			for i := range d {
				if p[i] == q[i] {
					continue
				}
				if changed >= 0 {
					return nil, fmt.Errorf("sensitivity: MorrisIndices: trajectory %d, step %d (points %d to %d) changes more than one coordinate (%d and %d)", t, k, k, k+1, changed, i)
				}
				changed = i
			}
			if changed < 0 {
				return nil, fmt.Errorf("sensitivity: MorrisIndices: trajectory %d, step %d (points %d to %d) changes no coordinate", t, k, k, k+1)
			}
			if x := q[changed]; !finite(x) {
				return nil, fmt.Errorf("sensitivity: MorrisIndices: trajectory %d, point %d, coordinate %d is %v", t, k+1, changed, x)
			}
			if s := step[changed]; s >= 0 {
				return nil, fmt.Errorf("sensitivity: MorrisIndices: trajectory %d: factor %d changes at steps %d and %d, so another factor never does", t, changed, s, k)
			}
			step[changed] = k
			h := q[changed] - p[changed]
			effects[changed][t] = (y[t][k+1] - y[t][k]) / h
			invStep += 1 / math.Abs(h)
		}
	}
	invStep /= float64(r * d)

	res := &MorrisResult{
		Mu:       make([]float64, d),
		MuStar:   make([]float64, d),
		Sigma:    make([]float64, d),
		MuStarCI: make([][2]float64, d),
		Effects:  effects,
	}
	if opts.NoiseVar > 0 {
		res.NoiseFloor = math.Sqrt(2*opts.NoiseVar) * invStep * math.Sqrt(2/math.Pi)
	}
	// absEE[t*d+i] is |EE| of factor i in trajectory t: one row per
	// trajectory, the unit of the bootstrap.
	absEE := make([]float64, r*d)
	for i, ee := range effects {
		res.Mu[i], res.Sigma[i] = stat.MeanStdDev(ee, nil)
		var sum float64
		for t, e := range ee {
			absEE[t*d+i] = math.Abs(e)
			sum += math.Abs(e)
		}
		res.MuStar[i] = sum / float64(r)
	}

	// Bootstrap over trajectories: the same resamples for all factors.
	boot := newBootstrap(opts.Seed, r, resamples)
	sums := make([]float64, resampleBlock*d)
	spreads := make([]spread, d)
	for rows := boot.next(); rows > 0; rows = boot.next() {
		boot.sums(sums, absEE, d)
		for b := range rows {
			for i, s := range sums[b*d : (b+1)*d] {
				spreads[i].add(s/float64(r), res.MuStar[i])
			}
		}
	}
	for i := range d {
		ci := interval(res.MuStar[i], z, spreads[i].stdDev())
		ci[0] = max(ci[0], 0)
		res.MuStarCI[i] = ci
	}
	return res, nil
}

// finite reports whether x is neither infinite nor NaN.
func finite(x float64) bool {
	return !math.IsNaN(x) && !math.IsInf(x, 0)
}
