package plots

import (
	"image/color"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The Okabe-Ito palette (Okabe and Ito 2008), which readers with the common
// forms of colour blindness can tell apart. Its yellow (#F0E442) is too light
// for lines and text on white: it comes last, darkened.
var palette = []color.NRGBA{
	{0x00, 0x00, 0x00, 0xff}, // black
	{0xE6, 0x9F, 0x00, 0xff}, // orange
	{0x56, 0xB4, 0xE9, 0xff}, // sky blue
	{0x00, 0x9E, 0x73, 0xff}, // bluish green
	{0x00, 0x72, 0xB2, 0xff}, // blue
	{0xD5, 0x5E, 0x00, 0xff}, // vermillion
	{0xCC, 0x79, 0xA7, 0xff}, // reddish purple
	{0xB8, 0xA9, 0x00, 0xff}, // yellow (#F0E442), darkened
}

// Named colours of the palette, for the history panels.
var (
	white      = color.White
	black      = palette[0]
	orange     = palette[1]
	skyBlue    = palette[2]
	green      = palette[3]
	blue       = palette[4]
	vermillion = palette[5]
	purple     = palette[6]
	grey       = color.NRGBA{0x80, 0x80, 0x80, 0xff}
)

// Style is how a policy is drawn in every figure: a colour of the
// Okabe-Ito palette, a glyph shape and a dash pattern. Each built-in
// policy has its own style, the same in every figure of every run (see
// BuiltinStyle); policies a scenario defines take styles no built-in has
// (see Styles).
type Style struct {
	// Color is the index of the colour in the palette.
	Color int
	// Mark is the glyph shape and dash pattern: 0 circles and solid lines,
	// 1 squares and dashes, 2 triangles and dash-dots, 3 diamonds and dots.
	Mark int
}

// Marks is the number of glyph and dash combinations.
const Marks = 4

// colour returns the style's colour.
func (s Style) colour() color.Color { return palette[mod(s.Color, len(palette))] }

// glyph returns the style's glyph, filled or hollow.
func (s Style) glyph(filled bool) draw.GlyphDrawer {
	kinds := [Marks]int{circle, square, triangle, diamond}
	return shape{kind: kinds[mod(s.Mark, Marks)], filled: filled}
}

// dashes returns the style's dash pattern (nil for solid).
func (s Style) dashes() []vg.Length {
	switch mod(s.Mark, Marks) {
	case 1:
		return []vg.Length{vg.Points(5), vg.Points(2.5)}
	case 2:
		return []vg.Length{vg.Points(6), vg.Points(2), vg.Points(1.5), vg.Points(2)}
	case 3:
		return []vg.Length{vg.Points(1.5), vg.Points(2)}
	}
	return nil
}

// text returns the colour of the style's text labels: its colour, darkened
// where the colour is too light for small text on white.
func (s Style) text() color.Color {
	c := palette[mod(s.Color, len(palette))]
	if c == skyBlue || c == orange || c == palette[7] {
		d := func(v uint8) uint8 { return uint8(int(v) * 3 / 4) }
		return color.NRGBA{d(c.R), d(c.G), d(c.B), 0xff}
	}
	return c
}

// Palette indexes, for the style table.
const (
	cBlack = iota
	cOrange
	cSkyBlue
	cGreen
	cBlue
	cVermillion
	cPurple
	cYellow
)

// builtinStyles are the styles of the built-in policies. The five core
// policies and three others have a colour each, with circles and solid
// lines; the variants of a family take the family's colour with another
// glyph and dash (phased variants orange, snapback variants black,
// reciprocal variants green); the rest take the colours left.
func builtinStyles() map[string]Style {
	return map[string]Style{
		"phased-snapback":      {cBlack, 0},
		"phased":               {cOrange, 0},
		"big-bang":             {cSkyBlue, 0},
		"reciprocal":           {cGreen, 0},
		"max-pressure":         {cVermillion, 0},
		"grit":                 {cBlue, 0},
		"humanitarian-only":    {cPurple, 0},
		"ladder":               {cYellow, 0},
		"patient-snapback":     {cBlack, 1},
		"phased-proportionate": {cOrange, 1},
		"phased-sunset":        {cOrange, 2},
		"generous-reciprocal":  {cGreen, 1},
		"tit-for-two-tats":     {cGreen, 2},
		"grim-trigger":         {cVermillion, 1},
		"proportional":         {cBlue, 1},
		"more-for-more":        {cPurple, 1},
		"sender-fatigue":       {cYellow, 1},
	}
}

// BuiltinStyle returns the style of a built-in policy.
func BuiltinStyle(name string) (Style, bool) {
	s, ok := builtinStyles()[name]
	return s, ok
}

// Styles returns the style of each of the given policies. A built-in
// policy has its own style. Every other policy takes, in the order of
// their names (so the same policies get the same styles in every run), the
// first style no built-in and no earlier policy has: of its base's colour
// where bases names one (a policy defined from phased is orange), of any
// colour otherwise. Beyond the 32 styles, styles repeat.
func Styles(policies []string, bases map[string]string) map[string]Style {
	out := map[string]Style{}
	used := map[Style]bool{}
	for _, s := range builtinStyles() {
		used[s] = true
	}
	var others []string
	for _, p := range policies {
		if s, ok := BuiltinStyle(p); ok {
			out[p] = s
		} else if _, seen := out[p]; !seen && !slices.Contains(others, p) {
			others = append(others, p)
		}
	}
	sort.Strings(others)
	free := func(colour int) (Style, bool) {
		for m := range Marks {
			for c := range len(palette) {
				s := Style{c, m}
				if (colour < 0 || c == colour) && !used[s] {
					return s, true
				}
			}
		}
		return Style{}, false
	}
	for i, p := range others {
		colour := -1
		if b, ok := BuiltinStyle(bases[p]); ok {
			colour = b.Color
		}
		s, ok := free(colour)
		if !ok {
			s, ok = free(-1)
		}
		if !ok { // every style taken: repeat
			s = Style{i % len(palette), (i / len(palette)) % Marks}
		}
		used[s] = true
		out[p] = s
	}
	return out
}

func mod(i, n int) int {
	return ((i % n) + n) % n
}

// alpha returns c with the given opacity.
func alpha(c color.Color, a float64) color.Color {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	n.A = uint8(math.Round(a * 255))
	return n
}

// Font sizes, in points.
const (
	titleSize    = 13
	subtitleSize = 10
	panelSize    = 10
	labelSize    = 9.5
	tickSize     = 9
	legendSize   = 9.5
	markSize     = 9 // point labels
)

func sans(size float64, bold bool) font.Font {
	f := font.Font{Typeface: "Liberation", Variant: "Sans", Size: vg.Points(size)}
	if bold {
		f.Weight = xfont.WeightBold
	}
	return f
}

func textStyle(size float64, bold bool) text.Style {
	return text.Style{
		Color:   color.Black,
		Font:    sans(size, bold),
		Handler: plot.DefaultTextHandler,
	}
}

// newPanel returns a plot styled for a panel of a figure.
func newPanel(title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle = textStyle(panelSize, true)
	p.Title.TextStyle.XAlign = draw.XCenter
	p.Title.TextStyle.YAlign = draw.YTop
	p.Title.Padding = vg.Points(4)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle = textStyle(labelSize, false)
		a.Label.TextStyle.XAlign = draw.XCenter
		a.Label.Padding = vg.Points(3)
		a.Tick.Label = textStyle(tickSize, false)
		a.Padding = vg.Points(3)
	}
	p.X.Tick.Label.XAlign = draw.XCenter
	p.X.Tick.Label.YAlign = draw.YTop
	p.Y.Tick.Label.XAlign = draw.XRight
	p.Y.Tick.Label.YAlign = draw.YCenter
	p.X.Tick.Marker = niceTicks{}
	p.Y.Tick.Marker = niceTicks{}
	p.Legend.TextStyle = textStyle(legendSize, false)
	return p
}

