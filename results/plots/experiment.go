package plots

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/tranche-sim/tranche/results"
)

// Experiment draws the figures of an experiment's results folder into dir
// (created if needed) in the given format and returns them in a stable
// order: for a Morris or Saltelli design, a figure of the sensitivity
// indices per headline metric (morris-METRIC or sobol-METRIC, from
// sensitivity.csv); the wins; then a map per headline metric for a
// factorial design over two parameters; then a sweep per headline
// metric. The headline metrics are those of results.ExperimentHeadline
// that run holds (load it with them). Like All, it reads only run, draws in parallel, writes each
// figure atomically, and a figure's bytes depend only on run; cancelling
// ctx stops it between figures, and done, if given, is called as each
// figure is written.
func Experiment(ctx context.Context, run *results.ExperimentRun, dir, format string, done ...func(n, total int)) ([]Figure, error) {
	if err := checkFormat(format); err != nil {
		return nil, err
	}
	if run == nil {
		return nil, errors.New("plots: no experiment")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("plots: %w", err)
	}
	return drawFigures(ctx, newExperimentView(run).figures(), dir, format, done)
}

// experimentView is an experiment's run with its policies' styles.
type experimentView struct {
	run      *results.ExperimentRun
	policies []string
	style    map[string]Style
	metrics  []*results.ExperimentMetric // the headline metrics held
	files    map[string]string           // file-name part of each metric's key
}

func newExperimentView(run *results.ExperimentRun) *experimentView {
	v := &experimentView{run: run, policies: run.Policies(), metrics: run.Headline()}
	bases := map[string]string{}
	for _, p := range run.Definitions.Policies {
		bases[p.Name] = p.Base
	}
	v.style = Styles(v.policies, bases)
	var keys []string
	for _, m := range v.metrics {
		keys = append(keys, m.Def.Key)
	}
	v.files = fileNames(keys)
	return v
}

// figures are the experiment's figures, in the order Experiment returns
// them.
func (v *experimentView) figures() []figure {
	figs := v.sensitivityFigures()
	if f, ok := v.wins(); ok {
		figs = append(figs, f)
	}
	for _, m := range v.metrics {
		if f, ok := v.bestMap(m); ok {
			figs = append(figs, f)
		}
	}
	for _, m := range v.metrics {
		if f, ok := v.sweep(m); ok {
			figs = append(figs, f)
		}
	}
	return figs
}

// lowerFirst returns s with its first letter in lower case, unless its
// second is upper case too (an acronym).
func lowerFirst(s string) string {
	if len(s) < 2 || s[0] < 'A' || s[0] > 'Z' || (s[1] >= 'A' && s[1] <= 'Z') {
		return s
	}
	return string(s[0]-'A'+'a') + s[1:]
}

// metricWords names a metric in words.
func metricWords(m *results.ExperimentMetric) string {
	if m.Def.Label != "" {
		return m.Def.Label
	}
	return m.Def.Key
}

// metricAxis is a metric's axis label: its name, unit and direction.
func metricAxis(m *results.ExperimentMetric) string {
	l := metricWords(m)
	var parts []string
	if m.Def.Unit != "" {
		parts = append(parts, m.Def.Unit)
	}
	switch m.Def.Better {
	case 1:
		parts = append(parts, "higher is better")
	case -1:
		parts = append(parts, "lower is better")
	}
	if len(parts) > 0 {
		l += " (" + strings.Join(parts, ", ") + ")"
	}
	return l
}

// paramAxis is a parameter's axis label: its scenario key, and its scale.
func paramAxis(p *results.ExperimentParameter) string {
	s := p.Key
	if p.Distribution == "log-uniform" {
		s += " (log scale)"
	}
	return s
}

// designName names the design in a few words.
func (v *experimentView) designName() string {
	switch d := v.run.Manifest.Experiment.Design; d {
	case "factorial":
		return "full factorial design"
	case "lhs":
		return "Latin hypercube"
	case "sobol":
		return "Sobol' sequence"
	default:
		return d + " design"
	}
}

// designWords describes the design and its points in a few words.
func (v *experimentView) designWords() string {
	if n := len(v.run.Here); n < v.run.Points {
		return fmt.Sprintf("%s, %d of its %d points", v.designName(), n, v.run.Points)
	}
	return fmt.Sprintf("%s, %d points", v.designName(), len(v.run.Here))
}

// --- wins ---

// winShares returns, for a metric of the tally, each policy's share of the
// points where it is clearly best and where it is best or tied with the
// best, and the number of points counted.
func winShares(t *results.Tally, metric string) (clearly, bestOrTied []float64, points int, ok bool) {
	j := slices.Index(t.Metrics, metric)
	if j < 0 || t.Points[j] == 0 {
		return nil, nil, 0, false
	}
	n := float64(t.Points[j])
	for p := range t.Policies {
		clearly = append(clearly, float64(t.Clear[j][p])/n)
		bestOrTied = append(bestOrTied, float64(t.Clear[j][p]+t.Best[j][p]+t.Tied[j][p])/n)
	}
	return clearly, bestOrTied, t.Points[j], true
}

// winBars draws horizontal bars, one row per policy from the top: a light
// bar to the best-or-tied share and a solid one to the clearly-best share,
// with both shares written after the bars.
type winBars struct {
	colours     []color.Color
	clear, tied []float64
}

func (b winBars) rowY(i int) float64 { return float64(len(b.clear) - 1 - i) }

