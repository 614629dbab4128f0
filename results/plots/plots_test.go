package plots

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"

	"github.com/tranche-sim/tranche/policy"
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
			row := results.RoundRow{Policy: name, Round: r, Metric: "relief", Mean: m, SD: 0.1, P05: m - 0.1, P25: m - 0.05, P50: m, P75: m + 0.05, P95: m + 0.1,
				Shares: [results.LevelBands]float64{0.5 - m/2, 0, 0, 0, 0.5 + m/2}}
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

// A run with one series draws its levels and means figures, and the
// figures of what it has.
func TestRoundFiguresSynthetic(t *testing.T) {
	run := syntheticRun()
	st := newStudy(run)
	f, ok := st.levels(seriesInfo{key: "relief"})
	if !ok {
		t.Fatal("no levels figure for relief")
	}
	if f.name != "levels-relief" || f.w != figWidth {
		t.Errorf("levels figure %q of width %v", f.name, f.w)
	}
	if _, ok := st.levels(seriesInfo{key: "compliance"}); ok {
		t.Error("levels figure drawn for a series with no rows")
	}
	path := filepath.Join(t.TempDir(), "levels.png")
	if err := render(path, "png", f.w, f.h, f.draw); err != nil {
		t.Fatal(err)
	}
	// The whole run draws what it has.
	figs, err := All(context.Background(), run, t.TempDir(), "svg")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range figs {
		names = append(names, f.Name)
	}
	if got := strings.Join(names, " "); got != "tradeoff means outcomes levels-relief" {
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

// Every built-in policy has its own style, the same in every run whatever
// the other policies: phased-snapback was black in a 5-policy run and green
// in a 17-policy run, and max-pressure and reciprocal shared a colour.
func TestBuiltinStyles(t *testing.T) {
	names := policy.Names()
	seen := map[Style]string{}
	colourMark := map[[2]int]string{}
	for _, n := range names {
		s, ok := BuiltinStyle(n)
		if !ok {
			t.Fatalf("built-in %s has no style", n)
		}
		if o, dup := seen[s]; dup {
			t.Errorf("%s and %s share a style", o, n)
		}
		seen[s] = n
		colourMark[[2]int{s.Color, s.Mark}] = n
		if s.glyph(true) == s.glyph(false) {
			t.Errorf("%s: filled and hollow glyphs are the same", n)
		}
	}
	if len(builtinStyles()) != len(names) {
		t.Errorf("%d styles for %d built-ins", len(builtinStyles()), len(names))
	}
	// Two policies of one colour differ in both glyph and dash.
	for a, na := range seen {
		for b, nb := range seen {
			if na < nb && a.Color == b.Color && (a.glyph(true) == b.glyph(true) || equalDashes(a.dashes(), b.dashes())) {
				t.Errorf("%s and %s share a colour and a glyph or a dash", na, nb)
			}
		}
	}
	// The same in any subset, in any order.
	all := Styles(names, nil)
	five := Styles([]string{"max-pressure", "phased-snapback", "phased", "big-bang", "reciprocal"}, nil)
	for n, s := range five {
		if all[n] != s {
			t.Errorf("%s is drawn differently in 5- and 17-policy runs", n)
		}
	}
	// Core policies have distinct colours.
	core := map[int]string{}
	for _, n := range []string{"phased-snapback", "phased", "big-bang", "reciprocal", "max-pressure"} {
		c := all[n].Color
		if o, dup := core[c]; dup {
			t.Errorf("core policies %s and %s share a colour", o, n)
		}
		core[c] = n
	}
}

// Policies a scenario defines take styles no built-in has, of their base's
// colour where it has one free, the same whatever order they come in.
func TestCustomStyles(t *testing.T) {
	bases := map[string]string{"cautious": "phased", "mine": "reciprocal", "x": "", "y": ""}
	a := Styles([]string{"cautious", "phased", "mine", "x", "y"}, bases)
	b := Styles([]string{"y", "x", "mine", "cautious"}, bases)
	used := map[Style]string{}
	for _, n := range policy.Names() {
		s, _ := BuiltinStyle(n)
		used[s] = n
	}
	for _, n := range []string{"cautious", "mine", "x", "y"} {
		if a[n] != b[n] {
			t.Errorf("%s's style depends on the order of the policies", n)
		}
		if o, dup := used[a[n]]; dup {
			t.Errorf("%s has %s's style", n, o)
		}
		used[a[n]] = n
	}
	if a["cautious"].Color != cOrange || a["mine"].Color != cGreen {
		t.Errorf("variants do not take their base's colour: %+v, %+v", a["cautious"], a["mine"])
	}
	many := make([]string, 40)
	for i := range many {
		many[i] = fmt.Sprintf("p%02d", i)
	}
	if got := Styles(many, nil); len(got) != 40 {
		t.Errorf("%d styles for 40 policies", len(got))
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

// With all 17 built-in policies, crowded as a real study crowds them, no
// label of the trade-off figure overlaps another label, any policy's marker
// or any error bar: grim-trigger's label once sat on its own error bar
// (the means and intervals are those of a 17-policy study of the default
// scenario, 2,000 replications, seed 1).
func TestTradeoffLabelsDoNotOverlap(t *testing.T) {
	study17 := []struct {
		name                     string
		x, xlo, xhi, y, ylo, yhi float64
	}{
		{"big-bang", 0.2695, 0.2505, 0.2894, 3.682, 3.511, 3.854},
		{"generous-reciprocal", 0.5000, 0.4781, 0.5219, 5.003, 4.872, 5.134},
		{"grim-trigger", 0.0205, 0.0151, 0.0277, 11.827, 11.690, 11.964},
		{"grit", 0.2775, 0.2583, 0.2975, 3.040, 2.975, 3.105},
		{"humanitarian-only", 0.0000, 0.0000, 0.0019, 7.401, 7.330, 7.473},
		{"ladder", 0.2680, 0.2490, 0.2878, 6.844, 6.743, 6.945},
		{"max-pressure", 0.2920, 0.2725, 0.3123, 10.458, 10.268, 10.647},
		{"more-for-more", 0.3595, 0.3388, 0.3808, 6.109, 5.996, 6.223},
		{"patient-snapback", 0.3435, 0.3230, 0.3646, 6.675, 6.528, 6.823},
		{"phased", 0.2785, 0.2593, 0.2986, 4.815, 4.673, 4.958},
		{"phased-proportionate", 0.4125, 0.3911, 0.4342, 7.405, 7.239, 7.571},
		{"phased-snapback", 0.3225, 0.3024, 0.3433, 8.914, 8.768, 9.059},
		{"phased-sunset", 0.4145, 0.3931, 0.4362, 5.927, 5.789, 6.066},
		{"proportional", 0.4740, 0.4522, 0.4959, 4.784, 4.638, 4.930},
		{"reciprocal", 0.5195, 0.4976, 0.5413, 5.211, 5.080, 5.342},
		{"sender-fatigue", 0.2655, 0.2466, 0.2853, 4.848, 4.707, 4.988},
		{"tit-for-two-tats", 0.5415, 0.5196, 0.5632, 4.349, 4.223, 4.475},
	}
	for _, squeeze := range []float64{1, 0.5} { // and the same, crowded closer
		run := &results.Run{}
		run.Manifest.Replications = 2000
		for _, p := range study17 {
			sq := func(v, c float64) float64 { return c + (v-c)*squeeze }
			run.Manifest.Policies = append(run.Manifest.Policies, p.name)
			ps := results.PolicySummary{Policy: p.name}
			ps.Metrics = append(ps.Metrics,
				results.KeyedStats{Key: tradeX, Stats: results.Stats{N: 2000, Mean: sq(p.x, 0.3), CI95: [2]float64{sq(p.xlo, 0.3), sq(p.xhi, 0.3)}}},
				results.KeyedStats{Key: tradeY, Stats: results.Stats{N: 2000, Mean: sq(p.y, 6), CI95: [2]float64{sq(p.ylo, 6), sq(p.yhi, 6)}}})
			run.Summary.Policies = append(run.Summary.Policies, ps)
		}
		f, lab, ok := newStudy(run).tradeoffLabelled()
		if !ok {
			t.Fatal("no trade-off figure")
		}
		if err := render(filepath.Join(t.TempDir(), "t.png"), "png", f.w, f.h, f.draw); err != nil {
			t.Fatal(err)
		}
		names := run.Manifest.Policies
		if len(lab.placed) != len(names) {
			t.Fatalf("%d labels placed for %d policies", len(lab.placed), len(names))
		}
		for i, r := range lab.placed {
			for j := range i {
				if overlap(r, lab.placed[j]) > 0 {
					t.Errorf("squeeze %v: the labels of %s and %s overlap", squeeze, names[j], names[i])
				}
			}
			for j, m := range lab.markers {
				if overlap(r, m) > 0 {
					t.Errorf("squeeze %v: the label of %s covers the marker of %s", squeeze, names[i], names[j])
				}
			}
			for _, o := range lab.obstacles {
				if overlap(r, o) > 0 {
					t.Errorf("squeeze %v: the label of %s crosses an error bar", squeeze, names[i])
					break
				}
			}
		}
	}
}
