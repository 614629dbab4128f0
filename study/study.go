// Package study runs studies. It is the one place that wires a scenario's
// model, the engine's parallel runner and the results recorder together:
// the precision loop, shards, the manifest, the results folder and its
// figures, and the merge of shards. The command line, experiments and
// tests run studies through it. (The classroom game plays a single
// history, which needs the engine's Replication, not a study.)
//
// A study in a few lines:
//
//	s, _ := scenarios.Get("default")
//	_ = s.Set("verifier.quality", 0.9)
//	res, _ := study.Run(ctx, s, study.Options{})
//	st, _ := res.Stats("phased-snapback", "durable_agreement")
//	fmt.Println(st.Mean, st.CI95)
//
// The scenario says what to run: the model, the policies, the number of
// replications, the rounds and the seed (set them on the scenario, by field
// or by key). Options say how: workers, a precision target, a shard, an
// objective and baseline for the comparison, and whether and where to
// write a results folder.
package study

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/scenarios"
	"github.com/tranche-sim/tranche/sim"
)

// MaxWorkers bounds Options.Workers: each worker keeps a study's aggregates
// (about 1.3 MB for the default scenario).
const MaxWorkers = 1024

// Options say how to run a study. The zero value runs the whole study in
// memory on every core, compares with the first policy and writes nothing.
type Options struct {
	// Workers is the number of parallel workers: 0 means
	// runtime.GOMAXPROCS(0), otherwise 1 to MaxWorkers. Results do not
	// depend on it.
	Workers int
	// Baseline is the policy the others are compared with ("" for the
	// scenario's first).
	Baseline string
	// Objective ranks the policies by a weighted sum of metrics, such as
	// "durable_agreement - 0.5*humanitarian_shortfall" ("" for none).
	Objective string
	// Precision, if not nil, adds replications until a precision is
	// reached; the scenario's replications are then not used.
	Precision *Precision
	// Shard, if not nil, runs only one shard of the study, for Merge.
	Shard *Shard
	// Out is the results folder to write, which must not exist; "" writes
	// nothing. A shard whose folder already holds it, complete and made the
	// same way, is not run again (Result.AlreadyDone).
	Out string
	// UniqueOut makes a taken Out no error: Out-2, Out-3, ... are tried in
	// turn (for folder names made up by default).
	UniqueOut bool
	// Format is the format of the replications table in Out: "csv" (the
	// default, also for "") or "parquet".
	Format string
	// Plots draws the figures into Out's plots/ folder (not for a shard).
	Plots bool
	// Progress, if not nil, is called as the study goes: as blocks of
	// replications finish (the total is the plan so far, which a precision
	// run raises as it goes), when the results are written, and as each
	// figure is drawn. It is called from one goroutine at a time.
	Progress func(Progress)
	// Command is the command line recorded in the manifest (nil for none).
	Command []string
}

// Progress says how far a study has come.
type Progress struct {
	// Phase is what the study is doing: PhaseSimulating, PhaseWriting or
	// PhaseDrawing.
	Phase string
	// Done of Total units (replications, or figures) are finished.
	Done, Total int
	// Unit names the units: "replications" or "figures".
	Unit string
}

// The phases of a study.
const (
	PhaseSimulating = "simulating"
	PhaseWriting    = "writing results"
	PhaseDrawing    = "drawing figures"
)

// report calls the options' Progress, if there is one.
func (o *Options) report(p Progress) {
	if o.Progress != nil {
		o.Progress(p)
	}
}

// Precision is a precision target: replications are added in batches until
// the 95% interval half-width of every watched metric, for every policy, is
// at most HalfWidth, or MaxReplications have run.
type Precision struct {
	// HalfWidth is the target half-width, a positive finite number.
	HalfWidth float64
	// Metrics are the metric keys watched (nil for every metric, and the
	// objective if there is one).
	Metrics []string
	// MaxReplications caps the run (0 for 1,000,000).
	MaxReplications int
}

// Shard is one part of a study split into Count shards (Index from 0).
type Shard struct {
	Index, Count int
}

