// Package num holds the floating-point primitives of the round loop: clamps,
// minimum and maximum, and a fast exponential. They exist for speed on the
// loop's critical path and are exact where the builtins are: the min and
// max builtins also order signed zeros and propagate NaN, which costs eight
// instructions each on amd64; these take two, because the loop never holds
// a NaN (every value is a finite function of validated parameters) and
// does not care which zero it gets.
package num

// Clamp01 returns x limited to [0, 1]. It returns +0 for -0 and for NaN.
func Clamp01(x float64) float64 {
	if !(x > 0) {
		return 0
	}
	if x > 1 {
		return 1
	}
	return x
}

// Max returns the larger of x and y; if they are equal, or either is NaN,
// it returns y.
func Max(x, y float64) float64 {
	if x > y {
		return x
	}
	return y
}

// Min returns the smaller of x and y; if they are equal, or either is NaN,
// it returns y.
func Min(x, y float64) float64 {
	if x < y {
		return x
	}
	return y
}
