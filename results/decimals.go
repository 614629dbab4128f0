package results

import "math"

// Numbers in a results folder are written with no more digits than they
// carry. Means, standard deviations and intervals come from exact
// fixed-point sums of values rounded to multiples of 2^-32, so they are
// within 2^-33 (1.2e-10) of the mean of the values themselves; their last
// binary digits would print as noise (0.7969999999960419 for 0.797).
// Percentiles are points of a histogram's grid, computed in floating point
// (-0.31699999999999995 for -0.317). Both are rounded to decimals they
// truly hold before they are reported.

// MeanDecimals is the number of decimal places of reported means, standard
// deviations and confidence intervals: 9, coarser than the fixed-point
// sums' resolution of about 1e-10.
const MeanDecimals = 9

// ObjectiveDecimals is the number of decimal places of a replication's
// objective value: a weighted sum computed in floating point, exact to far
// fewer digits than a float64 prints (0.1*3 is 0.30000000000000004).
const ObjectiveDecimals = 12

// roundDecimals returns x rounded to d decimal places: the float64 nearest
// to that decimal. NaN, infinities and numbers too large to carry d
// decimals come back unchanged.
func roundDecimals(x float64, d int) float64 {
	p := math.Pow10(d)
	y := x * p
	if math.IsNaN(y) || math.IsInf(y, 0) || math.Abs(y) >= 1<<52 {
		return x
	}
	r := math.Round(y) / p
	if r == 0 {
		return 0 // not -0
	}
	return r
}

// gridDecimals is the number of decimal places that tell the points of a
// grid with the given step apart, plus one.
func gridDecimals(step float64) int {
	if !(step > 0) || math.IsInf(step, 0) {
		return 0
	}
	return max(0, int(math.Ceil(-math.Log10(step)))+1)
}
