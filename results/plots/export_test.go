package plots

import (
	"github.com/tranche-sim/tranche/results"
	"gonum.org/v1/plot/vg"
)

// FigureSizes returns the size in pixels, at the PNG resolution (96 dpi),
// of each figure All draws for run, by name.
func FigureSizes(run *results.Run) map[string][2]int {
	size := map[string][2]int{}
	for _, f := range newStudy(run).figures() {
		size[f.name] = [2]int{int(f.w/vg.Inch*96 + 0.5), int(f.h/vg.Inch*96 + 0.5)}
	}
	return size
}
