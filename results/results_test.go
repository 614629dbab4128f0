package results

import (
	"bytes"
	"context"
	"encoding/gob"
	"encoding/json"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat"

	"github.com/tranche-sim/tranche/policy"
	"github.com/tranche-sim/tranche/sim"
)

func sample(n int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 1))
	x := make([]float64, n)
	for i := range x {
		x[i] = r.NormFloat64()*3 + 10
	}
	return x
}

func TestMomentsMatchGonum(t *testing.T) {
	x := sample(10000, 1)
	var m Moments
	for _, v := range x {
		m.Add(v)
	}
	mean, variance := stat.MeanVariance(x, nil)
	// The only difference is the 2^-32 rounding of each value.
	if math.Abs(m.Mean()-mean) > 1e-9 || math.Abs(m.Variance()-variance) > 1e-8 {
		t.Errorf("Moments: mean %v var %v; gonum: mean %v var %v", m.Mean(), m.Variance(), mean, variance)
	}
	if m.N() != len(x) {
		t.Errorf("N = %d, want %d", m.N(), len(x))
	}
}

// The point of Moments: any order, any split, the same bits.
func TestMomentsOrderAndSplitFree(t *testing.T) {
	x := sample(5000, 2)
	var whole Moments
	for _, v := range x {
		whole.Add(v)
	}
	r := rand.New(rand.NewPCG(3, 3))
	for trial := range 20 {
		y := slices.Clone(x)
		r.Shuffle(len(y), func(i, j int) { y[i], y[j] = y[j], y[i] })
		parts := make([]Moments, 1+trial%7)
		for i, v := range y {
			parts[r.IntN(len(parts))].Add(v)
			_ = i
		}
		var merged Moments
		for i := len(parts) - 1; i >= 0; i-- {
			merged.Merge(&parts[i])
		}
		if merged != whole {
			t.Fatalf("trial %d: merged moments differ: mean %v vs %v", trial, merged.Mean(), whole.Mean())
		}
	}
}

func TestMomentsSkipNaNAndEmpty(t *testing.T) {
	var m Moments
	if !math.IsNaN(m.Mean()) || !math.IsNaN(m.Variance()) {
		t.Error("empty Moments: want NaN mean and variance")
	}
	m.Add(math.NaN())
	m.Add(2)
	if m.N() != 1 || m.Mean() != 2 || !math.IsNaN(m.Variance()) {
		t.Errorf("after NaN and 2: n=%d mean=%v var=%v", m.N(), m.Mean(), m.Variance())
	}
	m.Add(-4)
	if m.Mean() != -1 || m.Variance() != 18 {
		t.Errorf("2 and -4: mean %v var %v, want -1 and 18", m.Mean(), m.Variance())
	}
}

func TestHistogramQuantiles(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	x := make([]float64, 20000)
	h := NewHistogram(0, 1, 1000)
	for i := range x {
		x[i] = r.Float64() * r.Float64()
		h.Add(x[i])
	}
	sort.Float64s(x)
	ps := []float64{0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99}
	got := h.Quantiles(ps...)
	for i, p := range ps {
		want := stat.Quantile(p, stat.Empirical, x, nil)
		if math.Abs(got[i]-want) > h.HalfWidth()+1e-12 {
			t.Errorf("p=%v: histogram %v, exact %v: error above half a step (%v)", p, got[i], want, h.HalfWidth())
		}
	}
}

func TestCountHistogramExact(t *testing.T) {
	h := NewCountHistogram(0, 40)
	var x []float64
	r := rand.New(rand.NewPCG(5, 5))
	for range 999 {
		v := float64(r.IntN(41))
		x = append(x, v)
		h.Add(v)
	}
	sort.Float64s(x)
	for _, p := range []float64{0.05, 0.5, 0.95} {
		if got, want := h.Quantiles(p)[0], stat.Quantile(p, stat.Empirical, x, nil); got != want {
			t.Errorf("p=%v: %v, want exactly %v", p, got, want)
		}
	}
	// Grid values come out exactly for level histograms too.
	g := NewHistogram(0, 1, 200)
	for _, v := range []float64{0.25, 0.25, 0.5} {
		g.Add(v)
	}
	if q := g.Quantiles(0.5)[0]; q != 0.25 {
		t.Errorf("median of 0.25, 0.25, 0.5 = %v, want 0.25", q)
	}
}

