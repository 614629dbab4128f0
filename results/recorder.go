package results

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/tranche-sim/tranche/sim"
)

// Recorder is the sim.Sink of a study: it aggregates outcomes per worker
// and streams one row per replication and policy to a replications table in
// replication order, so memory does not grow with the number of
// replications. It keeps one aggregate per worker, sized by Start from the
// study that runs it; the same Recorder can record several runs of a study
// grown in batches.
type Recorder struct {
	aggs     []*Aggregate
	rows     io.Writer
	table    RowWriter
	scratch  []float64 // Commit's row, objective included
	policies []string
	fields   []string // the policies as CSV fields
	model    *sim.Model
	obj      *Objective
	metrics  []sim.Metric
	ends     [sim.NumEnds]int // the metrics that say how an episode ended
	outcome  bool             // whether the table has the outcome column
	// OnCommit, if set, is called after each block is written with the
	// number of replications written so far.
	OnCommit func(done int)
	// Histories holds the round-by-round histories of replications 0 to
	// SampleHistories-1 of every policy.
	Histories Histories
	done      int
}

// NewRecorder returns a Recorder for a study of the named policies on model
// m, with an optional objective (nil for none). If rows is not nil it
// receives the replications table as CSV, starting with its header.
func NewRecorder(policies []string, m *sim.Model, obj *Objective, rows io.Writer) (*Recorder, error) {
	r := &Recorder{rows: rows, policies: policies, model: m, obj: obj}
	r.metrics = NewAggregate(policies, m, obj).Metrics
	r.ends, r.outcome = endColumns(r.metrics)
	for _, p := range policies {
		r.fields = append(r.fields, csvField(p))
	}
	if rows != nil {
		if _, err := io.WriteString(rows, ReplicationsHeader(r.metrics)); err != nil {
			return nil, fmt.Errorf("replications table: %w", err)
		}
	}
	return r, nil
}

// Start implements sim.Sink: it makes sure there is an aggregate for each
// of the study's workers.
func (r *Recorder) Start(workers int) error {
	if workers < 1 {
		return fmt.Errorf("recorder: %d workers", workers)
	}
	for len(r.aggs) < workers {
		r.aggs = append(r.aggs, NewAggregate(r.policies, r.model, r.obj))
	}
	return nil
}

// Metrics returns the metrics recorded: the model's, then the objective if
// there is one.
func (r *Recorder) Metrics() []sim.Metric { return r.metrics }

// RowWriter receives the replications table one row at a time, in table
// order: ReplicationsParquet is one.
type RowWriter interface {
	Write(policy string, replication int, values []float64) error
}

// WriteRowsTo makes the recorder write the replications table to t, row by
// row from Commit, instead of as CSV.
func (r *Recorder) WriteRowsTo(t RowWriter) {
	r.rows, r.table = nil, t
	r.scratch = make([]float64, len(r.metrics))
}

// ReplicationsHeader returns the header line of replications.csv.
func ReplicationsHeader(metrics []sim.Metric) string {
	h := ReplicationsColumns(metrics)
	for i := range h {
		h[i] = csvField(h[i])
	}
	return strings.Join(h, ",") + "\n"
}

// Outcome implements sim.Sink.
func (r *Recorder) Outcome(w, rep, p int, o *sim.Outcome) {
	r.aggs[w].Add(p, o)
	if rep < SampleHistories {
		r.Histories.Add(r.policies[p], rep, o)
	}
}

// Prepare implements sim.Sink: it accumulates the paired differences
// between policies and formats the block's rows.
func (r *Recorder) Prepare(w int, b *sim.Block) {
	agg := r.aggs[w]
	for i := range b.N {
		agg.AddPaired(func(p int) []float64 { return b.Metrics(i, p) })
	}
	if r.rows == nil {
		return
	}
	buf := b.Scratch[:0]
	for i := range b.N {
		for p, field := range r.fields {
			buf = append(buf, field...)
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(b.First+i), 10)
			if r.outcome {
				buf = append(buf, ',')
				buf = append(buf, endName(&r.ends, b.Metrics(i, p))...)
			}
			for _, x := range agg.extend(p, b.Metrics(i, p)) {
				buf = append(buf, ',')
				buf = AppendFloat(buf, x)
			}
			buf = append(buf, '\n')
		}
	}
	b.Scratch = buf
}

// Commit implements sim.Sink: it writes the block's rows.
func (r *Recorder) Commit(b *sim.Block) error {
	if r.table != nil {
		for i := range b.N {
			for p, name := range r.policies {
				m := b.Metrics(i, p)
				copy(r.scratch, m)
				if r.obj != nil {
					r.scratch[len(r.scratch)-1] = r.obj.Eval(m)
				}
				if err := r.table.Write(name, b.First+i, r.scratch); err != nil {
					return err
				}
			}
		}
	}
	if r.rows != nil {
		if _, err := r.rows.Write(b.Scratch); err != nil {
			return err
		}
	}
	r.done += b.N
	if r.OnCommit != nil {
		r.OnCommit(r.done)
	}
	return nil
}

// Aggregate returns everything recorded so far, merged over workers; the
// recorder can go on recording.
func (r *Recorder) Aggregate() (*Aggregate, error) {
	a := NewAggregate(r.policies, r.model, r.obj)
	for _, o := range r.aggs {
		if err := a.Merge(o); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// AppendFloat appends x in the shortest form that reads back exactly, or
// nothing for NaN (an empty CSV field reads as missing in pandas, R and
// DuckDB). Whole numbers, most counts and every proportion, take a fast
// path that gives the same text.
func AppendFloat(b []byte, x float64) []byte {
	if math.IsNaN(x) {
		return b
	}
	if x == math.Trunc(x) && math.Abs(x) < 1e6 && (x != 0 || !math.Signbit(x)) { // below 1e6 strconv writes no exponent
		return strconv.AppendInt(b, int64(x), 10)
	}
	return strconv.AppendFloat(b, x, 'g', -1, 64)
}
