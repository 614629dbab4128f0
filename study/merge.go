package study

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
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

// maxRowBytes bounds a row of a shard's replications table in either
// format: a policy name of at most 64 characters, a replication index and
// one number of at most 24 characters per metric, with room to spare.
func maxRowBytes(metrics int) int64 { return 128 + 32*int64(metrics) }

// Merge merges the shard folders of one study (made by Run with
// Options.Shard) into one results folder that is identical, file for file
// but the manifest's record of how it was made, to a single run of the
// whole study.
//
// Merge trusts nothing it reads. The folders must be every shard of one
// study exactly once, made by the same build, complete, of this format
// version; each file it reads must have the size and SHA-256 its shard's
// manifest records, checked before the file is parsed; and every count in
// a shard's aggregate state and tables must be one its manifest allows. A
// folder that fails any check is refused with an *InputError naming it.
//
// The result has no Histories (the merged folder's histories.csv holds
// them), and its manifest records the first shard's workers.
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
	m := first.Manifest
	s, err := scenarios.Parse("scenario.toml", first.Scenario)
	if err != nil {
		return nil, &InputError{Err: fmt.Errorf("shard %s: %w", shards[0].dir, err)}
	}
	want, err := expectedShape(s, m)
	if err != nil {
		return nil, &InputError{Err: fmt.Errorf("shard %s: %w", shards[0].dir, err)}
	}

	folder, err := createFolder(opts.Out, false)
	if err != nil {
		return nil, err
	}
	defer folder.Abort() // a no-op once committed

	var agg *results.Aggregate
	for _, sh := range shards {
		if err := ctx.Err(); err != nil {
			return nil, interrupted(err)
		}
		a, err := readState(sh, want)
		if err != nil {
			return nil, err
		}
		if agg == nil {
			agg = a
		} else if err := agg.Merge(a); err != nil {
			return nil, &InputError{Err: fmt.Errorf("shard %s: %w", sh.dir, err)}
		}
	}
	format := m.Format
	if format == "parquet" {
		err = concatParquet(ctx, folder, agg, shards)
	} else {
		err = concatReplicationsCSV(ctx, folder, agg, shards)
	}
	if err != nil {
		return nil, folder.Hide(err)
	}
	if err := concatCSV(ctx, folder, "histories.csv", shards); err != nil {
		return nil, folder.Hide(err)
	}

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
		if err := drawInto(ctx, folder, Options{}); err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, interrupted(err)
	}
	if err := folder.Complete(res.Manifest); err != nil {
		return nil, err
	}
	return res, nil
}

// expectedShape returns an empty aggregate of the shape the shards' states
// must have: the study's policies, its model's metrics, series and rounds,
// and its objective, from the shards' scenario and manifest.
func expectedShape(s *scenarios.Scenario, m results.Manifest) (*results.Aggregate, error) {
	if !slices.Equal(s.Policies, m.Policies) {
		return nil, fmt.Errorf("the manifest's policies %q are not the scenario's %q", m.Policies, s.Policies)
	}
	if s.Rounds != m.Rounds || s.Seed != m.Seed {
		return nil, fmt.Errorf("the manifest's rounds and seed (%d, %d) are not the scenario's (%d, %d)", m.Rounds, m.Seed, s.Rounds, s.Seed)
	}
	model, err := s.Model()
	if err != nil {
		return nil, err
	}
	var obj *results.Objective
	if m.Objective != "" {
		if obj, err = results.ParseObjective(m.Objective, model.Metrics()); err != nil {
			return nil, err
		}
	}
	return results.NewAggregate(s.Policies, model, obj), nil
}

