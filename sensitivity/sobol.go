package sensitivity

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/stat"
)

// ErrConstantOutput is returned (wrapped) by SobolIndices when the outputs
// at the base points A and B are all equal: Var(Y) is 0 and the indices
// are undefined.
var ErrConstantOutput = errors.New("sensitivity: outputs constant over the base matrices, Sobol' indices undefined")

// SobolOutputs holds the outputs of a function at the points of a
// SaltelliDesign, arranged by matrix; see SaltelliDesign.SplitOutputs for
// outputs listed in the order of SaltelliDesign.Rows.
type SobolOutputs struct {
	// A[j] and B[j] are the outputs at row j of A and of B, j = 0..N-1.
	A, B []float64
	// AB[i][j] is the output at row j of AB_i.
	AB [][]float64
	// BA[i][j] is the output at row j of BA_i, for second-order indices;
	// nil otherwise.
	BA [][]float64
}

// SobolOptions holds the options of SobolIndices. The zero value gives the
// defaults.
type SobolOptions struct {
	// Resamples is the number of bootstrap resamples of the N base rows
	// (0: DefaultResamples).
	Resamples int
	// Level is the level of the intervals (0: DefaultLevel).
	Level float64
	// Seed seeds the bootstrap.
	Seed uint64
	// NoiseVar is the variance σ² of the noise in each output value, the
	// noise being independent across points, as with independent
	// replication streams; 0: none. For outputs that are means of R
	// replications it is the within-point variance divided by R. The
	// correction does not apply when points share random numbers (common
	// random numbers across the points of a base row make their noises
	// correlated, and the differences fA − fAB_i carry less than 2σ²).
	NoiseVar float64
}

// SobolResult holds Sobol' indices and their intervals. Each interval is
// the normal bootstrap interval estimate ± z·sd of the resampled
// estimates, as SALib's; it is (-Inf, +Inf) if the variance in the
// denominator of some resample is not positive.
type SobolResult struct {
	// S1 and ST are the first-order and total-order indices, corrected for
	// the noise when NoiseVar > 0 (equal to S1Raw and STRaw otherwise),
	// and S1CI and STCI their intervals. They are NaN when the noise
	// variance is at least Variance: the outputs then show no variance
	// beyond the noise.
	S1, ST     []float64
	S1CI, STCI [][2]float64
	// S1Raw and STRaw are the indices without the noise correction, and
	// S1RawCI and STRawCI their intervals.
	S1Raw, STRaw     []float64
	S1RawCI, STRawCI [][2]float64
	// S2[i][j] is the second-order index of factors i < j, noise-corrected
	// like S1, and S2CI[i][j] its interval; the other entries (i >= j) are
	// NaN. S2 and S2CI are nil without BA outputs.
	S2   [][]float64
	S2CI [][][2]float64
	// S2Raw and S2RawCI are S2 and S2CI without the noise correction.
	S2Raw   [][]float64
	S2RawCI [][][2]float64
	// Variance is Var(Y), the estimator's denominator: the population
	// variance of the outputs at A and B together, noise included.
	Variance float64
	// NoiseShare is NoiseVar/Variance, the share of Var(Y) that is noise
	// rather than the effect of the factors.
	NoiseShare float64
}

