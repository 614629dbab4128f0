package sensitivity

import (
	"fmt"

	"github.com/tranche-sim/tranche/design"
)

// A SaltelliDesign holds the points of Saltelli's scheme for estimating
// Sobol' indices of D factors from N base rows: the base matrices A and B
// and the cross matrices AB_i and, for second-order indices, BA_i. All
// points are in [0,1)^D and share one backing array; each has length and
// capacity D. The matrices must not be modified.
type SaltelliDesign struct {
	// A and B are the N × D base matrices: row j of A is the first D
	// coordinates of point j+1 of the 2D-dimensional Sobol' sequence of
	// package design, row j of B its last D. Point 0, the origin, is
	// skipped: it would make the first rows of A and B equal.
	A, B [][]float64
	// AB[i] is A with column i taken from B (N × D).
	AB [][][]float64
	// BA[i] is B with column i taken from A (N × D), when the design is
	// for second-order indices; BA is nil otherwise.
	BA [][][]float64
}

// SaltelliSample returns Saltelli's design for d factors from n base rows
// (see SaltelliDesign), with the BA matrices if secondOrder is true. It
// needs n(d+2) model runs, or n(2d+2) with second order.
//
// Its points are those of SALib's
// SALib.sample.sobol.sample(problem, n, calc_second_order=secondOrder,
// scramble=False, skip_values=1), grouped by matrix instead of by base row
// (see Rows). The origin is skipped because it would give equal first rows
// in A and B (SALib's default avoids it by scrambling instead). Point 1,
// however, is (½, ..., ½) in every dimension, so the first rows of A and B
// are equal too: base row 0 has all its outputs equal and adds nothing to
// the numerators, which makes the estimates of S1 and ST shrink by about a
// factor (n-1)/n, negligible beside their sampling error for any useful n.
// More generally the unscrambled sequence repeats values across dimensions
// in its first points (Campolongo, Saltelli and Cariboni 2011, table 2):
// where A_j[i] = B_j[i], row j of AB_i equals A_j and adds nothing to the
// numerators of factor i. That happens for about 1% of the pairs (j, i) at
// n = 1024 (29 of 3072 for d = 3, 1550 of 163840 for d = 160) and 0.3% at
// n = 8192 (d = 3).
// And even for n a power of 2 (SALib's recommendation) the base rows are
// not exactly the balanced net of points 0..n-1: point n replaces the
// origin (A. B. Owen, "On dropping the first Sobol' point", 2020). The
// estimates converge all the same; the tests check them.
//
// SaltelliSample returns an error unless d >= 1, 2d <=
// design.MaxSobolDims, n >= 2 and the design has at most MaxDesignValues
// coordinates.
func SaltelliSample(d, n int, secondOrder bool) (*SaltelliDesign, error) {
	switch {
	case d < 1:
		return nil, fmt.Errorf("sensitivity: Saltelli design with %d factors, need at least 1", d)
	case 2*d > design.MaxSobolDims:
		return nil, fmt.Errorf("sensitivity: Saltelli design with %d factors needs a Sobol' sequence of %d dimensions, more than %d", d, 2*d, design.MaxSobolDims)
	case n < 2:
		return nil, fmt.Errorf("sensitivity: Saltelli design with %d base rows, need at least 2", n)
	}
	mats := d + 2
	if secondOrder {
		mats = 2*d + 2
	}
	if n > MaxDesignValues/(mats*d) || uint64(n) >= design.MaxSobolPoints {
		return nil, fmt.Errorf("sensitivity: Saltelli design of %d base rows of %d factors has more than %d values", n, d, MaxDesignValues)
	}
	sob, err := design.NewSobol(2 * d)
	if err != nil {
		return nil, err
	}
	data := make([]float64, mats*n*d)
	next := func() [][]float64 {
		m := make([][]float64, n)
		for j := range m {
			m[j] = data[:d:d]
			data = data[d:]
		}
		return m
	}
	s := &SaltelliDesign{A: next(), B: next(), AB: make([][][]float64, d)}
	p := make([]float64, 2*d)
	for j := range n {
		p = sob.Point(p, uint64(j+1))
		copy(s.A[j], p[:d])
		copy(s.B[j], p[d:])
	}
	for i := range s.AB {
		s.AB[i] = next()
		for j, row := range s.AB[i] {
			copy(row, s.A[j])
			row[i] = s.B[j][i]
		}
	}
	if secondOrder {
		s.BA = make([][][]float64, d)
		for i := range s.BA {
			s.BA[i] = next()
			for j, row := range s.BA[i] {
				copy(row, s.B[j])
				row[i] = s.A[j][i]
			}
		}
	}
	return s, nil
}

// Dims returns the number D of factors.
func (s *SaltelliDesign) Dims() int { return len(s.AB) }

// BaseRows returns the number N of base rows.
func (s *SaltelliDesign) BaseRows() int { return len(s.A) }

// Points returns the number of points of the design, N(D+2), or N(2D+2)
// with second order.
func (s *SaltelliDesign) Points() int {
	return len(s.A) * (2 + len(s.AB) + len(s.BA))
}

// Rows returns all the points of the design in SALib's order: for each base
// row j in turn, A_j, AB_0 row j, ..., AB_{D-1} row j, then BA_0 row j, ...,
// BA_{D-1} row j with second order, then B_j. The points are those of the
// design, not copies.
//
// In this order any first k(D+2) (or k(2D+2)) points form the complete
// design of the first k base rows, so an experiment cut short still has
// usable outputs (see SplitOutputs).
func (s *SaltelliDesign) Rows() [][]float64 {
	n, d := len(s.A), len(s.AB)
	rows := make([][]float64, 0, s.Points())
	for j := range n {
		rows = append(rows, s.A[j])
		for i := range d {
			rows = append(rows, s.AB[i][j])
		}
		for i := range s.BA {
			rows = append(rows, s.BA[i][j])
		}
		rows = append(rows, s.B[j])
	}
	return rows
}

// SplitOutputs returns the outputs y of the points of Rows, in that order,
// arranged by matrix for SobolIndices. The slices of the result are new;
// y is not modified. It returns an error if len(y) is not the number of
// points of the design.
func (s *SaltelliDesign) SplitOutputs(y []float64) (SobolOutputs, error) {
	if len(y) != s.Points() {
		return SobolOutputs{}, fmt.Errorf("sensitivity: SplitOutputs: %d outputs for a design of %d points", len(y), s.Points())
	}
	n, d := len(s.A), len(s.AB)
	second := s.BA != nil
	return splitOutputs(y, n, d, second), nil
}

// splitOutputs splits y, the outputs of n base rows of d factors in SALib's
// order (see SaltelliDesign.Rows), by matrix.
func splitOutputs(y []float64, n, d int, second bool) SobolOutputs {
	step := d + 2
	if second {
		step = 2*d + 2
	}
	data := make([]float64, len(y))
	next := func() []float64 {
		v := data[:n:n]
		data = data[n:]
		return v
	}
	out := SobolOutputs{A: next(), B: next(), AB: make([][]float64, d)}
	for i := range out.AB {
		out.AB[i] = next()
	}
	if second {
		out.BA = make([][]float64, d)
		for i := range out.BA {
			out.BA[i] = next()
		}
	}
	for j := range n {
		row := y[j*step : (j+1)*step]
		out.A[j] = row[0]
		for i := range d {
			out.AB[i][j] = row[1+i]
		}
		for i := range out.BA {
			out.BA[i][j] = row[1+d+i]
		}
		out.B[j] = row[step-1]
	}
	return out
}
