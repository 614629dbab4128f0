package plots

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/sim"
)

// seriesInfo describes a per-round series drawn round by round.
type seriesInfo struct {
	key string
	// unit is the y-axis label when the series' own unit is too terse for
	// an axis ("" to use the series' unit).
	unit string
}

// keySeries are the series of rounds.csv drawn round by round, in figure
// order.
func keySeries() []seriesInfo {
	return []seriesInfo{
		{"compliance", ""},
		{"relief", ""},
		{"humanitarian_index", ""},
		{"stability_index", ""},
		{"leverage", ""},
		{"coalition_cohesion", ""},
	}
}

// metricDef returns the results folder's definition of a metric.
func (st *study) metricDef(key string) (sim.Metric, bool) { return st.run.Definitions.Metric(key) }

// seriesDef returns the results folder's definition of a per-round series,
// with its key as its label when it has none.
func (st *study) seriesDef(key string) sim.Series {
	if s, ok := st.run.Definitions.SeriesDef(key); ok {
		if s.Label == "" {
			s.Label = key
		}
		return s
	}
	return sim.Series{Key: key, Label: key, Doc: key, Hi: 1}
}

// yLabel returns the y-axis label of a series.
func (st *study) yLabel(s seriesInfo) string {
	if s.unit != "" {
		return s.unit
	}
	if d := st.seriesDef(s.key); d.Unit != "" {
		return d.Unit
	}
	return "level (0-1)"
}

// rowsOf returns each policy's rows of a series, in round order, for the
// policies that have any.
func (st *study) rowsOf(key string) ([]string, map[string][]results.RoundRow) {
	series := map[string][]results.RoundRow{}
	var policies []string
	for _, p := range st.policies {
		if rows := st.run.Series(p, key); len(rows) > 0 {
			series[p] = rows
			policies = append(policies, p)
		}
	}
	return policies, series
}

// levelColors are the colours of the level bands, lowest first: ColorBrewer's
// five-class Blues, a single-hue sequence that colour-blind readers and
// greyscale printers order correctly.
func levelColors() [results.LevelBands]color.NRGBA {
	return [results.LevelBands]color.NRGBA{
		{0xef, 0xf3, 0xff, 0xff}, {0xbd, 0xd7, 0xe7, 0xff}, {0x6b, 0xae, 0xd6, 0xff}, {0x31, 0x82, 0xbd, 0xff}, {0x08, 0x51, 0x9c, 0xff},
	}
}

// bandLabel names band b of a range [0, hi].
func bandLabel(b int, hi float64) string {
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', 3, 64) }
	lo, up := hi*float64(b)/results.LevelBands, hi*float64(b+1)/results.LevelBands
	return f(lo) + "-" + f(up)
}

// levels is the figure of a series' distribution round by round: for each
// policy, the shares of replications at each level of the series, stacked,
// so that a series that splits between its ends (relief fully on or fully
// off) shows as two large shares where percentiles would span it all.
func (st *study) levels(s seriesInfo) (figure, bool) {
	policies, series := st.rowsOf(s.key)
	def := st.seriesDef(s.key)
	for _, p := range policies {
		if math.IsNaN(series[p][0].Shares[0]) {
			return figure{}, false // no shares: an empty study
		}
	}
	if len(policies) == 0 {
		return figure{}, false
	}
	rounds := st.rounds()
	cols := gridCols(len(policies))
	nrows := (len(policies) + cols - 1) / cols
	colors := levelColors()
	var panels []*plot.Plot
	for k, p := range policies {
		pl := newPanel(p)
		pl.Title.TextStyle.Color = st.style[p].text()
		rows := series[p]
		below := make([]float64, len(rows)) // cumulative share under the band
		for b := range results.LevelBands {
			xys := make(plotter.XYs, 0, 2*len(rows)+2)
			for i, r := range rows {
				xys = append(xys, plotter.XY{X: float64(r.Round), Y: below[i] + r.Shares[b]})
			}
			for i := len(rows) - 1; i >= 0; i-- {
				xys = append(xys, plotter.XY{X: float64(rows[i].Round), Y: below[i]})
			}
			for i, r := range rows {
				below[i] += r.Shares[b]
			}
			poly, err := plotter.NewPolygon(xys)
			if err != nil {
				continue
			}
			poly.Color = colors[b]
			poly.LineStyle = draw.LineStyle{} // no outline
			pl.Add(poly)
		}
		pl.X.Min, pl.X.Max = 0.5, float64(max(rounds, rows[len(rows)-1].Round))+0.5
		pl.Y.Min, pl.Y.Max = 0, 1
		if k%cols == 0 {
			pl.Y.Label.Text = "share of replications"
		}
		if k+cols >= len(policies) {
			pl.X.Label.Text = roundLabel(st.run.Manifest.MonthsPerRound)
		}
		panels = append(panels, pl)
	}
	var legend []legendEntry
	for b := results.LevelBands - 1; b >= 0; b-- {
		legend = append(legend, entry(bandLabel(b, def.Hi), fillThumb(colors[b])))
	}
	h := header{
		title:    fmt.Sprintf("%s by round: share of replications at each level", def.Label),
		subtitle: fmt.Sprintf("%s (%s); %d replications per policy", capitalize(def.Doc), st.yLabel(s), st.replications()),
		legend:   legend,
	}
	w, ht := gridFigure(h, nrows, rowH)
	return figure{
		name:  "levels-" + s.key,
		title: h.title,
		caption: fmt.Sprintf("One panel per policy: in each round, the replications are split by the level of %s (%s), in fifths of its range, darkest highest; the bands stack to 1. Two large bands at the ends mean the replications split between them, however the mean looks.",
			def.Key, def.Label),
		w: w, h: ht,
		draw: func(c draw.Canvas) {
			drawGrid(h.draw(c), panels, cols)
		},
	}, true
}