// Plot implements plot.Plotter.
func (b winBars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	h := (trY(1) - trY(0)) * 0.32
	sty := textStyle(markSize, false)
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YCenter
	for i := range b.clear {
		y := trY(b.rowY(i))
		x0 := trX(0)
		rect := func(share float64, col color.Color) {
			x1 := trX(share)
			if x1-x0 < vg.Points(0.5) {
				return
			}
			r := vg.Rectangle{Min: vg.Point{X: x0, Y: y - h}, Max: vg.Point{X: x1, Y: y + h}}
			c.SetColor(col)
			c.Fill(r.Path())
		}
		rect(b.tied[i], lighten(b.colours[i], 0.6))
		rect(b.clear[i], b.colours[i])
		if b.tied[i] > 0 {
			c.SetLineStyle(draw.LineStyle{Color: b.colours[i], Width: vg.Points(0.7)})
			r := vg.Rectangle{Min: vg.Point{X: x0, Y: y - h}, Max: vg.Point{X: trX(b.tied[i]), Y: y + h}}
			c.Stroke(r.Path())
		}
		sty.Color = color.NRGBA{0x33, 0x33, 0x33, 0xff}
		txt := percent(b.clear[i]) + " · " + percent(b.tied[i])
		if b.tied[i] == 0 {
			sty.Color, txt = color.NRGBA{0x99, 0x99, 0x99, 0xff}, "never best or tied"
		}
		c.FillText(sty, vg.Point{X: trX(b.tied[i]) + vg.Points(4), Y: y}, txt)
	}
}

// percent formats a share as a whole percentage, "<1%" for a small one
// that is not zero.
func percent(x float64) string {
	switch {
	case x > 0 && x < 0.005:
		return "<1%"
	case x < 1 && x > 0.995:
		return ">99%"
	}
	return strconv.Itoa(int(math.Round(x*100))) + "%"
}

// lighten mixes c with white: f = 0 keeps c, f = 1 is white.
func lighten(c color.Color, f float64) color.Color {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	mix := func(v uint8) uint8 { return uint8(math.Round(float64(v)*(1-f) + 255*f)) }
	return color.NRGBA{mix(n.R), mix(n.G), mix(n.B), 0xff}
}

// wins is the figure of how often each policy is best, clearly and with
// ties, on each headline metric.
func (v *experimentView) wins() (figure, bool) {
	t := v.run.Tally
	if t == nil {
		return figure{}, false
	}
	var panels []*plot.Plot
	var counted []int
	n := len(v.policies)
	ticks := make([]float64, n)
	for i := range ticks {
		ticks[i] = float64(n - 1 - i)
	}
	for _, m := range v.metrics {
		clearly, tied, points, ok := winShares(t, m.Def.Key)
		if !ok {
			continue
		}
		pl := newPanel(metricWords(m))
		pl.Add(grid(true, false))
		bars := winBars{clear: clearly, tied: tied}
		for _, p := range v.policies {
			bars.colours = append(bars.colours, v.style[p].colour())
		}
		pl.Add(bars)
		pl.X.Min, pl.X.Max = 0, 1.38 // room for the shares after the bars
		pl.X.Tick.Marker = fixedTicks([]float64{0, 0.25, 0.5, 0.75, 1}, []string{"0%", "25%", "50%", "75%", "100%"})
		pl.X.Label.Text = "share of the design points"
		pl.Y.Min, pl.Y.Max = -0.6, float64(n)-0.4
		pl.Y.Tick.Marker = fixedTicks(ticks, v.policies)
		pl.Y.Tick.Length = 0
		panels = append(panels, pl)
		counted = append(counted, points)
	}
	if len(panels) == 0 {
		return figure{}, false
	}
	cols := min(len(panels), 2)
	for k, pl := range panels {
		if k%cols != 0 {
			pl.Y.Tick.Marker = blankTickLabels{pl.Y.Tick.Marker}
		}
	}
	neutral := color.NRGBA{0x77, 0x77, 0x77, 0xff}
	h := header{
		title: "Which policy is best, and how often",
		subtitle: fmt.Sprintf("Share of the %d design points (%s) where each policy is clearly best, and where it is best or cannot be told apart from the best; %d replications per policy and point",
			slices.Max(counted), v.designName(), v.run.Manifest.Replications),
		legend: []legendEntry{
			entry("solid: clearly best (best mean, every other policy told apart from it)", fillThumb(neutral)),
			entry("light: best or tied (best mean, or not told apart from the best)", thumb(func(c *draw.Canvas) {
				c.SetColor(lighten(neutral, 0.6))
				c.Fill(c.Rectangle.Path())
				c.SetLineStyle(draw.LineStyle{Color: neutral, Width: vg.Points(0.7)})
				c.Stroke(c.Rectangle.Path())
			})),
		},
	}
	rows := (len(panels) + cols - 1) / cols
	panelH := max(rowH, vg.Points(18)*vg.Length(n)+vg.Points(60))
	w, ht := gridFigure(h, rows, panelH)
	return figure{
		name:  "wins",
		title: h.title,
		caption: "One panel per headline metric, one bar per policy: the solid bar is the share of design points where the policy has the best mean and every other policy differs from it (paired difference, Holm-adjusted p < 0.05); the light bar extends to the share where it is best or cannot be told apart from the best. " +
			"The numbers are the two shares. Clear shares add up to at most 100%; shares with ties can add up to more, since several policies can be tied at one point.",
		w: w, h: ht,
		draw: func(c draw.Canvas) {
			drawGrid(h.draw(c), panels, cols)
		},
	}, true
}

