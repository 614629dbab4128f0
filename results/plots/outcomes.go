package plots

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/tranche-sim/tranche/results"
)

// outcomeMetrics are the final outcomes whose distributions the outcomes
// figure draws, in panel order.
var outcomeMetrics = []string{"humanitarian_index", "humanitarian_shortfall", "compliance", "stability_index", "leverage_retained", "spoiler_incidents"}

// percentileBox is a plot.Plotter drawing one distribution from its
// percentiles, as the summary keeps them (gonum's BoxPlot needs the raw
// values): a box from p25 to p75 with a line at the median, whiskers from
// p05 to p95 and the mean as a dot.
type percentileBox struct {
	X      float64
	Stats  results.Stats
	Color  color.Color
	Dashes []vg.Length // of the whiskers
	// Width is the box's width as a fraction of one unit of X.
	Width float64
}

var (
	_ plot.Plotter    = (*percentileBox)(nil)
	_ plot.DataRanger = (*percentileBox)(nil)
)

// meanGlyph is the glyph of a mean: a white dot ringed in black.
var meanGlyph = draw.GlyphStyle{Color: black, Radius: vg.Points(2.6), Shape: dotGlyph{}}

// dotGlyph is a white disc with a black ring.
type dotGlyph struct{}

func (dotGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	c.SetColor(white)
	draw.CircleGlyph{}.DrawGlyph(c, draw.GlyphStyle{Color: white, Radius: sty.Radius}, pt)
	c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: vg.Points(1.1)})
	var p vg.Path
	p.Move(vg.Point{X: pt.X + sty.Radius, Y: pt.Y})
	p.Arc(pt, sty.Radius, 0, 2*math.Pi)
	p.Close()
	c.Stroke(p)
}

// Plot implements plot.Plotter.
func (b *percentileBox) Plot(c draw.Canvas, p *plot.Plot) {
	s := b.Stats
	if math.IsNaN(s.P05) || math.IsNaN(s.P25) || math.IsNaN(s.P50) || math.IsNaN(s.P75) || math.IsNaN(s.P95) {
		return
	}
	trX, trY := p.Transforms(&c)
	x := trX(b.X)
	half := (trX(b.X+b.Width/2) - trX(b.X-b.Width/2)) / 2
	whisker := draw.LineStyle{Color: b.Color, Width: vg.Points(1.2), Dashes: b.Dashes}
	solid := draw.LineStyle{Color: b.Color, Width: vg.Points(1.2)}
	c.StrokeLine2(whisker, x, trY(s.P05), x, trY(s.P25))
	c.StrokeLine2(whisker, x, trY(s.P75), x, trY(s.P95))
	c.StrokeLine2(solid, x-half/2, trY(s.P05), x+half/2, trY(s.P05))
	c.StrokeLine2(solid, x-half/2, trY(s.P95), x+half/2, trY(s.P95))
	box := []vg.Point{
		{X: x - half, Y: trY(s.P25)}, {X: x + half, Y: trY(s.P25)},
		{X: x + half, Y: trY(s.P75)}, {X: x - half, Y: trY(s.P75)},
	}
	c.FillPolygon(alpha(b.Color, 0.3), box)
	c.StrokeLines(solid, append(box, box[0]))
	c.StrokeLine2(draw.LineStyle{Color: b.Color, Width: vg.Points(2.4)}, x-half, trY(s.P50), x+half, trY(s.P50))
	if !math.IsNaN(s.Mean) {
		c.DrawGlyph(meanGlyph, vg.Point{X: x, Y: trY(s.Mean)})
	}
}

// DataRange implements plot.DataRanger.
func (b *percentileBox) DataRange() (xmin, xmax, ymin, ymax float64) {
	s := b.Stats
	ymin, ymax = math.Inf(1), math.Inf(-1)
	for _, v := range []float64{s.P05, s.P95, s.Mean} {
		if !math.IsNaN(v) {
			ymin, ymax = min(ymin, v), max(ymax, v)
		}
	}
	if math.IsInf(ymin, 0) {
		ymin, ymax = 0, 0
	}
	return b.X - 0.5, b.X + 0.5, ymin, ymax
}

// boxThumb is the legend thumbnail of a percentile box.
func boxThumb(c *draw.Canvas) {
	r := c.Rectangle
	x := (r.Min.X + r.Max.X) / 2
	half := vg.Points(5)
	sty := draw.LineStyle{Color: grey, Width: vg.Points(1.2)}
	box := []vg.Point{{X: x - half, Y: r.Min.Y}, {X: x + half, Y: r.Min.Y}, {X: x + half, Y: r.Max.Y}, {X: x - half, Y: r.Max.Y}}
	c.FillPolygon(alpha(grey, 0.3), box)
	c.StrokeLines(sty, append(box, box[0]))
}