// means is the figure that sets the policies side by side: for each key
// series, every policy's mean round by round, with its 95% confidence
// interval, on one axis.
func (st *study) means() (figure, bool) {
	var panels []*plot.Plot
	var drawn []string // policies with rows, for the legend
	seen := map[string]bool{}
	n := st.replications()
	bandAlpha := 0.2 // fainter where many bands overlap
	if len(st.policies) > 6 {
		bandAlpha = 0.1
	}
	half := results.TInterval(0, 1, n, 0.95)[1] // half the 95% interval, per unit of SD
	for _, s := range keySeries() {
		policies, series := st.rowsOf(s.key)
		if len(policies) == 0 {
			continue
		}
		def := st.seriesDef(s.key)
		pl := newPanel(def.Label)
		pl.Add(grid(true, true))
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, p := range policies {
			rows := series[p]
			sty := st.style[p]
			mean := make(plotter.XYs, 0, len(rows))
			var band plotter.XYs
			var upper plotter.XYs
			for _, r := range rows {
				if math.IsNaN(r.Mean) {
					continue
				}
				mean = append(mean, plotter.XY{X: float64(r.Round), Y: r.Mean})
				lo, hi = min(lo, r.Mean), max(hi, r.Mean)
				ci := [2]float64{max(r.Mean-half*r.SD, 0), min(r.Mean+half*r.SD, def.Hi)} // in the series' range
				if !math.IsNaN(ci[0]) {
					band = append(band, plotter.XY{X: float64(r.Round), Y: ci[0]})
					upper = append(upper, plotter.XY{X: float64(r.Round), Y: ci[1]})
					lo, hi = min(lo, ci[0]), max(hi, ci[1])
				}
			}
			if len(band) > 1 {
				for i := len(upper) - 1; i >= 0; i-- {
					band = append(band, upper[i])
				}
				if poly, err := plotter.NewPolygon(band); err == nil {
					poly.Color = alpha(sty.colour(), bandAlpha)
					poly.LineStyle = draw.LineStyle{} // no outline
					pl.Add(poly)
				}
			}
			if len(mean) > 0 {
				if l, err := plotter.NewLine(mean); err == nil {
					l.LineStyle = draw.LineStyle{Color: sty.colour(), Width: vg.Points(1.5), Dashes: sty.dashes()}
					pl.Add(l)
				}
				if !seen[p] {
					seen[p] = true
					drawn = append(drawn, p)
				}
			}
		}
		if math.IsInf(lo, 0) {
			continue
		}
		ylo, yhi := niceRange(lo, hi)
		pad := (yhi - ylo) * 0.015
		pl.Y.Min, pl.Y.Max = ylo-pad, yhi+pad
		pl.X.Min, pl.X.Max = 0, float64(st.rounds())
		pl.Y.Label.Text = st.yLabel(s)
		panels = append(panels, pl)
	}
	if len(panels) == 0 {
		return figure{}, false
	}
	cols := min(len(panels), 2)
	nrows := (len(panels) + cols - 1) / cols
	for k, pl := range panels {
		if k+cols >= len(panels) {
			pl.X.Label.Text = roundLabel(st.run.Manifest.MonthsPerRound)
		}
	}
	var legend []legendEntry
	for _, p := range drawn {
		sty := st.style[p]
		legend = append(legend, entry(p, lineThumb(draw.LineStyle{Color: sty.colour(), Width: vg.Points(1.8), Dashes: sty.dashes()})))
	}
	h := header{
		title:    "Policies side by side: mean by round, with 95% confidence intervals",
		subtitle: fmt.Sprintf("Each line is a policy's mean over %d replications, the band around it its 95%% confidence interval (Monte Carlo error only)", n),
		legend:   legend,
	}
	w, ht := gridFigure(h, nrows, rowH)
	return figure{
		name:    "means",
		title:   h.title,
		caption: "One panel per key series, every policy on the same axis: the line is the policy's mean in each round over the replications, the band its 95% confidence interval (the spread of replications is in the levels figures). Where bands do not overlap, the policies' means differ in that round.",
		w:       w, h: ht,
		draw: func(c draw.Canvas) {
			drawGrid(h.draw(c), panels, cols)
		},
	}, true
}

// niceRange widens [lo, hi] to multiples of the tick step of niceTicks,
// keeping levels in [0, 1] inside that range.
func niceRange(lo, hi float64) (float64, float64) {
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) || math.IsNaN(lo) || math.IsNaN(hi) {
		return 0, 1
	}
	if hi-lo < 1e-9 {
		lo, hi = lo-0.05, hi+0.05
	}
	step := niceStep((hi - lo) / 6)
	l, h := math.Floor(lo/step+1e-9)*step, math.Ceil(hi/step-1e-9)*step
	if lo >= 0 && l < 0 {
		l = 0
	}
	if lo >= 0 && hi <= 1 && h > 1 {
		h = 1
	}
	return l, h
}

func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
