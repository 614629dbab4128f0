package experiment

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/scenarios"
	"github.com/tranche-sim/tranche/sim"
	"github.com/tranche-sim/tranche/study"
)

// Options say how to run an experiment. The zero value runs every point on
// every core and writes nothing (OnPoint then receives the results).
type Options struct {
	// Workers is the number of parallel workers: 0 means
	// runtime.GOMAXPROCS(0), otherwise 1 to study.MaxWorkers. Each worker
	// runs whole design points; results do not depend on the number.
	Workers int
	// Out is the results folder to write ("" writes nothing).
	Out string
	// UniqueOut makes a taken Out no error: Out-2, Out-3, ... are tried.
	UniqueOut bool
	// Resume continues the interrupted experiment whose work Out's hidden
	// .partial folder holds, reusing its finished points.
	Resume bool
	// Shard, if not nil, runs only one shard of the design points, for
	// Merge.
	Shard *study.Shard
	// Format is the format of the points table in Out: "csv" (the default)
	// or "parquet" (points.csv is kept too).
	Format string
	// Plots draws the figures into Out's plots/ folder (not for a shard).
	Plots bool
	// Progress, if not nil, is called as points finish, from one goroutine
	// at a time.
	Progress func(study.Progress)
	// OnPoint, if not nil, receives each point's results in point order
	// (from one goroutine at a time); an error stops the experiment.
	OnPoint func(*Point) error
	// Command is the command line recorded in the manifest.
	Command []string
}

// Point is the result of one design point.
type Point struct {
	// Index is the point's number (its row in design.csv).
	Index int
	// Values are the parameters' values, in the experiment's order.
	Values []any
	// Rows are the policies' statistics on each metric, and Best the best
	// policy on each metric with a direction.
	Rows []results.PointRow
	Best []results.Best
}

// Result is what an experiment produced.
type Result struct {
	// Experiment is the experiment as run.
	Experiment *Experiment
	// Points is the number of design points of the experiment, and
	// PointsHere those this run covered (a shard's); Resumed of them were
	// finished by an interrupted run and reused.
	Points, PointsHere, Resumed int
	// Dir is the results folder ("" when none was asked for) and Manifest
	// its manifest.
	Dir      string
	Manifest *results.Manifest
	// AlreadyDone is true when Out already held this shard, complete.
	AlreadyDone bool
	// Sensitivity holds the indices of a Morris or Saltelli experiment
	// (sensitivity.csv), when a folder was written.
	Sensitivity []results.SensitivityRow
}

// InterruptedError reports an experiment stopped before its end whose
// finished points were kept for --resume.
type InterruptedError struct {
	// Dir is the results folder to resume; Done of Total points are kept.
	Dir         string
	Done, Total int
	// Err is why it stopped.
	Err error
}

func (e *InterruptedError) Error() string {
	why := e.Err.Error()
	if errors.Is(e.Err, context.Canceled) {
		why = "interrupted"
	}
	return fmt.Sprintf("%s; %d of %d points are kept in %s (resume them with Options.Resume, --resume on the command line)", why, e.Done, e.Total, e.Dir)
}

// Unwrap returns why it stopped.
func (e *InterruptedError) Unwrap() error { return e.Err }

// window is how many points each worker may run ahead of the oldest point
// not yet written, which bounds the results held in memory.
const window = 4

// checkpointEvery is how often the finished points are recorded for a
// later --resume.
const checkpointEvery = 2 * time.Second

// progressFile records, in a resumable folder, how far the tables have
// been written.
const progressFile = "progress.json"

// valuesFile holds, for factorial designs, every replication's metrics at
// every point, from which effects.csv pairs points.
const valuesFile = "values.bin"

