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

// ciPoint is a point with its 95% confidence intervals, usable as the data
// of plotter.NewXErrorBars and plotter.NewYErrorBars.
type ciPoint struct {
	x, y     float64
	xci, yci [2]float64
}

// ciPoints are points with confidence intervals; XError and YError give the
// distances from the point to the ends of its interval (0 when the interval
// is undefined).
type ciPoints []ciPoint

func (c ciPoints) Len() int                    { return len(c) }
func (c ciPoints) XY(i int) (float64, float64) { return c[i].x, c[i].y }
func (c ciPoints) XError(i int) (float64, float64) {
	return spread(c[i].x, c[i].xci)
}
func (c ciPoints) YError(i int) (float64, float64) {
	return spread(c[i].y, c[i].yci)
}

func spread(v float64, ci [2]float64) (float64, float64) {
	lo, hi := v-ci[0], ci[1]-v
	if math.IsNaN(lo) || math.IsInf(lo, 0) || lo < 0 {
		lo = 0
	}
	if math.IsNaN(hi) || math.IsInf(hi, 0) || hi < 0 {
		hi = 0
	}
	return lo, hi
}

// paretoSet returns the Pareto-efficient policies: those of the comparison
// report, or, without one, those computed from the summary.
func (st *study) paretoSet() map[string]bool {
	var names []string
	if st.run.Comparison != nil {
		names = st.run.Comparison.ParetoEfficient
	} else {
		names = results.Pareto(&st.run.Summary, results.TradeOffCriteria())
	}
	set := map[string]bool{}
	for _, n := range names {
		set[n] = true
	}
	return set
}

const (
	tradeX = "settlement"
	tradeY = "humanitarian_shortfall"
)

// capWidth is the width of the caps of the trade-off's error bars.
var capWidth = vg.Points(5)

func (st *study) tradeoff() (figure, bool) {
	f, _, ok := st.tradeoffLabelled()
	return f, ok
}

