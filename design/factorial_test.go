package design

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

func TestFactorialSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		levels  []int
		want    int
		wantErr bool
	}{
		{[]int{1}, 1, false},
		{[]int{5}, 5, false},
		{[]int{2, 3, 4}, 24, false},
		{[]int{3, 1, 2}, 6, false},
		{[]int{MaxFactorialPoints}, MaxFactorialPoints, false},
		{[]int{1000, 10_000}, MaxFactorialPoints, false},
		{[]int{2, 5, 1_000_000}, MaxFactorialPoints, false},
		{nil, 0, true},
		{[]int{}, 0, true},
		{[]int{0}, 0, true},
		{[]int{3, 0, 2}, 0, true},
		{[]int{-1, -1}, 0, true}, // Product 1, but not a design.
		{[]int{math.MinInt, 2}, 0, true},
		{[]int{MaxFactorialPoints + 1}, 0, true},
		{[]int{3163, 3163}, 0, true}, // 10,004,569 cells.
		{[]int{2, 5, 1_000_001}, 0, true},
		{[]int{1 << 20, 1 << 20, 1 << 20, 1 << 20}, 0, true}, // 2^80 overflows int.
		{[]int{math.MaxInt, 2}, 0, true},
		{[]int{math.MaxInt, math.MaxInt}, 0, true},
		{slices.Repeat([]int{2}, 64), 0, true}, // 2^64 overflows int.
		{slices.Repeat([]int{2}, 23), 1 << 23, false},
		{slices.Repeat([]int{2}, 24), 0, true},
	}
	for _, tc := range tests {
		got, err := FactorialSize(tc.levels)
		if tc.wantErr {
			if err == nil {
				t.Errorf("FactorialSize(%v) = %d, want an error", tc.levels, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("FactorialSize(%v) = %d, %v, want %d", tc.levels, got, err, tc.want)
		}
	}
}

// TestFactorialCellRoundTrip checks that the cells of a design are all its
// level combinations, each once, in lexicographic order (last factor
// fastest), and that the row-major index of cell i is i.
func TestFactorialCellRoundTrip(t *testing.T) {
	t.Parallel()
	tests := [][]int{
		{1},
		{7},
		{2, 3, 4},
		{3, 1, 2},
		{1, 1, 1},
		{2, 2, 2, 2, 2},
		{5, 4, 3, 2, 1},
		{10, 100},
	}
	for _, levels := range tests {
		t.Run(fmt.Sprint(levels), func(t *testing.T) {
			t.Parallel()
			size, err := FactorialSize(levels)
			if err != nil {
				t.Fatal(err)
			}
			var prev []int
			for i := range size {
				cell := FactorialCell(nil, i, levels)
				if len(cell) != len(levels) {
					t.Fatalf("FactorialCell(nil, %d, %v) = %v", i, levels, cell)
				}
				idx := 0
				for k, l := range cell {
					if l < 0 || l >= levels[k] {
						t.Fatalf("FactorialCell(nil, %d, %v) = %v: factor %d out of range", i, levels, cell, k)
					}
					idx = idx*levels[k] + l
				}
				if idx != i {
					t.Errorf("FactorialCell(nil, %d, %v) = %v, which has index %d", i, levels, cell, idx)
				}
				if prev != nil && slices.Compare(prev, cell) >= 0 {
					t.Errorf("cells %d = %v and %d = %v are not in lexicographic order", i-1, prev, i, cell)
				}
				prev = cell
			}
		})
	}
}

func TestFactorialCellOrder(t *testing.T) {
	t.Parallel()
	levels := []int{2, 3}
	want := [][]int{{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {1, 2}}
	for i, w := range want {
		if got := FactorialCell(nil, i, levels); !slices.Equal(got, w) {
			t.Errorf("FactorialCell(nil, %d, %v) = %v, want %v", i, levels, got, w)
		}
	}
}

func TestFactorialCellDst(t *testing.T) {
	t.Parallel()
	levels := []int{2, 3, 4}
	tests := []struct {
		name  string
		dst   []int
		reuse bool
	}{
		{"nil", nil, false},
		{"short", make([]int, 2), false},
		{"short len, long cap", make([]int, 0, 5), false},
		{"exact", make([]int, 3), true},
		{"long", make([]int, 5), true},
	}
	for _, tc := range tests {
		got := FactorialCell(tc.dst, 23, levels)
		if !slices.Equal(got, []int{1, 2, 3}) {
			t.Errorf("%s: FactorialCell(dst, 23, %v) = %v, want [1 2 3]", tc.name, levels, got)
		}
		if reused := len(tc.dst) > 0 && &got[0] == &tc.dst[0]; reused != tc.reuse {
			t.Errorf("%s: reused dst = %t, want %t", tc.name, reused, tc.reuse)
		}
	}
}

func TestFactorialCellInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		i      int
		levels []int
	}{
		{0, nil},
		{0, []int{}},
		{-1, []int{2, 3}},
		{math.MinInt, []int{2, 3}},
		{6, []int{2, 3}},
		{math.MaxInt, []int{2, 3}},
		{0, []int{2, 0}},
		{0, []int{-2, -3}},
		{0, []int{MaxFactorialPoints, 2}},
		{0, []int{math.MaxInt, math.MaxInt}},
	}
	for _, tc := range tests {
		if got := FactorialCell(make([]int, 4), tc.i, tc.levels); got != nil {
			t.Errorf("FactorialCell(dst, %d, %v) = %v, want nil", tc.i, tc.levels, got)
		}
	}
}
