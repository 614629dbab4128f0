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
	"strings"
	"syscall"
	"time"

	"github.com/tranche-sim/tranche/results"
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
	seedSet               bool
	policies              listFlag
	out                   string
	quiet                 bool
	scenario              string
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
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: tranche run [SCENARIO] [flags]\n\nSCENARIO is a TOML file or a bundled scenario name (default: default).\n\nFlags:")
		fs.PrintDefaults()
	}
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelp
			}
			return nil, usageError{err}
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	o.seedSet = set["seed"]
	switch len(positional) {
	case 0:
	case 1:
		o.scenario = positional[0]
	default:
		return nil, usagef("run takes one scenario, got %d: %s", len(positional), strings.Join(positional, " "))
	}
	if o.workers < 1 {
		return nil, usagef("--workers = %d: must be at least 1", o.workers)
	}
	if set["reps"] && (o.reps < 1 || o.reps > scenarios.MaxReplications) {
		return nil, usagef("--reps = %d: must be in [1, %d]", o.reps, scenarios.MaxReplications)
	}
	if set["rounds"] && (o.rounds < 1 || o.rounds > sim.MaxRounds) {
		return nil, usagef("--rounds = %d: must be in [1, %d]", o.rounds, sim.MaxRounds)
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
	if o.reps != 0 {
		s.Replications = o.reps
	}
	if o.rounds != 0 {
		s.Rounds = o.rounds
	}
	if o.seedSet {
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

func runStudy(args []string, stdout, stderr io.Writer) error {
	start := time.Now()
	o, err := parseRun(args, stderr)
	if err != nil {
		return err
	}
	s, err := o.load()
	if err != nil {
		return err
	}
	model, err := s.Model()
	if err != nil {
		return usageError{err}
	}
	out := o.out
	if out == "" {
		out = defaultOut(s.Name, start)
	}
	folder, err := results.CreateFolder(out)
	if err != nil {
		if errors.Is(err, results.ErrExists) {
			return usageError{err}
		}
		return err
	}
	ok := false
	defer func() {
		if !ok {
			folder.Abort()
		}
	}()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	agg, err := simulate(ctx, s, model, o, folder, stderr)
	if err != nil {
		if ctx.Err() != nil {
			return errors.New("interrupted; no results written")
		}
		return err
	}

	summary := results.Summarize(s.Name, s.Seed, agg)
	resolved := scenarios.Format(s)
	sum := sha256.Sum256(resolved)
	manifest := &results.Manifest{
		Tool: "tranche", Version: version(), GoVersion: runtime.Version(),
		Scenario: s.Name, ScenarioSHA256: hex.EncodeToString(sum[:]),
		Seed: s.Seed, Replications: s.Replications, Rounds: s.Rounds, Policies: s.Policies,
		Workers: o.workers, CommandLine: append([]string{"tranche", "run"}, args...),
		Start: start.UTC(), ElapsedSeconds: time.Since(start).Seconds(),
	}
	if err := writeFiles(folder, resolved, summary, agg, manifest); err != nil {
		return err
	}
	if err := folder.Commit(); err != nil {
		return err
	}
	ok = true
	printSummary(stdout, s, summary, manifest.ElapsedSeconds)
	fmt.Fprintf(stdout, "\nresults: %s\n", folder.Final())
	return nil
}

// simulate runs the study, streaming replications.csv into the folder.
func simulate(ctx context.Context, s *scenarios.Scenario, model *sim.Model, o *runOptions, folder *results.Folder, stderr io.Writer) (*results.Aggregate, error) {
	f, err := folder.Create("replications.csv")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	study := &sim.Study{Model: model, Policies: s.Study(), Seed: s.Seed, Replications: s.Replications, Workers: o.workers}
	rec, err := results.NewRecorder(s.Policies, model, study.WorkerCount(), w)
	if err != nil {
		return nil, err
	}
	bar := newProgress(stderr, s.Replications, o.quiet)
	rec.OnCommit = bar.update
	err = study.Run(ctx, rec)
	bar.finish()
	if err != nil {
		return nil, err
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	return rec.Aggregate()
}

func writeFiles(folder *results.Folder, resolved []byte, summary *results.Summary, agg *results.Aggregate, manifest *results.Manifest) error {
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{"scenario.toml", func(w io.Writer) error { _, err := w.Write(resolved); return err }},
		{"summary.json", func(w io.Writer) error { return results.WriteSummaryJSON(w, summary) }},
		{"summary.csv", func(w io.Writer) error { return results.WriteSummaryCSV(w, summary) }},
		{"rounds.csv", func(w io.Writer) error { return results.WriteRoundsCSV(w, agg) }},
		{"manifest.json", func(w io.Writer) error { return results.WriteManifest(w, manifest) }},
	}
	for _, f := range files {
		var b bytes.Buffer
		if err := f.write(&b); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		if err := folder.WriteFile(f.name, b.Bytes()); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
	}
	return nil
}

// defaultOut returns tranche-out/NAME-TIMESTAMP, with a counter appended if
// a run in the same second took that name.
func defaultOut(name string, t time.Time) string {
	base := filepath.Join("tranche-out", name+"-"+t.Format("20060102-150405"))
	out := base
	for i := 2; ; i++ {
		if _, err := os.Stat(out); errors.Is(err, os.ErrNotExist) {
			return out
		}
		out = fmt.Sprintf("%s-%d", base, i)
	}
}
