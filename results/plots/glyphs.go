package plots

import (
	"math"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Glyph shapes. gonum's outline glyphs are drawn with hairlines; these have
// a visible outline, and hollow ones are filled white so that error bars do
// not show through them.
const (
	circle = iota
	square
	triangle     // pointing up
	downTriangle // pointing down
	diamond
	cross // an X
)

// shape is a glyph of one of the shapes above, filled or hollow.
type shape struct {
	kind   int
	filled bool
}

var _ draw.GlyphDrawer = shape{}

// outlineWidth is the width of the outline of hollow glyphs and crosses.
var outlineWidth = vg.Points(1.4)

// DrawGlyph implements draw.GlyphDrawer.
func (s shape) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	r := sty.Radius
	var p vg.Path
	switch s.kind {
	case circle:
		p.Move(vg.Point{X: pt.X + r, Y: pt.Y})
		p.Arc(pt, r, 0, 2*math.Pi)
	case square:
		h := r * 0.85
		p.Move(vg.Point{X: pt.X - h, Y: pt.Y - h})
		p.Line(vg.Point{X: pt.X + h, Y: pt.Y - h})
		p.Line(vg.Point{X: pt.X + h, Y: pt.Y + h})
		p.Line(vg.Point{X: pt.X - h, Y: pt.Y + h})
	case triangle, downTriangle:
		t := r * 1.2
		sgn := vg.Length(1)
		if s.kind == downTriangle {
			sgn = -1
		}
		p.Move(vg.Point{X: pt.X, Y: pt.Y + sgn*t})
		p.Line(vg.Point{X: pt.X - t*0.866, Y: pt.Y - sgn*t*0.5})
		p.Line(vg.Point{X: pt.X + t*0.866, Y: pt.Y - sgn*t*0.5})
	case diamond:
		d := r * 1.15
		p.Move(vg.Point{X: pt.X, Y: pt.Y + d})
		p.Line(vg.Point{X: pt.X + d, Y: pt.Y})
		p.Line(vg.Point{X: pt.X, Y: pt.Y - d})
		p.Line(vg.Point{X: pt.X - d, Y: pt.Y})
	case cross:
		h := r * 0.9
		c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: outlineWidth * 1.3})
		var a, b vg.Path
		a.Move(vg.Point{X: pt.X - h, Y: pt.Y - h})
		a.Line(vg.Point{X: pt.X + h, Y: pt.Y + h})
		b.Move(vg.Point{X: pt.X - h, Y: pt.Y + h})
		b.Line(vg.Point{X: pt.X + h, Y: pt.Y - h})
		c.Stroke(a)
		c.Stroke(b)
		return
	}
	p.Close()
	if s.filled {
		c.SetColor(sty.Color)
		c.Fill(p)
		return
	}
	c.SetColor(white)
	c.Fill(p)
	c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: outlineWidth})
	c.Stroke(p)
}