// Values on the grid come back exactly as the decimal numbers they are:
// a share of 1 is 1, not 1.0000000000000002 (a value above its range).
func TestHistogramGridPointsExact(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		steps  int
		x      float64
	}{
		{0, 1, 200, 1}, {0, 1, 200, 0}, {0, 1, 200, 0.06}, {0, 1, 1000, 0.637}, {0, 1, 200, 0.25},
		{0, 1, 1000, 0.95}, {0, 1, 1000, 0.894}, {0, 2, 200, 1.5}, {0, 40, 40, 17},
	} {
		h := NewHistogram(c.lo, c.hi, c.steps)
		h.Add(c.x)
		if got := h.Quantiles(0.5)[0]; got != c.x {
			t.Errorf("grid [%v, %v] in %d steps: median of {%v} is %v", c.lo, c.hi, c.steps, c.x, got)
		}
	}
}

func TestHistogramMergeChecksShape(t *testing.T) {
	if err := NewHistogram(0, 1, 10).Merge(NewHistogram(0, 1, 20)); err == nil {
		t.Error("merging histograms of different shapes: want an error")
	}
}

// Reference values: Wilson score intervals for 81/263, 15/148 and 0/20 as
// published by Newcombe (1998, Stat Med 17:857), 29/29 by symmetry with
// 0/29; and the t quantile t(0.975, 9) = 2.262157 from standard tables.
func TestIntervals(t *testing.T) {
	cases := []struct {
		p      float64
		n      int
		lo, hi float64
	}{
		{81.0 / 263, 263, 0.2553, 0.3662},
		{15.0 / 148, 148, 0.0624, 0.1605},
		{0, 20, 0, 0.1611},
		{1, 29, 0.8830, 1},
	}
	for _, c := range cases {
		ci := Wilson(c.p, c.n, 0.95)
		if math.Abs(ci[0]-c.lo) > 5e-5 || math.Abs(ci[1]-c.hi) > 5e-5 {
			t.Errorf("Wilson(%v, %d) = %v, want [%v, %v]", c.p, c.n, ci, c.lo, c.hi)
		}
	}
	ci := TInterval(0, 1, 10, 0.95)
	if h := 2.262157 / math.Sqrt(10); math.Abs(ci[1]-h) > 1e-6 || math.Abs(ci[0]+h) > 1e-6 {
		t.Errorf("TInterval(0, 1, 10) = %v, want ±%v", ci, h)
	}
	if ci := TInterval(1, 1, 1, 0.95); !math.IsNaN(ci[0]) {
		t.Errorf("TInterval with n=1 = %v, want NaN", ci)
	}
}

func TestSummaryJSONRoundTrip(t *testing.T) {
	s := &Summary{Scenario: "x", Seed: 3, Replications: 10, Rounds: 4, Policies: []PolicySummary{{
		Policy: "p",
		Metrics: MetricStats{
			{"b_metric", Stats{N: 10, Mean: 0.5, SD: 0.1, CI95: [2]float64{0.4, 0.6}, P05: 0, P25: 0.25, P50: 0.5, P75: 0.75, P95: 1}},
			{"a_metric", Stats{N: 0, Mean: math.NaN(), SD: math.NaN(), CI95: [2]float64{math.NaN(), math.NaN()}, P05: math.NaN(), P25: math.NaN(), P50: math.NaN(), P75: math.NaN(), P95: math.NaN()}},
		},
	}}}
	var b bytes.Buffer
	if err := WriteSummaryJSON(&b, s); err != nil {
		t.Fatal(err)
	}
	if !json.Valid(b.Bytes()) {
		t.Fatalf("invalid JSON:\n%s", b.String())
	}
	if bytes.Index(b.Bytes(), []byte("b_metric")) > bytes.Index(b.Bytes(), []byte("a_metric")) {
		t.Error("metric order not kept")
	}
	var back Summary
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	got, _ := back.Policies[0].Metrics.Get("a_metric")
	if !math.IsNaN(got.Mean) || got.N != 0 {
		t.Errorf("NaN did not round-trip as null: %+v", got)
	}
	got, _ = back.Policies[0].Metrics.Get("b_metric")
	if got != s.Policies[0].Metrics[0].Stats {
		t.Errorf("round trip: %+v, want %+v", got, s.Policies[0].Metrics[0].Stats)
	}
}

