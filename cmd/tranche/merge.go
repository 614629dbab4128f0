package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/scenarios"
)

// shardFolder is one shard's results folder, read for merging.
type shardFolder struct {
	dir string
	run *results.Run
}

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
		fmt.Fprintln(w, "Usage: tranche merge SHARD_DIR... --out DIR\n\nMerges the shard folders of one study (made by tranche run --shard I/N, or by a\nSlurm or Kubernetes job array) into one results folder, identical to a single run.\n\nFlags:")
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
	start := time.Now()
	o, err := parseMerge(args, stderr)
	if err != nil {
		return err
	}
	shards, err := readShards(o.dirs)
	if err != nil {
		return err
	}
	first := shards[0].run
	s, err := scenarios.Parse("scenario.toml", first.Scenario)
	if err != nil {
		return fmt.Errorf("%s: %w", shards[0].dir, err)
	}

	folder, err := results.CreateFolder(o.out)
	if err != nil {
		if errors.Is(err, results.ErrExists) {
			return usageError{err}
		}
		return err
	}
	defer folder.Abort() // a no-op once committed

	var agg *results.Aggregate
	for _, sh := range shards {
		f, err := os.Open(filepath.Join(sh.dir, results.StateFile))
		if err != nil {
			return fmt.Errorf("shard %s: %w", sh.dir, err)
		}
		a, err := results.ReadState(bufio.NewReader(f))
		f.Close()
		if err != nil {
			return fmt.Errorf("shard %s: %w", sh.dir, err)
		}
		if agg == nil {
			agg = a
		} else if err := agg.Merge(a); err != nil {
			return fmt.Errorf("shard %s: %w", sh.dir, err)
		}
	}
	format := first.Manifest.Format
	if format == "" {
		format = "csv"
	}
	if format == "parquet" {
		if err := concatParquet(folder, agg, shards); err != nil {
			return err
		}
	} else if err := concatCSV(folder, "replications.csv", shards); err != nil {
		return err
	}
	if err := concatCSV(folder, "histories.csv", shards); err != nil {
		return err
	}

	m := first.Manifest
	baseline := slices.Index(m.Policies, m.Baseline)
	manifest := &results.Manifest{
		Tool: "tranche", Version: version(), Build: build(), GoVersion: runtime.Version(), GOARCH: runtime.GOARCH,
		Scenario: m.Scenario, ScenarioSHA256: m.ScenarioSHA256,
		Seed: m.Seed, Replications: agg.Metric(0, 0).N(), Rounds: m.Rounds, MonthsPerRound: m.MonthsPerRound,
		Policies: m.Policies, Baseline: m.Baseline, Objective: m.Objective, MergedShards: len(shards), Format: format,
		Workers: m.Workers, CommandLine: append([]string{"tranche", "merge"}, args...),
		Start: start.UTC(), ElapsedSeconds: time.Since(start).Seconds(),
	}
	summary, report, err := results.WriteOutputs(folder, first.Scenario, agg, max(baseline, 0), manifest)
	if err != nil {
		return err
	}
	if !o.noPlots {
		if err := drawInto(folder); err != nil {
			return err
		}
	}
	if err := folder.Commit(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "merged %d shards of %s (%d replications, seed %d)\n\n", len(shards), s.Name, manifest.Replications, s.Seed)
	s.Replications = manifest.Replications
	printSummary(stdout, s, summary, manifest.ElapsedSeconds)
	printComparison(stdout, report, agg)
	fmt.Fprintf(stdout, "\nresults: %s\n", folder.Final())
	return nil
}