// --- the map of the best policy over two factors ---

// mapCell is a cell of the map: the design point at a pair of levels, its
// best policy (-1 for none) and the number of policies tied with it.
type mapCell struct {
	point, best, tied int
	who               []int // the policies tied
}

// mapCells returns the cells of the map of a metric, [x level][y level]
// in the axes' order, for a factorial design over two parameters; the
// order of each parameter's levels on its axis; and false when the design
// is not one.
func (v *experimentView) mapCells(m *results.ExperimentMetric) ([][]mapCell, [2][]int, bool) {
	run := v.run
	if run.Manifest.Experiment.Design != "factorial" || len(run.Parameters) != 2 {
		return nil, [2][]int{}, false
	}
	px, py := &run.Parameters[0], &run.Parameters[1]
	if px.Level == nil || py.Level == nil {
		return nil, [2][]int{}, false
	}
	ox, oy := levelOrder(px), levelOrder(py)
	posX, posY := positions(ox), positions(oy)
	cells := make([][]mapCell, len(ox))
	for i := range cells {
		cells[i] = make([]mapCell, len(oy))
		for j := range cells[i] {
			cells[i][j] = mapCell{point: -1, best: -1}
		}
	}
	found := false
	for _, k := range run.Here {
		c := &cells[posX[px.Level[k]]][posY[py.Level[k]]]
		c.point = k
		if b := m.Best[k].Policy; b >= 0 {
			c.who = m.Tied(k)
			c.best, c.tied = int(b), len(c.who)
			found = true
		}
	}
	return cells, [2][]int{ox, oy}, found
}

// levelOrder returns the indexes of a parameter's levels in the order of
// its axis: numeric levels ascending, others as the experiment lists them.
func levelOrder(p *results.ExperimentParameter) []int {
	order := make([]int, len(p.Levels))
	for i := range order {
		order[i] = i
	}
	if p.Numeric() {
		val := make([]float64, len(p.Levels))
		for i, l := range p.Levels {
			val[i], _ = strconv.ParseFloat(l, 64)
		}
		sort.SliceStable(order, func(a, b int) bool { return val[order[a]] < val[order[b]] })
	}
	return order
}

// positions inverts an order: the position of each index.
func positions(order []int) []int {
	pos := make([]int, len(order))
	for i, o := range order {
		pos[o] = i
	}
	return pos
}

// mapPlot draws the cells of the map.
type mapPlot struct {
	cells    [][]mapCell
	policies []string
	style    map[string]Style
}

// Plot implements plot.Plotter.
func (mp mapPlot) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	gap := vg.Points(1)
	name := textStyle(8.5, true)
	name.XAlign, name.YAlign = draw.XCenter, draw.YCenter
	small := textStyle(8, false)
	small.XAlign, small.YAlign = draw.XCenter, draw.YCenter
	for i, col := range mp.cells {
		for j, cell := range col {
			r := vg.Rectangle{
				Min: vg.Point{X: trX(float64(i)-0.5) + gap, Y: trY(float64(j)-0.5) + gap},
				Max: vg.Point{X: trX(float64(i)+0.5) - gap, Y: trY(float64(j)+0.5) - gap},
			}
			w, h := r.Max.X-r.Min.X, r.Max.Y-r.Min.Y
			ctr := vg.Point{X: (r.Min.X + r.Max.X) / 2, Y: (r.Min.Y + r.Max.Y) / 2}
			if cell.best < 0 {
				c.SetColor(color.NRGBA{0xf2, 0xf2, 0xf2, 0xff})
				c.Fill(r.Path())
				if w > vg.Points(30) && h > vg.Points(12) {
					small.Color = grey
					c.FillText(small, ctr, "no result")
				}
				continue
			}
			pol := mp.policies[cell.best]
			sty := mp.style[pol]
			col := sty.colour()
			ink := col // glyph and text
			if cell.tied == 0 {
				c.SetColor(col)
				c.Fill(r.Path())
				ink = onColour(col)
			} else {
				c.SetColor(lighten(col, 0.72))
				c.Fill(r.Path())
				hatch(c, r, vg.Points(7), draw.LineStyle{Color: alpha(col, 0.3), Width: vg.Points(0.8)})
				c.SetLineStyle(draw.LineStyle{Color: col, Width: vg.Points(1.2)})
				c.Stroke(r.Path())
				ink = sty.text()
			}
			var tiedNames []string
			for _, q := range cell.who {
				tiedNames = append(tiedNames, mp.policies[q])
			}
			glyphR, inline, lines := cellLayout(w, h, pol, cell.tied, tiedNames)
			if inline {
				tw := vg.Length(0)
				if len(lines) > 0 {
					tw = vg.Points(3) + name.Width(lines[0].text)
				}
				x := ctr.X - (2*glyphR+tw)/2
				if glyphR > 0 {
					c.DrawGlyphNoClip(draw.GlyphStyle{Color: ink, Radius: glyphR, Shape: sty.glyph(true)}, vg.Point{X: x + glyphR, Y: ctr.Y})
				}
				if len(lines) > 0 {
					left := name
					left.XAlign, left.Color = draw.XLeft, ink
					c.FillText(left, vg.Point{X: x + 2*glyphR + vg.Points(3), Y: ctr.Y}, lines[0].text)
				}
				continue
			}
			lineH := vg.Points(11)
			total := 2*glyphR + vg.Points(3) + vg.Length(len(lines))*lineH
			y := ctr.Y + total/2
			if glyphR > 0 {
				c.DrawGlyphNoClip(draw.GlyphStyle{Color: ink, Radius: glyphR, Shape: sty.glyph(true)}, vg.Point{X: ctr.X, Y: y - glyphR})
			}
			y -= 2*glyphR + vg.Points(3) + lineH/2
			for _, l := range lines {
				st := small
				if l.bold {
					st = name
				}
				st.Color = ink
				c.FillText(st, vg.Point{X: ctr.X, Y: y}, l.text)
				y -= lineH
			}
		}
	}
}

