package plots

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/tranche-sim/tranche/results"
)

// The sensitivity figures of a Morris or Saltelli experiment: for each
// headline metric, one panel per output (the metric under the baseline,
// then each other policy's paired difference from the baseline), showing
// what sensitivity.csv says decides it.

// Limits of the sensitivity figures.
const (
	// morrisNamed is the number of parameters a Morris panel names: those
	// with the largest mu*.
	morrisNamed = 8
	// sobolBars is the number of parameters a Sobol' panel shows: those
	// with the largest total index.
	sobolBars = 15
	// indexLow and indexClip bound the Sobol' axis, from -indexLow to
	// indexClip: an index is a share of variance, from 0 to 1, whose
	// estimates noise can push out of it; an interval reaching beyond the
	// bounds is cut there, with an arrow.
	indexLow, indexClip = 0.5, 1.5
)

// SensitivityPanel is a panel of a sensitivity figure (morris-METRIC or
// sobol-METRIC): the output it shows, as sensitivity.csv names it (the
// metric under Policy when Versus is "", Policy minus Versus on it
// otherwise), and the parameters it names, first the most influential: a
// Sobol' panel's bars, top to bottom, ranked by the total index ST; a
// Morris panel's labelled points, ranked by mu*.
type SensitivityPanel struct {
	Policy, Versus string
	Named          []string
}

// SensitivityPanels returns the panels of the sensitivity figure of a
// metric of run, in the figure's order, or nil when Experiment draws none
// for it (a design without indices, or a metric not among the headline
// metrics run holds).
func SensitivityPanels(run *results.ExperimentRun, metric string) []SensitivityPanel {
	v := newExperimentView(run)
	var out []SensitivityPanel
	for _, m := range v.metrics {
		if m.Def.Key != metric {
			continue
		}
		for _, o := range v.sensOutputs(m) {
			p := SensitivityPanel{Policy: o.policy, Versus: o.versus}
			for _, r := range o.named() {
				p.Named = append(p.Named, r.Parameter)
			}
			out = append(out, p)
		}
	}
	return out
}

// sensDesign returns the design of the run's sensitivity indices, "morris"
// or "saltelli", or "" when it has none.
func (v *experimentView) sensDesign() string {
	x := v.run.Manifest.Experiment
	if len(v.run.Sensitivity) == 0 || x == nil || !results.SensitivityDesign(x.Design) {
		return ""
	}
	return x.Design
}

// sensitivityFigures are the sensitivity figures of each headline metric.
func (v *experimentView) sensitivityFigures() []figure {
	var figs []figure
	for _, m := range v.metrics {
		var f figure
		ok := false
		switch v.sensDesign() {
		case "morris":
			f, ok = v.morris(m)
		case "saltelli":
			f, ok = v.sobol(m)
		}
		if ok {
			figs = append(figs, f)
		}
	}
	return figs
}

// sensOutput is one output of a sensitivity figure, a panel: its main
// index ranked (mu* or ST), the companion index by parameter (sigma or
// S1), and its noise.
type sensOutput struct {
	policy, versus string
	design         string
	ranked         []results.SensitivityRow
	other          map[string]results.SensitivityRow
	// share is the share of the output's variance that is replication
	// noise (NaN when not estimated), floor Morris's noise floor.
	share, floor float64
}

// named returns the rows the panel names: the top of the ranking.
func (o *sensOutput) named() []results.SensitivityRow {
	n := sobolBars
	if o.design == "morris" {
		n = morrisNamed
	}
	var out []results.SensitivityRow
	for _, r := range o.ranked {
		if len(out) == n || math.IsNaN(r.Estimate) {
			break
		}
		out = append(out, r)
	}
	return out
}

