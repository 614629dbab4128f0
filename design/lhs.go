package design

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distmv"
	"gonum.org/v1/gonum/stat/samplemv"
)

// MaxLatinHypercubeValues is the largest number of values, points times
// dimensions, that LatinHypercube generates.
const MaxLatinHypercubeValues = 50_000_000

// lhsStream is the second seed of the PCG source of LatinHypercube, which
// selects one of its streams; the first seed is the caller's.
const lhsStream = 0x9e3779b97f4a7c15

// LatinHypercube returns a Latin hypercube sample of n points in [0,1)^dims:
// for every dimension k and every stratum j in [0, n), exactly one point p
// has j/n <= p[k] < (j+1)/n (up to rounding at the edges of the strata),
// and its position within the stratum is uniformly random. The sample is a
// deterministic function of n, dims and seed (for a given version of
// math/rand/v2).
//
// The points are those that gonum's samplemv.LatinHypercube draws from
// distmv.NewUnitUniform(dims, nil) with the source
// rand.NewPCG(seed, 0x9e3779b97f4a7c15) (McKay, Beckman and Conover 1979),
// except that a coordinate that rounds up to 1 is replaced by the largest
// float64 below 1.
//
// The points share one backing array; each has length and capacity dims.
// LatinHypercube returns an error unless n >= 1, dims >= 1 and n*dims <=
// MaxLatinHypercubeValues.
func LatinHypercube(n, dims int, seed uint64) ([][]float64, error) {
	if err := checkLatinHypercube(n, dims); err != nil {
		return nil, err
	}
	data := make([]float64, n*dims)
	latinHypercube(data, n, dims, rand.NewPCG(seed, lhsStream))
	points := make([][]float64, n)
	for i := range points {
		points[i] = data[i*dims : (i+1)*dims : (i+1)*dims]
	}
	return points, nil
}

// checkLatinHypercube returns an error unless n >= 1, dims >= 1 and
// n*dims <= MaxLatinHypercubeValues.
func checkLatinHypercube(n, dims int) error {
	switch {
	case n < 1:
		return fmt.Errorf("design: Latin hypercube of %d points, need at least 1", n)
	case dims < 1:
		return fmt.Errorf("design: Latin hypercube of dimension %d, need at least 1", dims)
	case n > MaxLatinHypercubeValues/dims:
		return fmt.Errorf("design: Latin hypercube of %d points in %d dimensions has more than %d values", n, dims, MaxLatinHypercubeValues)
	}
	return nil
}

// latinHypercube fills the row-major n×dims matrix data with a Latin
// hypercube sample in [0,1)^dims drawn from src by gonum's
// samplemv.LatinHypercube over the unit hypercube, moving a coordinate
// that rounds up to 1 (u/n + (n-1)/n can) to the largest float64 below 1.
func latinHypercube(data []float64, n, dims int, src rand.Source) {
	m := mat.NewDense(n, dims, data)
	samplemv.LatinHypercube{Q: distmv.NewUnitUniform(dims, nil), Src: src}.Sample(m)
	below1 := math.Nextafter(1, 0)
	for i, x := range data {
		if x >= 1 {
			data[i] = below1
		}
	}
}
