package plots

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// endingKeys are the metrics that say how an episode ended, in the order
// the figure stacks them, with their words and colours (not the policies'
// colours: a bar's policy is its row).
var endingKeys = []struct {
	key, words string
	colour     color.Color
}{
	{"settlement", "settlement (the target complied)", color.NRGBA{0x1b, 0x78, 0x37, 0xff}},
	{"breakdown", "breakdown (agreement reached, then abandoned)", color.NRGBA{0xb2, 0x18, 0x2b, 0xff}},
	{"capitulation", "capitulation (sanctions stopped biting without compliance)", color.NRGBA{0xef, 0x8a, 0x62, 0xff}},
	{"stalemate", "stalemate (not ended by the last round)", color.NRGBA{0xba, 0xba, 0xba, 0xff}},
}

// stackBars draws, for each row, a horizontal bar of shares stacked left to
// right in the given colours, each share's percentage written in it where
// it fits.
type stackBars struct {
	shares  [][]float64 // [row][part]
	colours []color.Color
}

func (b stackBars) rowY(i int) float64 { return float64(len(b.shares) - 1 - i) }

// Plot implements plot.Plotter.
func (b stackBars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	h := (trY(1) - trY(0)) * 0.34
	sty := textStyle(markSize, false)
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
	for i, row := range b.shares {
		y := trY(b.rowY(i))
		at := 0.0
		for k, s := range row {
			if !(s > 0) {
				continue
			}
			x0, x1 := trX(at), trX(at+s)
			at += s
			r := vg.Rectangle{Min: vg.Point{X: x0, Y: y - h}, Max: vg.Point{X: x1, Y: y + h}}
			c.SetColor(b.colours[k])
			c.Fill(r.Path())
			txt := percent(s)
			if x1-x0 < sty.Width(txt)+vg.Points(4) {
				continue
			}
			sty.Color = color.White
			if k == len(row)-1 { // the light grey of stalemates
				sty.Color = color.NRGBA{0x33, 0x33, 0x33, 0xff}
			}
			c.FillText(sty, vg.Point{X: (x0 + x1) / 2, Y: y}, txt)
		}
	}
}

// endings is the figure of how each policy's episodes ended: the shares of
// replications that ended in a settlement, a breakdown, a capitulation, or
// were still open at the end.
func (st *study) endings() (figure, bool) {
	var policies []string
	var shares [][]float64
	for _, p := range st.policies {
		s, ok := st.summary(p)
		if !ok {
			continue
		}
		row := make([]float64, len(endingKeys))
		complete := true
		for k, e := range endingKeys {
			m, ok := s.Metrics.Get(e.key)
			complete = complete && ok
			row[k] = m.Mean
		}
		if complete {
			policies = append(policies, p)
			shares = append(shares, row)
		}
	}
	if len(policies) == 0 { // a folder without the categories
		return figure{}, false
	}
	n := len(policies)
	bars := stackBars{shares: shares}
	var legend []legendEntry
	for _, e := range endingKeys {
		bars.colours = append(bars.colours, e.colour)
		legend = append(legend, entry(e.words, fillThumb(e.colour)))
	}
	ticks := make([]float64, n)
	for i := range ticks {
		ticks[i] = float64(n - 1 - i)
	}
	pl := newPanel("")
	pl.Add(grid(true, false))
	pl.Add(bars)
	pl.X.Min, pl.X.Max = 0, 1
	pl.X.Tick.Marker = fixedTicks([]float64{0, 0.25, 0.5, 0.75, 1}, []string{"0%", "25%", "50%", "75%", "100%"})
	pl.X.Label.Text = "share of replications"
	pl.Y.Min, pl.Y.Max = -0.6, float64(n)-0.4
	pl.Y.Tick.Marker = fixedTicks(ticks, policies)
	pl.Y.Tick.Length = 0
	h := header{
		title: "How the episodes ended",
		subtitle: fmt.Sprintf("Share of the %d replications of each policy, judged on the target's true compliance: an episode ends at the first settlement, breakdown or capitulation; a stalemate is still open after %d rounds (intervals in summary.csv)",
			st.replications(), st.rounds()),
		legend: legend,
	}
	panelH := max(rowH, vg.Points(22)*vg.Length(n)+vg.Points(50))
	w, ht := gridFigure(h, 1, panelH)
	return figure{
		name:    "endings",
		title:   h.title,
		caption: "One bar per policy: the shares of its replications that ended in a settlement, a breakdown of an agreement, the sender's capitulation, or were still open at the end (docs/model.md section 8.0).",
		w:       w, h: ht,
		draw: func(c draw.Canvas) {
			drawGrid(h.draw(c), []*plot.Plot{pl}, 1)
		},
	}, true
}