// sensOutputs returns the outputs of a metric that sensitivity.csv has
// indices for, in panel order: the metric under the baseline, then each
// other policy minus the baseline, in the manifest's order.
func (v *experimentView) sensOutputs(m *results.ExperimentMetric) []*sensOutput {
	design := v.sensDesign()
	main, companion := results.IndexMuStar, results.IndexSigma
	if design == "saltelli" {
		main, companion = results.IndexST, results.IndexS1
	}
	if design == "" {
		return nil
	}
	base := v.run.Manifest.Baseline
	type out struct{ policy, versus string }
	outs := []out{{base, ""}}
	for _, p := range v.policies {
		if p != base {
			outs = append(outs, out{p, base})
		}
	}
	var res []*sensOutput
	for _, o := range outs {
		ranked := v.run.SensitivityRanking(m.Def.Key, o.policy, o.versus, main)
		if len(ranked) == 0 {
			continue
		}
		so := &sensOutput{policy: o.policy, versus: o.versus, design: design, ranked: ranked, other: map[string]results.SensitivityRow{},
			share: ranked[0].NoiseShare, floor: ranked[0].NoiseFloor}
		for _, r := range v.run.SensitivityRanking(m.Def.Key, o.policy, o.versus, companion) {
			so.other[r.Parameter] = r
		}
		if math.IsNaN(so.floor) || so.floor < 0 {
			so.floor = 0
		}
		res = append(res, so)
	}
	return res
}

// panelTitle is a sensitivity panel's title: the output, and its noise
// share when estimated.
func (v *experimentView) panelTitle(o *sensOutput) [2]string {
	t := [2]string{o.policy + " (baseline)", ""}
	if o.versus != "" {
		t[0] = o.policy + " minus " + o.versus
	}
	switch s := o.share; {
	case !finite(s):
	case s > 1: // the noise estimate is above the variance it is part of
		t[1] = "replication noise exceeds the variance (" + percent(s) + ")"
	default:
		t[1] = "replication noise: " + percent(s) + " of the variance"
	}
	return t
}

// panelStyle is the style of an output's panel: its policy's.
func (v *experimentView) panelStyle(o *sensOutput) Style { return v.style[o.policy] }

// sensCols is the number of columns of a grid of n sensitivity panels.
func sensCols(n int) int {
	switch {
	case n <= 2:
		return max(n, 1)
	case n == 4:
		return 2
	}
	return 3
}

// streamsWords says what the streams mean for the indices.
func (v *experimentView) streamsWords(index string) string {
	if v.run.Manifest.Experiment.Streams == "independent" {
		if index == "μ*" {
			return "independent streams: replication noise gives even an inert parameter a μ* near the noise floor"
		}
		return "independent streams: the indices are corrected for replication noise"
	}
	return fmt.Sprintf("common streams: every point shares its replications, so an inert parameter gets %s = 0 exactly", index)
}

// --- Morris ---

// morrisGlyph is the radius of a named parameter's glyph.
var morrisGlyph = vg.Points(3.2)

// xBand is a plot.Plotter shading the data area between two x values.
type xBand struct {
	lo, hi float64
	fill   color.Color
}

// Plot implements plot.Plotter.
func (b xBand) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	x0, x1 := max(trX(b.lo), c.Min.X), min(trX(b.hi), c.Max.X)
	if x1 <= x0 {
		return
	}
	c.SetColor(b.fill)
	c.Fill(vg.Rectangle{Min: vg.Point{X: x0, Y: c.Min.Y}, Max: vg.Point{X: x1, Y: c.Max.Y}}.Path())
}

// diagonal is a plot.Plotter drawing the line y = x across the data area.
type diagonal struct{ style draw.LineStyle }

// Plot implements plot.Plotter.
func (d diagonal) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	lo := max(p.X.Min, p.Y.Min)
	hi := min(p.X.Max, p.Y.Max)
	if !(hi > lo) {
		return
	}
	c.StrokeLine2(d.style, trX(lo), trY(lo), trX(hi), trY(hi))
}

// centreNote is a plot.Plotter writing a note in the middle of the data
// area: why a panel is empty.
type centreNote string

// Plot implements plot.Plotter.
func (n centreNote) Plot(c draw.Canvas, p *plot.Plot) {
	sty := textStyle(8.5, false)
	sty.Color = grey
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
	txt := wrap(sty, string(n), (c.Max.X-c.Min.X)*0.85)
	w, h := sty.Width(txt)/2+vg.Points(3), sty.Height(txt)/2+vg.Points(2)
	ctr := c.Center()
	c.SetColor(white)
	c.Fill(vg.Rectangle{Min: vg.Point{X: ctr.X - w, Y: ctr.Y - h}, Max: vg.Point{X: ctr.X + w, Y: ctr.Y + h}}.Path())
	c.FillText(sty, ctr, txt)
}

// undefined is the note of a panel without indices.
const undefined = "no index estimated: sensitivity.csv has no number here (replication noise may swamp the differences between design points)"

