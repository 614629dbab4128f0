package results

import (
	"encoding/gob"
	"fmt"
	"io"

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

// ReadState reads a state written by WriteState.
func ReadState(r io.Reader) (*Aggregate, error) {
	var s state
	if err := gob.NewDecoder(r).Decode(&s); err != nil {
		return nil, fmt.Errorf("aggregate state: %w", err)
	}
	if s.Version != stateVersion {
		return nil, fmt.Errorf("aggregate state version %d, this tranche reads version %d", s.Version, stateVersion)
	}
	n := len(s.Policies)
	if len(s.Metric) != n || len(s.Round) != n || len(s.Pairs) != n*n {
		return nil, fmt.Errorf("aggregate state: inconsistent shape")
	}
	a := &Aggregate{Policies: s.Policies, Metrics: s.Metrics, Series: s.Series, Rounds: s.Rounds, Objective: s.Objective}
	a.metric = make([][]Dist, n)
	a.round = make([]*roundGrid, n)
	a.rows = make([][]float64, n)
	for p := range n {
		if len(s.Metric[p]) != len(s.Metrics) {
			return nil, fmt.Errorf("aggregate state: inconsistent shape")
		}
		for _, d := range s.Metric[p] {
			h := &Histogram{lo: d.Hist.Lo, width: d.Hist.Width, perWidth: d.Hist.PerWidth, start: d.Hist.Start, span: d.Hist.Span, counts: d.Hist.Counts}
			a.metric[p] = append(a.metric[p], Dist{Moments: fromMoments(d.Moments), Hist: h})
		}
		g := newRoundGrid(s.Series, s.Rounds)
		rs := s.Round[p]
		if rs.Stride != g.stride || len(rs.Counts) != len(g.counts) || len(rs.Sums) != len(g.sums) {
			return nil, fmt.Errorf("aggregate state: inconsistent per-round shape")
		}
		g.n, g.counts = rs.N, rs.Counts
		for i, x := range rs.Sums {
			g.sums[i] = int128{lo: x[0], hi: x[1]}
		}
		a.round[p] = g
		a.rows[p] = make([]float64, len(s.Metrics))
	}
	a.pairs = make([][]Moments, n*n)
	for i, ms := range s.Pairs {
		want := 0 // pairs are kept for a < b only
		if i/n < i%n {
			want = len(s.Metrics)
		}
		if len(ms) != want {
			return nil, fmt.Errorf("aggregate state: inconsistent shape of paired differences")
		}
		for _, m := range ms {
			a.pairs[i] = append(a.pairs[i], fromMoments(m))
		}
	}
	return a, nil
}