// cellLine is a line of text in a cell of the map.
type cellLine struct {
	text string
	bold bool
}

// cellLayout lays out what a map cell of size w x h shows of its best
// policy and the tied ones: a glyph, then the policy's name and the ties
// on lines below it when the cell is tall enough (naming the tied
// policies when there are one or two and room for them), on one line
// beside the glyph when it is not, and less when it is small. inline says
// the glyph and the first line share a line.
func cellLayout(w, h vg.Length, best string, tied int, tiedNames []string) (glyphR vg.Length, inline bool, lines []cellLine) {
	name, small := textStyle(8.5, true), textStyle(8, false)
	lineH := vg.Points(11)
	fits := func(st func(string) vg.Length, s string, room vg.Length) bool { return st(s) <= room }
	switch {
	case h >= vg.Points(44) && w >= vg.Points(24):
		glyphR = min(vg.Points(5), w/6)
		room := w - vg.Points(6)
		if fits(name.Width, best, room) {
			lines = append(lines, cellLine{best, true})
		}
		if tied > 0 {
			free := int((h-2*glyphR-vg.Points(8))/lineH) - len(lines)
			named := len(tiedNames) == tied && tied <= 2 && free >= 1+tied
			for _, n := range tiedNames {
				named = named && fits(small.Width, n, room)
			}
			switch {
			case named:
				lines = append(lines, cellLine{"tied with", false})
				for _, n := range tiedNames {
					lines = append(lines, cellLine{n, false})
				}
			case fits(small.Width, fmt.Sprintf("+%d tied", tied), room) && free >= 1:
				lines = append(lines, cellLine{fmt.Sprintf("+%d tied", tied), false})
			case free >= 1:
				lines = append(lines, cellLine{fmt.Sprintf("+%d", tied), false})
			}
		}
		return glyphR, false, lines
	case h >= vg.Points(14) && w >= vg.Points(14):
		glyphR = min(vg.Points(4), h/4, w/4)
		room := w - 2*glyphR - vg.Points(8)
		plus := ""
		if tied > 0 {
			plus = fmt.Sprintf(" +%d", tied)
		}
		switch {
		case fits(name.Width, best+plus, room):
			lines = append(lines, cellLine{best + plus, true})
		case plus != "" && fits(name.Width, plus[1:], room):
			lines = append(lines, cellLine{plus[1:], true})
		}
		return glyphR, true, lines
	case min(w, h) >= vg.Points(6):
		return min(w, h) / 4, true, nil
	}
	return 0, true, nil
}

// onColour returns black or white, whichever reads better on c.
func onColour(c color.Color) color.Color {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	if 0.299*float64(n.R)+0.587*float64(n.G)+0.114*float64(n.B) > 150 {
		return color.Black
	}
	return color.White
}

// hatch strokes diagonal lines across r, spacing apart.
func hatch(c draw.Canvas, r vg.Rectangle, spacing vg.Length, sty draw.LineStyle) {
	w, h := r.Max.X-r.Min.X, r.Max.Y-r.Min.Y
	// Lines x - y = d, from the lower-left corner's d = -h up to w.
	for d := -h + spacing/2; d < w; d += spacing {
		x0, y0 := r.Min.X+max(d, 0), r.Min.Y+max(-d, 0)
		x1, y1 := r.Min.X+min(w, d+h), r.Min.Y+min(h, w-d)
		c.StrokeLine2(sty, x0, y0, x1, y1)
	}
}