// niceTicks is a plot.Ticker with three to seven major ticks at multiples
// of 1, 2 or 5 times a power of ten, labelled with as many decimals as the
// step needs.
type niceTicks struct{}

func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return nil
	}
	step := niceStep((hi - lo) / 6)
	dec := decimals(step)
	var ts []plot.Tick
	for k := math.Ceil(lo/step - 1e-9); k*step <= hi+step*1e-9; k++ {
		v := k * step
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', dec, 64)})
	}
	return ts
}

// niceStep is the smallest of 1, 2, 5 and 10 times a power of ten that is
// at least raw.
func niceStep(raw float64) float64 {
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw*(1-1e-9) {
			return m * mag
		}
	}
	return 10 * mag
}

// decimals is the number of decimals that multiples of step need.
func decimals(step float64) int {
	for d := 0; d < 10; d++ {
		scaled := step * math.Pow(10, float64(d))
		if math.Abs(scaled-math.Round(scaled)) < 1e-6*scaled {
			return d
		}
	}
	return 10
}

// grid returns light grid lines; either direction may be turned off.
func grid(vertical, horizontal bool) *plotter.Grid {
	g := plotter.NewGrid()
	sty := draw.LineStyle{Color: color.NRGBA{0xe4, 0xe4, 0xe4, 0xff}, Width: vg.Points(0.5)}
	g.Vertical, g.Horizontal = sty, sty
	if !vertical {
		g.Vertical.Color = nil
	}
	if !horizontal {
		g.Horizontal.Color = nil
	}
	return g
}

