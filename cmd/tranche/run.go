package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/tranche-sim/tranche/scenarios"
	"github.com/tranche-sim/tranche/sim"
	"github.com/tranche-sim/tranche/study"
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
	assignments           listFlag        // --set KEY=VALUE
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
	fs.StringVar(&o.out, "out", "", "results folder (default tranche-out/SCENARIO-seedSEED-TIMESTAMP); must not exist")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress bar")
	fs.BoolVar(&o.noPlots, "no-plots", false, "do not draw the figures in plots/ (tranche plot draws them later)")
	fs.StringVar(&o.format, "format", "csv", "format of the replications and rounds tables: csv, or parquet for large studies (rounds.csv is always written too)")
	fs.StringVar(&o.baseline, "baseline", "", "policy the others are compared with (default: the first)")
	fs.StringVar(&o.objective, "objective", "", "rank policies by a weighted sum of metrics, e.g. 'settlement - 0.5*humanitarian_shortfall'; only metrics defined in every replication (not rounds_to_end, rounds_to_durable or relief_per_compliance)")
	fs.Float64Var(&o.precision, "precision", 0, "add replications until every 95% CI half-width is at most this (see --precision-metric)")
	fs.Var(&o.precisionMetrics, "precision-metric", "metric that --precision applies to (repeatable; default: every metric)")
	fs.IntVar(&o.maxReps, "max-reps", 1_000_000, "most replications --precision may use")
	fs.StringVar(&o.shard, "shard", "", "run only shard I of N (I/N, from 0) of the study, for tranche merge (default: from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX)")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to this file (for go tool pprof)")
	fs.Var(&o.assignments, "set", "set a scenario parameter, KEY=VALUE with VALUE as in TOML (repeatable; tranche params lists the keys), e.g. --set verifier.quality=0.9")
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
	case o.workers < 1 || o.workers > study.MaxWorkers:
		return nil, usagef("--workers = %d: must be in [1, %d]", o.workers, study.MaxWorkers)
	case o.format != "csv" && o.format != "parquet":
		return nil, usagef("--format %s: allowed formats are csv and parquet", o.format)
	case o.set["reps"] && (o.reps < 1 || o.reps > scenarios.MaxReplications):
		return nil, usagef("--reps = %d: must be in [1, %d]", o.reps, scenarios.MaxReplications)
	case o.set["rounds"] && (o.rounds < 1 || o.rounds > sim.MaxRounds):
		return nil, usagef("--rounds = %d: must be in [1, %d]", o.rounds, sim.MaxRounds)
	case o.set["precision"] && !(o.precision > 0 && o.precision <= math.MaxFloat64):
		return nil, usagef("--precision = %g: must be a positive, finite half-width, such as 0.01", o.precision)
	case o.set["max-reps"] && (o.maxReps < sim.BlockSize || o.maxReps > scenarios.MaxReplications):
		return nil, usagef("--max-reps = %d: must be in [%d, %d]", o.maxReps, sim.BlockSize, scenarios.MaxReplications)
	case len(o.precisionMetrics) > 0 && !o.set["precision"]:
		return nil, usagef("--precision-metric needs --precision")
	case o.set["precision"] && o.set["reps"]:
		return nil, usagef("--precision chooses the number of replications: use --max-reps to cap it, not --reps")
	}
	return o, nil
}