// finite reports whether x is a number and not infinite.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// morris is the figure of a metric's Morris indices: for each output, mu*
// across, sigma up, a point per parameter.
func (v *experimentView) morris(m *results.ExperimentMetric) (figure, bool) {
	outs := v.sensOutputs(m)
	if len(outs) == 0 {
		return figure{}, false
	}
	var panels []*plot.Plot
	var titles [][2]string
	anyFloor := false
	n := len(outs)
	cols := min(n, 2) // room for the names
	nameSize := 8.5
	for _, o := range outs {
		sty := v.panelStyle(o)
		col, ink := sty.colour(), sty.text()
		pl := newPanel("")
		pl.Add(grid(true, true))
		named := o.named()
		isNamed := map[string]bool{}
		for _, r := range named {
			isNamed[r.Parameter] = true
		}
		// The axes: from 0 to the largest mu* (with its interval) and sigma.
		xhi, yhi := o.floor, 0.0
		var rest, top ciPoints
		var topNames []string
		for _, r := range o.ranked {
			s, ok := o.other[r.Parameter]
			if !ok || !finite(r.Estimate) || !finite(s.Estimate) {
				continue
			}
			pt := ciPoint{x: r.Estimate, y: s.Estimate, xci: r.CI95}
			xhi = max(xhi, r.Estimate)
			if finite(r.CI95[1]) {
				xhi = max(xhi, r.CI95[1])
			}
			yhi = max(yhi, s.Estimate)
			if isNamed[r.Parameter] {
				top = append(top, pt)
				topNames = append(topNames, r.Parameter)
			} else {
				rest = append(rest, pt)
			}
		}
		if len(top)+len(rest) == 0 {
			pl.Add(centreNote(undefined))
		}
		if !(xhi > 0) {
			xhi = 1
		}
		if !(yhi > 0) {
			yhi = 1
		}
		pl.X.Min, pl.X.Max = 0, xhi*1.06
		pl.Y.Min, pl.Y.Max = 0, yhi*1.1
		if o.floor > 0 {
			anyFloor = true
			pl.Add(xBand{lo: 0, hi: o.floor, fill: color.NRGBA{0xee, 0xee, 0xee, 0xff}})
			pl.Add(vline{X: o.floor, Style: draw.LineStyle{Color: grey, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(2.5)}}})
		}
		pl.Add(diagonal{draw.LineStyle{Color: color.NRGBA{0xb0, 0xb0, 0xb0, 0xff}, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(1.5), vg.Points(2.5)}}})
		light := lighten(col, 0.55)
		if len(rest) > 0 {
			if xb, err := plotter.NewXErrorBars(clipX(rest, pl.X.Min, pl.X.Max)); err == nil {
				xb.LineStyle = draw.LineStyle{Color: alpha(light, 0.6), Width: vg.Points(0.6)}
				xb.CapWidth = 0
				pl.Add(xb)
			}
			if sc, err := plotter.NewScatter(rest); err == nil {
				sc.GlyphStyle = draw.GlyphStyle{Color: light, Radius: vg.Points(2), Shape: shape{circle, false}}
				pl.Add(sc)
			}
		}
		if len(top) > 0 {
			if xb, err := plotter.NewXErrorBars(clipX(top, pl.X.Min, pl.X.Max)); err == nil {
				xb.LineStyle = draw.LineStyle{Color: col, Width: vg.Points(1)}
				xb.CapWidth = vg.Points(4)
				pl.Add(xb)
			}
			if sc, err := plotter.NewScatter(top); err == nil {
				sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: morrisGlyph, Shape: sty.glyph(true)}
				pl.Add(sc)
			}
			// No-break spaces around each name keep a gap between labels.
			padded := make([]string, len(topNames))
			for i, n := range topNames {
				padded[i] = "\u00a0" + n + "\u00a0"
			}
			lab := &pointLabels{Labels: padded, Style: textStyle(nameSize, false), Radius: morrisGlyph}
			for range top {
				lab.Colors = append(lab.Colors, ink)
			}
			for _, p := range top {
				lab.XYs = append(lab.XYs, struct{ X, Y float64 }{p.x, p.y})
			}
			others := rest
			tops := top
			lab.Obstacles = func(c draw.Canvas, p *plot.Plot) []vg.Rectangle {
				trX, trY := p.Transforms(&c)
				var out []vg.Rectangle
				thick, cap := vg.Points(1.5), vg.Points(3)
				for _, pt := range tops {
					l, h := ciPoints{pt}.XError(0)
					x, y := trX(pt.x), trY(pt.y)
					x0, x1 := trX(max(pt.x-l, p.X.Min)), trX(min(pt.x+h, p.X.Max))
					out = append(out, vg.Rectangle{Min: vg.Point{X: x0, Y: y - thick}, Max: vg.Point{X: x1, Y: y + thick}},
						vg.Rectangle{Min: vg.Point{X: x0 - thick, Y: y - cap}, Max: vg.Point{X: x0 + thick, Y: y + cap}},
						vg.Rectangle{Min: vg.Point{X: x1 - thick, Y: y - cap}, Max: vg.Point{X: x1 + thick, Y: y + cap}},
						vg.Rectangle{Min: vg.Point{X: x - morrisGlyph, Y: y - morrisGlyph}, Max: vg.Point{X: x + morrisGlyph, Y: y + morrisGlyph}})
				}
				r := vg.Points(2.5)
				for _, pt := range others {
					x, y := trX(pt.x), trY(pt.y)
					out = append(out, vg.Rectangle{Min: vg.Point{X: x - r, Y: y - r}, Max: vg.Point{X: x + r, Y: y + r}})
				}
				return out
			}
			pl.Add(lab)
		}
		unit := m.Def.Unit
		if unit == "" {
			unit = "units"
		}
		pl.X.Label.Text = "μ* (" + unit + ")"
		pl.Y.Label.Text = "σ (" + unit + ")"
		panels = append(panels, pl)
		titles = append(titles, v.panelTitle(o))
	}
	neutral := color.NRGBA{0x55, 0x55, 0x55, 0xff}
	d := len(v.run.Parameters)
	var legend []legendEntry
	if d > morrisNamed {
		legend = append(legend,
			entry(fmt.Sprintf("the %d largest μ*, named", morrisNamed), glyphThumb(draw.GlyphStyle{Color: neutral, Radius: morrisGlyph, Shape: shape{circle, true}})),
			entry("other parameters", glyphThumb(draw.GlyphStyle{Color: lighten(neutral, 0.55), Radius: vg.Points(2), Shape: shape{circle, false}})))
	} else {
		legend = append(legend, entry("a parameter", glyphThumb(draw.GlyphStyle{Color: neutral, Radius: morrisGlyph, Shape: shape{circle, true}})))
	}
	legend = append(legend,
		entry("95% bootstrap interval of μ*", intervalThumb(neutral)),
		entry("σ = μ*", lineThumb(draw.LineStyle{Color: color.NRGBA{0xb0, 0xb0, 0xb0, 0xff}, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(1.5), vg.Points(2.5)}})))
	if anyFloor {
		legend = append(legend, entry("noise floor: the μ* of an inert parameter", thumb(func(c *draw.Canvas) {
			c.SetColor(color.NRGBA{0xee, 0xee, 0xee, 0xff})
			c.Fill(c.Rectangle.Path())
			x := c.Max.X - vg.Points(2)
			c.StrokeLine2(draw.LineStyle{Color: grey, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(2.5)}}, x, c.Min.Y, x, c.Max.Y)
		})))
	}
	traj := 0
	if d > 0 {
		traj = v.run.Points / (d + 1)
	}
	sub := fmt.Sprintf("Morris elementary effects of %d parameters: %d trajectories (%d design points), %d replications per policy and point; %s. "+
		"Right: influential; high: interactions or non-linear effects; near zero: negligible",
		d, traj, v.run.Points, v.run.Manifest.Replications, v.streamsWords("μ*"))
	if m.Def.Key == "objective" && v.run.Manifest.Objective != "" {
		sub += ". Objective = " + v.run.Manifest.Objective
	}
	h := header{
		title:    fmt.Sprintf("What moves %s: Morris screening", lowerFirst(metricWords(m))),
		subtitle: sub,
		legend:   legend,
	}
	rows := (n + cols - 1) / cols
	panelW := (figWidth - 2*margin - vg.Length(cols-1)*gridPadX) / vg.Length(cols)
	panelH := min(max(panelW*0.72, 2.6*vg.Inch), 3.6*vg.Inch)
	band := titleBand(titles, panelW)
	w, ht := gridFigure(h, rows, panelH+band+gridPadY)
	floorWords := ""
	if anyFloor {
		floorWords = " The shaded band ends at the noise floor (dashed), the μ* an inert parameter would get from replication noise alone: a parameter inside it cannot be told from none."
	} else if v.run.Manifest.Experiment.Streams != "independent" {
		floorWords = " With common streams every design point shares its replications: an inert parameter gets μ* = 0 exactly, so any μ* above 0 is the parameter's."
	}
	caption := fmt.Sprintf("One panel per output: %s under the baseline %s, then each other policy's difference from it (policy minus baseline, on the same replications). "+
		"Each point is a parameter: across, μ*, the mean absolute elementary effect (how much the output moves when the parameter alone moves, scaled to the parameter's whole range); up, σ, the standard deviation of those effects. "+
		"Points to the right are influential; points high up have effects that depend on the other parameters or on where in its range the parameter is (interactions or non-linear effects); points near zero are negligible. "+
		"The horizontal bar is μ*'s 95%% bootstrap interval; the %d largest μ* are named, and each panel has its own scale; the dotted line is σ = μ*.%s "+
		"A panel's title gives the share of the output's variance over the design points that is replication noise, where estimated.",
		lowerFirst(metricWords(m)), v.run.Manifest.Baseline, morrisNamed, floorWords)
	return figure{
		name:    "morris-" + v.files[m.Def.Key],
		title:   h.title,
		caption: caption,
		w:       w, h: ht,
		draw: func(c draw.Canvas) {
			drawTitledGrid(h.draw(c), panels, titles, cols, band)
		},
	}, true
}