// readState reads the aggregate state of a shard folder, checked against
// the study's shape and the shard's replications.
func readState(sh shardFolder, want *results.Aggregate) (*results.Aggregate, error) {
	f, err := os.Open(filepath.Join(sh.dir, results.StateFile))
	if err != nil {
		return nil, &InputError{Err: fmt.Errorf("shard %s: %w", sh.dir, err)}
	}
	defer f.Close()
	m := sh.run.Manifest
	a, err := results.ReadState(bufio.NewReader(f), want, m.Shard.Replications)
	if err != nil {
		return nil, &InputError{Err: fmt.Errorf("shard %s: %w", sh.dir, err)}
	}
	// The state must be the one that gave the shard's summary (checked
	// against the manifest when the folder was read): a state copied from
	// another shard, seed or scenario gives another.
	var b bytes.Buffer
	if err := results.WriteSummaryJSON(&b, results.Summarize(m.Scenario, m.Seed, a)); err != nil {
		return nil, err
	}
	if sum, err := os.ReadFile(filepath.Join(sh.dir, "summary.json")); err != nil || !bytes.Equal(sum, b.Bytes()) {
		return nil, inputf("shard %s: its %s does not give its summary.json: it is another study's state", sh.dir, results.StateFile)
	}
	return a, nil
}

// LoadFolder reads a complete results folder named by a user, saying
// plainly when the path is missing, a file, a folder that is not a results
// folder, or one that is incomplete or was changed. Its errors are input
// errors.
func LoadFolder(dir string) (*results.Run, error) {
	if err := checkFolder(dir); err != nil {
		return nil, err
	}
	run, err := results.Load(dir)
	if err != nil {
		return nil, inputf("%s cannot be read: %w", dir, err)
	}
	return run, nil
}