// load loads the scenario and applies the command-line overrides: --set
// first, then --reps, --rounds, --seed and --policy. A key given both with
// --set and with its own flag is refused.
func (o *runOptions) load() (*scenarios.Scenario, error) {
	s, err := loadScenario(o.scenario)
	if err != nil {
		return nil, err
	}
	own := map[string]string{"replications": "reps", "rounds": "rounds", "seed": "seed", "policies": "policy"}
	for _, a := range o.assignments {
		key, _, _ := strings.Cut(a, "=")
		if flag := own[strings.TrimSpace(key)]; flag != "" && o.set[flag] {
			return nil, usagef("--set %s and --%s both set %s: give it once", a, flag, strings.TrimSpace(key))
		}
	}
	if err := s.Apply("--set", o.assignments); err != nil {
		return nil, err
	}
	for _, a := range o.assignments {
		key, _, _ := strings.Cut(a, "=")
		key = strings.TrimSpace(key)
		if key == "replications" && o.set["precision"] {
			return nil, usagef("--set %s: --precision chooses the number of replications; use --max-reps to cap it", a)
		}
		if name, ok := policyOf(key); ok && !slices.Contains(s.Policies, name) && !slices.Contains(o.policies, name) {
			return nil, usagef("--set %s: policy %s is not run, so the setting would change nothing; run it with --policy %s (or name it in policies)", a, name, name)
		}
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

// policyOf returns the policy a key of policy.NAME.KEY belongs to.
func policyOf(key string) (string, bool) {
	rest, ok := strings.CutPrefix(key, "policy.")
	if !ok {
		return "", false
	}
	name, _, ok := strings.Cut(rest, ".")
	return name, ok
}

// loadScenario loads the scenario a command names: a file, a bundled
// scenario, or the default scenario for "".
func loadScenario(arg string) (*scenarios.Scenario, error) {
	var s *scenarios.Scenario
	var err error
	if arg == "" {
		s, err = scenarios.Get("default")
	} else {
		s, err = scenarios.Load(arg)
	}
	if err != nil {
		var se *scenarios.Error
		if errors.As(err, &se) {
			return nil, err
		}
		return nil, usageError{err}
	}
	return s, nil
}

// studyOptions returns the library options of the run.
func (o *runOptions) studyOptions(args []string) study.Options {
	opts := study.Options{
		Workers: o.workers, Baseline: o.baseline, Objective: o.objective, Format: o.format,
		Plots: !o.noPlots, Command: append([]string{"tranche", "run"}, args...),
	}
	if o.set["precision"] {
		opts.Precision = &study.Precision{HalfWidth: o.precision, Metrics: o.precisionMetrics, MaxReplications: o.maxReps}
	}
	return opts
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
	opts := o.studyOptions(args)
	sel, err := selectShard(o.shard, o.shards, os.Getenv)
	if err != nil {
		return err
	}
	if sel != nil {
		if o.set["precision"] {
			return usagef("--precision cannot be split into shards: the number of replications it needs is only known at the end")
		}
		opts.Shard = &study.Shard{Index: sel.index, Count: sel.count}
	}
	opts.Out = o.out
	if opts.Out == "" {
		opts.Out, opts.UniqueOut = defaultOut(s.Name, s.Seed, start), true
		if sel != nil { // the same for every attempt, so a rerun finds it
			opts.Out, opts.UniqueOut = filepath.Join("tranche-out", fmt.Sprintf("%s-seed%d-shard-%d-of-%d", s.Name, s.Seed, sel.index, sel.count)), false
		}
	}
	if o.cpuProfile != "" && samePath(o.cpuProfile, opts.Out) {
		return usagef("--cpuprofile %s is the results folder: give the profile another path", o.cpuProfile)
	}
	if err := study.Check(s, opts); err != nil { // bad options: before any profile or folder
		return asUsage(err)
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	bar := newProgress(stderr, o.quiet)
	opts.Progress = bar.update
	res, err := study.Run(ctx, s, opts)
	bar.finish()
	if err != nil {
		if ctx.Err() != nil {
			return errors.New("interrupted; no results written")
		}
		return asUsage(err)
	}
	if res.AlreadyDone {
		fmt.Fprintf(stdout, "shard %d of %d already complete in %s; nothing to do\n", sel.index, sel.count, res.Dir)
		return nil
	}
	if prec := res.Precision; prec != nil && !prec.Reached {
		fmt.Fprintf(stderr, "tranche: warning: precision ±%g not reached within --max-reps %d (widest: %s)\n", prec.Epsilon, o.maxReps, prec.Widest)
	}
	if sh := res.Manifest.Shard; sh != nil {
		fmt.Fprintf(stdout, "shard %d of %d: replications %d to %d of %d, seed %d, in %.1f s\nresults: %s\nmerge the shards with: tranche merge SHARD_FOLDERS... --out DIR\n",
			sh.Index, sh.Count, sh.First, sh.First+sh.Replications-1, sh.TotalReplications, s.Seed, res.Manifest.ElapsedSeconds, res.Dir)
		return nil
	}
	if len(o.assignments) > 0 { // the scenario's name alone would hide the change
		fmt.Fprintf(stdout, "with --set %s\n", strings.Join(o.assignments, " --set "))
	}
	printSummary(stdout, res)
	printComparison(stdout, res.Comparison, res.Aggregate)
	if res.Precision != nil {
		printPrecision(stdout, res.Precision)
	}
	fmt.Fprintf(stdout, "\nresults: %s\n", res.Dir)
	return nil
}

// optionFlags maps the fields of study.Options to the flags that set them.
func optionFlags() map[string]string {
	return map[string]string{
		"Workers": "workers", "Format": "format", "Baseline": "baseline", "Shard": "shard",
		"Precision": "precision", "Precision.HalfWidth": "precision", "Precision.Metrics": "precision-metric",
		"Precision.MaxReplications": "max-reps", "Out": "out",
	}
}

// asUsage turns the library's input errors into usage errors (exit status
// 2); scenario problems keep their own type, which run prints in full.
func asUsage(err error) error {
	var se *scenarios.Error
	if errors.As(err, &se) {
		return err
	}
	var ie *study.InputError
	if errors.As(err, &ie) && ie.Option != "" {
		flag, ok := optionFlags()[ie.Option]
		if !ok {
			flag = ie.Option
		}
		return usagef("--%s %v", flag, ie.Err) // as the flag is written
	}
	if study.IsInput(err) {
		return usageError{err}
	}
	return err
}

// defaultOut returns tranche-out/NAME-seedS-TIMESTAMP (study.Options'
// UniqueOut makes it unique when runs start in the same second).
func defaultOut(name string, seed uint64, t time.Time) string {
	return filepath.Join("tranche-out", fmt.Sprintf("%s-seed%d-%s", name, seed, t.Format("20060102-150405")))
}

// samePath reports whether a and b name the same path, or one lies inside
// the other.
func samePath(a, b string) bool {
	x, err1 := filepath.Abs(a)
	y, err2 := filepath.Abs(b)
	if err1 != nil || err2 != nil {
		return a == b
	}
	sep := string(filepath.Separator)
	return x == y || strings.HasPrefix(x, y+sep) || strings.HasPrefix(y, x+sep)
}
