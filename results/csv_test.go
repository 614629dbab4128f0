package results

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat"

	"github.com/tranche-sim/tranche/sim"
)

// hostile are strings that break CSV written by concatenation or that a
// spreadsheet would run as a formula. Scenario names cannot hold them any
// more, but every writer must still round-trip them through encoding/csv.
func hostile() []string {
	return []string{"plain", "a,b", `say "hi"`, "two\nlines", "cr\r\nlf", "=HYPERLINK(A1)", "+cmd|' /C calc'!A0", "-1+2", "@SUM(1+1)", "", "  ", "\"", "é,ü"}
}

// read is what encoding/csv reads back of a field holding s: it drops a
// carriage return before a newline inside a quoted field (its documented
// behaviour, as of most CSV readers).
func read(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// readAll reads a CSV file back with encoding/csv, checking that every
// record is as wide as the header.
func readAll(t *testing.T, name string, b []byte) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(b))
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s does not read back: %v\n%s", name, err, b)
	}
	return recs
}

func TestSummaryCSVRoundTrip(t *testing.T) {
	t.Parallel()
	s := &Summary{}
	for _, name := range hostile() {
		ps := PolicySummary{Policy: name}
		for _, key := range hostile() {
			ps.Metrics = append(ps.Metrics, KeyedStats{Key: key, Stats: Stats{N: 3, Mean: -0.5, SD: 1e-300, CI95: [2]float64{math.NaN(), 2}}})
		}
		s.Policies = append(s.Policies, ps)
	}
	var b bytes.Buffer
	if err := WriteSummaryCSV(&b, s); err != nil {
		t.Fatal(err)
	}
	recs := readAll(t, "summary.csv", b.Bytes())
	i := 1
	for _, p := range s.Policies {
		for _, m := range p.Metrics {
			if recs[i][0] != read(p.Policy) || recs[i][1] != read(m.Key) || recs[i][3] != "-0.5" || recs[i][5] != "" || recs[i][4] != "1e-300" {
				t.Errorf("row %d reads back as %q, want policy %q, metric %q", i, recs[i], p.Policy, m.Key)
			}
			i++
		}
	}
}

func TestComparisonCSVRoundTrip(t *testing.T) {
	t.Parallel()
	var cs []Comparison
	for _, a := range hostile() {
		for _, m := range hostile() {
			cs = append(cs, Comparison{Policy: a, Baseline: m + "!", Metric: m, MeanDiff: 0.25, N: 7})
		}
	}
	var b bytes.Buffer
	if err := WriteComparisonCSV(&b, cs); err != nil {
		t.Fatal(err)
	}
	recs := readAll(t, "comparison.csv", b.Bytes())
	for i, c := range cs {
		r := recs[i+1]
		if r[0] != read(c.Policy) || r[1] != read(c.Baseline) || r[2] != read(c.Metric) || r[3] != "0.25" || r[8] != "7" {
			t.Errorf("row %d reads back as %q, want %q/%q/%q", i+1, r, c.Policy, c.Baseline, c.Metric)
		}
	}
}

func TestHistoriesCSVRoundTrip(t *testing.T) {
	t.Parallel()
	var rows []HistoryRow
	for i, name := range hostile() {
		rows = append(rows, HistoryRow{Policy: name, Replication: i, Round: 1, Relief: 0.5, Choice: hostile()[len(hostile())-1-i], Snapback: true})
	}
	var b bytes.Buffer
	if err := WriteHistoriesCSV(&b, rows); err != nil {
		t.Fatal(err)
	}
	recs := readAll(t, "histories.csv", b.Bytes())
	for i, r := range rows {
		got := recs[i+1]
		if got[0] != read(r.Policy) || got[1] != strconv.Itoa(i) || got[5] != "0.5" || got[11] != "1" || got[15] != read(r.Choice) {
			t.Errorf("row %d reads back as %q, want policy %q, choice %q", i+1, got, r.Policy, r.Choice)
		}
	}
}

