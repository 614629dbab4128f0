package main

import (
	"context"
	"errors"
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
	"text/tabwriter"
	"time"

	"github.com/tranche-sim/tranche/experiment"
	"github.com/tranche-sim/tranche/internal/shell"
	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/study"
)

// exploreOptions are the arguments and flags of tranche explore.
type exploreOptions struct {
	experiment string
	out        string
	workers    int
	shard      string
	shards     int
	resume     bool
	format     string
	quiet      bool
	noPlots    bool
}

const exploreHelp = `Usage: tranche explore EXPERIMENT [flags]

Runs an experiment: a design over a scenario's parameters (a full factorial,
a Latin hypercube or a Sobol' sequence), with every policy replicated at
every design point on the same random streams. EXPERIMENT is an experiment
file or a bundled experiment ('tranche experiments' lists them;
docs/experiments.md describes the file). Writes a results folder with
design.csv, points.csv (every point x policy x metric, with the parameter
values as columns), best.csv and, for factorial designs, effects.csv.
An interrupted experiment keeps its finished points: run the same command
with --out DIR --resume to continue it.
`

// parseExplore parses the arguments of tranche explore.
func parseExplore(args []string, w io.Writer) (*exploreOptions, error) {
	o := &exploreOptions{}
	fs := usageFlagSet("tranche explore", exploreHelp, w)
	fs.StringVar(&o.out, "out", "", "results folder (default tranche-out/EXPERIMENT-seedSEED-TIMESTAMP); must not exist, but with --resume")
	fs.IntVar(&o.workers, "workers", runtime.GOMAXPROCS(0), "parallel workers, each running whole design points; results do not depend on it")
	fs.StringVar(&o.shard, "shard", "", "run only shard I of N (I/N, from 0) of the design points, for tranche merge (default: from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX)")
	fs.IntVar(&o.shards, "shards", 0, "number of shards when the shard index comes from JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs)")
	fs.BoolVar(&o.resume, "resume", false, "continue the interrupted experiment in --out, reusing its finished points")
	fs.StringVar(&o.format, "format", "csv", "format of the points table: csv, or parquet as well (points.csv is always written)")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress bar")
	fs.BoolVar(&o.noPlots, "no-plots", false, "do not draw the figures in plots/")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return nil, err
	}
	switch {
	case len(pos) == 0:
		return nil, usagef("explore needs an experiment: a file, or a bundled experiment (%s)", strings.Join(experiment.Names(), ", "))
	case len(pos) > 1:
		return nil, usagef("explore takes one experiment, got %d: %s", len(pos), strings.Join(pos, " "))
	case o.workers < 1 || o.workers > study.MaxWorkers:
		return nil, usagef("--workers = %d: must be in [1, %d]", o.workers, study.MaxWorkers)
	case o.format != "csv" && o.format != "parquet":
		return nil, usagef("--format %s: allowed formats are csv and parquet", o.format)
	case o.resume && o.out == "":
		return nil, usagef("--resume needs --out DIR, the folder of the interrupted experiment")
	}
	o.experiment = pos[0]
	return o, nil
}

// exploreFlags maps experiment.Options' fields to the flags that set them.
func exploreFlags() map[string]string {
	return map[string]string{"Workers": "workers", "Format": "format", "Shard": "shard", "Resume": "resume", "Out": "out"}
}

