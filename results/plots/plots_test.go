package plots

import (
	"context"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/tranche-sim/tranche/results"
)

func TestUnknownFormat(t *testing.T) {
	run := syntheticRun()
	dir := t.TempDir()
	_, err := All(context.Background(), run, dir, "gif")
	if err == nil {
		t.Fatal("All accepted format gif")
	}
	for _, f := range Formats() {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not name format %s", err, f)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("All wrote %d files for an unknown format", len(entries))
	}
	if err := History(syntheticHistory(), "game", 3, filepath.Join(dir, "h.gif")); err == nil {
		t.Error("History accepted a .gif path")
	}
}

func TestHistory(t *testing.T) {
	dir := t.TempDir()
	for _, format := range Formats() {
		path := filepath.Join(dir, "game."+format)
		if err := History(syntheticHistory(), "Your game", 3, path); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
			t.Fatalf("%s not written (%v)", path, err)
		}
	}
	if err := History(nil, "empty", 3, filepath.Join(dir, "empty.png")); err == nil {
		t.Error("History drew no rows without error")
	}
}

// syntheticRun is a run with known percentiles: two policies, one series
// (relief), summary statistics for the outcome and trade-off metrics, and no
// comparison or histories.
func syntheticRun() *results.Run {
	run := &results.Run{}
	run.Manifest.Policies = []string{"alpha", "beta"}
	run.Manifest.Rounds, run.Manifest.Replications, run.Manifest.MonthsPerRound = 10, 100, 3
	for p, name := range run.Manifest.Policies {
		for r := 1; r <= 10; r++ {
			m := 0.1*float64(r)/2 + 0.2*float64(p)
			row := results.RoundRow{Policy: name, Round: r, Metric: "relief", Mean: m, P05: m - 0.1, P25: m - 0.05, P50: m, P75: m + 0.05, P95: m + 0.1}
			if r == 3 {
				row.P05 = math.NaN() // an undefined percentile leaves the round out
			}
			run.Rounds = append(run.Rounds, row)
		}
		ps := results.PolicySummary{Policy: name}
		for _, key := range append(append([]string(nil), outcomeMetrics...), tradeX, tradeY, "leverage_retained") {
			v := 0.3 + 0.2*float64(p)
			ps.Metrics = append(ps.Metrics, results.KeyedStats{Key: key, Stats: results.Stats{
				N: 100, Mean: v, SD: 0.1, CI95: [2]float64{v - 0.02, v + 0.02},
				P05: v - 0.2, P25: v - 0.1, P50: v, P75: v + 0.1, P95: v + 0.2,
			}})
		}
		run.Summary.Policies = append(run.Summary.Policies, ps)
	}
	return run
}

func syntheticHistory() []results.HistoryRow {
	var rows []results.HistoryRow
	for r := 1; r <= 12; r++ {
		x := float64(r) / 12
		rows = append(rows, results.HistoryRow{
			Policy: "alpha", Round: r, Compliance: x, Verified: x * 0.9, Relief: x / 2, Welfare: 0.5,
			Incidents: r % 3, Snapback: r == 6, Violation: r == 5 || r == 8, FalseAlarm: r == 8,
		})
	}
	return rows
}

func TestFanSynthetic(t *testing.T) {
	run := syntheticRun()
	st := newStudy(run)
	f, ok := st.fan(seriesInfo{key: "relief", title: "Relief"})
	if !ok {
		t.Fatal("no fan chart for relief")
	}
	if f.name != "fan-relief" || f.w != figWidth {
		t.Errorf("fan chart %q of width %v", f.name, f.w)
	}
	if _, ok := st.fan(seriesInfo{key: "compliance"}); ok {
		t.Error("fan chart drawn for a series with no rows")
	}
	path := filepath.Join(t.TempDir(), "fan.png")
	if err := render(path, "png", f.w, f.h, f.draw); err != nil {
		t.Fatal(err)
	}
	// The whole run draws what it has: a fan chart, outcomes and trade-off.
	figs, err := All(context.Background(), run, t.TempDir(), "svg")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range figs {
		names = append(names, f.Name)
	}
	if got := strings.Join(names, " "); got != "fan-relief outcomes tradeoff" {
		t.Errorf("figures %s", got)
	}
}

func TestNiceRange(t *testing.T) {
	for _, c := range []struct{ lo, hi, wantLo, wantHi float64 }{
		{0, 1, 0, 1},
		{0.38, 1, 0.2, 1},
		{0.42, 0.55, 0.4, 0.55},
		{0.001, 0.999, 0, 1},
	} {
		lo, hi := niceRange(c.lo, c.hi)
		if math.Abs(lo-c.wantLo) > 1e-9 || math.Abs(hi-c.wantHi) > 1e-9 {
			t.Errorf("niceRange(%g, %g) = %g, %g, want %g, %g", c.lo, c.hi, lo, hi, c.wantLo, c.wantHi)
		}
		if lo > c.lo || hi < c.hi {
			t.Errorf("niceRange(%g, %g) = %g, %g leaves data out", c.lo, c.hi, lo, hi)
		}
	}
}

func TestNiceTicks(t *testing.T) {
	ts := niceTicks{}.Ticks(0, 40)
	var labels []string
	for _, tk := range ts {
		labels = append(labels, tk.Label)
	}
	if got := strings.Join(labels, " "); got != "0 10 20 30 40" {
		t.Errorf("ticks of 0-40: %s", got)
	}
	ts = niceTicks{}.Ticks(0.45, 0.95)
	labels = labels[:0]
	for _, tk := range ts {
		labels = append(labels, tk.Label)
	}
	if got := strings.Join(labels, " "); got != "0.5 0.6 0.7 0.8 0.9" {
		t.Errorf("ticks of 0.45-0.95: %s", got)
	}
}