// checkFolder says plainly when a results folder named by a user is
// missing, a file, or a folder that is not a results folder.
func checkFolder(dir string) error {
	st, err := os.Stat(dir)
	switch {
	case err != nil:
		return inputf("%s: no such folder (make a results folder with tranche run or tranche explore)", dir)
	case !st.IsDir():
		return inputf("%s is a file, not a results folder (make one with tranche run or tranche explore)", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err != nil {
		entries, _ := os.ReadDir(dir)
		if len(entries) == 0 {
			return inputf("%s is an empty folder, not a results folder: a run may be writing it (it reserves its folder first), or was stopped before it finished", dir)
		}
		return inputf("%s is not a results folder: it has no manifest.json (make one with tranche run or tranche explore)", dir)
	}
	return nil
}

// IsExperiment reports whether the results folder in dir holds an
// experiment (tranche explore) rather than a study.
func IsExperiment(dir string) bool {
	m, err := results.ReadManifest(dir)
	return err == nil && m.Kind == results.KindExperiment
}

// LoadExperimentFolder reads a complete experiment results folder named by
// a user, with the rows of the headline metrics (results.ExperimentHeadline),
// saying plainly what is wrong as LoadFolder does. Its errors are input
// errors.
func LoadExperimentFolder(dir string) (*results.ExperimentRun, error) {
	if err := checkFolder(dir); err != nil {
		return nil, err
	}
	run, err := results.LoadExperiment(dir, results.ExperimentHeadline())
	if err != nil {
		return nil, inputf("%s cannot be read: %w", dir, err)
	}
	return run, nil
}

// readShards reads shard folders and checks that together they are every
// shard of one study exactly once, and that each holds, checked against
// its manifest, the files a merge reads; it returns them in shard order.
func readShards(dirs []string) ([]shardFolder, error) {
	var shards []shardFolder
	for _, d := range dirs {
		run, err := LoadFolder(d)
		if err != nil {
			return nil, err
		}
		if err := checkShard(d, run); err != nil {
			return nil, err
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
		case !slices.Equal(m.Policies, rm.Policies):
			return nil, differ("policies", rm.Policies, m.Policies)
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
		for ; next < idx && len(missing) < 20; next++ {
			missing = append(missing, fmt.Sprint(next))
		}
		next = idx + 1
	}
	for ; next < count && len(missing) < 20; next++ {
		missing = append(missing, fmt.Sprint(next))
	}
	if len(missing) > 0 {
		more := ""
		if len(missing) == 20 {
			more = " and more"
		}
		return nil, inputf("missing shard(s) %s%s of %d: every shard 0 to %d is needed", strings.Join(missing, ", "), more, count, count-1)
	}
	return shards, nil
}

// checkShard checks a shard folder's manifest for sense, and the files a
// merge reads that Load did not (the state and the replications table)
// against the manifest's sizes and hashes.
func checkShard(dir string, run *results.Run) error {
	m := run.Manifest
	sh := m.Shard
	if sh == nil {
		return inputf("%s is not a shard (it was made without --shard): only shards of one study can be merged", dir)
	}
	switch {
	case sh.TotalReplications < 1 || sh.TotalReplications > scenarios.MaxReplications:
		return inputf("%s: its manifest records %d replications in all, outside [1, %d]", dir, sh.TotalReplications, scenarios.MaxReplications)
	case sh.Count < 1 || sh.Count > sh.TotalReplications || sh.Index < 0 || sh.Index >= sh.Count:
		return inputf("%s: its manifest records shard %d of %d of %d replications, which is not a shard", dir, sh.Index, sh.Count, sh.TotalReplications)
	case len(m.Policies) == 0:
		return inputf("%s: its manifest records no policies", dir)
	case m.Format != "csv" && m.Format != "parquet":
		return inputf("%s: its manifest records the table format %q", dir, m.Format)
	}
	first, n := results.ShardRange(sh.Index, sh.Count, sh.TotalReplications)
	if sh.First != first || sh.Replications != n || m.FirstReplication != first || m.Replications != n {
		return inputf("%s: shard %d holds replications from %d (%d), want from %d (%d)", dir, sh.Index, sh.First, sh.Replications, first, n)
	}
	if sum, ok := m.Files["scenario.toml"]; !ok || sum.SHA256 != m.ScenarioSHA256 {
		return inputf("%s: its scenario.toml is not the one its manifest names", dir)
	}
	if err := m.Verify(dir, results.StateFile, results.MaxStateBytes); err != nil {
		return inputf("shard %w", err)
	}
	rows := int64(n) * int64(len(m.Policies))
	limit := 64<<10 + rows*maxRowBytes(len(run.Definitions.Metrics))
	if err := m.Verify(dir, "replications."+m.Format, limit); err != nil {
		return inputf("shard %w", err)
	}
	return nil
}

// short returns the first 12 characters of a hash, for messages.
func short(h string) string { return h[:min(12, len(h))] }

// interrupted is the error of a merge or study stopped by its context.
func interrupted(err error) error {
	return fmt.Errorf("interrupted; no results written: %w", err)
}

// concatParquet writes replications.parquet into the folder: every shard's
// rows, in shard order, streaming, each row checked to be the one the
// shard must hold there.
func concatParquet(ctx context.Context, folder *results.Folder, agg *results.Aggregate, shards []shardFolder) error {
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
		if err := ctx.Err(); err != nil {
			return interrupted(err)
		}
		f, err := os.Open(filepath.Join(sh.dir, "replications.parquet"))
		if err != nil {
			return fmt.Errorf("shard %s: %w", sh.dir, err)
		}
		m := sh.run.Manifest
		err = results.CopyReplicationsParquet(table, f, m.Files["replications.parquet"].Bytes, m.Policies, m.Shard.First, m.Shard.Replications)
		f.Close()
		if err != nil {
			return &InputError{Err: fmt.Errorf("shard %s: %w", sh.dir, err)}
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

// concatReplicationsCSV writes replications.csv into the folder: the header,
// then every shard's rows, in shard order, streaming. Each shard's table is
// read through encoding/csv first: its header must be the study's and its
// rows the shard's replications, every policy in order, as wide as the
// header.
func concatReplicationsCSV(ctx context.Context, folder *results.Folder, agg *results.Aggregate, shards []shardFolder) error {
	header := results.ReplicationsColumns(agg.Metrics)
	for _, sh := range shards {
		if err := ctx.Err(); err != nil {
			return interrupted(err)
		}
		if err := checkReplicationsCSV(filepath.Join(sh.dir, "replications.csv"), header, sh.run.Manifest); err != nil {
			return &InputError{Err: fmt.Errorf("shard %s: %w", sh.dir, err)}
		}
	}
	return concatCSV(ctx, folder, "replications.csv", shards)
}

// checkReplicationsCSV checks a shard's replications table: the header,
// then for each replication of the shard one row per policy, in order.
func checkReplicationsCSV(path string, header []string, m results.Manifest) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	cr := csv.NewReader(io.LimitReader(f, m.Files["replications.csv"].Bytes))
	cr.FieldsPerRecord = len(header)
	cr.ReuseRecord = true
	rec, err := cr.Read()
	if err != nil {
		return fmt.Errorf("replications.csv: header: %w", err)
	}
	if !slices.Equal(rec, header) {
		return errors.New("replications.csv: the header is not the study's")
	}
	np := len(m.Policies)
	want := m.Shard.Replications * np
	for i := 0; ; i++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			if i != want {
				return fmt.Errorf("replications.csv has %d rows, want %d", i, want)
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("replications.csv: %w", err)
		}
		if i >= want {
			return fmt.Errorf("replications.csv has more than %d rows", want)
		}
		if rec[0] != m.Policies[i%np] || rec[1] != strconv.Itoa(m.Shard.First+i/np) {
			return fmt.Errorf("replications.csv: row %d is %q, replication %s; want %q, replication %d", i+2, clipField(rec[0]), clipField(rec[1]), m.Policies[i%np], m.Shard.First+i/np)
		}
		if err := results.CheckOutcomeRow(header, rec); err != nil {
			return fmt.Errorf("replications.csv: row %d: %w", i+2, err)
		}
	}
}

// clipField shortens a field for a message.
func clipField(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}

// maxHeaderBytes bounds a table's header line.
const maxHeaderBytes = 64 << 10

// concatCSV writes name into the folder as the header of the first shard's
// file followed by every shard's rows, in shard order, streaming. The files
// were checked against their manifests, so they are what the shards wrote.
func concatCSV(ctx context.Context, folder *results.Folder, name string, shards []shardFolder) error {
	out, err := folder.Create(name)
	if err != nil {
		return err
	}
	defer out.Close()
	w := bufio.NewWriterSize(out, 1<<20)
	var header []byte
	for i, sh := range shards {
		if err := ctx.Err(); err != nil {
			return interrupted(err)
		}
		f, err := os.Open(filepath.Join(sh.dir, name))
		if err != nil {
			return fmt.Errorf("shard %s: %w", sh.dir, err)
		}
		r := bufio.NewReaderSize(f, maxHeaderBytes)
		h, err := r.ReadSlice('\n')
		if err != nil {
			f.Close()
			if errors.Is(err, bufio.ErrBufferFull) {
				err = fmt.Errorf("its header is longer than %d bytes", maxHeaderBytes)
			}
			return &InputError{Err: fmt.Errorf("shard %s: %s: %w", sh.dir, name, err)}
		}
		switch {
		case i == 0:
			header = bytes.Clone(h)
			if _, err := w.Write(h); err != nil {
				f.Close()
				return err
			}
		case !bytes.Equal(h, header):
			f.Close()
			return &InputError{Err: fmt.Errorf("shard %s: %s has another header than shard %s's", sh.dir, name, shards[0].dir)}
		}
		_, err = copyContext(ctx, w, r)
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

// copyContext copies src to dst, 1 MiB at a time, stopping when ctx is
// cancelled.
func copyContext(ctx context.Context, dst io.Writer, src io.Reader) (int64, error) {
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return n, interrupted(err)
		}
		k, err := io.CopyN(dst, src, 1<<20)
		n += k
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}
