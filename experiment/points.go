package experiment

import (
	"fmt"
	"math"
	"strconv"

	"github.com/tranche-sim/tranche/design"
	"github.com/tranche-sim/tranche/sensitivity"
)

// points generates the design points of an experiment. Point k is a pure
// function of the experiment (its design, parameters, samples and seed)
// and k, so any process, and any shard, generates the points it runs.
//
// Points are numbered in the order they run, which covers the design
// evenly from the start: a Sobol' sequence is balanced at every power of
// two, a Latin hypercube's points are in random order, and a factorial
// design's cells are taken in bit-reversed order (design.SpreadOrder), so
// an experiment cut short has sampled the whole space.
type points struct {
	e      *Experiment
	n      int
	levels []int         // factorial: levels per parameter
	order  []int         // factorial: run order -> cell
	lhs    [][]float64   // lhs: the unit points
	sobol  *design.Sobol // sobol
	morris []sensitivity.Trajectory
	salt   *sensitivity.SaltelliDesign
}

// newPoints prepares the design of e.
func newPoints(e *Experiment) (*points, error) {
	pt := &points{e: e, n: e.Points()}
	var err error
	switch e.Design {
	case Factorial:
		for _, p := range e.Parameters {
			pt.levels = append(pt.levels, len(p.Levels))
		}
		if _, err = design.FactorialSize(pt.levels); err == nil {
			pt.order = design.SpreadOrder(pt.n)
		}
	case LHS:
		pt.lhs, err = design.LatinHypercube(pt.n, len(e.Parameters), e.Seed)
	case Sobol:
		pt.sobol, err = design.NewSobol(len(e.Parameters))
	case Morris:
		pt.morris, err = sensitivity.MorrisDesign(len(e.Parameters), e.Samples, e.MorrisLevels, e.Seed)
	case Saltelli:
		pt.salt, err = sensitivity.SaltelliSample(len(e.Parameters), e.Samples, e.SecondOrder)
	default:
		err = fmt.Errorf("unknown design %q", e.Design)
	}
	if err != nil {
		return nil, fmt.Errorf("experiment %s: design: %w", e.Name, err)
	}
	return pt, nil
}

// scratch is a worker's buffers for generating points.
type scratch struct {
	unit  []float64
	cell  []int
	index []int // factorial: each parameter's level index
}

// values returns point k's parameter values (each a float64, int64,
// string or bool) in dst.
func (pt *points) values(k int, dst []any, sc *scratch) []any {
	dst = dst[:0]
	ps := pt.e.Parameters
	switch pt.e.Design {
	case Factorial:
		sc.cell = design.FactorialCell(sc.cell[:0], pt.order[k], pt.levels)
		sc.index = append(sc.index[:0], sc.cell...)
		for i, p := range ps {
			dst = append(dst, p.Levels[sc.cell[i]])
		}
		return dst
	case LHS:
		sc.unit = append(sc.unit[:0], pt.lhs[k]...)
	case Sobol:
		if cap(sc.unit) < len(ps) {
			sc.unit = make([]float64, len(ps))
		}
		sc.unit = pt.sobol.Point(sc.unit[:len(ps)], uint64(k))
	case Morris, Saltelli:
		sc.unit = append(sc.unit[:0], pt.unit(k)...)
	}
	for i, p := range ps {
		dst = append(dst, p.at(sc.unit[i]))
	}
	return dst
}

// cellOf returns the factorial cell run at position k and its level
// indexes, and positionOf the position of a cell.
func (pt *points) cellIndex(k int, dst []int) []int {
	return design.FactorialCell(dst[:0], pt.order[k], pt.levels)
}

// at returns the parameter's value at u in [0, 1).
func (p *Parameter) at(u float64) any {
	if len(p.Levels) > 0 {
		i := min(int(u*float64(len(p.Levels))), len(p.Levels)-1)
		return p.Levels[max(i, 0)]
	}
	if p.Type == "integer" {
		lo, hi := p.Range[0], p.Range[1]
		v := lo + math.Floor(u*(hi-lo+1))
		return int64(min(max(v, lo), hi))
	}
	return scale(p.Range, u, p.Distribution == LogUniform)
}

// formatValue writes a parameter value for a CSV field.
func formatValue(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// unit returns the unit-cube coordinates of point k of a Morris or
// Saltelli design (shared: do not modify).
func (pt *points) unit(k int) []float64 {
	d := len(pt.e.Parameters)
	if pt.morris != nil {
		return pt.morris[k/(d+1)].Points[k%(d+1)]
	}
	j, m, i := pt.role(k)
	switch m {
	case "A":
		return pt.salt.A[j]
	case "B":
		return pt.salt.B[j]
	case "AB":
		return pt.salt.AB[i][j]
	}
	return pt.salt.BA[i][j]
}

// role returns a Saltelli design point's base row, its matrix ("A", "B",
// "AB" or "BA") and, for AB and BA, the parameter whose column it takes
// from the other matrix. Points run base row by base row, each row as
// A, AB_1..AB_D, [BA_1..BA_D], B (SALib's order).
func (pt *points) role(k int) (base int, matrix string, param int) {
	d := len(pt.e.Parameters)
	block := d + 2
	if pt.e.SecondOrder {
		block = 2*d + 2
	}
	base, r := k/block, k%block
	switch {
	case r == 0:
		return base, "A", -1
	case r == block-1:
		return base, "B", -1
	case r <= d:
		return base, "AB", r - 1
	}
	return base, "BA", r - d - 1
}

// roleValues returns point k's role columns.
func (pt *points) roleValues(k int) []string {
	d := len(pt.e.Parameters)
	switch pt.e.Design {
	case Morris:
		return []string{strconv.Itoa(k / (d + 1)), strconv.Itoa(k % (d + 1))}
	case Saltelli:
		j, m, i := pt.role(k)
		col := ""
		if i >= 0 {
			col = pt.e.Parameters[i].Name
		}
		return []string{strconv.Itoa(j), m, col}
	}
	return nil
}