// clipX returns points whose x intervals are cut at [lo, hi].
func clipX(pts ciPoints, lo, hi float64) ciPoints {
	out := make(ciPoints, len(pts))
	for i, p := range pts {
		p.xci = [2]float64{max(p.xci[0], lo), min(p.xci[1], hi)}
		out[i] = p
	}
	return out
}

// intervalThumb is a legend thumbnail of an interval with caps.
func intervalThumb(col color.Color) thumb {
	return func(c *draw.Canvas) {
		sty := draw.LineStyle{Color: col, Width: vg.Points(1)}
		y := c.Center().Y
		x0, x1 := c.Min.X+vg.Points(2), c.Max.X-vg.Points(2)
		c.StrokeLine2(sty, x0, y, x1, y)
		c.StrokeLine2(sty, x0, c.Min.Y+vg.Points(1), x0, c.Max.Y-vg.Points(1))
		c.StrokeLine2(sty, x1, c.Min.Y+vg.Points(1), x1, c.Max.Y-vg.Points(1))
	}
}

// --- Sobol' ---

// sobolRow is a parameter's bars in a Sobol' panel.
type sobolRow struct {
	name   string
	st, s1 results.SensitivityRow
	hasS1  bool
}

// sobolRows is a plot.Plotter drawing a Sobol' panel's rows, the first at
// the top: the parameter's name, then its ST bar and its S1 bar, each with
// its interval, and ST before the noise correction as a hollow circle.
type sobolRows struct {
	rows      []sobolRow
	col, ink  color.Color
	corrected bool
}

