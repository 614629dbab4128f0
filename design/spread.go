package design

import "math/bits"

// MaxSpreadOrder is the largest design size SpreadOrder accepts.
const MaxSpreadOrder = 1 << 26

// SpreadOrder returns a run order for a design of n points that covers the
// design evenly when the experiment is cut short: a permutation of [0, n)
// where SpreadOrder(n)[k] is the index of the design point to run k-th.
//
// The order is the base-2 radical inverse (van der Corput) order: with 2^m
// the smallest power of two >= n, the k-th value is k with its m low bits
// reversed, skipping values >= n. Hence, for every r <= m, the indices that
// are multiples of 2^(m-r) come first, so every such prefix is an evenly
// spaced subset of the design. In particular, if n is a power of two, the
// first 2^r entries are exactly the multiples of n/2^r. For example,
// SpreadOrder(8) is [0 4 2 6 1 5 3 7].
//
// SpreadOrder returns an empty slice if n <= 0 and nil if n > MaxSpreadOrder.
func SpreadOrder(n int) []int {
	if n <= 0 {
		return []int{}
	}
	if n > MaxSpreadOrder {
		return nil
	}
	m := bits.Len(uint(n - 1)) // 2^m >= n > 2^(m-1)
	order := make([]int, 0, n)
	for k := uint(0); len(order) < n; k++ {
		// For m = 0 the shift count is the word size and r is 0.
		r := int(bits.Reverse(k) >> (bits.UintSize - m))
		if r < n {
			order = append(order, r)
		}
	}
	return order
}
