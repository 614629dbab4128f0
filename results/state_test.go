package results

import (
	"bytes"
	"encoding/gob"
	"math"
	"testing"

	"github.com/tranche-sim/tranche/sim"
)

// validState returns the state of a small study and the aggregate shape
// and replications it must match.
func validState(t testing.TB) (state, *Aggregate, int) {
	t.Helper()
	ts := newTestStudy(t)
	a := ts.run(t, 3, 0, 40, nil)
	var b bytes.Buffer
	if err := WriteState(&b, a); err != nil {
		t.Fatal(err)
	}
	var s state
	if err := gob.NewDecoder(&b).Decode(&s); err != nil {
		t.Fatal(err)
	}
	return s, NewAggregate(ts.names, ts.model, ts.obj), 40
}

// A crafted state is refused with an error: it once made merge panic
// (makeslice: len out of range from Rounds -5 or a histogram bound of
// 1e18), die out of memory (Rounds 1e8) or succeed with nonsense (2^62
// replications; a negative count giving a mean durable agreement of
// 1.284).
func TestReadStateRefusesCrafted(t *testing.T) {
	cases := []struct {
		name   string
		change func(*state)
	}{
		{"rounds -5", func(s *state) { s.Rounds = -5 }},
		{"rounds 1e8", func(s *state) { s.Rounds = 100_000_000 }},
		{"histogram bound 1e18", func(s *state) { s.Metric[0][2].Hist.Span = 1e18 }},
		{"histogram of 1e9 bins", func(s *state) { s.Metric[0][1].Hist.Counts = make([]uint32, 1<<20) }},
		{"2^62 replications", func(s *state) { s.Metric[0][0].Moments.N = 1 << 62 }},
		{"negative replications", func(s *state) { s.Metric[1][0].Moments.N = -3 }},
		{"counts that do not add up", func(s *state) { s.Metric[0][0].Hist.Counts[0] += 5 }},
		{"per-round replications", func(s *state) { s.Round[0].N = 1 << 40 }},
		{"per-round counts", func(s *state) { s.Round[2].Counts[7]++ }},
		{"a mean beyond the range", func(s *state) { s.Metric[0][0].Moments.Sum = [2]uint64{math.MaxUint64 >> 1, 1 << 20} }},
		{"paired count", func(s *state) { s.Pairs[1][0].N = 41 }},
		{"another policy", func(s *state) { s.Policies = append([]string{"nope"}, s.Policies[1:]...) }},
		{"a metric's range", func(s *state) { s.Metrics[4].Hi = 1e18 }},
		{"no objective", func(s *state) { s.Objective = nil }},
		{"an objective's weight", func(s *state) {
			o := *s.Objective
			o.Terms = append([]Term(nil), o.Terms...)
			o.Terms[0].Coef = 7
			s.Objective = &o
		}},
		{"fewer series", func(s *state) { s.Series = s.Series[:3] }},
		{"short pairs", func(s *state) { s.Pairs = s.Pairs[:2] }},
		{"short round counts", func(s *state) { s.Round[1].Counts = s.Round[1].Counts[:10] }},
		{"version", func(s *state) { s.Version = 99 }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, want, n := validState(t)
			c.change(&s)
			var b bytes.Buffer
			if err := gob.NewEncoder(&b).Encode(&s); err != nil {
				t.Fatal(err)
			}
			if a, err := ReadState(&b, want, n); err == nil {
				t.Errorf("accepted; mean durable agreement %v", a.Metric(0, 0).Mean())
			}
		})
	}
	s, want, n := validState(t)
	var b bytes.Buffer
	gob.NewEncoder(&b).Encode(&s)
	if _, err := ReadState(&b, want, n); err != nil {
		t.Fatalf("the untouched state: %v", err)
	}
}

// FuzzReadState feeds ReadState arbitrary bytes: it must refuse or accept,
// never panic or allocate what the input dictates.
func FuzzReadState(f *testing.F) {
	ts := newTestStudy(f)
	m, err := sim.NewModel(sim.DefaultParams(), 2) // a small state: fuzzing mutates it quickly
	if err != nil {
		f.Fatal(err)
	}
	ts.model, ts.names, ts.params, ts.obj = m, ts.names[:1], ts.params[:1], nil
	a := ts.run(f, 3, 0, 10, nil)
	var b bytes.Buffer
	if err := WriteState(&b, a); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	f.Add(b.Bytes()[:len(b.Bytes())/2])
	f.Add([]byte("garbage"))
	want := NewAggregate(ts.names, ts.model, ts.obj)
	f.Fuzz(func(t *testing.T, data []byte) {
		ReadState(bytes.NewReader(data), want, 10)
	})
}