// Row geometry, as fractions of the pitch between rows.
const (
	sobolNameY = 0.22  // the name's centre, above the row's centre
	sobolSTY   = -0.09 // the ST bar's centre
	sobolS1Y   = -0.31 // the S1 bar's centre
	sobolBarH  = 0.085 // half a bar's height
)

// Plot implements plot.Plotter.
func (s sobolRows) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	n := len(s.rows)
	pitch := trY(1) - trY(0)
	name := textStyle(8, false)
	name.XAlign, name.YAlign = draw.XLeft, draw.YCenter
	name.Color = color.NRGBA{0x22, 0x22, 0x22, 0xff}
	x0 := trX(0)
	clip := func(x float64) (vg.Length, int) {
		switch {
		case x < p.X.Min || math.IsInf(x, -1):
			return c.Min.X, -1
		case x > p.X.Max || math.IsInf(x, 1):
			return c.Max.X, 1
		}
		return trX(x), 0
	}
	whisker := draw.LineStyle{Color: color.NRGBA{0x22, 0x22, 0x22, 0xff}, Width: vg.Points(0.9)}
	bar := func(r results.SensitivityRow, y vg.Length, fill color.Color, outline bool) {
		h := pitch * sobolBarH
		if finite(r.Estimate) {
			x1, _ := clip(r.Estimate)
			rect := vg.Rectangle{Min: vg.Point{X: min(x0, x1), Y: y - h}, Max: vg.Point{X: max(x0, x1), Y: y + h}}
			if rect.Max.X-rect.Min.X < vg.Points(0.6) { // a zero: a sliver, so it shows
				rect.Min.X, rect.Max.X = x0-vg.Points(0.3), x0+vg.Points(0.3)
			}
			c.SetColor(fill)
			c.Fill(rect.Path())
			if outline {
				c.SetLineStyle(draw.LineStyle{Color: s.col, Width: vg.Points(0.6)})
				c.Stroke(rect.Path())
			}
		}
		lo, hi := r.CI95[0], r.CI95[1]
		if math.IsNaN(lo) || math.IsNaN(hi) {
			return
		}
		xl, el := clip(lo)
		xh, eh := clip(hi)
		if xh-xl < vg.Points(0.5) && el == 0 && eh == 0 {
			return
		}
		// A white halo under the interval keeps it visible over a dark bar.
		halo := draw.LineStyle{Color: color.NRGBA{0xff, 0xff, 0xff, 0xc0}, Width: vg.Points(2)}
		capH := h + vg.Points(1.2)
		c.StrokeLine2(halo, xl, y, xh, y)
		for _, e := range [][2]int{{0, el}, {1, eh}} {
			if e[1] == 0 {
				x := []vg.Length{xl, xh}[e[0]]
				c.StrokeLine2(halo, x, y-capH, x, y+capH)
			}
		}
		c.StrokeLine2(whisker, xl, y, xh, y)
		for _, e := range []struct {
			x   vg.Length
			out int
			dir vg.Length
		}{{xl, el, -1}, {xh, eh, 1}} {
			if e.out == 0 {
				c.StrokeLine2(whisker, e.x, y-capH, e.x, y+capH)
				continue
			}
			// Cut at the axis: an arrowhead pointing out.
			a := vg.Points(3.5)
			var path vg.Path
			path.Move(vg.Point{X: e.x, Y: y})
			path.Line(vg.Point{X: e.x - e.dir*a, Y: y + a*0.6})
			path.Line(vg.Point{X: e.x - e.dir*a, Y: y - a*0.6})
			path.Close()
			c.SetColor(whisker.Color)
			c.Fill(path)
		}
	}
	for i, r := range s.rows {
		yc := trY(float64(n - 1 - i))
		// The name, on white: over the grid and the zero line, clear of
		// the bars below it.
		at := vg.Point{X: c.Min.X + vg.Points(2), Y: yc + pitch*sobolNameY}
		nh := name.FontExtents().Height
		c.SetColor(color.NRGBA{0xff, 0xff, 0xff, 0xe0})
		c.Fill(vg.Rectangle{Min: vg.Point{X: at.X - vg.Points(1), Y: at.Y - nh/2}, Max: vg.Point{X: at.X + name.Width(r.name) + vg.Points(1), Y: at.Y + nh/2}}.Path())
		c.FillText(name, at, r.name)
		bar(r.st, yc+pitch*sobolSTY, s.col, false)
		if r.hasS1 {
			bar(r.s1, yc+pitch*sobolS1Y, lighten(s.col, 0.6), true)
		}
		if u := r.st.Uncorrected; s.corrected && finite(u) && u != r.st.Estimate {
			x, out := clip(u)
			if out == 0 {
				c.DrawGlyphNoClip(draw.GlyphStyle{Color: s.ink, Radius: vg.Points(2.6), Shape: shape{circle, false}}, vg.Point{X: x, Y: yc + pitch*sobolSTY})
			}
		}
	}
}