func TestFolderAtomic(t *testing.T) {
	dir := t.TempDir()
	final := filepath.Join(dir, "out")
	f, err := CreateFolder(final)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.WriteFile("a.txt", []byte("x")); err != nil {
		t.Fatal(err)
	}
	// Before Commit the final path is reserved, empty: a second run cannot
	// take it, and nothing in it looks like results.
	if entries, err := os.ReadDir(final); err != nil || len(entries) != 0 {
		t.Fatalf("before Commit the final path holds %v (%v), want an empty reservation", entries, err)
	}
	if _, err := CreateFolder(final); !errors.Is(err, ErrExists) {
		t.Errorf("CreateFolder on a reserved path: %v, want ErrExists", err)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	f.Abort() // deferred by callers: must not touch a committed folder
	if b, err := os.ReadFile(filepath.Join(final, "a.txt")); err != nil || string(b) != "x" {
		t.Fatalf("after Commit and Abort: %q, %v", b, err)
	}
	if _, err := CreateFolder(final); !errors.Is(err, ErrExists) {
		t.Errorf("CreateFolder on an existing folder: %v, want ErrExists", err)
	}
	g, err := CreateFolder(filepath.Join(dir, "aborted"))
	if err != nil {
		t.Fatal(err)
	}
	g.WriteFile("b.txt", []byte("y"))
	g.Abort()
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("after Abort the parent holds %v, want only out", names)
	}
}

// The fast path for whole numbers writes what strconv's shortest form does.
func TestAppendFloatMatchesStrconv(t *testing.T) {
	for _, x := range []float64{0, 1, -1, 2, 40, -7, 100000, 999999, 1e6, 123456789, 1e14, 1e21, 0.5, -0.25, 1.0 / 3, math.Copysign(0, -1), math.Inf(1), 5e-324} {
		got := string(AppendFloat(nil, x))
		want := strconv.FormatFloat(x, 'g', -1, 64)
		if got != want {
			t.Errorf("AppendFloat(%v) = %q, strconv gives %q", x, got, want)
		}
	}
}

// A study split in parts and merged from written states equals the whole,
// bit for bit.
func TestStateMergeEqualsWhole(t *testing.T) {
	ts := newTestStudy(t)
	run := func(first, n int) *Aggregate { return ts.run(t, 3, first, n, nil) }
	whole := run(0, 300)
	merged := NewAggregate(ts.names, ts.model, ts.obj)
	for _, part := range [][2]int{{0, 100}, {100, 37}, {137, 163}} {
		var b bytes.Buffer
		if err := WriteState(&b, run(part[0], part[1])); err != nil {
			t.Fatal(err)
		}
		a, err := ReadState(&b, NewAggregate(ts.names, ts.model, ts.obj), part[1])
		if err != nil {
			t.Fatal(err)
		}
		if err := merged.Merge(a); err != nil {
			t.Fatal(err)
		}
	}
	var w, g bytes.Buffer
	WriteSummaryJSON(&w, Summarize("x", 3, whole))
	WriteSummaryJSON(&g, Summarize("x", 3, merged))
	if !bytes.Equal(w.Bytes(), g.Bytes()) {
		t.Error("summary of the merged parts differs from the whole")
	}
	w.Reset()
	g.Reset()
	WriteRoundsCSV(&w, whole)
	WriteRoundsCSV(&g, merged)
	if !bytes.Equal(w.Bytes(), g.Bytes()) {
		t.Error("rounds of the merged parts differ from the whole")
	}
	w.Reset()
	g.Reset()
	WriteComparisonCSV(&w, Compare(whole, 1))
	WriteComparisonCSV(&g, Compare(merged, 1))
	if !bytes.Equal(w.Bytes(), g.Bytes()) {
		t.Error("comparisons of the merged parts differ from the whole")
	}
	if _, err := ReadState(strings.NewReader("not a state"), NewAggregate(ts.names, ts.model, ts.obj), 1); err == nil {
		t.Error("ReadState accepted garbage")
	}
}

// testStudy is a small study of three policies with an objective, for tests
// that need aggregates of real replications.
type testStudy struct {
	model  *sim.Model
	names  []string
	params []sim.PolicyParams
	obj    *Objective
}