// tradeoffLabelled is tradeoff, with its labels (for tests of their
// placement).
func (st *study) tradeoffLabelled() (figure, *pointLabels, bool) {
	pareto := st.paretoSet()
	pl := newPanel("")
	pl.Add(grid(true, true))
	var pts ciPoints
	var names []string
	glyphR := vg.Points(4.5)
	for _, p := range st.policies {
		s, ok := st.summary(p)
		if !ok {
			continue
		}
		xs, okx := s.Metrics.Get(tradeX)
		ys, oky := s.Metrics.Get(tradeY)
		if !okx || !oky || math.IsNaN(xs.Mean) || math.IsNaN(ys.Mean) || math.IsInf(xs.Mean, 0) || math.IsInf(ys.Mean, 0) {
			continue
		}
		pt := ciPoints{{x: xs.Mean, y: ys.Mean, xci: xs.CI95, yci: ys.CI95}}
		bar := draw.LineStyle{Color: st.style[p].colour(), Width: vg.Points(1.1)}
		if xb, err := plotter.NewXErrorBars(pt); err == nil {
			xb.LineStyle = bar
			xb.CapWidth = capWidth
			pl.Add(xb)
		}
		if yb, err := plotter.NewYErrorBars(pt); err == nil {
			yb.LineStyle = bar
			yb.CapWidth = capWidth
			pl.Add(yb)
		}
		pts = append(pts, pt[0])
		names = append(names, p)
	}
	if len(pts) == 0 {
		return figure{}, nil, false
	}
	// Markers above the error bars of every policy.
	for k, p := range names {
		sc, err := plotter.NewScatter(ciPoints{pts[k]})
		if err != nil {
			continue
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: st.style[p].colour(), Radius: glyphR, Shape: st.style[p].glyph(pareto[p])}
		pl.Add(sc)
	}
	lab := &pointLabels{Labels: names, Style: textStyle(markSize, false), Radius: glyphR + vg.Points(1)}
	for _, p := range names {
		lab.Colors = append(lab.Colors, st.style[p].text())
	}
	for _, p := range pts {
		lab.XYs = append(lab.XYs, struct{ X, Y float64 }{p.x, p.y})
	}
	lab.Obstacles = func(c draw.Canvas, p *plot.Plot) []vg.Rectangle {
		trX, trY := p.Transforms(&c)
		var out []vg.Rectangle
		thick, cap := vg.Points(1.5), capWidth/2+vg.Points(1)
		for _, pt := range pts {
			xl, xh := ciPoints{pt}.XError(0)
			yl, yh := ciPoints{pt}.YError(0)
			x, y := trX(pt.x), trY(pt.y)
			x0, x1, y0, y1 := trX(pt.x-xl), trX(pt.x+xh), trY(pt.y-yl), trY(pt.y+yh)
			out = append(out,
				vg.Rectangle{Min: vg.Point{X: x0, Y: y - thick}, Max: vg.Point{X: x1, Y: y + thick}}, // the bars
				vg.Rectangle{Min: vg.Point{X: x - thick, Y: y0}, Max: vg.Point{X: x + thick, Y: y1}},
				vg.Rectangle{Min: vg.Point{X: x0 - thick, Y: y - cap}, Max: vg.Point{X: x0 + thick, Y: y + cap}}, // their caps
				vg.Rectangle{Min: vg.Point{X: x1 - thick, Y: y - cap}, Max: vg.Point{X: x1 + thick, Y: y + cap}},
				vg.Rectangle{Min: vg.Point{X: x - cap, Y: y0 - thick}, Max: vg.Point{X: x + cap, Y: y0 + thick}},
				vg.Rectangle{Min: vg.Point{X: x - cap, Y: y1 - thick}, Max: vg.Point{X: x + cap, Y: y1 + thick}})
		}
		return out
	}
	pl.Add(lab)

	// Room for labels at the edges.
	padRange(&pl.X, 0.08)
	padRange(&pl.Y, 0.08)
	if pl.X.Min < 0 && pl.X.Min > -0.1 {
		pl.X.Min = math.Max(pl.X.Min, -0.02)
	}
	pl.X.Label.Text = fmt.Sprintf("%s (%s, higher is better)", st.metricLabel(tradeX), st.metricUnit(tradeX))
	pl.Y.Label.Text = fmt.Sprintf("%s (%s, lower is better)", st.metricLabel(tradeY), st.metricUnit(tradeY))

	legend := []legendEntry{
		entry("Pareto-efficient", glyphThumb(draw.GlyphStyle{Color: grey, Radius: glyphR, Shape: shape{circle, true}})),
		entry("not Pareto-efficient (another policy is at least as good on all three criteria)", glyphThumb(draw.GlyphStyle{Color: grey, Radius: glyphR, Shape: shape{circle, false}})),
		entry("95% confidence interval of the mean", thumb(func(c *draw.Canvas) {
			sty := draw.LineStyle{Color: grey, Width: vg.Points(1.1)}
			y := c.Center().Y
			c.StrokeLine2(sty, c.Min.X+vg.Points(2), y, c.Max.X-vg.Points(2), y)
			c.StrokeLine2(sty, c.Min.X+vg.Points(2), c.Min.Y+vg.Points(1), c.Min.X+vg.Points(2), c.Max.Y-vg.Points(1))
			c.StrokeLine2(sty, c.Max.X-vg.Points(2), c.Min.Y+vg.Points(1), c.Max.X-vg.Points(2), c.Max.Y-vg.Points(1))
		})),
	}
	h := header{
		title:    "Trade-off: settlements against humanitarian shortfall",
		subtitle: fmt.Sprintf("Policy means over %d replications; better policies lie to the right and lower. Pareto criteria: %s", st.replications(), paretoCriteria(st.run)),
		legend:   legend,
	}
	w := figWidth
	ht := h.height(w) + 6*vg.Inch
	return figure{
		name:    "tradeoff",
		title:   h.title,
		caption: "Each point is a policy's mean probability that the episode ends in a settlement, judged on true compliance (x), and mean humanitarian shortfall (y) with 95% confidence intervals; filled points are Pareto-efficient on settlement, shortfall and leverage kept.",
		w:       w, h: ht,
		draw: func(c draw.Canvas) {
			pl.Draw(h.draw(c))
		},
	}, lab, true
}

// paretoCriteria names the criteria of the Pareto set.
func paretoCriteria(run *results.Run) string {
	var cs []string
	if run.Comparison != nil && len(run.Comparison.ParetoCriteria) > 0 {
		cs = run.Comparison.ParetoCriteria
	} else {
		for _, c := range results.TradeOffCriteria() {
			d := "-"
			if c.Higher {
				d = "+"
			}
			cs = append(cs, d+c.Metric)
		}
	}
	out := ""
	for i, c := range cs {
		if i > 0 {
			out += ", "
		}
		out += c
	}
	return out
}

// padRange widens an axis's range by a fraction of its span on each side.
func padRange(a *plot.Axis, f float64) {
	if math.IsInf(a.Min, 0) || math.IsInf(a.Max, 0) {
		return
	}
	span := a.Max - a.Min
	if span <= 0 {
		span = math.Max(math.Abs(a.Max), 1)
	}
	a.Min -= f * span
	a.Max += f * span
}