// sobolRange is the x range of a Sobol' figure's panels, shared by all:
// from 0 (or the lowest estimate or interval below it) to the highest,
// within -indexLow and indexClip.
func sobolRange(outs []*sensOutput) (float64, float64) {
	lo, hi := 0.0, 0.0
	see := func(x float64) {
		if finite(x) {
			lo, hi = min(lo, x), max(hi, x)
		}
	}
	for _, o := range outs {
		for _, r := range o.named() {
			see(r.Estimate)
			see(r.CI95[0])
			see(r.CI95[1])
			see(r.Uncorrected)
			if s, ok := o.other[r.Parameter]; ok {
				see(s.Estimate)
				see(s.CI95[0])
				see(s.CI95[1])
			}
		}
	}
	lo, hi = max(lo, -indexLow), min(hi, indexClip)
	if hi < 0.1 {
		hi = 0.1
	}
	step := niceStep((hi - lo) / 5)
	low := step / 2 // below 0, no further than needed
	return math.Floor(lo/low+1e-9) * low, math.Ceil(hi/step-1e-9) * step
}

// sobol is the figure of a metric's Sobol' indices: for each output, the
// parameters with the largest total index, ranked, with ST and S1 bars.
func (v *experimentView) sobol(m *results.ExperimentMetric) (figure, bool) {
	outs := v.sensOutputs(m)
	if len(outs) == 0 {
		return figure{}, false
	}
	corrected := v.run.Manifest.Experiment.Streams == "independent"
	xlo, xhi := sobolRange(outs)
	var panels []*plot.Plot
	var titles [][2]string
	bars := 0
	for _, o := range outs {
		bars = max(bars, len(o.named()))
	}
	if bars == 0 {
		return figure{}, false
	}
	for _, o := range outs {
		sty := v.panelStyle(o)
		pl := newPanel("")
		pl.Add(grid(true, false))
		pl.Add(vline{X: 0, Style: draw.LineStyle{Color: color.NRGBA{0x44, 0x44, 0x44, 0xff}, Width: vg.Points(0.8)}})
		sr := sobolRows{col: sty.colour(), ink: sty.text(), corrected: corrected}
		for _, r := range o.named() {
			s1, ok := o.other[r.Parameter]
			sr.rows = append(sr.rows, sobolRow{name: r.Parameter, st: r, s1: s1, hasS1: ok})
		}
		pl.Add(sr)
		if len(sr.rows) == 0 {
			pl.Add(centreNote(undefined))
		}
		pl.X.Min, pl.X.Max = xlo, xhi
		pl.Y.Min, pl.Y.Max = float64(len(sr.rows))-float64(bars)-0.5, float64(len(sr.rows))-0.5
		ticks := make([]float64, len(sr.rows))
		labels := make([]string, len(sr.rows))
		for i := range sr.rows {
			ticks[i], labels[i] = float64(len(sr.rows)-1-i), fmt.Sprint(i+1)
		}
		pl.Y.Tick.Marker = fixedTicks(ticks, labels)
		pl.Y.Tick.Length = 0
		pl.Y.Tick.Label = textStyle(8, false)
		pl.Y.Tick.Label.XAlign, pl.Y.Tick.Label.YAlign = draw.XRight, draw.YCenter
		pl.Y.Tick.Label.Color = grey
		pl.Y.LineStyle.Width = 0
		pl.X.Label.Text = "Sobol' index (share of variance)"
		panels = append(panels, pl)
		titles = append(titles, v.panelTitle(o))
	}
	neutral := color.NRGBA{0x55, 0x55, 0x55, 0xff}
	legend := []legendEntry{
		entry("ST, total index: alone and in interactions", fillThumb(neutral)),
		entry("S1, first order: alone", thumb(func(c *draw.Canvas) {
			c.SetColor(lighten(neutral, 0.6))
			c.Fill(c.Rectangle.Path())
			c.SetLineStyle(draw.LineStyle{Color: neutral, Width: vg.Points(0.6)})
			c.Stroke(c.Rectangle.Path())
		})),
		entry("95% interval", intervalThumb(color.NRGBA{0x22, 0x22, 0x22, 0xff})),
	}
	if corrected {
		legend = append(legend, entry("ST before the noise correction", glyphThumb(draw.GlyphStyle{Color: neutral, Radius: vg.Points(2.6), Shape: shape{circle, false}})))
	}
	d := len(v.run.Parameters)
	per := d + 2 // A, B and AB_i: a base sample's points
	for _, r := range v.run.Sensitivity {
		if r.Index == results.IndexS2 {
			per = 2*d + 2 // and BA_i, for second-order indices
			break
		}
	}
	base := v.run.Points / per
	top := fmt.Sprintf("the %d parameters with the largest total index", min(sobolBars, d))
	if d <= sobolBars {
		top = "every parameter"
	}
	sub := fmt.Sprintf("Sobol' indices of %d parameters by Saltelli's scheme: %d base samples (%d design points), %d replications per policy and point; %s; %s, ranked by ST",
		d, base, v.run.Points, v.run.Manifest.Replications, v.streamsWords("ST"), top)
	if m.Def.Key == "objective" && v.run.Manifest.Objective != "" {
		sub += ". Objective = " + v.run.Manifest.Objective
	}
	h := header{
		title:    fmt.Sprintf("What decides %s: Sobol' indices", lowerFirst(metricWords(m))),
		subtitle: sub,
		legend:   legend,
	}
	n := len(panels)
	cols := sensCols(n)
	rows := (n + cols - 1) / cols
	panelW := (figWidth - 2*margin - vg.Length(cols-1)*gridPadX) / vg.Length(cols)
	panelH := vg.Points(24)*vg.Length(bars) + vg.Points(44)
	band := titleBand(titles, panelW)
	w, ht := gridFigure(h, rows, panelH+band+gridPadY)
	correction := " With common streams every design point shares its replications: an inert parameter gets exactly 0, and no correction for noise is needed."
	if corrected {
		correction = " The indices are corrected for replication noise (independent streams: each design point has its own replications); the hollow circle is ST before the correction, which noise inflates."
	}
	caption := fmt.Sprintf("One panel per output: %s under the baseline %s, then each other policy's difference from it (policy minus baseline, on the same replications). "+
		"Each panel ranks %s, from the top. ST, the total index, is the share of the output's variance over the parameters' ranges that involves the parameter, alone or with others; S1, the first-order index, the share it explains alone; ST minus S1 is what it does through interactions. "+
		"The lines are 95%% bootstrap intervals: an interval containing 0 means the data cannot tell the effect from none. Negative estimates are noise, drawn at their value; intervals beyond the axis end in an arrow.%s "+
		"A panel's title gives the share of the output's variance that is replication noise, where estimated.",
		lowerFirst(metricWords(m)), v.run.Manifest.Baseline, top, correction)
	return figure{
		name:    "sobol-" + v.files[m.Def.Key],
		title:   h.title,
		caption: caption,
		w:       w, h: ht,
		draw: func(c draw.Canvas) {
			drawTitledGrid(h.draw(c), panels, titles, cols, band)
		},
	}, true
}