func newTestStudy(t testing.TB) testStudy {
	t.Helper()
	m, err := sim.NewModel(sim.DefaultParams(), 20)
	if err != nil {
		t.Fatal(err)
	}
	ts := testStudy{model: m, names: []string{"phased", "big-bang", "max-pressure"}}
	for _, n := range ts.names {
		e, ok := policy.Lookup(n)
		if !ok {
			t.Fatalf("no built-in policy %q", n)
		}
		ts.params = append(ts.params, e.Defaults())
	}
	if ts.obj, err = ParseObjective("durable_agreement - 0.1*humanitarian_shortfall", m.Metrics()); err != nil {
		t.Fatal(err)
	}
	return ts
}

// run runs replications first to first+n-1 with the seed on two workers,
// writing the replications table to rows unless it is nil.
func (ts testStudy) run(t testing.TB, seed uint64, first, n int, rows io.Writer) *Aggregate {
	t.Helper()
	rec, err := NewRecorder(ts.names, ts.model, ts.obj, rows)
	if err != nil {
		t.Fatal(err)
	}
	st := &sim.Study{Model: ts.model, Policies: ts.params, Seed: seed, First: first, Replications: n, Workers: 2}
	if err := st.Run(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	a, err := rec.Aggregate()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// A count that can only be one value (spoiler incidents without factions,
// rounds_to_durable over a single round) gets a histogram that works: it
// once had bins of no width and indexed out of range.
func TestHistogramOfNoWidth(t *testing.T) {
	for _, lo := range []float64{0, 1} {
		h := NewCountHistogram(lo, lo)
		for range 5 {
			h.Add(lo)
		}
		if q := h.Quantiles(0.05, 0.5, 0.95); q[0] != lo || q[1] != lo || q[2] != lo {
			t.Errorf("count histogram [%v, %v]: quantiles %v, want all %v", lo, lo, q, lo)
		}
		if n := h.N(); n != 5 {
			t.Errorf("count histogram [%v, %v]: %d values, want 5", lo, lo, n)
		}
	}
}

// A grid of infinite extent makes bin positions NaN; Add must count the
// value in an end bin, not index with the NaN.
func TestHistogramInfiniteGrid(t *testing.T) {
	h := NewHistogram(math.Inf(-1), math.Inf(1), 10)
	h.Add(1)
	if n := h.N(); n != 1 {
		t.Errorf("%d values counted, want 1", n)
	}
}

// A damaged state whose paired differences do not match its metrics is
// refused when read, rather than making a later Merge index out of range.
func TestReadStateChecksPairs(t *testing.T) {
	ts := newTestStudy(t)
	var b bytes.Buffer
	if err := WriteState(&b, ts.run(t, 3, 0, 20, nil)); err != nil {
		t.Fatal(err)
	}
	var s state
	if err := gob.NewDecoder(&b).Decode(&s); err != nil {
		t.Fatal(err)
	}
	s.Pairs[1] = s.Pairs[1][:1] // policies 0 and 1: one metric left
	b.Reset()
	if err := gob.NewEncoder(&b).Encode(&s); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadState(&b, NewAggregate(ts.names, ts.model, ts.obj), 20); err == nil || !strings.Contains(err.Error(), "inconsistent shape") {
		t.Errorf("ReadState of a damaged state: error %v, want an inconsistent shape", err)
	}
}

// A recorder is sized by the study that runs it: a study on more workers
// than anyone told the recorder about once panicked with an index out of
// range (the recorder was made for one worker, the study used four).
func TestRecorderSizedFromStudy(t *testing.T) {
	t.Parallel()
	ts := newTestStudy(t)
	for _, workers := range []int{0, 1, 4} { // 0: runtime.GOMAXPROCS(0)
		rec, err := NewRecorder(ts.names, ts.model, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		st := &sim.Study{Model: ts.model, Policies: ts.params, Seed: 1, Replications: 4 * sim.BlockSize, Workers: workers}
		if err := st.Run(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
		a, err := rec.Aggregate()
		if err != nil {
			t.Fatal(err)
		}
		if n := a.Metric(0, 0).N(); n != 4*sim.BlockSize {
			t.Errorf("%d workers: %d replications aggregated, want %d", workers, n, 4*sim.BlockSize)
		}
	}
}