// runner is a checked experiment and what its options resolve to.
type runner struct {
	e        *Experiment
	opts     Options
	pts      *points
	metrics  []sim.Metric
	cols     []int // per metric: its index in sim.Outcome.Metrics, -1 for the objective
	obj      *results.Objective
	baseline int
	total    int // points of the experiment
	first, n int // the points this run covers
	workers  int
	format   string
	params   []string // column names
	values   bool     // factorial: keep every replication's metrics
	record   int      // bytes of one point's record in values.bin
}

// newRunner checks the options against the experiment.
func newRunner(e *Experiment, opts Options) (*runner, error) {
	if e == nil || e.Base == nil {
		return nil, &study.InputError{Err: errors.New("experiment: no experiment (use Load, Get or Parse)")}
	}
	r := &runner{e: e, opts: opts, format: opts.Format, total: e.Points()}
	switch r.format {
	case "":
		r.format = "csv"
	case "csv", "parquet":
	default:
		return nil, &study.InputError{Option: "Format", Err: fmt.Errorf("%s: allowed formats are csv and parquet", r.format)}
	}
	if opts.Workers < 0 || opts.Workers > study.MaxWorkers {
		return nil, &study.InputError{Option: "Workers", Err: fmt.Errorf("= %d: must be in [1, %d] (or 0 for every core)", opts.Workers, study.MaxWorkers)}
	}
	if opts.Resume && opts.Out == "" {
		return nil, &study.InputError{Option: "Resume", Err: errors.New("needs the results folder to resume (--out)")}
	}
	if opts.Resume && opts.UniqueOut {
		return nil, &study.InputError{Option: "Resume", Err: errors.New("needs the results folder to resume (--out)")}
	}
	r.first, r.n = 0, r.total
	if sh := opts.Shard; sh != nil {
		if sh.Count < 1 || sh.Index < 0 || sh.Index >= sh.Count {
			return nil, &study.InputError{Option: "Shard", Err: fmt.Errorf("%d/%d: want I/N with 0 <= I < N", sh.Index, sh.Count)}
		}
		if sh.Count > r.total {
			return nil, &study.InputError{Option: "Shard", Err: fmt.Errorf("%d/%d: %d design points cannot be split into %d shards; use at most %d", sh.Index, sh.Count, r.total, sh.Count, r.total)}
		}
		r.first, r.n = results.ShardRange(sh.Index, sh.Count, r.total)
	}
	var err error
	if r.pts, err = newPoints(e); err != nil {
		return nil, err
	}
	m, err := e.Base.Model()
	if err != nil {
		return nil, &study.InputError{Err: err}
	}
	all := m.Metrics()
	if e.Objective != "" {
		if r.obj, err = results.ParseObjective(e.Objective, all); err != nil {
			return nil, &study.InputError{Err: err}
		}
	}
	keys := slices.Clone(e.Metrics)
	if len(keys) == 0 {
		for _, d := range all {
			keys = append(keys, d.Key)
		}
	}
	if r.obj != nil && !slices.Contains(keys, "objective") {
		keys = append(keys, "objective") // an objective is always computed
	}
	for _, k := range keys {
		if k == "objective" {
			r.metrics = append(r.metrics, r.obj.Metric(all))
			r.cols = append(r.cols, -1)
			continue
		}
		i := slices.IndexFunc(all, func(d sim.Metric) bool { return d.Key == k })
		r.metrics = append(r.metrics, all[i])
		r.cols = append(r.cols, i)
	}
	r.baseline = slices.Index(e.Policies, e.Baseline)
	for _, p := range e.Parameters {
		r.params = append(r.params, p.Name)
	}
	r.values = e.Design == Factorial
	r.record = e.Replications * len(e.Policies) * len(r.metrics) * 8
	w := opts.Workers
	if w == 0 {
		w = runtime.GOMAXPROCS(0)
	}
	r.workers = max(1, min(w, r.n))
	if err := r.validate(); err != nil {
		return nil, err
	}
	return r, nil
}