// Result is what a study produced.
type Result struct {
	// Scenario is the scenario as run; its Replications are the
	// replications that ran (a precision run chooses them).
	Scenario *scenarios.Scenario
	// Aggregate holds every statistic of the study, exactly.
	Aggregate *results.Aggregate
	// Summary and Comparison are the study's summary and comparison with
	// the baseline.
	Summary    *results.Summary
	Comparison *results.ComparisonReport
	// Precision records a precision run (nil otherwise).
	Precision *results.Precision
	// Manifest records how the study was made; its ScenarioSHA256 is set
	// only when a results folder is written (it is the hash of the folder's
	// scenario.toml).
	Manifest *results.Manifest
	// Histories are the round-by-round histories of the first
	// replications (results.SampleHistories) of every policy.
	Histories []results.HistoryRow
	// Dir is the results folder written ("" when none was asked for).
	Dir string
	// AlreadyDone is true when Options.Out already held this shard,
	// complete: nothing ran, and only Dir and Manifest are set.
	AlreadyDone bool
}

// Stats returns the statistics of a metric under a policy.
func (r *Result) Stats(policy, metric string) (results.Stats, error) {
	if r.Summary == nil {
		return results.Stats{}, errors.New("study: the result has no summary")
	}
	for _, p := range r.Summary.Policies {
		if p.Policy != policy {
			continue
		}
		if st, ok := p.Metrics.Get(metric); ok {
			return st, nil
		}
		var keys []string
		for _, m := range p.Metrics {
			keys = append(keys, m.Key)
		}
		return results.Stats{}, fmt.Errorf("study: no metric %q; metrics: %s", metric, strings.Join(keys, ", "))
	}
	return results.Stats{}, fmt.Errorf("study: no policy %q; policies: %s", policy, strings.Join(r.Scenario.Policies, ", "))
}

// InputError is an error in what the caller asked for (an option, a folder
// that exists, shards that do not belong together), as opposed to a failure
// while running. Scenario problems are *scenarios.Error.
type InputError struct {
	// Option names the field of Options concerned ("Baseline",
	// "Precision.MaxReplications"), or is "" when no one option is.
	Option string
	// Err says what is wrong; with an Option, it starts with the value.
	Err error
}

// Error returns the option, if any, then what is wrong with it.
func (e *InputError) Error() string {
	if e.Option != "" {
		return e.Option + " " + e.Err.Error()
	}
	return e.Err.Error()
}

// Unwrap returns the error inside.
func (e *InputError) Unwrap() error { return e.Err }

func inputf(format string, a ...any) error { return &InputError{Err: fmt.Errorf(format, a...)} }

// optionf returns the InputError of an option.
func optionf(option, format string, a ...any) error {
	return &InputError{Option: option, Err: fmt.Errorf(format, a...)}
}

// IsInput reports whether err is an error in the input: an *InputError or a
// *scenarios.Error.
func IsInput(err error) bool {
	var ie *InputError
	var se *scenarios.Error
	return errors.As(err, &ie) || errors.As(err, &se)
}

// plan is a checked study: the scenario, its model and what the options
// resolve to.
type plan struct {
	s         *scenarios.Scenario
	model     *sim.Model
	objective *results.Objective
	baseline  int
	watch     []string       // metric keys the precision target applies to
	shard     *results.Shard // the part of the study to run (nil: all)
	maxReps   int
	workers   int
	format    string
}

// Run runs the study that s describes, as opts say, and returns what it
// produced. s is not changed (the result's Scenario is a copy). With
// opts.Out it writes a results folder atomically: an interrupted or failed
// run leaves nothing that looks complete. Cancelling ctx stops the study.
func Run(ctx context.Context, s *scenarios.Scenario, opts Options) (*Result, error) {
	start := time.Now()
	p, err := newPlan(s, opts)
	if err != nil {
		return nil, err
	}
	if opts.Out == "" {
		agg, hist, prec, err := simulate(ctx, p, opts, nil)
		if err != nil {
			return nil, err
		}
		return p.result(agg, hist, prec, opts, start, "")
	}
	folder, err := createFolder(opts.Out, opts.UniqueOut)
	if err != nil {
		if p.shard != nil && errors.Is(err, results.ErrExists) && p.shardDone(opts.Out, opts.Objective) {
			run, lerr := results.Load(opts.Out)
			if lerr == nil {
				return &Result{Scenario: p.s, Dir: opts.Out, Manifest: &run.Manifest, AlreadyDone: true}, nil
			}
		}
		return nil, err
	}
	defer folder.Abort() // a no-op once committed
	res, err := runInto(ctx, folder, p, opts, start)
	return res, folder.Hide(err)
}

