package design_test

import (
	"fmt"
	"log"

	"github.com/tranche-sim/tranche/design"
)

// The first points of the two-dimensional sequence are those of SciPy's
// scipy.stats.qmc.Sobol(d=2, scramble=False).
func ExampleSobol() {
	s, err := design.NewSobol(2)
	if err != nil {
		log.Fatal(err)
	}
	p := make([]float64, s.Dims())
	for i := range uint64(8) {
		p = s.Point(p, i)
		fmt.Println(p)
	}
	// Output:
	// [0 0]
	// [0.5 0.5]
	// [0.75 0.25]
	// [0.25 0.75]
	// [0.375 0.375]
	// [0.875 0.875]
	// [0.625 0.125]
	// [0.125 0.625]
}

// Each coordinate of a Latin hypercube sample of n points has one point in
// each of the n strata [j/n, (j+1)/n). The example prints the strata j of
// the points.
func ExampleLatinHypercube() {
	const n = 5
	points, err := design.LatinHypercube(n, 3, 42)
	if err != nil {
		log.Fatal(err)
	}
	strata := make([]int, 3)
	for _, p := range points {
		for k, x := range p {
			strata[k] = int(x * n)
		}
		fmt.Println(strata)
	}
	// Output:
	// [2 1 3]
	// [4 4 0]
	// [1 2 1]
	// [0 3 4]
	// [3 0 2]
}

func ExampleFactorialCell() {
	levels := []int{2, 3} // two factors, with 2 and 3 levels
	size, err := design.FactorialSize(levels)
	if err != nil {
		log.Fatal(err)
	}
	var cell []int
	for i := range size {
		cell = design.FactorialCell(cell, i, levels)
		fmt.Println(i, cell)
	}
	// Output:
	// 0 [0 0]
	// 1 [0 1]
	// 2 [0 2]
	// 3 [1 0]
	// 4 [1 1]
	// 5 [1 2]
}

// Running a design of 8 points in spread order, any first 2, 4 or 8 runs
// are evenly spaced.
func ExampleSpreadOrder() {
	fmt.Println(design.SpreadOrder(8))
	fmt.Println(design.SpreadOrder(6))
	// Output:
	// [0 4 2 6 1 5 3 7]
	// [0 4 2 1 5 3]
}