// bestMap is the map of the best policy over a factorial design's two
// parameters.
func (v *experimentView) bestMap(m *results.ExperimentMetric) (figure, bool) {
	cells, order, ok := v.mapCells(m)
	if !ok {
		return figure{}, false
	}
	run := v.run
	px, py := &run.Parameters[0], &run.Parameters[1]
	nx, ny := len(order[0]), len(order[1])
	labels := func(p *results.ExperimentParameter, order []int) ([]float64, []string) {
		var at []float64
		var ls []string
		for i, o := range order {
			at = append(at, float64(i))
			ls = append(ls, p.Levels[o])
		}
		return at, ls
	}
	pl := newPanel("")
	pl.Add(mapPlot{cells: cells, policies: v.policies, style: v.style})
	pl.X.Min, pl.X.Max = -0.5, float64(nx)-0.5
	pl.Y.Min, pl.Y.Max = -0.5, float64(ny)-0.5
	xat, xl := labels(px, order[0])
	yat, yl := labels(py, order[1])
	pl.X.Tick.Marker = fixedTicks(xat, thinLabels(xl, 14))
	pl.Y.Tick.Marker = fixedTicks(yat, thinLabels(yl, 30))
	pl.X.Tick.Length, pl.Y.Tick.Length = 0, 0
	pl.X.Label.Text = px.Name + "  (" + px.Key + ")"
	pl.Y.Label.Text = py.Name + "  (" + py.Key + ")"

	// The legend: the policies best somewhere, then how to read a cell.
	bestSomewhere := make([]bool, len(v.policies))
	tiedCells, clearCells := 0, 0
	for _, col := range cells {
		for _, c := range col {
			if c.best >= 0 {
				bestSomewhere[c.best] = true
				if c.tied > 0 {
					tiedCells++
				} else {
					clearCells++
				}
			}
		}
	}
	var legend []legendEntry
	var never []string
	for i, p := range v.policies {
		if !bestSomewhere[i] {
			never = append(never, p)
			continue
		}
		sty := v.style[p]
		legend = append(legend, entry(p, swatch(sty.colour(), sty.glyph(true), onColour(sty.colour()))))
	}
	legend = append(legend,
		entry("clearly best (solid)", swatch(grey, shape{circle, true}, color.White)),
		entry("best, others tied (light, hatched; +n: policies tied)", thumb(func(c *draw.Canvas) {
			c.SetColor(lighten(grey, 0.72))
			c.Fill(c.Rectangle.Path())
			hatch(*c, c.Rectangle, vg.Points(5), draw.LineStyle{Color: alpha(grey, 0.3), Width: vg.Points(0.8)})
			c.SetLineStyle(draw.LineStyle{Color: grey, Width: vg.Points(1)})
			c.Stroke(c.Rectangle.Path())
		})))
	sub := fmt.Sprintf("%s: the policy with the best mean at each of the %d points (%d replications each), solid where every other policy is told apart from it (%d cells), light and hatched where some cannot be (%d cells)",
		metricAxis(m), len(run.Here), run.Manifest.Replications, clearCells, tiedCells)
	if len(never) > 0 {
		sub += "; never best: " + strings.Join(never, ", ")
	}
	h := header{
		title:    "Best policy on " + lowerFirst(metricWords(m)) + " over " + px.Name + " and " + py.Name,
		subtitle: sub,
		legend:   legend,
	}
	w := figWidth
	cell := (w - 2*margin - vg.Inch) / vg.Length(nx)
	bodyH := min(max(cell*vg.Length(ny), 2.6*vg.Inch), 6.5*vg.Inch) + 0.7*vg.Inch
	ht := h.height(w) + bodyH + margin
	return figure{
		name:  "map-" + v.files[m.Def.Key],
		title: h.title,
		caption: fmt.Sprintf("Each cell is a design point, at one level of %s (across) and one of %s (up): its colour, glyph and name are the policy with the best mean %s there. "+
			"A solid cell means every other policy differs from it (paired differences, Holm-adjusted p < 0.05); a light, hatched cell means some policies cannot be told apart from it, and +n says how many (best.csv's tied column lists them).",
			px.Name, py.Name, lowerFirst(metricWords(m))),
		w: w, h: ht,
		draw: func(c draw.Canvas) {
			pl.Draw(h.draw(c))
		},
	}, true
}

// thinLabels keeps every k-th label so that at most max are shown.
func thinLabels(ls []string, most int) []string {
	if len(ls) <= most {
		return ls
	}
	k := (len(ls) + most - 1) / most
	out := make([]string, len(ls))
	for i := range ls {
		if i%k == 0 {
			out[i] = ls[i]
		}
	}
	return out
}

// swatch is a legend thumbnail of a filled rectangle with a glyph on it.
func swatch(fill color.Color, g draw.GlyphDrawer, ink color.Color) thumb {
	return func(c *draw.Canvas) {
		c.SetColor(fill)
		c.Fill(c.Rectangle.Path())
		c.DrawGlyphNoClip(draw.GlyphStyle{Color: ink, Radius: vg.Points(3.5), Shape: g}, c.Center())
	}
}

// --- sweeps ---

// sweepGroup is a group of design points on a sweep's axis: a bin of a
// sampled parameter's values, or one of its levels.
type sweepGroup struct {
	// x is where the group is drawn: the mean of its values (a bin), the
	// level's value, or the level's index (categorical).
	x float64
	// label names a categorical level; lo and hi bound a bin's values.
	label  string
	lo, hi float64
	points []int
}

// sweepStat is a policy's mean over a group's points of its means at the
// points, and the 95% interval of that mean. mc is true when the group
// has a single point: the interval is then the point's own (over
// replications).
type sweepStat struct {
	n    int
	mean float64
	ci   [2]float64
	mc   bool
}

// sweepKind says how a parameter's points are grouped.
type sweepKind int

const (
	sweepBins   sweepKind = iota // equal-count bins of a sampled number
	sweepLevels                  // a number's levels or distinct values
	sweepChoice                  // a categorical parameter's levels
)

// maxBins is the most bins of a sampled parameter.
const maxBins = 8