// validate checks every design point's scenario against the rules between
// values (Set has checked each value's range when the file was read), in
// parallel, before anything runs or is written: a design that crosses a
// rule at any point is refused whole, naming the first such point.
func (r *runner) validate() error {
	errs := make([]error, r.workers)
	var wg sync.WaitGroup
	for w := range r.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := r.e.Base.Clone()
			set, err := r.setters(s)
			if err != nil {
				errs[w] = &pointError{r.first, err}
				return
			}
			var sc scratch
			var vals []any
			for k := r.first + w; k < r.first+r.n; k += r.workers {
				vals = r.pts.values(k, vals, &sc)
				if err := r.setPoint(s, set, k, vals); err != nil {
					errs[w] = err // the first of this worker's points: each worker stops at its first
					return
				}
			}
		}()
	}
	wg.Wait()
	var first error
	at := -1
	for _, err := range errs {
		var pe *pointError
		if errors.As(err, &pe) && (at < 0 || pe.point < at) {
			first, at = err, pe.point
		}
	}
	return first
}

// pointError is a design point whose scenario breaks a rule.
type pointError struct {
	point int
	err   error
}

func (e *pointError) Error() string { return e.err.Error() }
func (e *pointError) Unwrap() error { return e.err }

// setters returns the setters of the parameters varied, for scenario s.
func (r *runner) setters(s *scenarios.Scenario) ([]func(any) error, error) {
	out := make([]func(any) error, len(r.e.Parameters))
	for i, p := range r.e.Parameters {
		var err error
		if out[i], err = s.Setter(p.Key); err != nil {
			return nil, &study.InputError{Err: fmt.Errorf("experiment %s: %w", r.e.Name, err)}
		}
	}
	return out, nil
}

// setPoint sets point k's values into s, with its setters, and checks the
// rules between values.
func (r *runner) setPoint(s *scenarios.Scenario, set []func(any) error, k int, vals []any) error {
	for i := range r.e.Parameters {
		if err := set[i](vals[i]); err != nil {
			return &pointError{k, &study.InputError{Err: fmt.Errorf("experiment %s: design point %d: %w", r.e.Name, k, err)}}
		}
	}
	if err := s.CheckRules(fmt.Sprintf("experiment %s, design point %d (%s)", r.e.Name, k, r.describe(vals))); err != nil {
		return &pointError{k, &study.InputError{Err: err}}
	}
	return nil
}

// seed returns the seed of point k's replications.
func (r *runner) seed(k int) uint64 {
	if r.e.Streams == Common {
		return r.e.Seed
	}
	return splitmix(r.e.Seed + 0x9E3779B97F4A7C15*uint64(k+1))
}

// splitmix is SplitMix64's finaliser: it spreads nearby inputs over the
// whole range, so points get unrelated seeds.
func splitmix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xBF58476D1CE4E5B9
	x ^= x >> 27
	x *= 0x94D049BB133111EB
	return x ^ x>>31
}

// Run runs the experiment e as opts say. With opts.Out it writes a results
// folder atomically; an interruption keeps the finished points for
// opts.Resume (an *InterruptedError says so). Cancelling ctx stops it.
func Run(ctx context.Context, e *Experiment, opts Options) (*Result, error) {
	start := time.Now()
	r, err := newRunner(e, opts)
	if err != nil {
		return nil, err
	}
	res := &Result{Experiment: e, Points: r.total, PointsHere: r.n}
	if opts.Out == "" {
		if _, err := r.simulate(ctx, nil, 0); err != nil {
			return nil, err
		}
		return res, nil
	}
	out := &output{r: r}
	if err := out.open(opts); err != nil {
		if done, ok := r.alreadyDone(opts.Out); ok && errors.Is(err, results.ErrExists) {
			return done, nil
		}
		return nil, err
	}
	defer out.folder.Abort() // a no-op once committed, or kept
	res.Dir = out.folder.Final()
	res.Resumed = out.resumed
	if err := out.run(ctx, start); err != nil {
		return nil, out.folder.Hide(err)
	}
	res.Manifest, res.Sensitivity = out.manifest, out.sens
	return res, nil
}