// fixedTicks are ticks at the given values, labelled with %g unless
// labels are given; empty labels keep the grid lines without text.
func fixedTicks(values []float64, labels []string) plot.Ticker {
	return plot.TickerFunc(func(lo, hi float64) []plot.Tick {
		var ts []plot.Tick
		for i, v := range values {
			if v < lo-1e-9 || v > hi+1e-9 {
				continue
			}
			l := formatTick(v)
			if labels != nil {
				l = labels[i]
			}
			ts = append(ts, plot.Tick{Value: v, Label: l})
		}
		return ts
	})
}

func formatTick(v float64) string {
	if math.Abs(v) < 1e-12 {
		return "0"
	}
	return strconv.FormatFloat(v, 'g', 10, 64)
}

// blankTickLabels keeps an axis's ticks (so grid lines stay where they are)
// but draws no text for them.
type blankTickLabels struct{ plot.Ticker }

func (b blankTickLabels) Ticks(lo, hi float64) []plot.Tick {
	ts := b.Ticker.Ticks(lo, hi)
	for i := range ts {
		ts[i].Label = ""
	}
	return ts
}

// thumb is a legend thumbnail drawn by a function.
type thumb func(c *draw.Canvas)

func (t thumb) Thumbnail(c *draw.Canvas) { t(c) }

// legendEntry is one entry of a legend strip.
type legendEntry struct {
	label  string
	thumbs []plot.Thumbnailer
}

func entry(label string, thumbs ...plot.Thumbnailer) legendEntry {
	return legendEntry{label, thumbs}
}

// Legend strip geometry.
var (
	thumbW     = vg.Points(22)
	thumbGap   = vg.Points(4)
	entryGap   = vg.Points(16)
	legendLine = vg.Points(15)
)

// legendRows lays the entries out in rows no wider than width and returns
// the rows (entry indexes) and each row's width.
func legendRows(entries []legendEntry, width vg.Length) ([][]int, []vg.Length) {
	sty := textStyle(legendSize, false)
	var rows [][]int
	var widths []vg.Length
	var cur []int
	var w vg.Length
	for i, e := range entries {
		ew := thumbW + thumbGap + sty.Width(e.label)
		if len(cur) > 0 && w+entryGap+ew > width {
			rows, widths = append(rows, cur), append(widths, w)
			cur, w = nil, 0
		}
		if len(cur) > 0 {
			w += entryGap
		}
		cur = append(cur, i)
		w += ew
	}
	if len(cur) > 0 {
		rows, widths = append(rows, cur), append(widths, w)
	}
	return rows, widths
}

// drawLegend draws a legend strip, rows centred, from the top of c down.
func drawLegend(c draw.Canvas, entries []legendEntry) {
	sty := textStyle(legendSize, false)
	sty.YAlign = draw.YCenter
	rows, widths := legendRows(entries, c.Max.X-c.Min.X)
	y := c.Max.Y - legendLine/2
	for r, row := range rows {
		x := c.Min.X + (c.Max.X-c.Min.X-widths[r])/2
		for _, i := range row {
			e := entries[i]
			icon := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
				Min: vg.Point{X: x, Y: y - legendLine/2 + vg.Points(2)},
				Max: vg.Point{X: x + thumbW, Y: y + legendLine/2 - vg.Points(2)},
			}}
			for _, t := range e.thumbs {
				t.Thumbnail(&icon)
			}
			x += thumbW + thumbGap
			c.FillText(sty, vg.Point{X: x, Y: y}, e.label)
			x += sty.Width(e.label) + entryGap
		}
		y -= legendLine
	}
}

// header is the top of a figure: a title, an optional subtitle and a legend
// strip.
type header struct {
	title, subtitle string
	legend          []legendEntry
}

var (
	margin    = vg.Points(8)
	headerGap = vg.Points(5)
)

// height is the header's height in a figure of the given width.
func (h header) height(width vg.Length) vg.Length {
	ts, ss := textStyle(titleSize, true), textStyle(subtitleSize, false)
	hh := margin + ts.Height(wrap(ts, h.title, width-2*margin))
	if h.subtitle != "" {
		hh += headerGap + ss.Height(wrap(ss, h.subtitle, width-2*margin))
	}
	if len(h.legend) > 0 {
		rows, _ := legendRows(h.legend, width-2*margin)
		hh += headerGap + vg.Length(len(rows))*legendLine
	}
	return hh + headerGap
}

