package plots

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/tranche-sim/tranche/results"
)

// History panel styles. Levels are drawn in [0, 1]; events in lanes above
// (reports, snapbacks) and below (spoiler incidents) that range.
var (
	reliefStyle     = draw.LineStyle{Color: black, Width: vg.Points(2)}
	complianceStyle = draw.LineStyle{Color: blue, Width: vg.Points(1.5)}
	verifiedStyle   = draw.LineStyle{Color: blue, Width: vg.Points(1.3), Dashes: []vg.Length{vg.Points(4), vg.Points(2.5)}}
	welfareStyle    = draw.LineStyle{Color: grey, Width: vg.Points(0.9)}
	snapLineStyle   = draw.LineStyle{Color: alpha(purple, 0.7), Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(1.5), vg.Points(2)}}

	incidentGlyph = draw.GlyphStyle{Color: orange, Radius: vg.Points(3), Shape: shape{triangle, true}}
	snapGlyph     = draw.GlyphStyle{Color: purple, Radius: vg.Points(3.4), Shape: shape{downTriangle, true}}
	reportGlyph   = draw.GlyphStyle{Color: green, Radius: vg.Points(3), Shape: shape{circle, true}}
	alarmGlyph    = draw.GlyphStyle{Color: vermillion, Radius: vg.Points(3.6), Shape: shape{cross, false}}
)

// Event lanes, in data units of the level axis.
const (
	reportLane   = 1.09
	snapLane     = 1.165
	laneTop      = 1.215
	incidentLane = -0.05
	incidentStep = 0.045
)

func historyLegend() []legendEntry {
	return []legendEntry{
		entry("relief in force", lineThumb(reliefStyle)),
		entry("true compliance", lineThumb(complianceStyle)),
		entry("verified compliance", lineThumb(verifiedStyle)),
		entry("humanitarian index", lineThumb(welfareStyle)),
		entry("relief re-imposed (snapback)", glyphThumb(snapGlyph)),
		entry("violation report", glyphThumb(reportGlyph)),
		entry("false alarm", glyphThumb(alarmGlyph)),
		entry("spoiler incident", glyphThumb(incidentGlyph)),
	}
}

// historyPanel draws one replication's history.
func historyPanel(rows []results.HistoryRow, title string, monthsPerRound int) *plot.Plot {
	pl := newPanel(title)
	pl.Add(grid(true, true))
	rows = append([]results.HistoryRow(nil), rows...)
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Round < rows[j].Round })
	line := func(get func(results.HistoryRow) float64, sty draw.LineStyle) {
		xys := make(plotter.XYs, 0, len(rows))
		for _, r := range rows {
			if v := get(r); v == v { // not NaN
				xys = append(xys, plotter.XY{X: float64(r.Round), Y: v})
			}
		}
		if len(xys) == 0 {
			return
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			return
		}
		l.LineStyle = sty
		pl.Add(l)
	}
	// Snapbacks: a dotted vertical mark across the levels and a
	// down-triangle in their lane.
	var snaps, reports, alarms, incidents plotter.XYs
	maxInc := 0
	for _, r := range rows {
		x := float64(r.Round)
		if r.Snapback {
			pl.Add(vline{X: x, Style: snapLineStyle}.within(0, 1))
			snaps = append(snaps, plotter.XY{X: x, Y: snapLane})
		}
		switch {
		case r.FalseAlarm:
			alarms = append(alarms, plotter.XY{X: x, Y: reportLane})
		case r.Violation:
			reports = append(reports, plotter.XY{X: x, Y: reportLane})
		}
		for k := range min(r.Incidents, 3) {
			incidents = append(incidents, plotter.XY{X: x, Y: incidentLane - float64(k)*incidentStep})
		}
		maxInc = max(maxInc, min(r.Incidents, 3))
	}
	line(func(r results.HistoryRow) float64 { return r.Welfare }, welfareStyle)
	line(func(r results.HistoryRow) float64 { return r.Verified }, verifiedStyle)
	line(func(r results.HistoryRow) float64 { return r.Compliance }, complianceStyle)
	line(func(r results.HistoryRow) float64 { return r.Relief }, reliefStyle)
	for _, m := range []struct {
		xys plotter.XYs
		sty draw.GlyphStyle
	}{{snaps, snapGlyph}, {reports, reportGlyph}, {alarms, alarmGlyph}, {incidents, incidentGlyph}} {
		if len(m.xys) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(m.xys)
		if err != nil {
			continue
		}
		sc.GlyphStyle = m.sty
		pl.Add(sc)
	}
	last := 1
	if len(rows) > 0 {
		last = rows[len(rows)-1].Round
	}
	pl.X.Min, pl.X.Max = 0, float64(last)+0.5
	pl.X.Label.Text = roundLabel(monthsPerRound)
	pl.Y.Min = incidentLane - float64(max(maxInc, 1)-1)*incidentStep - 0.04
	pl.Y.Max = laneTop
	pl.Y.Tick.Marker = fixedTicks([]float64{0, 0.25, 0.5, 0.75, 1}, []string{"0", "0.25", "0.5", "0.75", "1"})
	pl.Y.Label.Text = "level (0-1)"
	return pl
}