// --- panels with two-line titles ---

// titleBand is the height of the band above each panel that holds its
// title (wrapped to the panel's width) and its note: the tallest of them.
func titleBand(titles [][2]string, width vg.Length) vg.Length {
	bs, ns := textStyle(panelSize, true), textStyle(labelSize-0.5, false)
	var h vg.Length
	for _, t := range titles {
		th := bs.Height(wrap(bs, t[0], width))
		if t[1] != "" {
			th += ns.Height(wrap(ns, t[1], width))
		}
		h = max(h, th)
	}
	return h + vg.Points(4)
}

// drawTitledGrid draws panels in a grid of cols columns, their data areas
// aligned, each under its title: a bold first line (the output) and a
// lighter note (its noise), centred on the panel's data area, in a band of
// the given height.
func drawTitledGrid(c draw.Canvas, panels []*plot.Plot, titles [][2]string, cols int, band vg.Length) {
	if len(panels) == 0 {
		return
	}
	ps := inRows(panels, cols)
	t := draw.Tiles{Rows: len(ps), Cols: cols, PadX: gridPadX, PadY: gridPadY}
	cs := plot.Align(ps, t, c)
	bs, ns := textStyle(panelSize, true), textStyle(labelSize-0.5, false)
	bs.XAlign, bs.YAlign = draw.XCenter, draw.YTop
	ns.XAlign, ns.YAlign = draw.XCenter, draw.YTop
	ns.Color = color.NRGBA{0x44, 0x44, 0x44, 0xff}
	for r := range ps {
		for k, p := range ps[r] {
			if p == nil {
				continue
			}
			pc := cs[r][k]
			top := pc.Max.Y
			pc.Max.Y -= band
			dc := p.DataCanvas(pc)
			x := (dc.Min.X + dc.Max.X) / 2
			width := pc.Max.X - pc.Min.X
			title := titles[r*cols+k]
			name := wrap(bs, title[0], width)
			c.FillText(bs, vg.Point{X: x, Y: top}, name)
			if title[1] != "" {
				c.FillText(ns, vg.Point{X: x, Y: top - bs.Height(name)}, wrap(ns, title[1], width))
			}
			p.Draw(pc)
		}
	}
}
