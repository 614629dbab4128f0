package results

import (
	"encoding/gob"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"

	"github.com/tranche-sim/tranche/sim"
)

// stateVersion is the version of the aggregate state format; merge refuses
// states of another version.
const stateVersion = 3 // 3: histograms record their grid's start and span

// state is an Aggregate in a form encoding/gob can write: every exact sum
// and every histogram count, so that merging states gives the same bits as
// aggregating everything in one process.
type state struct {
	Version   int
	Policies  []string
	Metrics   []sim.Metric
	Series    []sim.Series
	Rounds    int
	Objective *Objective
	Metric    [][]distState // [policy][metric]
	Pairs     [][]momentsState
	Round     []roundState // [policy]
}

type momentsState struct {
	N     int64
	Sum   [2]uint64
	SumSq [3]uint64
}

type histState struct {
	Lo, Width, PerWidth float64
	Start, Span         float64
	Counts              []uint32
}

type distState struct {
	Moments momentsState
	Hist    histState
}

type roundState struct {
	N      int64
	Stride int
	Sums   [][2]uint64
	Counts []uint32
}

func toMoments(m *Moments) momentsState {
	return momentsState{N: m.n, Sum: [2]uint64{m.sum.lo, m.sum.hi}, SumSq: m.sumSq.w}
}

func fromMoments(s momentsState) Moments {
	return Moments{n: s.N, sum: int128{lo: s.Sum[0], hi: s.Sum[1]}, sumSq: int192{w: s.SumSq}}
}

// WriteState writes the exact state of a, for a later merge.
func WriteState(w io.Writer, a *Aggregate) error {
	s := state{Version: stateVersion, Policies: a.Policies, Metrics: a.Metrics, Series: a.Series, Rounds: a.Rounds, Objective: a.Objective}
	for p := range a.Policies {
		var ds []distState
		for k := range a.Metrics {
			d := a.Metric(p, k)
			ds = append(ds, distState{toMoments(&d.Moments), histState{d.Hist.lo, d.Hist.width, d.Hist.perWidth, d.Hist.start, d.Hist.span, d.Hist.counts}})
		}
		s.Metric = append(s.Metric, ds)
		g := a.round[p]
		rs := roundState{N: g.n, Stride: g.stride, Counts: g.counts}
		for _, x := range g.sums {
			rs.Sums = append(rs.Sums, [2]uint64{x.lo, x.hi})
		}
		s.Round = append(s.Round, rs)
	}
	for _, pair := range a.pairs {
		var ms []momentsState
		for k := range pair {
			ms = append(ms, toMoments(&pair[k]))
		}
		s.Pairs = append(s.Pairs, ms)
	}
	return gob.NewEncoder(w).Encode(&s)
}

// MaxStateBytes bounds a state file read back: the state of the default
// scenario's five policies is about 1 MB, whatever the replications.
const MaxStateBytes = 256 << 20