// sweepGroups groups the design points here by parameter pi's value.
func (v *experimentView) sweepGroups(pi int) ([]sweepGroup, sweepKind) {
	p := &v.run.Parameters[pi]
	here := v.run.Here
	if !p.Numeric() {
		var gs []sweepGroup
		for i, l := range p.Levels {
			gs = append(gs, sweepGroup{x: float64(i), label: l})
		}
		for _, k := range here {
			g := &gs[p.Level[k]]
			g.points = append(g.points, k)
		}
		return gs, sweepChoice
	}
	// Points in order of their value (then of their number).
	pts := slices.Clone(here)
	sort.SliceStable(pts, func(a, b int) bool { return p.Number[pts[a]] < p.Number[pts[b]] })
	distinct := 0
	for i, k := range pts {
		if i == 0 || p.Number[k] != p.Number[pts[i-1]] {
			distinct++
		}
	}
	if p.Levels != nil || distinct <= maxBins {
		var gs []sweepGroup
		for i, k := range pts {
			x := p.Number[k]
			if i == 0 || x != p.Number[pts[i-1]] {
				gs = append(gs, sweepGroup{x: x, lo: x, hi: x})
			}
			g := &gs[len(gs)-1]
			g.points = append(g.points, k)
		}
		return gs, sweepLevels
	}
	n := len(pts)
	bins := min(maxBins, n/10)
	if bins < 2 {
		bins = min(n, 2)
	}
	var gs []sweepGroup
	start := 0
	for b := 1; b <= bins && start < n; b++ {
		end := b * n / bins
		for end < n && end > start && p.Number[pts[end]] == p.Number[pts[end-1]] {
			end++ // equal values stay in one bin
		}
		if end <= start {
			continue
		}
		g := sweepGroup{points: pts[start:end], lo: p.Number[pts[start]], hi: p.Number[pts[end-1]]}
		sum := 0.0
		for _, k := range g.points {
			sum += p.Number[k]
		}
		g.x = sum / float64(len(g.points))
		gs = append(gs, g)
		start = end
	}
	return gs, sweepBins
}

// sweepStats returns a policy's statistics over each group's points. In a
// factorial design (fixed) the other parameters' levels are chosen, not
// sampled, so their spread is not sampling error: the interval is then the
// Monte Carlo one of the mean of the points, from the points' own
// intervals taken as fully correlated (the points share replications), a
// bound that holds whatever the correlation. Otherwise the points are a
// sample of the other parameters and the interval is a t-interval over
// them.
func sweepStats(m *results.ExperimentMetric, policies, policy int, groups []sweepGroup, fixed bool) []sweepStat {
	out := make([]sweepStat, len(groups))
	for i, g := range groups {
		var xs []float64
		var one results.PointCell
		halfs := 0.0 // sum of the points' interval half-widths
		for _, k := range g.points {
			c := m.Cells[k*policies+policy]
			if c.N > 0 && !math.IsNaN(c.Mean) && !math.IsInf(c.Mean, 0) {
				xs = append(xs, c.Mean)
				one = c
				if h := (c.CI95[1] - c.CI95[0]) / 2; h >= 0 {
					halfs += h
				}
			}
		}
		s := sweepStat{n: len(xs), mean: math.NaN(), ci: [2]float64{math.NaN(), math.NaN()}}
		switch {
		case len(xs) == 1:
			s.mean, s.ci, s.mc = one.Mean, one.CI95, true
		case len(xs) > 1:
			sum := 0.0
			for _, x := range xs {
				sum += x
			}
			s.mean = sum / float64(len(xs))
			if fixed {
				h := halfs / float64(len(xs))
				s.ci, s.mc = [2]float64{s.mean - h, s.mean + h}, true
				break
			}
			ss := 0.0
			for _, x := range xs {
				ss += (x - s.mean) * (x - s.mean)
			}
			s.ci = results.TInterval(s.mean, math.Sqrt(ss/float64(len(xs)-1)), len(xs), 0.95)
		}
		out[i] = s
	}
	return out
}

// maxBandPolicies is the most policies whose bands a sweep draws: beyond,
// the bands hide each other and the lines.
const maxBandPolicies = 8

// maxSweepPanels is the most parameters a sweep figure shows.
const maxSweepPanels = 24