// The rounds table and the replications table, written by the recorder in
// bulk, with hostile policy names and metric and series keys.
func TestStudyTablesRoundTrip(t *testing.T) {
	t.Parallel()
	m, err := sim.NewModel(sim.DefaultParams(), 3)
	if err != nil {
		t.Fatal(err)
	}
	ts := newTestStudy(t)
	names := hostile()[:len(ts.names)+1]
	names = names[1:] // commas, quotes, newlines
	params := ts.params
	rows := &bytes.Buffer{}
	rec, err := NewRecorder(names, m, nil, rows)
	if err != nil {
		t.Fatal(err)
	}
	for i := range rec.metrics {
		if !slices.Contains(sim.EndNames[:], rec.metrics[i].Key) { // the recorder writes the outcome column from these
			rec.metrics[i].Key = hostile()[i%len(hostile())] + strconv.Itoa(i)
		}
	}
	rows.Reset()
	io.WriteString(rows, ReplicationsHeader(rec.metrics))
	st := &sim.Study{Model: m, Policies: params, Seed: 1, Replications: 70, Workers: 2}
	if err := st.Run(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	recs := readAll(t, "replications.csv", rows.Bytes())
	if recs[0][2] != OutcomeColumn {
		t.Errorf("header field 2 is %q, want %q", recs[0][2], OutcomeColumn)
	}
	for i, k := range rec.metrics {
		if recs[0][3+i] != read(k.Key) {
			t.Errorf("header field %d reads back as %q, want %q", 3+i, recs[0][3+i], k.Key)
		}
	}
	if len(recs) != 1+70*len(names) {
		t.Fatalf("%d records, want %d", len(recs), 1+70*len(names))
	}
	for i, r := range recs[1:] {
		if r[0] != read(names[i%len(names)]) || r[1] != strconv.Itoa(i/len(names)) || !slices.Contains(sim.EndNames[:], r[2]) {
			t.Fatalf("row %d reads back as %q...", i+1, r[:3])
		}
	}

	agg, err := rec.Aggregate()
	if err != nil {
		t.Fatal(err)
	}
	for i := range agg.Series {
		agg.Series[i].Key = hostile()[i%len(hostile())]
	}
	var b bytes.Buffer
	if err := WriteRoundsCSV(&b, agg); err != nil {
		t.Fatal(err)
	}
	recs = readAll(t, "rounds.csv", b.Bytes())
	k := 1
	for _, p := range names {
		for r := range agg.Rounds {
			for _, s := range agg.Series {
				if recs[k][0] != read(p) || recs[k][1] != strconv.Itoa(r+1) || recs[k][2] != read(s.Key) {
					t.Fatalf("rounds.csv row %d reads back as %q, want %q round %d %q", k, recs[k][:3], p, r+1, s.Key)
				}
				k++
			}
		}
	}
}

// The per-round SD, read off the histogram, is within a small part of a
// grid step of the exact SD, and the shares count the values in each fifth
// of the range.
func TestRoundSDAndShares(t *testing.T) {
	t.Parallel()
	h := NewHistogram(0, 1, RoundSteps)
	var vals []float64
	for i := range 1000 {
		x := math.Mod(float64(i)*0.6180339887, 1) // spread over [0, 1)
		if i%3 == 0 {
			x = 0.97 // a second peak
		}
		vals = append(vals, x)
		h.Add(x)
	}
	d := RoundDist{Hist: h}
	want := stat.StdDev(vals, nil)
	if got := d.SD(); math.Abs(got-want) > 0.002 {
		t.Errorf("SD %v, exact %v", got, want)
	}
	shares := d.Shares(1)
	var counts [LevelBands]float64
	for _, x := range vals {
		counts[min(int(x*LevelBands), LevelBands-1)]++
	}
	sum := 0.0
	for b := range shares {
		sum += shares[b]
		// Values within half a grid step of a boundary may fall either side.
		if math.Abs(shares[b]-counts[b]/1000) > 0.012 {
			t.Errorf("band %d: share %v, exact %v", b, shares[b], counts[b]/1000)
		}
	}
	if math.Abs(sum-1) > 1e-9 || shares[LevelBands-1] < 0.33 {
		t.Errorf("shares %v: sum %v; the peak at 0.97 must be in the top band", shares, sum)
	}
	empty := RoundDist{Hist: NewHistogram(0, 1, RoundSteps)}
	if !math.IsNaN(empty.SD()) || !math.IsNaN(empty.Shares(1)[0]) {
		t.Error("an empty distribution has an SD or shares")
	}
}
