package plots

import (
	"image/color"
	"math"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// placeLabels chooses where to put a label of the given size next to each
// anchor point so that labels overlap neither each other, nor the markers
// (squares of half-side radius around every anchor), nor the obstacles, and
// stay inside bounds. Each label tries positions around its anchor, right,
// left, above, below and the diagonals, on rings further and further out,
// and takes the first free one, or the least-overlapping one if none is
// free. The most crowded anchors are placed first. It returns each label's
// rectangle and the ring (0 for next to the anchor) it was placed on.
func placeLabels(anchors []vg.Point, sizes []vg.Point, radius vg.Length, bounds vg.Rectangle, obstacles []vg.Rectangle) ([]vg.Rectangle, []int) {
	n := len(anchors)
	markers := make([]vg.Rectangle, n)
	for i, a := range anchors {
		markers[i] = vg.Rectangle{Min: vg.Point{X: a.X - radius, Y: a.Y - radius}, Max: vg.Point{X: a.X + radius, Y: a.Y + radius}}
	}
	// Crowded anchors first: those with most others within a label's size.
	crowd := make([]int, n)
	for i := range anchors {
		for j := range anchors {
			if i != j && math.Abs(float64(anchors[i].X-anchors[j].X)) < float64(sizes[i].X+sizes[j].X)/2+float64(2*radius) &&
				math.Abs(float64(anchors[i].Y-anchors[j].Y)) < float64(sizes[i].Y+sizes[j].Y)/2+float64(2*radius) {
				crowd[i]++
			}
		}
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return crowd[order[a]] > crowd[order[b]] })

	gap := vg.Points(2)
	rings := []vg.Length{1, 2.2, 3.6, 5.2, 7, 9, 11.5, 14}
	placed := make([]vg.Rectangle, n)
	ring := make([]int, n)
	done := make([]bool, n)
	for _, i := range order {
		a, w, h := anchors[i], sizes[i].X, sizes[i].Y
		best, bestCost, bestRing := vg.Rectangle{}, math.Inf(1), 0
		for r, k := range rings {
			d := radius + gap
			if r > 0 {
				d = (radius + gap) * k * 1.6
			}
			for _, ll := range candidates(a, w, h, d) {
				rect := vg.Rectangle{Min: ll, Max: vg.Point{X: ll.X + w, Y: ll.Y + h}}
				// Labels, markers and the bounds are hard limits; error
				// bars (obstacles) come next: a label crosses one only
				// where every other place is worse.
				hard := outside(rect, bounds)
				for j := range n {
					if done[j] {
						hard += overlap(rect, placed[j])
					}
					hard += overlap(rect, markers[j])
				}
				cost := 1e6 * hard
				for _, o := range obstacles {
					cost += 1e3 * overlap(rect, o)
				}
				cost += float64(r) * 1e-3 // prefer the nearer ring among equals
				if cost < bestCost {
					best, bestCost, bestRing = rect, cost, r
				}
			}
			if bestCost < 1 { // free (up to the ring penalty)
				break
			}
		}
		placed[i], ring[i], done[i] = best, bestRing, true
	}
	return placed, ring
}

// candidates returns the lower-left corners of the positions a label of
// size w x h tries at distance d from its anchor a: right, left, above,
// below, the four diagonals and the eight directions between them.
func candidates(a vg.Point, w, h, d vg.Length) []vg.Point {
	dd, dh := d*0.8, d*0.45
	return []vg.Point{
		{X: a.X + d, Y: a.Y - h/2},         // right
		{X: a.X - d - w, Y: a.Y - h/2},     // left
		{X: a.X - w/2, Y: a.Y + d},         // above
		{X: a.X - w/2, Y: a.Y - d - h},     // below
		{X: a.X + dd, Y: a.Y + dd},         // upper right
		{X: a.X + dd, Y: a.Y - dd - h},     // lower right
		{X: a.X - dd - w, Y: a.Y + dd},     // upper left
		{X: a.X - dd - w, Y: a.Y - dd - h}, // lower left
		{X: a.X + d, Y: a.Y + dh},          // right, a little up
		{X: a.X + d, Y: a.Y - dh - h},      // right, a little down
		{X: a.X - d - w, Y: a.Y + dh},      // left, a little up
		{X: a.X - d - w, Y: a.Y - dh - h},  // left, a little down
		{X: a.X + dh, Y: a.Y + d},          // above, a little right
		{X: a.X - dh - w, Y: a.Y + d},      // above, a little left
		{X: a.X + dh, Y: a.Y - d - h},      // below, a little right
		{X: a.X - dh - w, Y: a.Y - d - h},  // below, a little left
	}
}

