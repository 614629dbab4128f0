package design

import (
	"errors"
	"fmt"

	"gonum.org/v1/gonum/stat/combin"
)

// MaxFactorialPoints is the largest number of cells of a full factorial
// design that FactorialSize accepts.
const MaxFactorialPoints = 10_000_000

// FactorialSize returns the number of cells of the full factorial design
// with levels[k] levels for factor k: the product of the level counts.
// It returns an error if there are no factors, if a factor has fewer than
// one level or if the product exceeds MaxFactorialPoints.
func FactorialSize(levels []int) (int, error) {
	if len(levels) == 0 {
		return 0, errors.New("design: full factorial design without factors")
	}
	size := 1
	for k, l := range levels {
		if l < 1 {
			return 0, fmt.Errorf("design: factor %d has %d levels, need at least 1", k, l)
		}
		// size*l > MaxFactorialPoints, without overflow.
		if size > MaxFactorialPoints/l {
			return 0, fmt.Errorf("design: full factorial design of %d factors has more than %d cells", len(levels), MaxFactorialPoints)
		}
		size *= l
	}
	return size, nil
}

// FactorialCell stores in dst the levels of cell i of the full factorial
// design with levels[k] levels for factor k, and returns it: element k is the
// level of factor k, in [0, levels[k]). If len(dst) >= len(levels),
// FactorialCell uses dst[:len(levels)]; otherwise it allocates a new slice.
//
// The cells are in lexicographic (row-major) order: the last factor varies
// fastest, as in nested loops over the factors with the last one innermost.
// This is the order of gonum's [combin.SubFor], which FactorialCell uses;
// [combin.IdxFor] is the inverse.
//
// FactorialCell returns nil if levels is not valid for FactorialSize or if i
// is not in [0, FactorialSize(levels)).
func FactorialCell(dst []int, i int, levels []int) []int {
	size, err := FactorialSize(levels)
	if err != nil || i < 0 || i >= size {
		return nil
	}
	if len(dst) >= len(levels) {
		dst = dst[:len(levels)]
	} else {
		dst = nil
	}
	return combin.SubFor(dst, i, levels)
}
