package plots

import (
	"github.com/tranche-sim/tranche/results"
	"gonum.org/v1/plot/vg"
)

// SweepGroup is a group of a sweep, for tests: where it is drawn, its
// points, and each policy's mean and 95% interval over them.
type SweepGroup struct {
	X      float64
	Label  string
	Points []int
	Mean   []float64    // per policy
	CI     [][2]float64 // per policy
	N      []int        // per policy
}

// SweepGroups returns the groups the sweep of metric draws for parameter
// pi of run, and whether they are equal-count bins.
func SweepGroups(run *results.ExperimentRun, metric string, pi int) ([]SweepGroup, bool) {
	v := newExperimentView(run)
	m, ok := run.Metric(metric)
	if !ok {
		return nil, false
	}
	gs, kind := v.sweepGroups(pi)
	out := make([]SweepGroup, len(gs))
	for i, g := range gs {
		out[i] = SweepGroup{X: g.x, Label: g.label, Points: g.points}
	}
	for p := range v.policies {
		for i, s := range sweepStats(m, len(v.policies), p, gs, run.Manifest.Experiment.Design == "factorial") {
			out[i].Mean = append(out[i].Mean, s.mean)
			out[i].CI = append(out[i].CI, s.ci)
			out[i].N = append(out[i].N, s.n)
		}
	}
	return out, kind == sweepBins
}

// MapCell is a cell of a map, for tests.
type MapCell struct {
	X, Y  string // the levels
	Point int
	Best  string // "" for none
	Tied  int
}

// MapCells returns the cells of the map of metric, in the axes' order.
func MapCells(run *results.ExperimentRun, metric string) ([]MapCell, bool) {
	v := newExperimentView(run)
	m, ok := run.Metric(metric)
	if !ok {
		return nil, false
	}
	cells, order, ok := v.mapCells(m)
	if !ok {
		return nil, false
	}
	var out []MapCell
	for i, col := range cells {
		for j, c := range col {
			mc := MapCell{X: run.Parameters[0].Levels[order[0][i]], Y: run.Parameters[1].Levels[order[1][j]], Point: c.point, Tied: c.tied}
			if c.best >= 0 {
				mc.Best = v.policies[c.best]
			}
			out = append(out, mc)
		}
	}
	return out, true
}

// CellLayout is cellLayout in points, for tests: the glyph's radius, and
// the lines of text.
func CellLayout(w, h float64, best string, tied int, tiedNames []string) (float64, bool, []string) {
	r, inline, lines := cellLayout(vg.Points(w), vg.Points(h), best, tied, tiedNames)
	var out []string
	for _, l := range lines {
		out = append(out, l.text)
	}
	return float64(r / vg.Points(1)), inline, out
}

// TextWidth is the width in points of s in the map's bold text.
func TextWidth(s string) float64 {
	return float64(textStyle(8.5, true).Width(s) / vg.Points(1))
}

// WinShares is winShares, for tests.
var WinShares = winShares