// alreadyDone reports whether dir holds this shard, complete.
func (r *runner) alreadyDone(dir string) (*Result, bool) {
	if r.opts.Shard == nil {
		return nil, false
	}
	m, err := results.ReadManifest(dir)
	if err != nil || m.CheckReadable(dir) != nil || m.Kind != results.KindExperiment || m.Experiment == nil {
		return nil, false
	}
	x := m.Experiment
	et, st := r.texts()
	if x.ShardCount != r.opts.Shard.Count || x.ShardIndex != r.opts.Shard.Index || m.Files["experiment.toml"].SHA256 != fileSum(et) ||
		m.Files["scenario.toml"].SHA256 != fileSum(st) || m.Build != study.Build() || m.Format != r.format {
		return nil, false
	}
	return &Result{Experiment: r.e, Points: r.total, PointsHere: r.n, Dir: dir, Manifest: m, AlreadyDone: true}, true
}

// worker is one worker's state: its own scenario, statistics and buffers.
type worker struct {
	s      *scenarios.Scenario
	set    []func(any) error // the setters of the parameters varied, for s
	stats  *results.PointStats
	sc     scratch
	vals   []any
	strs   []string
	rows   []results.PointRow
	tables results.PointTables
	values []float64
}

// finished is a point ready to be written.
type finished struct {
	k      int // relative to the run's first point
	point  *Point
	rows   []byte // points.csv records
	best   []byte // best.csv records
	values []float64
}

// simulate runs the points [first+skip, first+n) and hands each finished
// point, in order, to write (nil: only OnPoint).
func (r *runner) simulate(ctx context.Context, write func(*finished) error, skip int) (int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	todo := r.n - skip
	if todo <= 0 {
		return 0, nil
	}
	workers := max(1, min(r.workers, todo))
	slots := make(chan struct{}, window*workers)
	done := make(chan *finished, window*workers)
	var mu sync.Mutex
	next := skip
	claim := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if next >= r.n {
			return 0, false
		}
		next++
		return next - 1, true
	}
	var firstErr error
	var errOnce sync.Once
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err; cancel() })
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w, err := r.newWorker()
			if err != nil {
				fail(err)
				return
			}
			for {
				select {
				case slots <- struct{}{}:
				case <-ctx.Done():
					return
				}
				k, ok := claim()
				if !ok {
					return
				}
				f, err := r.point(ctx, w, k)
				if err != nil {
					fail(err)
					return
				}
				select {
				case done <- f:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()

	pending := map[int]*finished{}
	want := skip
	for f := range done {
		if ctx.Err() != nil { // fail cancels ctx after setting firstErr
			continue // drain
		}
		pending[f.k] = f
		for {
			g, ok := pending[want]
			if !ok {
				break
			}
			delete(pending, want)
			if r.opts.OnPoint != nil {
				if err := r.opts.OnPoint(g.point); err != nil {
					fail(err)
					break
				}
			}
			if write != nil {
				if err := write(g); err != nil {
					fail(err)
					break
				}
			}
			want++
			<-slots
			if r.opts.Progress != nil {
				r.opts.Progress(study.Progress{Phase: study.PhaseSimulating, Done: want, Total: r.n, Unit: "points"})
			}
		}
	}
	if firstErr != nil {
		return want - skip, firstErr
	}
	if want < r.n {
		return want - skip, ctx.Err()
	}
	return want - skip, nil
}

func (r *runner) newWorker() (*worker, error) {
	w := &worker{s: r.e.Base.Clone(), stats: results.NewPointStats(len(r.e.Policies), r.metrics)}
	var err error
	if w.set, err = r.setters(w.s); err != nil {
		return nil, err
	}
	if r.values {
		w.values = make([]float64, r.record/8)
	}
	return w, nil
}

// point runs point k (relative to the run's first point).
func (r *runner) point(ctx context.Context, w *worker, k int) (*finished, error) {
	idx := r.first + k
	w.vals = r.pts.values(idx, w.vals, &w.sc)
	if err := r.setPoint(w.s, w.set, idx, w.vals); err != nil {
		return nil, err
	}
	m, err := w.s.Model()
	if err != nil {
		return nil, &study.InputError{Err: fmt.Errorf("design point %d (%s): %w", idx, r.describe(w.vals), err)}
	}
	params := w.s.Study()
	pols := make([]sim.Policy, len(params))
	for i, p := range params {
		pols[i] = p.NewPolicy()
	}
	rep := sim.NewReplication(m)
	out := sim.NewOutcome(m.Rounds)
	seed := r.seed(idx)
	w.stats.Reset()
	nm := len(r.metrics)
	for rr := range r.e.Replications {
		if rr%sim.BlockSize == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		for p, pol := range pols {
			rep.Run(seed, uint64(rr), pol, out)
			v := w.stats.Values(p)
			for j, c := range r.cols {
				if c < 0 {
					v[j] = r.obj.Eval(out.Metrics[:])
				} else {
					v[j] = out.Metrics[c]
				}
			}
			if w.values != nil {
				copy(w.values[(rr*len(pols)+p)*nm:], v)
			}
		}
		w.stats.Add()
	}
	pt := &Point{Index: idx, Values: slices.Clone(w.vals)}
	pt.Rows = w.stats.Rows(nil, r.e.Policies, r.baseline)
	pt.Best = w.stats.Best(r.e.Policies)
	w.strs = w.strs[:0]
	for _, v := range w.vals {
		w.strs = append(w.strs, formatValue(v))
	}
	rows := w.tables.AppendPoints(nil, idx, w.strs, pt.Rows)
	var best bytes.Buffer
	bw := csv.NewWriter(&best)
	if err := w.tables.Best(bw, idx, w.strs, pt.Best); err != nil {
		return nil, err
	}
	bw.Flush()
	f := &finished{k: k, point: pt, rows: rows, best: best.Bytes()}
	if w.values != nil {
		f.values = slices.Clone(w.values)
	}
	return f, nil
}

// describe writes a point's values as KEY=VALUE pairs, for messages.
func (r *runner) describe(vals []any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = r.e.Parameters[i].Key + "=" + formatValue(v)
	}
	return strings.Join(parts, ", ")
}

