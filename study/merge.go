package study

import (
	"bufio"
	"context"
	"errors"
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

// MergeOptions say where and how to merge the shards of a study.
type MergeOptions struct {
	// Out is the merged results folder, which must not exist.
	Out string
	// Plots draws the figures into Out's plots/ folder.
	Plots bool
	// Command is the command line recorded in the manifest.
	Command []string
}

// shardFolder is one shard's results folder, read for merging.
type shardFolder struct {
	dir string
	run *results.Run
}

// Merge merges the shard folders of one study (made by Run with
// Options.Shard) into one results folder that is identical, file for file
// but the manifest's record of how it was made, to a single run of the
// whole study. It checks that the folders are every shard of one study
// exactly once, made by the same build. The result has no Histories (the
// merged folder's histories.csv holds them), and its manifest records the
// first shard's workers.
func Merge(ctx context.Context, dirs []string, opts MergeOptions) (*Result, error) {
	start := time.Now()
	if len(dirs) == 0 {
		return nil, inputf("merge: no shard folders given")
	}
	if opts.Out == "" {
		return nil, inputf("merge: no folder to write the merged results to")
	}
	shards, err := readShards(dirs)
	if err != nil {
		return nil, err
	}
	first := shards[0].run
	s, err := scenarios.Parse("scenario.toml", first.Scenario)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", shards[0].dir, err)
	}

	folder, err := results.CreateFolder(opts.Out)
	if err != nil {
		if errors.Is(err, results.ErrExists) {
			return nil, &InputError{Err: err}
		}
		return nil, err
	}
	defer folder.Abort() // a no-op once committed

	var agg *results.Aggregate
	for _, sh := range shards {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("interrupted; no results written: %w", err)
		}
		a, err := readState(sh.dir)
		if err != nil {
			return nil, err
		}
		if agg == nil {
			agg = a
		} else if err := agg.Merge(a); err != nil {
			return nil, fmt.Errorf("shard %s: %w", sh.dir, err)
		}
	}
	format := first.Manifest.Format
	if format == "" {
		format = "csv"
	}
	if format == "parquet" {
		err = concatParquet(folder, agg, shards)
	} else {
		err = concatCSV(folder, "replications.csv", shards)
	}
	if err != nil {
		return nil, err
	}
	if err := concatCSV(folder, "histories.csv", shards); err != nil {
		return nil, err
	}

	m := first.Manifest
	baseline := max(slices.Index(m.Policies, m.Baseline), 0)
	s.Replications = agg.Metric(0, 0).N()
	summary := results.Summarize(m.Scenario, m.Seed, agg)
	res := &Result{
		Scenario: s, Aggregate: agg, Summary: summary, Dir: folder.Final(),
		Comparison: results.NewComparisonReport(agg, summary, baseline),
		Manifest: &results.Manifest{
			Tool: "tranche", Version: Version(), Build: Build(), GoVersion: runtime.Version(), GOARCH: runtime.GOARCH,
			Scenario: m.Scenario, ScenarioSHA256: m.ScenarioSHA256,
			Seed: m.Seed, Replications: s.Replications, Rounds: m.Rounds, MonthsPerRound: m.MonthsPerRound,
			Policies: m.Policies, Baseline: m.Baseline, Objective: m.Objective, MergedShards: len(shards), Format: format,
			Workers: m.Workers, CommandLine: opts.Command, Start: start.UTC(),
		},
	}
	out := &results.Outputs{
		ScenarioTOML: first.Scenario, Aggregate: agg, Summary: summary, Comparison: res.Comparison,
		Definitions: &first.Definitions, Manifest: res.Manifest,
	}
	res.Manifest.ElapsedSeconds = time.Since(start).Seconds()
	if err := out.Write(folder); err != nil {
		return nil, err
	}
	if opts.Plots {
		if err := drawInto(folder); err != nil {
			return nil, err
		}
	}
	if err := folder.Commit(); err != nil {
		return nil, err
	}
	return res, nil
}