// overlap is the area of the intersection of two rectangles.
func overlap(a, b vg.Rectangle) float64 {
	w := min(a.Max.X, b.Max.X) - max(a.Min.X, b.Min.X)
	h := min(a.Max.Y, b.Max.Y) - max(a.Min.Y, b.Min.Y)
	if w <= 0 || h <= 0 {
		return 0
	}
	return float64(w * h)
}

// outside is the area of a that lies outside b.
func outside(a, b vg.Rectangle) float64 {
	area := float64((a.Max.X - a.Min.X) * (a.Max.Y - a.Min.Y))
	return area - overlap(a, b)
}

// pointLabels is a plot.Plotter writing a label next to each point,
// placed by placeLabels, with a thin leader line when the label had to move
// away from its point.
type pointLabels struct {
	XYs    []struct{ X, Y float64 }
	Labels []string
	// Colors are the labels' colours (black if nil).
	Colors []color.Color
	Style  text.Style
	// Radius is the half-size of the markers to keep clear of.
	Radius vg.Length
	// Obstacles returns, for the canvas and plot the labels are drawn on,
	// rectangles labels should avoid (error bars).
	Obstacles func(c draw.Canvas, p *plot.Plot) []vg.Rectangle

	// placed, markers and obstacles record, after Plot, the labels'
	// rectangles, the markers' and the obstacles', for tests.
	placed, markers, obstacles []vg.Rectangle
}

// Plot implements plot.Plotter.
func (l *pointLabels) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	anchors := make([]vg.Point, len(l.XYs))
	sizes := make([]vg.Point, len(l.XYs))
	for i, xy := range l.XYs {
		anchors[i] = vg.Point{X: trX(xy.X), Y: trY(xy.Y)}
		sizes[i] = vg.Point{X: l.Style.Width(l.Labels[i]), Y: l.Style.Height(l.Labels[i])}
	}
	var obstacles []vg.Rectangle
	if l.Obstacles != nil {
		obstacles = l.Obstacles(c, p)
	}
	rects, rings := placeLabels(anchors, sizes, l.Radius, c.Rectangle, obstacles)
	l.placed, l.markers, l.obstacles = rects, nil, obstacles
	for _, a := range anchors {
		l.markers = append(l.markers, vg.Rectangle{Min: vg.Point{X: a.X - l.Radius, Y: a.Y - l.Radius}, Max: vg.Point{X: a.X + l.Radius, Y: a.Y + l.Radius}})
	}
	sty := l.Style
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YBottom
	desc := sty.FontExtents().Descent
	for i, r := range rects {
		if rings[i] > 0 {
			to := nearest(r, anchors[i])
			c.StrokeLine2(draw.LineStyle{Color: grey, Width: vg.Points(0.6)}, anchors[i].X, anchors[i].Y, to.X, to.Y)
		}
		if l.Colors != nil {
			sty.Color = l.Colors[i]
		}
		c.FillText(sty, vg.Point{X: r.Min.X, Y: r.Min.Y + desc}, l.Labels[i])
	}
}

// nearest is the point of r nearest to p.
func nearest(r vg.Rectangle, p vg.Point) vg.Point {
	return vg.Point{X: min(max(p.X, r.Min.X), r.Max.X), Y: min(max(p.Y, r.Min.Y), r.Max.Y)}
}