// SobolIndices estimates Sobol' indices from the outputs of a function at
// the points of a SaltelliDesign (or of any design with the same
// structure), as SALib's SALib.analyze.sobol.analyze does:
//
//	S1_i = mean(fB·(fAB_i − fA)) / V                     (Saltelli et al. 2010)
//	ST_i = mean((fA − fAB_i)²) / 2 / V                   (Jansen 1999)
//	S2_ij = mean(fBA_i·fAB_j − fA·fB) / V − S1_i − S1_j   (Saltelli 2002)
//
// where all outputs are first centred by subtracting their overall mean
// (which S1 and S2 depend on; ST and V do not), and V is the population
// variance of the 2N values of fA and fB together. The intervals come from
// a bootstrap over the N base rows: each resample draws N rows with
// replacement (the same rows for every index) and recomputes every
// estimate, V included; the standard deviation of the resampled estimates
// gives estimate ± z·sd.
//
// # Noise correction
//
// When each output is f(x) + e, with e independent across points, mean 0
// and variance σ² = opts.NoiseVar, then, up to terms of order σ²/N:
//
//   - E[V] = V_f + σ², V_f being the variance of f, because the noise adds
//     its variance to every value;
//   - E[mean((fA − fAB_i)²)/2] = V_f·ST_i + σ², because fA − fAB_i carries
//     the difference of two independent noises, of variance 2σ²;
//   - the numerators of S1 and S2 are unbiased, because each term is a
//     product of outputs at different points, whose noises are
//     independent with mean 0 and so average out.
//
// So the corrected estimates are V_c = V − σ², ST_i = (num_T,i − σ²)/V_c,
// S1_i = num_1,i/V_c and S2_ij = num_2,ij/V_c − S1_i − S1_j. Each
// bootstrap resample is corrected the same way. The raw estimates, which
// read noise as an effect (a factor without effect gets ST ≈ σ²/V), are
// kept in the Raw fields. A NoiseVar of at least V leaves nothing to
// attribute to the factors: the corrected indices are then NaN.
//
// SobolIndices returns an error if there are fewer than 2 base rows or no
// AB outputs, if the slices do not all have length N (BA, when present,
// must have as many slices as AB), if an output is not finite, or if the
// options are out of range; and an error wrapping ErrConstantOutput if the
// outputs at A and B are all equal.
func SobolIndices(out SobolOutputs, opts SobolOptions) (*SobolResult, error) {
	return sobolIndices(out, opts, pairChunkValues)
}

// pairChunkValues is the number of values, pairs times base rows, of the
// second-order terms that SobolIndices computes at a time for the
// bootstrap.
const pairChunkValues = 1 << 18