// runInto runs the study into a results folder and completes it.
func runInto(ctx context.Context, folder *results.Folder, p *plan, opts Options, start time.Time) (*Result, error) {
	agg, hist, prec, err := simulate(ctx, p, opts, folder)
	if err != nil {
		return nil, err
	}
	res, err := p.result(agg, hist, prec, opts, start, folder.Final())
	if err != nil {
		return nil, err
	}
	if err := writeFolder(ctx, folder, res, p, opts); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil { // the last moment a signal can stop it
		return nil, interrupted(err)
	}
	if err := folder.Complete(res.Manifest); err != nil {
		return nil, err
	}
	return res, nil
}

// newPlan checks the scenario and the options and resolves them.
func newPlan(s *scenarios.Scenario, opts Options) (*plan, error) {
	if s == nil {
		return nil, inputf("study: no scenario")
	}
	s = s.Clone()
	if err := s.Check("scenario " + s.Name); err != nil {
		return nil, err
	}
	m, err := s.Model()
	if err != nil {
		return nil, &InputError{Err: err}
	}
	p := &plan{s: s, model: m, format: opts.Format, maxReps: scenarios.MaxReplications}
	switch {
	case p.format == "":
		p.format = "csv"
	case p.format != "csv" && p.format != "parquet":
		return nil, optionf("Format", "%s: allowed formats are csv and parquet", p.format)
	}
	if opts.Workers < 0 || opts.Workers > MaxWorkers {
		return nil, optionf("Workers", "= %d: must be in [1, %d] (or 0 for every core)", opts.Workers, MaxWorkers)
	}
	if opts.Objective != "" {
		if p.objective, err = results.ParseObjective(opts.Objective, m.Metrics()); err != nil {
			return nil, &InputError{Err: err} // its message names the objective
		}
	}
	if opts.Baseline != "" {
		if p.baseline = slices.Index(s.Policies, opts.Baseline); p.baseline < 0 {
			return nil, optionf("Baseline", "%s: not among the policies compared (%s)", opts.Baseline, strings.Join(s.Policies, ", "))
		}
	}
	if err := p.checkPrecision(opts.Precision); err != nil {
		return nil, err
	}
	if sh := opts.Shard; sh != nil {
		if opts.Precision != nil {
			return nil, optionf("Precision", "cannot be split into shards: the number of replications it needs is only known at the end")
		}
		if sh.Count < 1 || sh.Index < 0 || sh.Index >= sh.Count {
			return nil, optionf("Shard", "%d/%d: want I/N with 0 <= I < N", sh.Index, sh.Count)
		}
		if sh.Count > s.Replications { // every shard must hold a replication, or no merge could succeed
			return nil, optionf("Shard", "%d/%d: %d replications cannot be split into %d shards; use at most %d", sh.Index, sh.Count, s.Replications, sh.Count, s.Replications)
		}
		first, n := results.ShardRange(sh.Index, sh.Count, s.Replications)
		p.shard = &results.Shard{Index: sh.Index, Count: sh.Count, First: first, Replications: n, TotalReplications: s.Replications}
	}
	p.workers = p.usefulWorkers(opts.Workers)
	return p, nil
}

// checkPrecision checks a precision target and resolves the metrics it
// watches.
func (p *plan) checkPrecision(pr *Precision) error {
	if pr == nil {
		return nil
	}
	if !(pr.HalfWidth > 0) || math.IsInf(pr.HalfWidth, 0) {
		return optionf("Precision.HalfWidth", "= %g: must be a positive, finite half-width, such as 0.01", pr.HalfWidth)
	}
	p.maxReps = 1_000_000
	if pr.MaxReplications != 0 {
		if pr.MaxReplications < sim.BlockSize || pr.MaxReplications > scenarios.MaxReplications {
			return optionf("Precision.MaxReplications", "= %d: must be in [%d, %d]", pr.MaxReplications, sim.BlockSize, scenarios.MaxReplications)
		}
		p.maxReps = pr.MaxReplications
	}
	keys := []string{}
	for _, def := range p.model.Metrics() {
		keys = append(keys, def.Key)
	}
	if p.objective != nil {
		keys = append(keys, "objective")
	}
	p.watch = keys
	if len(pr.Metrics) > 0 {
		p.watch = nil
		for _, k := range pr.Metrics {
			if !slices.Contains(keys, k) {
				return optionf("Precision.Metrics", "%s: unknown metric; metrics: %s", k, strings.Join(keys, ", "))
			}
			p.watch = append(p.watch, k)
		}
	}
	return nil
}