// within returns the line limited to levels lo..hi.
func (v vline) within(lo, hi float64) plot.Plotter {
	return spanLine{v, lo, hi}
}

// spanLine is a vertical line between two levels.
type spanLine struct {
	vline
	lo, hi float64
}

func (s spanLine) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	c.StrokeLine2(s.Style, trX(s.X), trY(s.lo), trX(s.X), trY(s.hi))
}

// historyHeader is the header of a history figure.
func historyHeader(title string) header {
	return header{
		title:    title,
		subtitle: "Levels in force each round (0-1); events marked above and below the levels",
		legend:   historyLegend(),
	}
}

// History draws the round-by-round history of one replication: relief in
// force, true and verified compliance, humanitarian index, spoiler
// incidents, snapbacks, violation reports and false alarms. rows are one
// replication's rows in round order. Used by the classroom mode for the
// student's game.
//
// The format is the path's extension (one of Formats).
func History(rows []results.HistoryRow, title string, monthsPerRound int, path string) error {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	if err := checkFormat(format); err != nil {
		return err
	}
	if len(rows) == 0 {
		return errors.New("plots: no history rows to draw")
	}
	pl := historyPanel(rows, "", monthsPerRound)
	h := historyHeader(title)
	w := figWidth
	ht := h.height(w) + 3.4*vg.Inch
	return render(path, format, w, ht, func(c draw.Canvas) {
		drawGrid(h.draw(c), []*plot.Plot{pl}, 1)
	})
}

// histories are the figures of sample histories, one per policy with rows
// in run.Histories, in policy order.
func (st *study) histories() []figure {
	byPolicy := map[string]map[int][]results.HistoryRow{}
	for _, r := range st.run.Histories {
		m := byPolicy[r.Policy]
		if m == nil {
			m = map[int][]results.HistoryRow{}
			byPolicy[r.Policy] = m
		}
		m[r.Replication] = append(m[r.Replication], r)
	}
	policies := append([]string(nil), st.policies...)
	var extra []string
	for p := range byPolicy {
		if _, ok := st.index[p]; !ok {
			extra = append(extra, p)
		}
	}
	sort.Strings(extra)
	policies = append(policies, extra...)

	var figs []figure
	files := fileNames(policies)
	for _, p := range policies {
		reps := byPolicy[p]
		if len(reps) == 0 {
			continue
		}
		ids := make([]int, 0, len(reps))
		for id := range reps {
			ids = append(ids, id)
		}
		sort.Ints(ids)
		if len(ids) > 4 {
			ids = ids[:4]
		}
		var panels []*plot.Plot
		for _, id := range ids {
			panels = append(panels, historyPanel(reps[id], fmt.Sprintf("replication %d", id), st.run.Manifest.MonthsPerRound))
		}
		cols := min(len(panels), 2)
		nrows := (len(panels) + cols - 1) / cols
		for k, pl := range panels { // axis labels on the outer panels only
			if k%cols != 0 {
				pl.Y.Label.Text = ""
			}
			if k+cols < len(panels) {
				pl.X.Label.Text = ""
			}
		}
		h := historyHeader("Sample histories: " + p)
		w, ht := gridFigure(h, nrows, rowH)
		figs = append(figs, figure{
			name:    "histories-" + files[p],
			title:   h.title,
			caption: fmt.Sprintf("Four sample replications under %s, round by round: relief, true and verified compliance and the humanitarian index, with snapbacks, violation reports, false alarms and spoiler incidents marked.", p),
			w:       w, h: ht,
			draw: func(c draw.Canvas) {
				drawGrid(h.draw(c), panels, cols)
			},
		})
	}
	return figs
}
