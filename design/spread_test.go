package design

import (
	"math"
	"slices"
	"testing"
)

func TestSpreadOrderKnown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n    int
		want []int
	}{
		{0, []int{}},
		{1, []int{0}},
		{2, []int{0, 1}},
		{3, []int{0, 2, 1}},
		{4, []int{0, 2, 1, 3}},
		{5, []int{0, 4, 2, 1, 3}},
		{6, []int{0, 4, 2, 1, 5, 3}},
		{8, []int{0, 4, 2, 6, 1, 5, 3, 7}},
		{10, []int{0, 8, 4, 2, 6, 1, 9, 5, 3, 7}},
	}
	for _, tc := range tests {
		if got := SpreadOrder(tc.n); !slices.Equal(got, tc.want) {
			t.Errorf("SpreadOrder(%d) = %v, want %v", tc.n, got, tc.want)
		}
	}
}

func TestSpreadOrderEdge(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, -1, math.MinInt} {
		if got := SpreadOrder(n); got == nil || len(got) != 0 {
			t.Errorf("SpreadOrder(%d) = %#v, want an empty slice", n, got)
		}
	}
	for _, n := range []int{MaxSpreadOrder + 1, math.MaxInt} {
		if got := SpreadOrder(n); got != nil {
			t.Errorf("SpreadOrder(%d) has length %d, want nil", n, len(got))
		}
	}
}

// TestSpreadOrderPermutation checks that SpreadOrder(n) is a permutation of
// [0, n) and that, with 2^m the smallest power of two >= n, for every r <= m
// the multiples of 2^(m-r) below n come first; for n a power of two these
// are the first 2^r entries, exactly the multiples of n/2^r.
func TestSpreadOrderPermutation(t *testing.T) {
	t.Parallel()
	for n := 0; n <= 300; n++ {
		order := SpreadOrder(n)
		if len(order) != n {
			t.Fatalf("SpreadOrder(%d) has length %d", n, len(order))
		}
		seen := make([]bool, n)
		for k, i := range order {
			if i < 0 || i >= n || seen[i] {
				t.Fatalf("SpreadOrder(%d)[%d] = %d: out of range or repeated", n, k, i)
			}
			seen[i] = true
		}
		m := 0
		for 1<<m < n {
			m++
		}
		for r := 0; r <= m; r++ {
			step := 1 << (m - r)
			count := (n + step - 1) / step // multiples of step in [0, n)
			for k, i := range order[:count] {
				if i%step != 0 {
					t.Fatalf("SpreadOrder(%d)[%d] = %d, want a multiple of %d among the first %d", n, k, i, step, count)
				}
			}
			if n == 1<<m && count != 1<<r {
				t.Fatalf("n = %d, r = %d: %d multiples of %d, want %d", n, r, count, step, 1<<r)
			}
		}
	}
}

func TestSpreadOrderLarge(t *testing.T) {
	t.Parallel()
	const n = 1<<16 + 3
	order := SpreadOrder(n)
	seen := make([]bool, n)
	for _, i := range order {
		seen[i] = true
	}
	if len(order) != n || slices.Contains(seen, false) {
		t.Errorf("SpreadOrder(%d) is not a permutation", n)
	}
}
