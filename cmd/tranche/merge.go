package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/tranche-sim/tranche/experiment"
	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/study"
)

// mergeOptions are the arguments and flags of tranche merge.
type mergeOptions struct {
	dirs    []string
	out     string
	noPlots bool
}

// parseMerge parses the arguments of tranche merge; its messages, and the
// usage that -h asks for, go to w.
func parseMerge(args []string, w io.Writer) (*mergeOptions, error) {
	o := &mergeOptions{}
	fs := flag.NewFlagSet("tranche merge", flag.ContinueOnError)
	fs.SetOutput(w)
	fs.StringVar(&o.out, "out", "", "results folder to write (must not exist)")
	fs.BoolVar(&o.noPlots, "no-plots", false, "do not draw the figures")
	fs.Usage = func() {
		fmt.Fprintln(w, "Usage: tranche merge SHARD_DIR... --out DIR\n\nMerges the shard folders of one study or experiment (made by tranche run or\ntranche explore with --shard I/N, or by a Slurm or Kubernetes job array) into\none results folder, identical to a single run.\n\nFlags:")
		fs.PrintDefaults()
	}
	var err error
	if o.dirs, err = parseInterleaved(fs, args); err != nil {
		return nil, err
	}
	if len(o.dirs) == 0 {
		fs.Usage()
		return nil, usagef("merge needs the shard folders")
	}
	if o.out == "" {
		return nil, usagef("merge needs --out DIR for the merged results folder")
	}
	return o, nil
}

// mergeShards merges shard folders into one results folder that is
// identical, file for file (but the manifest), to a single run of the
// whole study.
func mergeShards(args []string, stdout, stderr io.Writer) error {
	o, err := parseMerge(args, stderr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if experiment.IsExperimentFolder(o.dirs[0]) {
		return mergeExperiment(ctx, o, args, stdout)
	}
	res, err := study.Merge(ctx, o.dirs, study.MergeOptions{Out: o.out, Plots: !o.noPlots, Command: append([]string{"tranche", "merge"}, args...)})
	if err != nil {
		if ctx.Err() != nil {
			return errors.New("interrupted; no results written")
		}
		return asUsage(err)
	}
	s := res.Scenario
	fmt.Fprintf(stdout, "merged %d shards of %s (%d replications, seed %d)\n\n", res.Manifest.MergedShards, s.Name, res.Manifest.Replications, s.Seed)
	printSummary(stdout, res)
	printComparison(stdout, res.Comparison, res.Aggregate)
	fmt.Fprintf(stdout, "\nresults: %s\n", res.Dir)
	return nil
}

// mergeExperiment merges the shards of an experiment.
func mergeExperiment(ctx context.Context, o *mergeOptions, args []string, stdout io.Writer) error {
	res, err := experiment.Merge(ctx, o.dirs, experiment.MergeOptions{Out: o.out, Plots: !o.noPlots, Command: append([]string{"tranche", "merge"}, args...)})
	if err != nil {
		if ctx.Err() != nil {
			return errors.New("interrupted; no results written")
		}
		return exploreUsage(err)
	}
	x := res.Manifest.Experiment
	e := res.Experiment
	fmt.Fprintf(stdout, "merged %d shards of experiment %s: %s design, %d points x %d policies x %d replications\n",
		x.MergedShards, x.Name, e.Design, x.Points, len(e.Policies), e.Replications)
	run, err := results.LoadExperiment(res.Dir, headlineMetrics(e))
	if err != nil {
		return err
	}
	printTally(stdout, run.Tally, e.Parameters)
	fmt.Fprintf(stdout, "\nresults: %s\n", res.Dir)
	return nil
}