func TestColor(t *testing.T) {
	rgba := func(c color.Color) [4]uint32 {
		r, g, b, a := c.RGBA()
		return [4]uint32{r, g, b, a}
	}
	seen := map[[4]uint32]int{}
	for i := range 8 {
		c := rgba(Color(i))
		if j, ok := seen[c]; ok {
			t.Errorf("policies %d and %d share colour %v", j, i, c)
		}
		seen[c] = i
		if rgba(Color(i+8)) != c || rgba(Color(i-8)) != c {
			t.Errorf("colour %d does not repeat every 8 policies", i)
		}
	}
	if rgba(Color(0)) != rgba(color.Black) {
		t.Error("policy 0 is not black")
	}
	type style struct {
		c [4]uint32
		g draw.GlyphDrawer
	}
	styles := map[style]int{}
	for i := range 17 {
		for _, filled := range []bool{true, false} {
			s := style{rgba(Color(i)), Glyph(i, filled)}
			if j, ok := styles[s]; ok {
				t.Errorf("policies %d and %d share colour and glyph (filled %v)", j, i, filled)
			}
			styles[s] = i
		}
		if Glyph(i, true) == Glyph(i, false) {
			t.Errorf("policy %d: filled and hollow glyphs are the same", i)
		}
		if i >= 8 && equalDashes(Dashes(i), Dashes(i-8)) {
			t.Errorf("policies %d and %d share colour and dash pattern", i-8, i)
		}
	}
}

func equalDashes(a, b []vg.Length) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestPlaceLabels(t *testing.T) {
	bounds := vg.Rectangle{Max: vg.Point{X: 400, Y: 300}}
	size := vg.Point{X: 60, Y: 10}
	radius := vg.Length(4)

	// An isolated point gets its label right next to it, on its right.
	rects, rings := placeLabels([]vg.Point{{X: 100, Y: 100}}, []vg.Point{size}, radius, bounds, nil)
	if rings[0] != 0 || rects[0].Min.X <= 100 || rects[0].Min.Y >= 100 || rects[0].Max.Y <= 100 {
		t.Errorf("isolated label at %v (ring %d)", rects[0], rings[0])
	}
	// A point at the right edge gets its label on its left, inside.
	rects, _ = placeLabels([]vg.Point{{X: 395, Y: 100}}, []vg.Point{size}, radius, bounds, nil)
	if rects[0].Max.X > 400 || rects[0].Min.X < 0 {
		t.Errorf("edge label at %v outside %v", rects[0], bounds)
	}

	// A crowd: labels overlap neither each other, nor any point, and stay
	// inside the bounds.
	anchors := []vg.Point{{X: 200, Y: 150}, {X: 205, Y: 152}, {X: 210, Y: 149}, {X: 200, Y: 160}, {X: 195, Y: 145}, {X: 215, Y: 155}}
	sizes := make([]vg.Point, len(anchors))
	for i := range sizes {
		sizes[i] = size
	}
	rects, _ = placeLabels(anchors, sizes, radius, bounds, nil)
	for i, r := range rects {
		if outside(r, bounds) > 0 {
			t.Errorf("label %d at %v leaves the bounds", i, r)
		}
		for j := range i {
			if overlap(r, rects[j]) > 0 {
				t.Errorf("labels %d and %d overlap: %v %v", j, i, rects[j], r)
			}
		}
		for j, a := range anchors {
			m := vg.Rectangle{Min: vg.Point{X: a.X - radius, Y: a.Y - radius}, Max: vg.Point{X: a.X + radius, Y: a.Y + radius}}
			if overlap(r, m) > 0 {
				t.Errorf("label %d covers point %d", i, j)
			}
		}
	}
}

func TestWrap(t *testing.T) {
	sty := textStyle(10, false)
	long := "Policy minus phased-snapback on the same replications (common random numbers), mean and 95% CI"
	w := sty.Width(long) / 2
	lines := strings.Split(wrap(sty, long, w), "\n")
	if len(lines) < 2 {
		t.Fatalf("not wrapped: %q", lines)
	}
	for _, l := range lines {
		if sty.Width(l) > w {
			t.Errorf("line %q wider than %v", l, w)
		}
	}
	if strings.Join(lines, " ") != long {
		t.Errorf("wrapping changed the text: %q", lines)
	}
}

// Figures of different policies never share a file: "a b", "a_b" and "a/b"
// once all became histories-a_b.png, and the report showed one image under
// three captions.
func TestFileNamesUnique(t *testing.T) {
	long := strings.Repeat("x", 300)
	policies := []string{"a b", "a_b", "a/b", "A_B", "", long, long + "y", "phased"}
	names := fileNames(policies)
	seen := map[string]string{}
	for _, p := range policies {
		n := names[p]
		if n == "" || len(n) > 70 || fileSafe(n) != n {
			t.Errorf("%q: file name %q", p, n)
		}
		if q, ok := seen[strings.ToLower(n)]; ok {
			t.Errorf("%q and %q share the file name %q", q, p, n)
		}
		seen[strings.ToLower(n)] = p
	}
	if names["phased"] != "phased" || names["a b"] != "a_b" {
		t.Errorf("names changed where they need not: %v", names)
	}
}

func TestFileSafe(t *testing.T) {
	if got := fileSafe("my policy/v2"); got != "my_policy_v2" {
		t.Errorf("fileSafe = %q", got)
	}
}
