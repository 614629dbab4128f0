package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/results/plots"
	"github.com/tranche-sim/tranche/scenarios"
	"github.com/tranche-sim/tranche/sim"
)

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// runOptions are the flags of tranche run.
type runOptions struct {
	reps, rounds, workers int
	seed                  uint64
	policies              listFlag
	out                   string
	quiet                 bool
	noPlots               bool
	format                string
	scenario              string
	baseline              string
	objective             string
	precision             float64
	precisionMetrics      listFlag
	maxReps               int
	shard                 string
	shards                int
	cpuProfile            string
	set                   map[string]bool // flags given on the command line
}

// parseRun parses the arguments of tranche run; flags and the scenario
// argument may come in any order.
func parseRun(args []string, stderr io.Writer) (*runOptions, error) {
	o := &runOptions{}
	fs := flag.NewFlagSet("tranche run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.reps, "reps", 0, "replications per policy (default: the scenario's)")
	fs.Uint64Var(&o.seed, "seed", 0, "seed of the random streams (default: the scenario's)")
	fs.IntVar(&o.workers, "workers", runtime.GOMAXPROCS(0), "parallel workers; results do not depend on it")
	fs.IntVar(&o.rounds, "rounds", 0, "rounds per replication (default: the scenario's)")
	fs.Var(&o.policies, "policy", "run only this policy (repeatable; default: the scenario's list)")
	fs.StringVar(&o.out, "out", "", "results folder (default tranche-out/SCENARIO-TIMESTAMP); must not exist")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress bar")
	fs.BoolVar(&o.noPlots, "no-plots", false, "do not draw the figures in plots/ (tranche plot draws them later)")
	fs.StringVar(&o.format, "format", "csv", "format of the replications and rounds tables: csv, or parquet for large studies (rounds.csv is always written too)")
	fs.StringVar(&o.baseline, "baseline", "", "policy the others are compared with (default: the first)")
	fs.StringVar(&o.objective, "objective", "", "rank policies by a weighted sum of metrics, e.g. 'durable_agreement - 0.5*humanitarian_shortfall'; only metrics defined in every replication (not rounds_to_durable or relief_per_compliance)")
	fs.Float64Var(&o.precision, "precision", 0, "add replications until every 95% CI half-width is at most this (see --precision-metric)")
	fs.Var(&o.precisionMetrics, "precision-metric", "metric that --precision applies to (repeatable; default: every metric)")
	fs.IntVar(&o.maxReps, "max-reps", 1_000_000, "most replications --precision may use")
	fs.StringVar(&o.shard, "shard", "", "run only shard I of N (I/N, from 0) of the study, for tranche merge (default: from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX)")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to this file (for go tool pprof)")
	fs.IntVar(&o.shards, "shards", 0, "number of shards when the shard index comes from JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: tranche run [SCENARIO] [flags]\n\nSCENARIO is a TOML file or a bundled scenario name (default: default).\n\nFlags:")
		fs.PrintDefaults()
	}
	var err error
	if o.scenario, o.set, err = parseScenarioArgs(fs, args); err != nil {
		return nil, err
	}
	switch {
	case o.workers < 1 || o.workers > maxWorkers:
		return nil, usagef("--workers = %d: must be in [1, %d]", o.workers, maxWorkers)
	case o.format != "csv" && o.format != "parquet":
		return nil, usagef("--format %s: allowed formats are csv and parquet", o.format)
	case o.set["reps"] && (o.reps < 1 || o.reps > scenarios.MaxReplications):
		return nil, usagef("--reps = %d: must be in [1, %d]", o.reps, scenarios.MaxReplications)
	case o.set["rounds"] && (o.rounds < 1 || o.rounds > sim.MaxRounds):
		return nil, usagef("--rounds = %d: must be in [1, %d]", o.rounds, sim.MaxRounds)
	case o.set["precision"] && !(o.precision > 0):
		return nil, usagef("--precision = %g: must be a positive half-width, such as 0.01", o.precision)
	case o.set["max-reps"] && (o.maxReps < sim.BlockSize || o.maxReps > scenarios.MaxReplications):
		return nil, usagef("--max-reps = %d: must be in [%d, %d]", o.maxReps, sim.BlockSize, scenarios.MaxReplications)
	case len(o.precisionMetrics) > 0 && !o.set["precision"]:
		return nil, usagef("--precision-metric needs --precision")
	case o.set["precision"] && o.set["reps"]:
		return nil, usagef("--precision chooses the number of replications: use --max-reps to cap it, not --reps")
	}
	return o, nil
}

// load loads the scenario and applies the command-line overrides.
func (o *runOptions) load() (*scenarios.Scenario, error) {
	var s *scenarios.Scenario
	var err error
	if o.scenario == "" {
		s, err = scenarios.Get("default")
	} else {
		s, err = scenarios.Load(o.scenario)
	}
	if err != nil {
		var se *scenarios.Error
		if errors.As(err, &se) {
			return nil, err
		}
		return nil, usageError{err}
	}
	if o.set["reps"] {
		s.Replications = o.reps
	}
	if o.set["rounds"] {
		s.Rounds = o.rounds
	}
	if o.set["seed"] {
		s.Seed = o.seed
	}
	if len(o.policies) > 0 {
		s.Policies = o.policies
	}
	if err := s.Check("command line"); err != nil {
		return nil, err
	}
	return s, nil
}

// plan is what a run needs besides the scenario: the model, the objective,
// the baseline and the metrics that --precision watches.
type plan struct {
	model     *sim.Model
	objective *results.Objective
	baseline  int
	watch     []string       // metric keys --precision applies to
	shard     *results.Shard // the part of the study to run (nil: all)
}

func (o *runOptions) plan(s *scenarios.Scenario) (*plan, error) {
	m, err := s.Model()
	if err != nil {
		return nil, usageError{err}
	}
	p := &plan{model: m}
	if o.objective != "" {
		if p.objective, err = results.ParseObjective(o.objective, m.Metrics()); err != nil {
			return nil, usageError{err}
		}
	}
	if o.baseline != "" {
		p.baseline = slices.Index(s.Policies, o.baseline)
		if p.baseline < 0 {
			return nil, usagef("--baseline %s: not among the policies compared (%s)", o.baseline, strings.Join(s.Policies, ", "))
		}
	}
	keys := []string{}
	for _, def := range m.Metrics() {
		keys = append(keys, def.Key)
	}
	if p.objective != nil {
		keys = append(keys, "objective")
	}
	p.watch = keys
	if len(o.precisionMetrics) > 0 {
		p.watch = nil
		for _, k := range o.precisionMetrics {
			if !slices.Contains(keys, k) {
				return nil, usagef("--precision-metric %s: unknown metric; metrics: %s", k, strings.Join(keys, ", "))
			}
			p.watch = append(p.watch, k)
		}
	}
	return p, nil
}

func runStudy(args []string, stdout, stderr io.Writer) (err error) {
	start := time.Now()
	o, err := parseRun(args, stderr)
	if err != nil {
		return err
	}
	s, err := o.load()
	if err != nil {
		return err
	}
	pl, err := o.plan(s)
	if err != nil {
		return err
	}
	if pl.shard, err = o.shardOf(s); err != nil {
		return err
	}
	if o.cpuProfile != "" { // the inputs are good: profile the run
		stop, perr := startCPUProfile(o.cpuProfile)
		if perr != nil {
			return perr
		}
		defer func() { // err is the run's result
			if e := stop(err == nil); err == nil {
				err = e
			}
		}()
	}
	out := o.out
	if out == "" {
		out = defaultOut(s.Name, start)
		if pl.shard != nil { // the same for every attempt, so a rerun finds it
			out = filepath.Join("tranche-out", fmt.Sprintf("%s-seed%d-shard-%d-of-%d", s.Name, s.Seed, pl.shard.Index, pl.shard.Count))
		}
	}
	folder, err := results.CreateFolder(out)
	if err != nil {
		if errors.Is(err, results.ErrExists) {
			if pl.shard != nil && shardDone(out, s, pl.shard, o.objective, s.Policies[pl.baseline], o.format) {
				fmt.Fprintf(stdout, "shard %d of %d already complete in %s; nothing to do\n", pl.shard.Index, pl.shard.Count, out)
				return nil
			}
			return usageError{err}
		}
		return err
	}
	defer folder.Abort() // a no-op once committed

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	agg, hist, prec, err := simulate(ctx, s, pl, o, folder, stderr)
	if err != nil {
		if ctx.Err() != nil {
			return errors.New("interrupted; no results written")
		}
		return err
	}
	if prec != nil {
		s.Replications = prec.Replications // what actually ran
	}

	resolved := scenarios.Format(s)
	manifest := o.manifest(s, pl, resolved, agg, prec, args, start)
	summary, report, err := results.WriteOutputs(folder, resolved, agg, pl.baseline, manifest)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := results.WriteHistoriesCSV(&b, hist); err != nil {
		return err
	}
	if err := folder.WriteFile("histories.csv", b.Bytes()); err != nil {
		return err
	}
	if pl.shard != nil {
		if err := writeState(folder, agg); err != nil {
			return err
		}
		if err := folder.Commit(); err != nil {
			return err
		}
		sh := pl.shard
		fmt.Fprintf(stdout, "shard %d of %d: replications %d to %d of %d, seed %d, in %.1f s\nresults: %s\nmerge the shards with: tranche merge SHARD_FOLDERS... --out DIR\n",
			sh.Index, sh.Count, sh.First, sh.First+sh.Replications-1, sh.TotalReplications, s.Seed, manifest.ElapsedSeconds, folder.Final())
		return nil
	}
	if !o.noPlots {
		if err := drawInto(folder); err != nil {
			return err
		}
	}
	if err := folder.Commit(); err != nil {
		return err
	}
	printSummary(stdout, s, summary, manifest.ElapsedSeconds)
	printComparison(stdout, report, agg)
	if prec != nil {
		printPrecision(stdout, prec)
	}
	fmt.Fprintf(stdout, "\nresults: %s\n", folder.Final())
	return nil
}

// shardOf returns the part of the study this run does: from --shard, or
// from the environment of a Slurm array task or a Kubernetes Indexed Job;
// nil for the whole study.
func (o *runOptions) shardOf(s *scenarios.Scenario) (*results.Shard, error) {
	sel, err := selectShard(o.shard, o.shards, os.Getenv)
	if err != nil || sel == nil {
		return nil, err
	}
	if o.set["precision"] {
		return nil, usagef("--precision cannot be split into shards: the number of replications it needs is only known at the end")
	}
	first, n := results.ShardRange(sel.index, sel.count, s.Replications)
	if n == 0 {
		return nil, usagef("shard %d of %d is empty: %d replications cannot be split into %d shards", sel.index, sel.count, s.Replications, sel.count)
	}
	return &results.Shard{Index: sel.index, Count: sel.count, First: first, Replications: n, TotalReplications: s.Replications}, nil
}

// manifest returns the manifest of a finished run: what ran, how, and the
// resolved scenario's hash.
func (o *runOptions) manifest(s *scenarios.Scenario, pl *plan, resolved []byte, agg *results.Aggregate, prec *results.Precision, args []string, start time.Time) *results.Manifest {
	sum := sha256.Sum256(resolved)
	m := &results.Manifest{
		Tool: "tranche", Version: version(), Build: build(), GoVersion: runtime.Version(), GOARCH: runtime.GOARCH,
		Scenario: s.Name, ScenarioSHA256: hex.EncodeToString(sum[:]),
		Seed: s.Seed, Replications: agg.Metric(0, 0).N(), Rounds: s.Rounds, MonthsPerRound: s.MonthsPerRound, Policies: s.Policies,
		Baseline: s.Policies[pl.baseline], Objective: o.objective, Precision: prec, Format: o.format,
		Workers: usefulWorkers(o, s, pl), CommandLine: append([]string{"tranche", "run"}, args...),
		Start: start.UTC(), ElapsedSeconds: time.Since(start).Seconds(),
	}
	if sh := pl.shard; sh != nil {
		m.Shard, m.FirstReplication = sh, sh.First
	}
	return m
}

// maxWorkers bounds --workers: each worker keeps a study's aggregates (about
// 1.3 MB for the default scenario).
const maxWorkers = 1024

// usefulWorkers returns how many workers the run can use: no more than
// --workers, nor than the blocks of replications it may run (each worker
// holds its own aggregates, so idle ones only cost memory).
func usefulWorkers(o *runOptions, s *scenarios.Scenario, pl *plan) int {
	most := s.Replications
	if o.set["precision"] {
		most = o.maxReps
	}
	if pl.shard != nil {
		most = pl.shard.Replications
	}
	return max(1, min(o.workers, (most+sim.BlockSize-1)/sim.BlockSize))
}

// simulate runs the study, streaming replications.csv into the folder. With
// --precision it runs batches until the precision is reached (or
// --max-reps); the batches depend only on the seed, the precision and the
// exact statistics, so the run is as reproducible as a fixed one, and its
// results equal those of a fixed run with the same number of replications.
func simulate(ctx context.Context, s *scenarios.Scenario, pl *plan, o *runOptions, folder *results.Folder, stderr io.Writer) (*results.Aggregate, []results.HistoryRow, *results.Precision, error) {
	f, err := folder.Create("replications." + o.format)
	if err != nil {
		return nil, nil, nil, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	workers := usefulWorkers(o, s, pl)
	var csvRows io.Writer = w // the recorder writes CSV itself
	if o.format == "parquet" {
		csvRows = nil
	}
	rec, err := results.NewRecorder(s.Policies, pl.model, workers, pl.objective, csvRows)
	if err != nil {
		return nil, nil, nil, err
	}
	var table *results.ReplicationsParquet
	if o.format == "parquet" {
		if table, err = results.NewReplicationsParquet(w, rec.Metrics()); err != nil {
			return nil, nil, nil, err
		}
		rec.WriteRowsTo(table)
	}

	var prec *results.Precision
	total := s.Replications
	if o.set["precision"] {
		prec = &results.Precision{Epsilon: o.precision, Metrics: pl.watch, MaxReplications: o.maxReps, MetAt: map[string]int{}}
		total = min(results.FirstBatch, o.maxReps)
	}
	bar := newProgress(stderr, total, o.quiet)
	rec.OnCommit = bar.update
	done, offset := 0, 0
	if pl.shard != nil {
		offset, total = pl.shard.First, pl.shard.Replications
		bar.extend(total)
	}
	var agg *results.Aggregate
	for {
		study := &sim.Study{Model: pl.model, Policies: s.Study(), Seed: s.Seed, First: offset + done, Replications: total - done, Workers: workers}
		if err := study.Run(ctx, rec); err != nil {
			bar.finish()
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
		bar.extend(total)
	}
	bar.finish()
	if prec != nil && !prec.Reached {
		fmt.Fprintf(stderr, "tranche: warning: precision ±%g not reached within --max-reps %d (widest: %s)\n", prec.Epsilon, o.maxReps, prec.Widest)
	}
	if table != nil {
		if err := table.Close(); err != nil {
			return nil, nil, nil, err
		}
	}
	if err := w.Flush(); err != nil {
		return nil, nil, nil, err
	}
	if err := f.Close(); err != nil {
		return nil, nil, nil, err
	}
	return agg, rec.Histories.Rows(s.Policies), prec, nil
}

// drawInto draws the figures of a results folder from the files just
// written into it, exactly as tranche plot draws them later.
func drawInto(folder *results.Folder) error {
	run, err := results.Load(folder.Path(""))
	if err != nil {
		return err
	}
	_, err = plots.All(run, folder.Path("plots"), "png")
	return err
}

// defaultOut returns tranche-out/NAME-TIMESTAMP, with a counter appended if
// a run in the same second took that name.
func defaultOut(name string, t time.Time) string {
	base := filepath.Join("tranche-out", name+"-"+t.Format("20060102-150405"))
	out := base
	for i := 2; i < 1000; i++ {
		// Only an existing entry makes us try the next name: any other
		// error (tranche-out is a file, say) is the folder's to report.
		if _, err := os.Lstat(out); err != nil {
			return out
		}
		out = fmt.Sprintf("%s-%d", base, i)
	}
	return out
}