// sobolIndices is SobolIndices computing the second-order terms of at most
// max(1, chunkValues/N) pairs at a time.
func sobolIndices(out SobolOutputs, opts SobolOptions, chunkValues int) (*SobolResult, error) {
	resamples, z, err := bootstrapSettings("SobolIndices", opts.Resamples, opts.Level, opts.NoiseVar)
	if err != nil {
		return nil, err
	}
	n, d, err := checkSobolOutputs(out)
	if err != nil {
		return nil, err
	}
	second := out.BA != nil

	// Centre every output by the overall mean, as SALib does.
	var total float64
	count := 0
	for _, v := range slices.Concat([][]float64{out.A, out.B}, out.AB, out.BA) {
		total += floats.Sum(v)
		count += len(v)
	}
	mean := total / float64(count)
	centred := func(v []float64) []float64 {
		c := make([]float64, len(v))
		for j, x := range v {
			c[j] = x - mean
		}
		return c
	}
	a, b := centred(out.A), centred(out.B)
	ab := make([][]float64, d)
	for i := range ab {
		ab[i] = centred(out.AB[i])
	}
	var ba [][]float64
	if second {
		ba = make([][]float64, d)
		for i := range ba {
			ba[i] = centred(out.BA[i])
		}
	}

	v := stat.PopVariance(slices.Concat(a, b), nil)
	sigma2 := opts.NoiseVar
	vc := v - sigma2
	res := &SobolResult{
		S1Raw:      make([]float64, d),
		STRaw:      make([]float64, d),
		S1RawCI:    make([][2]float64, d),
		STRawCI:    make([][2]float64, d),
		S1:         make([]float64, d),
		ST:         make([]float64, d),
		S1CI:       make([][2]float64, d),
		STCI:       make([][2]float64, d),
		Variance:   v,
		NoiseShare: sigma2 / v,
	}
	// corrected: the corrected estimates differ from the raw ones and are
	// defined; with noise and vc <= 0 they are NaN.
	corrected := sigma2 > 0 && vc > 0

	// values holds one row of m = 2D+2 values per base row j: fB·(fAB_i −
	// fA) for each factor i, then (fA − fAB_i)²/2 for each i, then
	// fA² + fB² and fA + fB. Their means give the estimates and their
	// bootstrap sums every resampled estimate.
	m := 2*d + 2
	values := make([]float64, n*m)
	num1 := make([]float64, d)
	numT := make([]float64, d)
	for j := range n {
		row := values[j*m : (j+1)*m]
		for i := range d {
			diff := ab[i][j] - a[j]
			g1, gT := b[j]*diff, diff*diff/2
			row[i], row[d+i] = g1, gT
			num1[i] += g1
			numT[i] += gT
		}
		row[2*d] = a[j]*a[j] + b[j]*b[j]
		row[2*d+1] = a[j] + b[j]
	}
	nf := float64(n)
	for i := range d {
		num1[i] /= nf
		numT[i] /= nf
		res.S1Raw[i] = num1[i] / v
		res.STRaw[i] = numT[i] / v
		switch {
		case corrected:
			res.S1[i] = num1[i] / vc
			res.ST[i] = (numT[i] - sigma2) / vc
		case sigma2 > 0:
			res.S1[i] = math.NaN()
			res.ST[i] = math.NaN()
		}
	}

	// Second order: the pairs i < j in order, and their estimates.
	var pairs [][2]int
	if second {
		res.S2Raw, res.S2RawCI = nanMatrix(d)
		res.S2, res.S2CI = nanMatrix(d)
		for i := range d {
			for j := i + 1; j < d; j++ {
				pairs = append(pairs, [2]int{i, j})
			}
		}
		for _, ij := range pairs {
			i, j := ij[0], ij[1]
			var sum float64
			for k := range n {
				sum += ba[i][k]*ab[j][k] - a[k]*b[k]
			}
			num := sum / nf
			res.S2Raw[i][j] = num/v - res.S1Raw[i] - res.S1Raw[j]
			if corrected {
				res.S2[i][j] = num/vc - res.S1[i] - res.S1[j]
			}
		}
	}

	// Bootstrap: for each resample of the base rows, the resampled V
	// (from the sums of fA² + fB² and fA + fB), then every index.
	boot := newBootstrap(opts.Seed, n, resamples)
	sums := make([]float64, resampleBlock*m)
	sp1Raw := make([]spread, d)
	spTRaw := make([]spread, d)
	sp1 := make([]spread, d)
	spT := make([]spread, d)
	// Per resample of a block: V.
	vb := make([]float64, resampleBlock)
	// Per resample of a block and factor: S1 raw and corrected, for S2.
	s1b := make([]float64, resampleBlock*d)
	s1cb := make([]float64, resampleBlock*d)
	var (
		chunk     int
		pairVals  []float64
		pairSums  []float64
		sp2Raw    []spread
		sp2       []spread
		twoN      = 2 * nf
		boundless = math.Inf(1)
	)
	if second {
		chunk = min(len(pairs), max(1, chunkValues/n))
		pairVals = make([]float64, n*chunk)
		pairSums = make([]float64, resampleBlock*chunk)
		sp2Raw = make([]spread, len(pairs))
		sp2 = make([]spread, len(pairs))
	}
	for nb := boot.next(); nb > 0; nb = boot.next() {
		boot.sums(sums, values, m)
		for r := range nb {
			rs := sums[r*m : (r+1)*m]
			mean := rs[2*d+1] / twoN
			vb[r] = rs[2*d]/twoN - mean*mean
			vcb := vb[r] - sigma2
			for i := range d {
				n1, nT := rs[i]/nf, rs[d+i]/nf
				x1, xT := boundless, boundless
				if vb[r] > 0 {
					x1, xT = n1/vb[r], nT/vb[r]
				}
				s1b[r*d+i] = x1
				sp1Raw[i].add(x1, res.S1Raw[i])
				spTRaw[i].add(xT, res.STRaw[i])
				if !corrected {
					continue
				}
				x1, xT = boundless, boundless
				if vcb > 0 {
					x1, xT = n1/vcb, (nT-sigma2)/vcb
				}
				s1cb[r*d+i] = x1
				sp1[i].add(x1, res.S1[i])
				spT[i].add(xT, res.ST[i])
			}
		}
		for p0 := 0; p0 < len(pairs); p0 += chunk {
			pc := min(chunk, len(pairs)-p0)
			pv := pairVals[:n*pc]
			for k := range n {
				row := pv[k*pc : (k+1)*pc]
				ab2 := a[k] * b[k]
				for q, ij := range pairs[p0 : p0+pc] {
					row[q] = ba[ij[0]][k]*ab[ij[1]][k] - ab2
				}
			}
			boot.sums(pairSums, pv, pc)
			for r := range nb {
				ps := pairSums[r*pc : (r+1)*pc]
				vcb := vb[r] - sigma2
				for q, ij := range pairs[p0 : p0+pc] {
					i, j, p := ij[0], ij[1], p0+q
					num := ps[q] / nf
					x := boundless
					if vb[r] > 0 {
						x = num/vb[r] - s1b[r*d+i] - s1b[r*d+j]
					}
					sp2Raw[p].add(x, res.S2Raw[i][j])
					if !corrected {
						continue
					}
					x = boundless
					if vcb > 0 {
						x = num/vcb - s1cb[r*d+i] - s1cb[r*d+j]
					}
					sp2[p].add(x, res.S2[i][j])
				}
			}
		}
	}
	for i := range d {
		res.S1RawCI[i] = interval(res.S1Raw[i], z, sp1Raw[i].stdDev())
		res.STRawCI[i] = interval(res.STRaw[i], z, spTRaw[i].stdDev())
		if sigma2 > 0 {
			res.S1CI[i] = interval(res.S1[i], z, sp1[i].stdDev())
			res.STCI[i] = interval(res.ST[i], z, spT[i].stdDev())
		}
	}
	for p, ij := range pairs {
		i, j := ij[0], ij[1]
		res.S2RawCI[i][j] = interval(res.S2Raw[i][j], z, sp2Raw[p].stdDev())
		if sigma2 > 0 {
			res.S2CI[i][j] = interval(res.S2[i][j], z, sp2[p].stdDev())
		}
	}
	if sigma2 == 0 {
		// Without noise the corrected estimates are the raw ones; copy
		// them exactly rather than trust the arithmetic to agree.
		copy(res.S1, res.S1Raw)
		copy(res.ST, res.STRaw)
		copy(res.S1CI, res.S1RawCI)
		copy(res.STCI, res.STRawCI)
		for i := range res.S2 {
			copy(res.S2[i], res.S2Raw[i])
			copy(res.S2CI[i], res.S2RawCI[i])
		}
	}
	return res, nil
}