func runExplore(args []string, stdout, stderr io.Writer) error {
	start := time.Now()
	o, err := parseExplore(args, stderr)
	if err != nil {
		return err
	}
	e, err := experiment.Load(o.experiment)
	if err != nil {
		return err
	}
	opts := experiment.Options{
		Workers: o.workers, Out: o.out, Resume: o.resume, Format: o.format, Plots: !o.noPlots,
		Command: append([]string{"tranche", "explore"}, args...),
	}
	sel, err := selectShard(o.shard, o.shards, os.Getenv)
	if err != nil {
		return err
	}
	if sel != nil {
		opts.Shard = &study.Shard{Index: sel.index, Count: sel.count}
	}
	if opts.Out == "" {
		opts.Out, opts.UniqueOut = defaultOut(e.Name, e.Seed, start), true
		if sel != nil { // the same for every attempt, so a rerun finds it
			opts.Out, opts.UniqueOut = filepath.Join("tranche-out", fmt.Sprintf("%s-seed%d-shard-%d-of-%d", e.Name, e.Seed, sel.index, sel.count)), false
		}
	}
	if sel != nil && !opts.Resume && results.HasPartial(opts.Out) {
		// A shard's job that is run again (requeued after preemption,
		// resubmitted) continues its interrupted work.
		opts.Resume = true
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	bar := newProgress(stderr, o.quiet)
	opts.Progress = bar.update
	tally := results.NewTally(e.Policies, headlineMetrics(e))
	opts.OnPoint = func(p *experiment.Point) error { tally.Add(p.Best); return nil }
	res, err := experiment.Run(ctx, e, opts)
	bar.finish()
	if err != nil {
		var ie *experiment.InterruptedError
		if errors.As(err, &ie) {
			why := ie.Err.Error()
			if ctx.Err() != nil {
				why = "interrupted"
			}
			again := append([]string{"tranche", "explore"}, args...)
			if o.out == "" {
				again = append(again, "--out", ie.Dir)
			}
			if !o.resume {
				again = append(again, "--resume")
			}
			return fmt.Errorf("%s; %d of %d points are kept; continue with:\n  %s", why, ie.Done, ie.Total, shell.Join(again))
		}
		if ctx.Err() != nil {
			return errors.New("interrupted; no results written")
		}
		return exploreUsage(err)
	}
	if res.AlreadyDone {
		fmt.Fprintf(stdout, "shard %d of %d already complete in %s; nothing to do\n", sel.index, sel.count, res.Dir)
		return nil
	}
	x := res.Manifest.Experiment
	if x.ShardCount > 0 {
		fmt.Fprintf(stdout, "shard %d of %d: design points %d to %d of %d, in %.1f s\nresults: %s\nmerge the shards with: tranche merge SHARD_FOLDERS... --out DIR\n",
			x.ShardIndex, x.ShardCount, x.FirstPoint, x.FirstPoint+x.PointsHere-1, x.Points, res.Manifest.ElapsedSeconds, res.Dir)
		return nil
	}
	fmt.Fprintf(stdout, "experiment %s: %s design, %d points x %d policies x %d replications (%.1f s)\n",
		e.Name, e.Design, res.Points, len(e.Policies), e.Replications, res.Manifest.ElapsedSeconds)
	if res.Resumed > 0 {
		fmt.Fprintf(stdout, "(%d of the points were finished by the interrupted run and reused)\n", res.Resumed)
		run, err := results.LoadExperiment(res.Dir, headlineMetrics(e))
		if err != nil {
			return err
		}
		tally = run.Tally
	}
	if e.Sensitivity() {
		printSensitivity(stdout, e, res.Sensitivity)
	} else {
		printTally(stdout, tally, e.Parameters)
	}
	fmt.Fprintf(stdout, "\nresults: %s\n", res.Dir)
	return nil
}

// headlineMetrics are the metrics whose winners explore prints: the
// trade-off criteria, and the objective when there is one.
func headlineMetrics(e *experiment.Experiment) []string {
	var out []string
	for _, c := range results.TradeOffCriteria() {
		if len(e.Metrics) == 0 || slices.Contains(e.Metrics, c.Metric) {
			out = append(out, c.Metric)
		}
	}
	if e.Objective != "" {
		out = append(out, "objective")
	}
	return out
}

// printTally prints how often each policy is best on the headline
// metrics.
func printTally(w io.Writer, t *results.Tally, params []experiment.Parameter) {
	var names []string
	for _, p := range params {
		names = append(names, p.Name)
	}
	fmt.Fprintf(w, "over %s; share of design points where each policy is best:\n", strings.Join(names, ", "))
	fmt.Fprintln(w, "clearly (every other policy is told apart from it, Holm-adjusted paired tests at 5%),")
	fmt.Fprintln(w, "or best or tied with the best")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "policy")
	for _, m := range t.Metrics {
		fmt.Fprintf(tw, "\t%s clearly\tor tied", m)
	}
	fmt.Fprintln(tw)
	for p, name := range t.Policies {
		fmt.Fprint(tw, name)
		for m := range t.Metrics {
			n := max(t.Points[m], 1)
			fmt.Fprintf(tw, "\t%3.0f%%\t%3.0f%%", 100*float64(t.Clear[m][p])/float64(n), 100*float64(t.Clear[m][p]+t.Best[m][p]+t.Tied[m][p])/float64(n))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}

// exploreUsage turns the library's input errors into usage errors (exit
// status 2), naming the flag concerned.
func exploreUsage(err error) error {
	var ee *experiment.Error
	if errors.As(err, &ee) {
		return err
	}
	var ie *study.InputError
	if errors.As(err, &ie) && ie.Option != "" {
		flag, ok := exploreFlags()[ie.Option]
		if !ok {
			flag = ie.Option
		}
		return usagef("--%s %v", flag, ie.Err)
	}
	if study.IsInput(err) {
		return usageError{err}
	}
	return err
}

const experimentsUsage = `Usage: tranche experiments [show NAME]

Lists the bundled experiments, each with what it asks. With show NAME,
prints the bundled experiment NAME: save it to a file, edit it, and run it
with tranche explore FILE.toml.
`

// parseExperiments parses the arguments of tranche experiments.
func parseExperiments(args []string, w io.Writer) (show string, err error) {
	return parseListOrShow("experiments", "experiment", experimentsUsage, args, w)
}

func listExperiments(args []string, stdout, stderr io.Writer) error {
	name, err := parseExperiments(args, stderr)
	if err != nil {
		return err
	}
	if name != "" {
		b, err := experiment.Source(name)
		if err != nil {
			return usageError{err}
		}
		_, err = stdout.Write(b)
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	for _, n := range experiment.Names() {
		e, err := experiment.Get(n)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%s\t%s\n", n, e.Description)
	}
	return tw.Flush()
}

// printSensitivity prints what decides the headline metrics under the
// baseline, and what decides each policy against the baseline on the
// first headline metric: the parameters with the largest indices.
func printSensitivity(w io.Writer, e *experiment.Experiment, rows []results.SensitivityRow) {
	index, name := results.IndexMuStar, "mu* (mean absolute elementary effect)"
	if e.Design == experiment.Saltelli {
		index, name = results.IndexST, "total Sobol' index"
	}
	top := func(metric, policy, versus string, n int) ([]results.SensitivityRow, float64) {
		var sel []results.SensitivityRow
		share := math.NaN()
		for _, r := range rows {
			if r.Metric == metric && r.Policy == policy && r.Versus == versus && r.Index == index {
				sel = append(sel, r)
				share = r.NoiseShare
			}
		}
		slices.SortStableFunc(sel, func(a, b results.SensitivityRow) int { return cmpDesc(a.Estimate, b.Estimate) })
		return sel[:min(n, len(sel))], share
	}
	show := func(title string, sel []results.SensitivityRow, share float64) {
		if len(sel) == 0 {
			return
		}
		noise := "common streams: every point shares its replications, so noise cannot make a parameter look active"
		switch {
		case share == share && e.Design == experiment.Morris:
			noise = fmt.Sprintf("replication noise is %.0f%% of its variance; noise alone gives a mu* of about %.3g", 100*share, sel[0].NoiseFloor)
		case share == share:
			noise = fmt.Sprintf("replication noise is %.0f%% of its variance; the index is corrected for it", 100*share)
		}
		fmt.Fprintf(w, "\n%s (%s, 95%% interval; %s):\n", title, name, noise)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for i, r := range sel {
			fmt.Fprintf(tw, "  %d.\t%s\t%.3g\t(%.3g, %.3g)\n", i+1, r.Parameter, r.Estimate, r.CI95[0], r.CI95[1])
		}
		tw.Flush()
	}
	metrics := headlineMetrics(e)
	for _, m := range metrics {
		sel, share := top(m, e.Baseline, "", 5)
		show(fmt.Sprintf("What decides %s under %s", m, e.Baseline), sel, share)
	}
	if len(metrics) > 0 {
		for _, p := range e.Policies {
			if p == e.Baseline {
				continue
			}
			sel, share := top(metrics[0], p, e.Baseline, 3)
			show(fmt.Sprintf("What decides %s against %s on %s", p, e.Baseline, metrics[0]), sel, share)
		}
	}
}

// cmpDesc orders larger values first, NaN last.
func cmpDesc(a, b float64) int {
	switch {
	case a > b || (b != b && a == a):
		return -1
	case a < b || (a != a && b == b):
		return 1
	}
	return 0
}
