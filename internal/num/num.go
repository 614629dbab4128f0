// Package num holds the floating-point primitives of the round loop that
// are faster than the standard library's: a clamp to [0, 1] and an
// exponential. Elsewhere the loop uses the min and max builtins: versions
// working on the bits took fewer instructions but made no measurable
// difference to a replication, and added more latency to a chain of
// dependent operations (about 11 cycles against 7 for a maximum).
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