// checkSobolOutputs returns the number of base rows and of factors of out,
// or an error if out is not a valid set of outputs.
func checkSobolOutputs(out SobolOutputs) (n, d int, err error) {
	n, d = len(out.A), len(out.AB)
	switch {
	case n < 2:
		return 0, 0, fmt.Errorf("sensitivity: SobolIndices: %d base rows, need at least 2", n)
	case len(out.B) != n:
		return 0, 0, fmt.Errorf("sensitivity: SobolIndices: %d outputs for A but %d for B", n, len(out.B))
	case d < 1:
		return 0, 0, errors.New("sensitivity: SobolIndices: no AB outputs, need one slice per factor")
	case out.BA != nil && len(out.BA) != d:
		return 0, 0, fmt.Errorf("sensitivity: SobolIndices: %d AB slices but %d BA slices", d, len(out.BA))
	}
	check := func(name string, v []float64) error {
		if len(v) != n {
			return fmt.Errorf("sensitivity: SobolIndices: %s has %d outputs, want %d as A", name, len(v), n)
		}
		for j, x := range v {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("sensitivity: SobolIndices: output %d of %s is %v", j, name, x)
			}
		}
		return nil
	}
	if err := check("A", out.A); err != nil {
		return 0, 0, err
	}
	if err := check("B", out.B); err != nil {
		return 0, 0, err
	}
	for i, v := range out.AB {
		if err := check(fmt.Sprintf("AB[%d]", i), v); err != nil {
			return 0, 0, err
		}
	}
	for i, v := range out.BA {
		if err := check(fmt.Sprintf("BA[%d]", i), v); err != nil {
			return 0, 0, err
		}
	}
	if !slices.ContainsFunc(out.A[1:], func(x float64) bool { return x != out.A[0] }) &&
		!slices.ContainsFunc(out.B, func(x float64) bool { return x != out.A[0] }) {
		return 0, 0, fmt.Errorf("%w (all %d equal %v)", ErrConstantOutput, 2*n, out.A[0])
	}
	return n, d, nil
}

// nanMatrix returns a d × d matrix of NaN and a d × d matrix of NaN
// intervals.
func nanMatrix(d int) ([][]float64, [][][2]float64) {
	m := make([][]float64, d)
	ci := make([][][2]float64, d)
	nan := math.NaN()
	for i := range m {
		m[i] = make([]float64, d)
		ci[i] = make([][2]float64, d)
		for j := range m[i] {
			m[i][j] = nan
			ci[i][j] = [2]float64{nan, nan}
		}
	}
	return m, ci
}
