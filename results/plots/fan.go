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
	"github.com/tranche-sim/tranche/sim"
)

// seriesInfo describes a per-round series drawn as a fan chart.
type seriesInfo struct {
	key, title string
	// unit is the y-axis label when the series' own unit is too terse for
	// an axis ("" to use the series' unit).
	unit string
}

// fanSeries are the series of rounds.csv drawn as fan charts, in figure
// order.
var fanSeries = []seriesInfo{
	{"compliance", "True compliance", ""},
	{"relief", "Relief in force", "share of sanctions lifted"},
	{"humanitarian_index", "Humanitarian index", ""},
	{"stability_index", "Regional stability", ""},
	{"leverage", "Coalition leverage", "index 0-1"},
	{"coalition_cohesion", "Coalition cohesion", "share of coalition weight"},
}

// metricDef returns the results folder's definition of a metric.
func (st *study) metricDef(key string) (sim.Metric, bool) { return st.run.Definitions.Metric(key) }

// seriesDoc returns the results folder's description of a per-round series.
func (st *study) seriesDoc(key string) string {
	if s, ok := st.run.Definitions.SeriesDef(key); ok {
		return s.Doc
	}
	return key
}

// yLabel returns the y-axis label of a series.
func (st *study) yLabel(s seriesInfo) string {
	if s.unit != "" {
		return s.unit
	}
	if d, ok := st.run.Definitions.SeriesDef(s.key); ok && d.Unit != "" {
		return d.Unit
	}
	return "level (0-1)"
}

// fanBands are the legend of a fan chart.
func fanLegend() []legendEntry {
	return []legendEntry{
		entry("median", lineThumb(draw.LineStyle{Color: grey, Width: vg.Points(1.8)})),
		entry("mean", lineThumb(meanStyle)),
		entry("50% of replications (p25-p75)", fillThumb(alpha(black, bandDark))),
		entry("90% of replications (p05-p95)", fillThumb(alpha(black, bandLight))),
	}
}

// meanStyle draws the mean, the same in every panel: where replications
// split between the ends of the range (relief fully on or fully off) the
// median jumps and the bands span everything, and the mean still shows
// the average level.
var meanStyle = draw.LineStyle{Color: color.NRGBA{0x30, 0x30, 0x30, 0xff}, Width: vg.Points(1.1), Dashes: []vg.Length{vg.Points(1), vg.Points(2)}}

// Band opacities.
const (
	bandLight = 0.16
	bandDark  = 0.38
)

func (st *study) fan(s seriesInfo) (figure, bool) {
	series := map[string][]results.RoundRow{}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range st.policies {
		var rows []results.RoundRow
		for _, r := range st.run.Series(p, s.key) {
			if math.IsNaN(r.P05) || math.IsNaN(r.P25) || math.IsNaN(r.P50) || math.IsNaN(r.P75) || math.IsNaN(r.P95) {
				continue
			}
			rows = append(rows, r)
			lo, hi = min(lo, r.P05, r.P50, r.Mean), max(hi, r.P95, r.P50, r.Mean)
		}
		if len(rows) > 0 {
			series[p] = rows
		}
	}
	if len(series) == 0 {
		return figure{}, false
	}
	ylo, yhi := niceRange(lo, hi)
	rounds := st.rounds()
	for _, rows := range series {
		rounds = max(rounds, rows[len(rows)-1].Round)
	}

	var policies []string
	for _, p := range st.policies {
		if series[p] != nil {
			policies = append(policies, p)
		}
	}
	cols := gridCols(len(policies))
	nrows := (len(policies) + cols - 1) / cols
	var panels []*plot.Plot
	for k, p := range policies {
		i := st.index[p]
		pl := fanPanel(p, series[p], Color(i), Dashes(i))
		pl.X.Min, pl.X.Max = 0, float64(rounds)
		pad := (yhi - ylo) * 0.015 // keeps lines at the edges whole
		pl.Y.Min, pl.Y.Max = ylo-pad, yhi+pad
		if k%cols == 0 {
			pl.Y.Label.Text = st.yLabel(s)
		}
		if k+cols >= len(policies) {
			pl.X.Label.Text = roundLabel(st.run.Manifest.MonthsPerRound)
		}
		panels = append(panels, pl)
	}
	reps := st.replications()
	h := header{
		title:    fmt.Sprintf("%s by round: median, mean and spread over %d replications", s.title, reps),
		subtitle: capitalize(st.seriesDoc(s.key)),
		legend:   fanLegend(),
	}
	w, ht := gridFigure(h, nrows, rowH)
	return figure{
		name:  "fan-" + s.key,
		title: h.title,
		caption: fmt.Sprintf("One panel per policy: the line is the median of %s in each round over the replications, the dotted line the mean, the dark band holds the middle 50%% of replications and the light band 90%%; all panels share the y axis. Where replications split between the two ends of the range, the median jumps between them and the bands span it all; the mean then shows the average level.",
			s.key),
		w: w, h: ht,
		draw: func(c draw.Canvas) {
			drawGrid(h.draw(c), panels, cols)
		},
	}, true
}

// fanPanel draws one policy's fan: the 90% and 50% bands and the median.
func fanPanel(title string, rows []results.RoundRow, col color.Color, dashes []vg.Length) *plot.Plot {
	pl := newPanel(title)
	pl.Add(grid(true, true))
	band := func(lo, hi func(results.RoundRow) float64, a float64) {
		xys := make(plotter.XYs, 0, 2*len(rows))
		for _, r := range rows {
			xys = append(xys, plotter.XY{X: float64(r.Round), Y: lo(r)})
		}
		for k := len(rows) - 1; k >= 0; k-- {
			xys = append(xys, plotter.XY{X: float64(rows[k].Round), Y: hi(rows[k])})
		}
		poly, err := plotter.NewPolygon(xys)
		if err != nil {
			return
		}
		poly.Color = alpha(col, a)
		poly.LineStyle.Width = 0
		poly.LineStyle.Color = nil
		pl.Add(poly)
	}
	band(func(r results.RoundRow) float64 { return r.P05 }, func(r results.RoundRow) float64 { return r.P95 }, bandLight)
	band(func(r results.RoundRow) float64 { return r.P25 }, func(r results.RoundRow) float64 { return r.P75 }, bandDark)
	mean := make(plotter.XYs, len(rows))
	for k, r := range rows {
		mean[k] = plotter.XY{X: float64(r.Round), Y: r.Mean}
	}
	if !math.IsNaN(rows[0].Mean) {
		if halo, err := plotter.NewLine(mean); err == nil { // readable on the darkest band
			halo.Color, halo.Width = color.NRGBA{0xff, 0xff, 0xff, 0xc0}, vg.Points(2.6)
			pl.Add(halo)
		}
		if l, err := plotter.NewLine(mean); err == nil {
			l.LineStyle = meanStyle
			pl.Add(l)
		}
	}
	med := make(plotter.XYs, len(rows))
	for k, r := range rows {
		med[k] = plotter.XY{X: float64(r.Round), Y: r.P50}
	}
	// A white halo under the median keeps it readable on its own band,
	// even for the darkest colour.
	if halo, err := plotter.NewLine(med); err == nil {
		halo.Color = color.White
		halo.Width = vg.Points(3.6)
		pl.Add(halo)
	}
	if l, err := plotter.NewLine(med); err == nil {
		l.Color = col
		l.Width = vg.Points(1.8)
		l.Dashes = dashes
		pl.Add(l)
	}
	return pl
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