// draw draws the header at the top of c and returns the rest of c, less
// the margins.
func (h header) draw(c draw.Canvas) draw.Canvas {
	width := c.Max.X - c.Min.X
	y := c.Max.Y - margin
	ts := textStyle(titleSize, true)
	ts.XAlign, ts.YAlign = draw.XCenter, draw.YTop
	title := wrap(ts, h.title, width-2*margin)
	c.FillText(ts, vg.Point{X: c.Center().X, Y: y}, title)
	y -= ts.Height(title)
	if h.subtitle != "" {
		ss := textStyle(subtitleSize, false)
		ss.Color = color.NRGBA{0x33, 0x33, 0x33, 0xff}
		ss.XAlign, ss.YAlign = draw.XCenter, draw.YTop
		sub := wrap(ss, h.subtitle, width-2*margin)
		y -= headerGap
		c.FillText(ss, vg.Point{X: c.Center().X, Y: y}, sub)
		y -= ss.Height(sub)
	}
	if len(h.legend) > 0 {
		rows, _ := legendRows(h.legend, width-2*margin)
		y -= headerGap
		lc := c
		lc.Min.X, lc.Max.X = c.Min.X+margin, c.Max.X-margin
		lc.Max.Y = y
		drawLegend(lc, h.legend)
		y -= vg.Length(len(rows)) * legendLine
	}
	y -= headerGap
	body := c
	body.Max.Y = y
	body.Min.X += margin
	body.Max.X -= margin
	body.Min.Y += margin
	return body
}

// wrap breaks txt into lines no wider than width, at spaces.
func wrap(sty text.Style, txt string, width vg.Length) string {
	var lines []string
	for _, para := range strings.Split(txt, "\n") {
		words := strings.Fields(para)
		line := ""
		for _, w := range words {
			switch {
			case line == "":
				line = w
			case sty.Width(line+" "+w) <= width:
				line += " " + w
			default:
				lines = append(lines, line)
				line = w
			}
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// Gaps between the panels of a grid.
var (
	gridPadX = vg.Points(14)
	gridPadY = vg.Points(12)
)

// inRows lays panels out in rows of cols, the last row padded with nils.
func inRows(panels []*plot.Plot, cols int) [][]*plot.Plot {
	rows := (len(panels) + cols - 1) / cols
	ps := make([][]*plot.Plot, rows)
	for r := range ps {
		ps[r] = make([]*plot.Plot, cols)
		for k := range cols {
			if i := r*cols + k; i < len(panels) {
				ps[r][k] = panels[i]
			}
		}
	}
	return ps
}

// drawGrid draws panels in a grid of the given number of columns on c,
// aligned so that their data areas have the same size.
func drawGrid(c draw.Canvas, panels []*plot.Plot, cols int) {
	if len(panels) == 0 {
		return
	}
	ps := inRows(panels, cols)
	t := draw.Tiles{Rows: len(ps), Cols: cols, PadX: gridPadX, PadY: gridPadY}
	// A y-axis label longer than the data area is tall makes gonum shrink
	// the data area to fit it, which throws plot.Align off: wrap such
	// labels onto more lines.
	for r := range ps {
		for k, p := range ps[r] {
			if p == nil || p.Y.Label.Text == "" {
				continue
			}
			label := p.Y.Label.Text
			p.Y.Label.Text = ""
			dc := p.DataCanvas(t.At(c, k, r))
			p.Y.Label.Text = wrap(p.Y.Label.TextStyle, label, (dc.Max.Y-dc.Min.Y)*0.95)
		}
	}
	cs := plot.Align(ps, t, c)
	for r := range ps {
		for k, p := range ps[r] {
			if p != nil {
				p.Draw(cs[r][k])
			}
		}
	}
}

// Figure sizes.
var (
	figWidth = 9 * vg.Inch
	rowH     = 2.6 * vg.Inch
)

// gridFigure returns the size of a figure with a header and rows of panels
// of the given height.
func gridFigure(h header, rows int, panelH vg.Length) (vg.Length, vg.Length) {
	return figWidth, h.height(figWidth) + vg.Length(rows)*panelH + margin
}

// lineThumb is a legend thumbnail of a line.
func lineThumb(sty draw.LineStyle) thumb {
	return func(c *draw.Canvas) {
		y := c.Center().Y
		c.StrokeLine2(sty, c.Min.X, y, c.Max.X, y)
	}
}

// fillThumb is a legend thumbnail of a filled rectangle.
func fillThumb(col color.Color) thumb {
	return func(c *draw.Canvas) {
		c.SetColor(col)
		c.Fill(c.Rectangle.Path())
	}
}

// glyphThumb is a legend thumbnail of a glyph.
func glyphThumb(sty draw.GlyphStyle) thumb {
	return func(c *draw.Canvas) {
		c.DrawGlyphNoClip(sty, c.Center())
	}
}