// sweep is the figure of a metric against each parameter: one panel per
// parameter (the first maxSweepPanels), one line per policy.
func (v *experimentView) sweep(m *results.ExperimentMetric) (figure, bool) {
	run := v.run
	np := len(v.policies)
	if len(run.Here) == 0 || len(run.Parameters) == 0 {
		return figure{}, false
	}
	bandAlpha := 0.16
	if np > 6 {
		bandAlpha = 0.07
	}
	bands := np <= maxBandPolicies
	lo, hi := math.Inf(1), math.Inf(-1)
	var panels []*plot.Plot
	anyBins, anyLevels, single, multi := false, false, false, false
	binSizes := map[int]bool{}
	shown := min(len(run.Parameters), maxSweepPanels)
	for pi := range shown {
		prm := &run.Parameters[pi]
		groups, kind := v.sweepGroups(pi)
		pl := newPanel(prm.Name)
		pl.Add(grid(kind != sweepChoice, true))
		for p, name := range v.policies {
			sty := v.style[name]
			stats := sweepStats(m, np, p, groups, run.Manifest.Experiment.Design == "factorial")
			var line, upper, lower plotter.XYs
			for i, s := range stats {
				if math.IsNaN(s.mean) {
					continue
				}
				if s.mc {
					single = true
				} else {
					multi = true
				}
				x := groups[i].x
				if kind == sweepChoice {
					x += dodge(p, np)
				}
				line = append(line, plotter.XY{X: x, Y: s.mean})
				lo, hi = min(lo, s.mean), max(hi, s.mean)
				if !math.IsNaN(s.ci[0]) && !math.IsNaN(s.ci[1]) {
					// An interval of a mean of few points can reach past
					// what the metric can be (below 0, above 1 for a
					// probability): it is cut at the metric's bounds.
					l, u := max(s.ci[0], m.Def.Lo), min(s.ci[1], m.Def.Hi)
					lower = append(lower, plotter.XY{X: x, Y: l})
					upper = append(upper, plotter.XY{X: x, Y: u})
					lo, hi = min(lo, l), max(hi, u)
				}
			}
			if len(line) == 0 {
				continue
			}
			if kind == sweepChoice {
				// Levels without an order: points with error bars.
				pts := make(ciPoints, 0, len(line))
				for i, s := range stats {
					if !math.IsNaN(s.mean) {
						pts = append(pts, ciPoint{x: groups[i].x + dodge(p, np), y: s.mean, yci: [2]float64{max(s.ci[0], m.Def.Lo), min(s.ci[1], m.Def.Hi)}})
					}
				}
				if yb, err := plotter.NewYErrorBars(pts); err == nil {
					yb.LineStyle = draw.LineStyle{Color: sty.colour(), Width: vg.Points(1.1)}
					yb.CapWidth = vg.Points(3)
					pl.Add(yb)
				}
			} else {
				if bands && len(lower) > 1 && len(lower) == len(line) {
					band := append(plotter.XYs{}, lower...)
					for i := len(upper) - 1; i >= 0; i-- {
						band = append(band, upper[i])
					}
					if poly, err := plotter.NewPolygon(band); err == nil {
						poly.Color = alpha(sty.colour(), bandAlpha)
						poly.LineStyle = draw.LineStyle{}
						pl.Add(poly)
					}
				}
				if l, err := plotter.NewLine(line); err == nil {
					l.LineStyle = draw.LineStyle{Color: sty.colour(), Width: vg.Points(1.5), Dashes: sty.dashes()}
					pl.Add(l)
				}
			}
			if sc, err := plotter.NewScatter(line); err == nil {
				sc.GlyphStyle = draw.GlyphStyle{Color: sty.colour(), Radius: vg.Points(2.6), Shape: sty.glyph(true)}
				pl.Add(sc)
			}
		}
		switch kind {
		case sweepChoice:
			at := make([]float64, len(groups))
			ls := make([]string, len(groups))
			for i, g := range groups {
				at[i], ls[i] = g.x, g.label
				if len(groups) > 2 {
					ls[i] = breakLabel(g.label, 10)
				}
			}
			pl.X.Min, pl.X.Max = -0.5, float64(len(groups))-0.5
			pl.X.Tick.Marker = fixedTicks(at, ls)
			pl.X.Tick.Length = 0
			anyLevels = true
		default:
			xlo, xhi := prm.Range[0], prm.Range[1]
			if math.IsNaN(xlo) || math.IsNaN(xhi) || !(xhi > xlo) {
				xlo, xhi = groups[0].lo, groups[len(groups)-1].hi
			}
			if kind == sweepBins {
				anyBins = true
				for _, g := range groups {
					binSizes[len(g.points)] = true
				}
			} else {
				anyLevels = true
			}
			if prm.Distribution == "log-uniform" && xlo > 0 {
				pl.X.Scale = plot.LogScale{}
				pad := math.Pow(xhi/xlo, 0.03)
				pl.X.Min, pl.X.Max = xlo/pad, xhi*pad
				pl.X.Tick.Marker = logTicks{}
			} else {
				span := xhi - xlo
				if span <= 0 {
					span = math.Max(math.Abs(xhi), 1)
				}
				pl.X.Min, pl.X.Max = xlo-0.03*span, xhi+0.03*span
			}
		}
		pl.X.Label.Text = paramAxis(prm)
		panels = append(panels, pl)
	}
	if math.IsInf(lo, 0) {
		return figure{}, false
	}
	ylo, yhi := niceRange(lo, hi)
	pad := (yhi - ylo) * 0.02
	cols := 2
	switch {
	case len(panels) == 1:
		cols = 1
	case len(panels) > 6:
		cols = 3
	}
	for k, pl := range panels {
		pl.Y.Min, pl.Y.Max = ylo-pad, yhi+pad
		if k%cols == 0 {
			pl.Y.Label.Text = metricAxis(m)
		}
	}
	var legend []legendEntry
	for _, p := range v.policies {
		sty := v.style[p]
		legend = append(legend, entry(p,
			lineThumb(draw.LineStyle{Color: sty.colour(), Width: vg.Points(1.8), Dashes: sty.dashes()}),
			glyphThumb(draw.GlyphStyle{Color: sty.colour(), Radius: vg.Points(2.6), Shape: sty.glyph(true)})))
	}
	factorial := run.Manifest.Experiment.Design == "factorial"
	var what, band string
	switch {
	case len(run.Parameters) == 1:
		what = "each line is a policy's mean at each design point"
		if anyBins {
			what = "the parameter's values are cut into bins of equal count; each line is a policy's mean over the points in a bin of its mean at the point, drawn at the bin's mean value"
		}
	case factorial:
		what = "each line is a policy's main effect: at each level of the parameter, the mean over the design points at that level (the other parameters at all their levels) of the policy's mean at the point"
	case anyBins:
		sizes := make([]int, 0, len(binSizes))
		for s := range binSizes {
			sizes = append(sizes, s)
		}
		slices.Sort(sizes)
		per := strconv.Itoa(sizes[0])
		if len(sizes) > 1 {
			per = fmt.Sprintf("%d to %d", sizes[0], sizes[len(sizes)-1])
		}
		what = fmt.Sprintf("the parameter's values are cut into bins of equal count (%s points each); each line is a policy's mean over the points in a bin of its mean at the point, drawn at the bin's mean value", per)
		if anyLevels {
			what += " (a parameter with few values: one group per value)"
		}
	default:
		what = "each line is a policy's mean, over the design points at each value of the parameter, of its mean at the point"
	}
	switch {
	case factorial && len(run.Parameters) > 1:
		band = "the band is the Monte Carlo 95% interval of that mean (the other parameters' levels are chosen, not sampled, so their spread is not error): the mean of the points' own half-widths, a bound that holds however their errors are correlated"
	case multi && !single:
		band = "the band is the 95% t-interval of that mean over the points (cut at the metric's bounds), which mixes the other parameters' effects with Monte Carlo error"
	case single && !multi:
		band = "each value has a single design point: the band is that point's own 95% confidence interval over replications (Monte Carlo error only)"
	default:
		band = "the band is the 95% t-interval of that mean over the points, which mixes the other parameters' effects with Monte Carlo error (where a value has one point, that point's own 95% interval over replications)"
	}
	if !bands {
		band = fmt.Sprintf("with more than %d policies the bands are left out (the map and best.csv compare policies on paired replications)", maxBandPolicies)
	}
	sub := fmt.Sprintf("%s, %d replications per policy and point: %s; %s", v.designWords(), run.Manifest.Replications, what, band)
	if m.Def.Key == "objective" && run.Manifest.Objective != "" {
		sub += ". Objective = " + run.Manifest.Objective
	}
	if shown < len(run.Parameters) {
		sub += fmt.Sprintf(". The first %d of %d parameters", shown, len(run.Parameters))
	}
	bandWords := "95% t-interval of the mean over the points"
	if single && !multi {
		bandWords = "95% confidence interval over replications"
	}
	if bands {
		legend = append(legend, entry(bandWords, fillThumb(alpha(grey, 0.3))))
	}
	h := header{
		title:    sweepTitle(m, run),
		subtitle: capitalize(sub),
		legend:   legend,
	}
	rows := (len(panels) + cols - 1) / cols
	panelH := 3.3 * vg.Inch
	if np > 6 {
		panelH = 4.2 * vg.Inch
	}
	w, ht := gridFigure(h, rows, panelH)
	caption := fmt.Sprintf("One panel per parameter (x: its value; y: %s), one line per policy. ", metricAxis(m)) + capitalize(what) + "; " + band +
		". Lines that rise or fall show the parameter's effect on each policy; where two policies' lines cross, their order changes with the parameter. Bands that overlap do not by themselves mean two policies cannot be told apart: best.csv and the map compare them on paired replications."
	if !factorial {
		caption += " A bin averages over the other parameters as sampled in it, so a trend may partly reflect them."
	}
	return figure{
		name:    "sweep-" + v.files[m.Def.Key],
		title:   h.title,
		caption: caption,
		w:       w, h: ht,
		draw: func(c draw.Canvas) {
			drawGrid(h.draw(c), panels, cols)
		},
	}, true
}

