// Package num holds the floating-point primitives of the round loop: clamps,
// minimum and maximum, and a fast exponential. They exist for speed on the
// loop's critical path and are exact where the builtins are: the min and
// max builtins also order signed zeros and propagate NaN, which costs eight
// instructions each on amd64; these take two, because the loop never holds
// a NaN (every value is a finite function of validated parameters) and
// does not care which zero it gets.
package num

import "math"

// Clamp01 returns x limited to [0, 1], and +0 for -0; a NaN gives 0 or 1
// (by its sign bit).
// It works on the bits, without branches: a clamp's branch follows the
// random course of a replication and is often mispredicted. Non-negative
// floating-point numbers order as their bit patterns do.
func Clamp01(x float64) float64 {
	b := math.Float64bits(x)
	b &^= uint64(int64(b) >> 63) // negative: +0
	if b > one {                 // compiles to a conditional move
		b = one
	}
	return math.Float64frombits(b)
}

const one = 0x3ff0000000000000 // the bits of 1.0

// Pos returns the positive part of x, max(x, 0), and +0 for -0, without
// branches (see Clamp01). x must not be NaN.
func Pos(x float64) float64 {
	b := math.Float64bits(x)
	return math.Float64frombits(b &^ uint64(int64(b)>>63))
}

// Max returns the larger of x and y, +0 for -0 and +0, without branches:
// it compares the numbers' bits as integers, in an order that agrees with
// the numbers' (negative numbers have their magnitude bits flipped). x and
// y must not be NaN.
func Max(x, y float64) float64 {
	bx, by := math.Float64bits(x), math.Float64bits(y)
	if ordered(bx) > ordered(by) { // compiles to a conditional move
		by = bx
	}
	return math.Float64frombits(by)
}

// ordered maps the bits of a float64 to an int64 with the same order.
func ordered(b uint64) int64 { return int64(b ^ uint64(int64(b)>>63)>>1) }

// Min returns the smaller of x and y, -0 for -0 and +0, without branches
// (see Max): the target's room to comply and the running minimum of welfare
// follow the random course of a replication. x and y must not be NaN.
func Min(x, y float64) float64 {
	bx, by := math.Float64bits(x), math.Float64bits(y)
	if ordered(bx) < ordered(by) { // compiles to a conditional move
		by = bx
	}
	return math.Float64frombits(by)
}