// ReadState reads a state written by WriteState for a study of the shape of
// want (an empty aggregate of the same policies, model and objective) over
// n replications, and returns it as an aggregate. Nothing in the state is
// trusted: it is read from at most MaxStateBytes, its shape must be want's
// (policies, metrics, series, rounds, objective, every histogram's grid
// and every slice's length), and every count must be one that n
// replications can give (n for a metric defined in every replication, at
// most n otherwise, histogram counts summing to them). A state that fails
// is refused with an error, never a panic or an allocation it dictates.
func ReadState(r io.Reader, want *Aggregate, n int) (*Aggregate, error) {
	var s state
	lr := &io.LimitedReader{R: r, N: MaxStateBytes + 1}
	if err := gob.NewDecoder(lr).Decode(&s); err != nil {
		if lr.N <= 0 {
			return nil, fmt.Errorf("aggregate state: larger than %d bytes", MaxStateBytes)
		}
		return nil, fmt.Errorf("aggregate state: %w", err)
	}
	bad := func(format string, a ...any) (*Aggregate, error) {
		return nil, fmt.Errorf("aggregate state: "+format, a...)
	}
	switch {
	case s.Version != stateVersion:
		return bad("version %d, this tranche reads version %d", s.Version, stateVersion)
	case n < 0 || n > math.MaxInt32*64:
		return bad("%d replications", n)
	case !slices.Equal(s.Policies, want.Policies):
		return bad("policies %q, want %q", clipList(s.Policies), want.Policies)
	case !slices.Equal(s.Metrics, want.Metrics):
		return bad("metric definitions differ from the study's")
	case !slices.Equal(s.Series, want.Series):
		return bad("series definitions differ from the study's")
	case s.Rounds != want.Rounds:
		return bad("%d rounds, want %d", s.Rounds, want.Rounds)
	case (s.Objective == nil) != (want.Objective == nil) || s.Objective != nil && !reflect.DeepEqual(*s.Objective, *want.Objective):
		return bad("objective differs from the study's")
	}
	np := len(want.Policies)
	if len(s.Metric) != np || len(s.Round) != np || len(s.Pairs) != np*np {
		return bad("inconsistent shape")
	}
	a := newAggregate(want.Policies, want.Metrics, want.Series, want.Rounds, want.Objective)
	nm := len(want.Metrics)
	for p := range np {
		a.metric[p] = a.metric[p][:0]
		if len(s.Metric[p]) != nm {
			return bad("inconsistent shape")
		}
		for k, d := range s.Metric[p] {
			def := want.Metrics[k]
			h := want.metric[p][k].Hist
			dh := d.Hist
			if dh.Lo != h.lo || dh.Width != h.width || dh.PerWidth != h.perWidth || dh.Start != h.start || dh.Span != h.span || len(dh.Counts) != len(h.counts) {
				return bad("the histogram of %s of %s is not the study's", def.Key, want.Policies[p])
			}
			m := fromMoments(d.Moments)
			if m.n < 0 || m.n > int64(n) || def.Undefined == "" && m.n != int64(n) {
				return bad("%s of %s counts %d replications, want %d", def.Key, want.Policies[p], m.n, n)
			}
			if total := sumCounts(dh.Counts); total != uint64(m.n) {
				return bad("the histogram of %s of %s counts %d values, its moments %d", def.Key, want.Policies[p], total, m.n)
			}
			if mean := m.Mean(); m.n > 0 && !(mean >= def.Lo-1e-9 && (mean <= def.Hi+1e-9 || def.Key == "relief_per_compliance" || def.Key == "objective")) {
				return bad("mean %v of %s of %s is outside its range [%g, %g]", mean, def.Key, want.Policies[p], def.Lo, def.Hi)
			}
			a.metric[p] = append(a.metric[p], Dist{Moments: m, Hist: (&Histogram{lo: dh.Lo, width: dh.Width, perWidth: dh.PerWidth, start: dh.Start, span: dh.Span, counts: dh.Counts}).withDecimals()})
		}
		g := newRoundGrid(want.Series, want.Rounds)
		rs := s.Round[p]
		if rs.Stride != g.stride || len(rs.Counts) != len(g.counts) || len(rs.Sums) != len(g.sums) {
			return bad("inconsistent per-round shape")
		}
		if rs.N != int64(n) {
			return bad("the series of %s count %d replications, want %d", want.Policies[p], rs.N, n)
		}
		for i := range g.sums {
			if total := sumCounts(rs.Counts[i*g.stride : (i+1)*g.stride]); total != uint64(n) {
				return bad("a per-round histogram of %s counts %d values, want %d", want.Policies[p], total, n)
			}
		}
		g.n, g.counts = rs.N, rs.Counts
		for i, x := range rs.Sums {
			g.sums[i] = int128{lo: x[0], hi: x[1]}
		}
		a.round[p] = g
	}
	for i, ms := range s.Pairs {
		want := 0 // pairs are kept for a < b only
		if i/np < i%np {
			want = nm
		}
		if len(ms) != want {
			return bad("inconsistent shape of paired differences")
		}
		a.pairs[i] = a.pairs[i][:0]
		for _, m := range ms {
			mm := fromMoments(m)
			if mm.n < 0 || mm.n > int64(n) {
				return bad("a paired difference counts %d replications, more than %d", mm.n, n)
			}
			a.pairs[i] = append(a.pairs[i], mm)
		}
	}
	return a, nil
}

// sumCounts adds counts without overflow (each is below 2^32).
func sumCounts(c []uint32) uint64 {
	var t uint64
	for _, x := range c {
		t += uint64(x)
	}
	return t
}

// clipList shortens a list of names for a message.
func clipList(l []string) []string {
	if len(l) > 5 {
		return append(l[:5:5], "...")
	}
	return l
}