// readState reads the aggregate state of a shard folder.
func readState(dir string) (*results.Aggregate, error) {
	f, err := os.Open(filepath.Join(dir, results.StateFile))
	if err != nil {
		return nil, fmt.Errorf("shard %s: %w", dir, err)
	}
	defer f.Close()
	a, err := results.ReadState(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("shard %s: %w", dir, err)
	}
	return a, nil
}

// LoadFolder reads a results folder named by a user, saying plainly when
// the path is missing, a file, or a folder that is not a results folder.
// Its errors are input errors.
func LoadFolder(dir string) (*results.Run, error) {
	st, err := os.Stat(dir)
	switch {
	case err != nil:
		return nil, inputf("%s: no such folder (make a results folder with tranche run)", dir)
	case !st.IsDir():
		return nil, inputf("%s is a file, not a results folder (make one with tranche run)", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err != nil {
		return nil, inputf("%s is not a results folder: it has no manifest.json (make one with tranche run)", dir)
	}
	run, err := results.Load(dir)
	if err != nil {
		return nil, inputf("%s is not a complete results folder: %w", dir, err)
	}
	return run, nil
}

// readShards reads shard folders and checks that together they are every
// shard of one study exactly once; it returns them in shard order.
func readShards(dirs []string) ([]shardFolder, error) {
	var shards []shardFolder
	for _, d := range dirs {
		run, err := LoadFolder(d)
		if err != nil {
			return nil, err
		}
		if run.Manifest.Shard == nil {
			return nil, inputf("%s is not a shard (it was made without --shard): only shards of one study can be merged", d)
		}
		if _, err := os.Stat(filepath.Join(d, results.StateFile)); err != nil {
			return nil, inputf("%s has no %s: it is not a complete shard", d, results.StateFile)
		}
		shards = append(shards, shardFolder{d, run})
	}
	ref := shards[0]
	rm := ref.run.Manifest
	for _, sh := range shards[1:] {
		m := sh.run.Manifest
		differ := func(what string, a, b any) error {
			return inputf("%s and %s are shards of different studies: %s %v and %v", ref.dir, sh.dir, what, a, b)
		}
		switch {
		case m.Seed != rm.Seed:
			return nil, differ("seed", rm.Seed, m.Seed)
		case m.Version != rm.Version:
			return nil, differ("tranche version", rm.Version, m.Version)
		case m.Build != rm.Build:
			return nil, inputf("%s and %s were run by different builds of tranche (SHA-256 of the executable %s and %s): build tranche once and run every shard with that binary", ref.dir, sh.dir, rm.Build, m.Build)
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
			return nil, differ("scenario (SHA-256 of scenario.toml)", short(rm.ScenarioSHA256), short(m.ScenarioSHA256))
		}
	}
	sort.SliceStable(shards, func(i, j int) bool { return shards[i].run.Manifest.Shard.Index < shards[j].run.Manifest.Shard.Index })
	count := rm.Shard.Count
	var missing []string
	next := 0
	for i, sh := range shards {
		idx := sh.run.Manifest.Shard.Index
		if i > 0 && shards[i-1].run.Manifest.Shard.Index == idx {
			return nil, inputf("shard %d of %d is given twice: %s and %s", idx, count, shards[i-1].dir, sh.dir)
		}
		for ; next < idx; next++ {
			missing = append(missing, fmt.Sprint(next))
		}
		next = idx + 1
		want, n := results.ShardRange(idx, count, sh.run.Manifest.Shard.TotalReplications)
		if sh.run.Manifest.Shard.First != want || sh.run.Manifest.Shard.Replications != n {
			return nil, inputf("%s: shard %d holds replications from %d (%d), want from %d (%d)", sh.dir, idx, sh.run.Manifest.Shard.First, sh.run.Manifest.Shard.Replications, want, n)
		}
	}
	for ; next < count; next++ {
		missing = append(missing, fmt.Sprint(next))
	}
	if len(missing) > 0 {
		return nil, inputf("missing shard(s) %s of %d: every shard 0 to %d is needed", strings.Join(missing, ", "), count, count-1)
	}
	return shards, nil
}

// short returns the first 12 characters of a hash, for messages.
func short(h string) string { return h[:min(12, len(h))] }

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