// readShards reads shard folders and checks that together they are every
// shard of one study exactly once; it returns them in shard order.
func readShards(dirs []string) ([]shardFolder, error) {
	var shards []shardFolder
	for _, d := range dirs {
		run, err := loadRun(d)
		if err != nil {
			return nil, err
		}
		if run.Manifest.Shard == nil {
			return nil, usagef("%s is not a shard (it was made without --shard): only shards of one study can be merged", d)
		}
		if _, err := os.Stat(filepath.Join(d, results.StateFile)); err != nil {
			return nil, usagef("%s has no %s: it is not a complete shard", d, results.StateFile)
		}
		shards = append(shards, shardFolder{d, run})
	}
	ref := shards[0]
	rm := ref.run.Manifest
	for _, sh := range shards[1:] {
		m := sh.run.Manifest
		differ := func(what string, a, b any) error {
			return usagef("%s and %s are shards of different studies: %s %v and %v", ref.dir, sh.dir, what, a, b)
		}
		switch {
		case m.Seed != rm.Seed:
			return nil, differ("seed", rm.Seed, m.Seed)
		case m.Version != rm.Version:
			return nil, differ("tranche version", rm.Version, m.Version)
		case m.Build != rm.Build:
			return nil, usagef("%s and %s were run by different builds of tranche (SHA-256 of the executable %s and %s): build tranche once and run every shard with that binary", ref.dir, sh.dir, rm.Build, m.Build)
		case m.GOARCH != rm.GOARCH:
			return nil, differ("architecture (results are bit-identical only on one)", rm.GOARCH, m.GOARCH)
		case m.Shard.Count != rm.Shard.Count:
			return nil, differ("number of shards", rm.Shard.Count, m.Shard.Count)
		case m.Shard.TotalReplications != rm.Shard.TotalReplications:
			return nil, differ("replications", rm.Shard.TotalReplications, m.Shard.TotalReplications)
		case m.Objective != rm.Objective:
			return nil, differ("objective", rm.Objective, m.Objective)
		case m.Baseline != rm.Baseline:
			return nil, differ("baseline", rm.Baseline, m.Baseline)
		case m.Format != rm.Format:
			return nil, differ("table format", rm.Format, m.Format)
		case m.ScenarioSHA256 != rm.ScenarioSHA256:
			return nil, differ("scenario (SHA-256 of scenario.toml)", rm.ScenarioSHA256[:12], m.ScenarioSHA256[:12])
		}
	}
	sort.SliceStable(shards, func(i, j int) bool { return shards[i].run.Manifest.Shard.Index < shards[j].run.Manifest.Shard.Index })
	count := rm.Shard.Count
	var missing []string
	next := 0
	for i, sh := range shards {
		idx := sh.run.Manifest.Shard.Index
		if i > 0 && shards[i-1].run.Manifest.Shard.Index == idx {
			return nil, usagef("shard %d of %d is given twice: %s and %s", idx, count, shards[i-1].dir, sh.dir)
		}
		for ; next < idx; next++ {
			missing = append(missing, fmt.Sprint(next))
		}
		next = idx + 1
		want, n := results.ShardRange(idx, count, sh.run.Manifest.Shard.TotalReplications)
		if sh.run.Manifest.Shard.First != want || sh.run.Manifest.Shard.Replications != n {
			return nil, usagef("%s: shard %d holds replications from %d (%d), want from %d (%d)", sh.dir, idx, sh.run.Manifest.Shard.First, sh.run.Manifest.Shard.Replications, want, n)
		}
	}
	for ; next < count; next++ {
		missing = append(missing, fmt.Sprint(next))
	}
	if len(missing) > 0 {
		return nil, usagef("missing shard(s) %s of %d: every shard 0 to %d is needed", strings.Join(missing, ", "), count, count-1)
	}
	return shards, nil
}

// concatParquet writes replications.parquet into the folder: every shard's
// rows, in shard order, streaming.
func concatParquet(folder *results.Folder, agg *results.Aggregate, shards []shardFolder) error {
	out, err := folder.Create("replications.parquet")
	if err != nil {
		return err
	}
	defer out.Close()
	w := bufio.NewWriterSize(out, 1<<20)
	table, err := results.NewReplicationsParquet(w, agg.Metrics)
	if err != nil {
		return err
	}
	for _, sh := range shards {
		f, err := os.Open(filepath.Join(sh.dir, "replications.parquet"))
		if err != nil {
			return fmt.Errorf("shard %s: %w", sh.dir, err)
		}
		st, err := f.Stat()
		if err == nil {
			err = results.CopyReplicationsParquet(table, f, st.Size())
		}
		f.Close()
		if err != nil {
			return fmt.Errorf("shard %s: %w", sh.dir, err)
		}
	}
	if err := table.Close(); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return out.Close()
}

// concatCSV writes name into the folder as the header of the first shard's
// file followed by every shard's rows, in shard order, streaming.
func concatCSV(folder *results.Folder, name string, shards []shardFolder) error {
	out, err := folder.Create(name)
	if err != nil {
		return err
	}
	defer out.Close()
	w := bufio.NewWriterSize(out, 1<<20)
	var header string
	for i, sh := range shards {
		f, err := os.Open(filepath.Join(sh.dir, name))
		if err != nil {
			return fmt.Errorf("shard %s: %w", sh.dir, err)
		}
		r := bufio.NewReaderSize(f, 1<<20)
		h, err := r.ReadString('\n')
		if err != nil {
			f.Close()
			return fmt.Errorf("shard %s: %s: %w", sh.dir, name, err)
		}
		switch {
		case i == 0:
			header = h
			if _, err := w.WriteString(h); err != nil {
				f.Close()
				return err
			}
		case h != header:
			f.Close()
			return fmt.Errorf("shard %s: %s has another header than shard %s's", sh.dir, name, shards[0].dir)
		}
		_, err = io.Copy(w, r)
		f.Close()
		if err != nil {
			return fmt.Errorf("shard %s: %s: %w", sh.dir, name, err)
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return out.Close()
}