// sweepTitle is the title of a metric's sweep.
func sweepTitle(m *results.ExperimentMetric, run *results.ExperimentRun) string {
	if len(run.Parameters) == 1 {
		return fmt.Sprintf("%s across %s", metricWords(m), run.Parameters[0].Name)
	}
	return fmt.Sprintf("%s across the parameters", metricWords(m))
}

// dodge is the horizontal offset of policy p of n at a categorical level,
// so that their error bars do not overlap.
func dodge(p, n int) float64 {
	if n < 2 {
		return 0
	}
	w := 0.7
	return (float64(p)/float64(n-1) - 0.5) * w
}

// logTicks are ticks of a log axis at 1, 2 and 5 times powers of ten, or,
// over a narrow range, at niceTicks' values.
type logTicks struct{}

// Ticks implements plot.Ticker.
func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0) || !(hi > lo) {
		return nil
	}
	var ts []plot.Tick
	for e := math.Floor(math.Log10(lo)); math.Pow(10, e) <= hi; e++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, e)
			if v >= lo && v <= hi {
				ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', 4, 64)})
			}
		}
	}
	if len(ts) >= 3 {
		return ts
	}
	ts = ts[:0]
	for _, t := range (niceTicks{}).Ticks(lo, hi) {
		if t.Value > 0 {
			ts = append(ts, t)
		}
	}
	return ts
}

// breakLabel breaks a level's label longer than max characters onto two
// lines, after the hyphen or underscore nearest its middle, so that the
// labels of neighbouring levels (rule-learner, forward-looking) do not run
// into each other; a label with neither stays whole.
func breakLabel(label string, max int) string {
	if len(label) <= max {
		return label
	}
	best := -1
	for i := 1; i < len(label)-1; i++ {
		if c := label[i]; (c == '-' || c == '_') && (best < 0 || abs(i-len(label)/2) < abs(best-len(label)/2)) {
			best = i
		}
	}
	if best < 0 {
		return label
	}
	return label[:best+1] + "\n" + label[best+1:]
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