// usefulWorkers returns how many workers the study can use: no more than
// asked (0: every core), nor than the blocks of replications it may run
// (each worker holds its own aggregates, so idle ones only cost memory).
func (p *plan) usefulWorkers(asked int) int {
	if asked == 0 {
		asked = runtime.GOMAXPROCS(0)
	}
	most := p.s.Replications
	if p.watch != nil {
		most = p.maxReps
	}
	if p.shard != nil {
		most = p.shard.Replications
	}
	return max(1, min(asked, (most+sim.BlockSize-1)/sim.BlockSize))
}

// simulate runs the study, streaming the replications table into folder
// when there is one. With a precision target it runs batches until the
// precision is reached (or the cap); the batches depend only on the seed,
// the target and the exact statistics, so the run is as reproducible as a
// fixed one, and its results equal those of a fixed run with the same
// number of replications.
func simulate(ctx context.Context, p *plan, opts Options, folder *results.Folder) (*results.Aggregate, []results.HistoryRow, *results.Precision, error) {
	var rows io.Writer
	var flush func() error
	var table *results.ReplicationsParquet
	if folder != nil {
		f, err := folder.Create("replications." + p.format)
		if err != nil {
			return nil, nil, nil, err
		}
		defer f.Close()
		w := bufio.NewWriterSize(f, 1<<20)
		rows = w
		flush = func() error {
			if table != nil {
				if err := table.Close(); err != nil {
					return err
				}
			}
			if err := w.Flush(); err != nil {
				return err
			}
			return f.Close()
		}
	}
	csvRows := rows
	if p.format == "parquet" {
		csvRows = nil
	}
	rec, err := results.NewRecorder(p.s.Policies, p.model, p.objective, csvRows)
	if err != nil {
		return nil, nil, nil, err
	}
	if rows != nil && p.format == "parquet" {
		if table, err = results.NewReplicationsParquet(rows, rec.Metrics()); err != nil {
			return nil, nil, nil, err
		}
		rec.WriteRowsTo(table)
	}

	var prec *results.Precision
	total, offset := p.s.Replications, 0
	if opts.Precision != nil {
		prec = &results.Precision{Epsilon: opts.Precision.HalfWidth, Metrics: p.watch, MaxReplications: p.maxReps, MetAt: map[string]int{}}
		total = min(results.FirstBatch, p.maxReps)
	}
	if p.shard != nil {
		offset, total = p.shard.First, p.shard.Replications
	}
	if opts.Progress != nil {
		rec.OnCommit = func(done int) { opts.report(Progress{PhaseSimulating, done, total, "replications"}) }
		opts.report(Progress{PhaseSimulating, 0, total, "replications"})
	}
	done := 0
	var agg *results.Aggregate
	for {
		st := &sim.Study{Model: p.model, Policies: p.s.Study(), Seed: p.s.Seed, First: offset + done, Replications: total - done, Workers: p.workers}
		if err := st.Run(ctx, rec); err != nil {
			if ctx.Err() != nil {
				return nil, nil, nil, interrupted(ctx.Err())
			}
			return nil, nil, nil, err
		}
		done = total
		if agg, err = rec.Aggregate(); err != nil {
			return nil, nil, nil, err
		}
		if prec == nil {
			break
		}
		next := prec.Update(agg, done)
		if next <= done {
			break
		}
		total = next
	}
	if flush != nil {
		if err := flush(); err != nil {
			return nil, nil, nil, err
		}
	}
	return agg, rec.Histories.Rows(p.s.Policies), prec, nil
}

// result assembles the result of a finished study.
func (p *plan) result(agg *results.Aggregate, hist []results.HistoryRow, prec *results.Precision, opts Options, start time.Time, dir string) (*Result, error) {
	s := p.s
	if prec != nil {
		s.Replications = prec.Replications // what actually ran
	}
	summary := results.Summarize(s.Name, s.Seed, agg)
	res := &Result{
		Scenario: s, Aggregate: agg, Summary: summary, Precision: prec, Histories: hist, Dir: dir,
		Comparison: results.NewComparisonReport(agg, summary, p.baseline),
	}
	res.Manifest = p.manifest(agg, prec, opts, start)
	return res, nil
}

// Check checks a scenario and options as Run would, without running
// anything: a caller can refuse bad input before it starts other work.
func Check(s *scenarios.Scenario, opts Options) error {
	_, err := newPlan(s, opts)
	return err
}