// texts returns the resolved experiment.toml and scenario.toml of the
// results folder.
func (r *runner) texts() (experimentText, scenarioText []byte) {
	return Format(r.e, "scenario.toml"), scenarios.Format(r.e.Base)
}

// manifest returns the manifest of the run.
func (r *runner) manifest(start time.Time) *results.Manifest {
	e := r.e
	m := &results.Manifest{
		Kind: results.KindExperiment, Tool: "tranche", Version: study.Version(), Build: study.Build(),
		GoVersion: runtime.Version(), GOARCH: runtime.GOARCH,
		Scenario: e.Base.Name, Seed: e.Seed, Replications: e.Replications, Rounds: e.Base.Rounds,
		MonthsPerRound: e.Base.MonthsPerRound, Policies: e.Policies, Baseline: e.Baseline, Objective: e.Objective,
		Format: r.format, Workers: r.workers, CommandLine: r.opts.Command,
		Start: start.UTC(), ElapsedSeconds: math.Round(time.Since(start).Seconds()*1000) / 1000,
		Experiment: &results.ExperimentInfo{
			Name: e.Name, Design: e.Design, Streams: e.Streams, Parameters: r.params,
			Points: r.total, FirstPoint: r.first, PointsHere: r.n,
		},
	}
	for _, p := range e.Parameters {
		m.Experiment.Keys = append(m.Experiment.Keys, p.Key)
	}
	if sh := r.opts.Shard; sh != nil {
		m.Experiment.ShardIndex, m.Experiment.ShardCount = sh.Index, sh.Count
	}
	return m
}
