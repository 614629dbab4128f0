package plots

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/tranche-sim/tranche/results"
)

// differenceMetrics are the metrics of the forest plot of differences from
// the baseline, in panel order; "objective" is added when the comparisons
// have it.
var differenceMetrics = []string{"settlement", "breakdown", "humanitarian_shortfall", "leverage_retained"}

// significance is the Holm-adjusted p-value under which a difference is
// drawn filled.
const significance = 0.05

// vline is a plot.Plotter drawing a vertical line across the data area.
type vline struct {
	X     float64
	Style draw.LineStyle
}

func (v vline) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	x := trX(v.X)
	if x < c.Min.X || x > c.Max.X {
		return
	}
	c.StrokeLine2(v.Style, x, c.Min.Y, x, c.Max.Y)
}

func (v vline) DataRange() (xmin, xmax, ymin, ymax float64) {
	return v.X, v.X, math.Inf(1), math.Inf(-1)
}

func (st *study) differences() (figure, bool) {
	cmp := st.run.Comparison
	if cmp == nil || len(st.policies) < 2 {
		return figure{}, false
	}
	metrics := append([]string(nil), differenceMetrics...)
	for _, c := range cmp.Comparisons {
		if c.Metric == "objective" {
			metrics = append(metrics, "objective")
			break
		}
	}
	// Rows: the policies compared with the baseline, first at the top.
	var rows []string
	for _, p := range st.policies {
		if p == cmp.Baseline {
			continue
		}
		for _, c := range cmp.Comparisons {
			if c.Policy == p {
				rows = append(rows, p)
				break
			}
		}
	}
	if len(rows) == 0 {
		return figure{}, false
	}
	n := len(rows)
	yOf := func(k int) float64 { return float64(n - 1 - k) }
	ticks := make([]float64, n)
	for k := range rows {
		ticks[k] = yOf(k)
	}

	cols := 3
	switch {
	case len(metrics) == 4:
		cols = 2
	case len(metrics) < 3:
		cols = len(metrics)
	}
	var panels []*plot.Plot
	for k, key := range metrics {
		pl := newPanel(st.metricLabel(key))
		pl.Add(grid(true, true))
		pl.Add(vline{X: 0, Style: draw.LineStyle{Color: black, Width: vg.Points(0.9), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}}})
		for j, p := range rows {
			c, ok := findComparison(cmp.Comparisons, p, key)
			if !ok || math.IsNaN(c.MeanDiff) || math.IsInf(c.MeanDiff, 0) {
				continue
			}
			pt := ciPoints{{x: c.MeanDiff, y: yOf(j), xci: c.CI95}}
			if xb, err := plotter.NewXErrorBars(pt); err == nil {
				xb.LineStyle = draw.LineStyle{Color: st.style[p].colour(), Width: vg.Points(1.2)}
				xb.CapWidth = vg.Points(4)
				pl.Add(xb)
			}
			if sc, err := plotter.NewScatter(pt); err == nil {
				sig := !math.IsNaN(c.PHolm) && c.PHolm < significance
				sc.GlyphStyle = draw.GlyphStyle{Color: st.style[p].colour(), Radius: vg.Points(3.6), Shape: st.style[p].glyph(sig)}
				pl.Add(sc)
			}
		}
		pl.Y.Min, pl.Y.Max = -0.7, float64(n)-0.3
		if k%cols == 0 {
			pl.Y.Tick.Marker = fixedTicks(ticks, rows)
		} else {
			pl.Y.Tick.Marker = blankTickLabels{fixedTicks(ticks, rows)}
		}
		pl.Y.Tick.Length = 0
		padRange(&pl.X, 0.06)
		if pl.X.Min > pl.X.Max { // no data: show the zero line
			pl.X.Min, pl.X.Max = -1, 1
		}
		unit, hint := "objective units", "higher is better"
		if key != "objective" {
			unit, hint = st.metricUnit(key), st.betterHint(key)
		}
		pl.X.Label.Text = withHint("difference in "+unit, hint)
		panels = append(panels, pl)
	}
	sub := fmt.Sprintf("Policy minus %s on the same replications (common random numbers), mean and 95%% CI", cmp.Baseline)
	if cmp.Objective != "" {
		sub += "\nobjective = " + cmp.Objective
	}
	h := header{
		title:    fmt.Sprintf("Paired differences from the baseline, %s", cmp.Baseline),
		subtitle: sub,
		legend: []legendEntry{
			entry(fmt.Sprintf("Holm-adjusted p < %g", significance), glyphThumb(draw.GlyphStyle{Color: grey, Radius: vg.Points(3.6), Shape: shape{circle, true}})),
			entry("not significant", glyphThumb(draw.GlyphStyle{Color: grey, Radius: vg.Points(3.6), Shape: shape{circle, false}})),
			entry("no difference", lineThumb(draw.LineStyle{Color: black, Width: vg.Points(0.9), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}})),
		},
	}
	nr := (len(panels) + cols - 1) / cols
	panelH := max(rowH, vg.Points(16)*vg.Length(n)+vg.Points(70))
	w, ht := gridFigure(h, nr, panelH)
	return figure{
		name:    "differences",
		title:   h.title,
		caption: fmt.Sprintf("Each row is a policy's mean paired difference from %s with its 95%% confidence interval; filled points differ significantly after Holm's correction, and the dashed line marks no difference.", cmp.Baseline),
		w:       w, h: ht,
		draw: func(c draw.Canvas) {
			drawGrid(h.draw(c), panels, cols)
		},
	}, true
}

func findComparison(cs []results.Comparison, policy, metric string) (results.Comparison, bool) {
	for _, c := range cs {
		if c.Policy == policy && c.Metric == metric {
			return c, true
		}
	}
	return results.Comparison{}, false
}