func whiskerThumb(c *draw.Canvas) {
	r := c.Rectangle
	y := (r.Min.Y + r.Max.Y) / 2
	sty := draw.LineStyle{Color: grey, Width: vg.Points(1.2)}
	c.StrokeLine2(sty, r.Min.X+vg.Points(2), y, r.Max.X-vg.Points(2), y)
	c.StrokeLine2(sty, r.Min.X+vg.Points(2), r.Min.Y+vg.Points(1), r.Min.X+vg.Points(2), r.Max.Y-vg.Points(1))
	c.StrokeLine2(sty, r.Max.X-vg.Points(2), r.Min.Y+vg.Points(1), r.Max.X-vg.Points(2), r.Max.Y-vg.Points(1))
}

// betterHint says in which direction a metric is better.
func (st *study) betterHint(key string) string {
	if m, ok := st.metricDef(key); ok {
		switch m.Better {
		case 1:
			return "higher is better"
		case -1:
			return "lower is better"
		}
	}
	return ""
}

// withHint appends a hint in parentheses to an axis label.
func withHint(label, hint string) string {
	if hint == "" {
		return label
	}
	return label + " (" + hint + ")"
}

// metricLabel names a metric in words, from the folder's definitions.
func (st *study) metricLabel(key string) string {
	if m, ok := st.metricDef(key); ok && m.Label != "" {
		return m.Label
	}
	return key
}

func (st *study) metricUnit(key string) string {
	if m, ok := st.metricDef(key); ok {
		return m.Unit
	}
	return key
}

func (st *study) outcomes() (figure, bool) {
	var policies []string
	var stats []results.PolicySummary
	for _, p := range st.policies {
		if s, ok := st.summary(p); ok {
			policies = append(policies, p)
			stats = append(stats, s)
		}
	}
	if len(policies) == 0 {
		return figure{}, false
	}
	n := len(policies)
	cols := 3
	if n > 8 {
		cols = 2
	}
	ticks := make([]float64, n)
	for k := range ticks {
		ticks[k] = float64(k)
	}
	rotate := n > 2
	var labelH vg.Length
	ts := textStyle(tickSize, false)
	for _, p := range policies {
		labelH = max(labelH, ts.Width(p))
	}
	if !rotate {
		labelH = ts.Height("M")
	}

	var panels []*plot.Plot
	for _, key := range outcomeMetrics {
		title := st.metricLabel(key)
		if hint := st.betterHint(key); hint != "" {
			title += " (" + hint + ")"
		}
		pl := newPanel(title)
		pl.Add(grid(false, true))
		for j, s := range stats {
			st0, ok := s.Metrics.Get(key)
			if !ok {
				continue
			}
			sty := st.style[policies[j]]
			pl.Add(&percentileBox{X: float64(j), Stats: st0, Color: sty.colour(), Dashes: sty.dashes(), Width: 0.6})
		}
		pl.X.Min, pl.X.Max = -0.6, float64(n)-0.4
		pl.X.Tick.Marker = fixedTicks(ticks, policies)
		if rotate {
			pl.X.Tick.Label.Rotation = math.Pi / 2
			pl.X.Tick.Label.XAlign = draw.XRight
			pl.X.Tick.Label.YAlign = draw.YCenter
		}
		pl.Y.Label.Text = st.metricUnit(key)
		if pl.Y.Min > pl.Y.Max { // no data
			pl.Y.Min, pl.Y.Max = 0, 1
		}
		if pl.Y.Min == pl.Y.Max {
			pl.Y.Min, pl.Y.Max = pl.Y.Min-0.5, pl.Y.Max+0.5
		}
		if key == "spoiler_incidents" {
			pl.Y.Min = min(pl.Y.Min, 0)
		}
		panels = append(panels, pl)
	}
	h := header{
		title:    fmt.Sprintf("Final outcomes: distribution over %d replications, by policy", st.replications()),
		subtitle: "Each box is one policy, in its colour; outcomes are totals or means over the whole run of each replication",
		legend: []legendEntry{
			entry("box: middle 50% of replications (p25-p75)", thumb(boxThumb)),
			entry("whiskers: 90% (p05-p95)", thumb(whiskerThumb)),
			entry("median", lineThumb(draw.LineStyle{Color: grey, Width: vg.Points(2.4)})),
			entry("mean", glyphThumb(meanGlyph)),
		},
	}
	rows := (len(panels) + cols - 1) / cols
	w, ht := gridFigure(h, rows, 2.1*vg.Inch+labelH)
	return figure{
		name:    "outcomes",
		title:   h.title,
		caption: "One panel per outcome, one box per policy: the box spans the middle 50% of replications, the whiskers 90%, the line is the median and the dot the mean.",
		w:       w, h: ht,
		draw: func(c draw.Canvas) {
			drawGrid(h.draw(c), panels, cols)
		},
	}, true
}
