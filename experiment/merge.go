package experiment

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/study"
)

// MergeOptions say where and how to merge the shards of an experiment.
type MergeOptions struct {
	// Out is the merged results folder, which must not exist.
	Out string
	// Plots draws the figures into Out's plots/ folder.
	Plots bool
	// Progress, if not nil, is called as figures are drawn.
	Progress func(study.Progress)
	// Command is the command line recorded in the manifest.
	Command []string
}

// IsExperimentFolder reports whether dir is the results folder of an
// experiment (or of a shard of one), as its manifest says.
func IsExperimentFolder(dir string) bool {
	m, err := results.ReadManifest(dir)
	return err == nil && m.Kind == results.KindExperiment
}

// shard is one shard's folder, read for merging.
type shard struct {
	dir string
	m   *results.Manifest
}

// Merge merges the shard folders of one experiment (made by Run with
// Options.Shard) into one results folder identical, file for file but the
// manifest's record of how it was made, to a single run of the whole
// experiment. Like study.Merge it trusts nothing it reads: the folders
// must be every shard of one experiment exactly once, made by the same
// build, complete, and each file must have the size and SHA-256 its
// manifest records. A folder that fails a check is refused with an
// *study.InputError naming it.
func Merge(ctx context.Context, dirs []string, opts MergeOptions) (*Result, error) {
	start := time.Now()
	if len(dirs) == 0 {
		return nil, inputf("merge: no shard folders given")
	}
	if opts.Out == "" {
		return nil, inputf("merge: no folder to write the merged results to")
	}
	shards, err := readExperimentShards(dirs)
	if err != nil {
		return nil, err
	}
	first := shards[0]
	text, err := os.ReadFile(filepath.Join(first.dir, "experiment.toml"))
	if err != nil {
		return nil, inputf("shard %s: %v", first.dir, err)
	}
	e, err := Parse(filepath.Join(first.dir, "experiment.toml"), text)
	if err != nil {
		return nil, inputf("shard %s: %v", first.dir, err)
	}
	r, err := newRunner(e, Options{Format: first.m.Format})
	if err != nil {
		return nil, inputf("shard %s: %v", first.dir, err)
	}
	if r.total != first.m.Experiment.Points {
		return nil, inputf("shard %s: its experiment has %d points, its manifest says %d", first.dir, r.total, first.m.Experiment.Points)
	}
	if want := Format(e, "scenario.toml"); !slices.Equal(want, text) {
		return nil, inputf("shard %s: its experiment.toml is not one this tranche writes: run the shards again with this build", first.dir)
	}
	for _, sh := range shards {
		if r.values {
			if got, want := sh.m.Files[valuesFile].Bytes, int64(sh.m.Experiment.PointsHere)*int64(r.record); got != want {
				return nil, inputf("shard %s: %s has %d bytes; its %d points have %d", sh.dir, valuesFile, got, sh.m.Experiment.PointsHere, want)
			}
		}
	}
	folder, err := results.CreateFolder(opts.Out)
	if err != nil {
		var pe *results.PathError
		if errors.As(err, &pe) {
			return nil, &study.InputError{Err: err}
		}
		return nil, err
	}
	defer folder.Abort()
	res, err := mergeInto(ctx, folder, r, shards, opts, start)
	return res, folder.Hide(err)
}

func inputf(format string, a ...any) error {
	return &study.InputError{Err: fmt.Errorf(format, a...)}
}

// mergeInto writes the merged folder.
func mergeInto(ctx context.Context, folder *results.Folder, r *runner, shards []shard, opts MergeOptions, start time.Time) (*Result, error) {
	first := shards[0]
	for _, name := range []string{"experiment.toml", "scenario.toml", results.DesignCSV, "definitions.json"} {
		b, err := os.ReadFile(filepath.Join(first.dir, name))
		if err != nil {
			return nil, inputf("shard %s: %v", first.dir, err)
		}
		if err := folder.WriteFile(name, b); err != nil {
			return nil, err
		}
	}
	np, nm := len(r.e.Policies), len(r.metrics)
	for _, t := range []struct {
		name   string
		header []string
		rows   func(points int) int // rows a shard of this many points must have; -1: any
	}{
		{results.PointsCSV, results.PointsHeader(r.params), func(points int) int { return points * np * nm }},
		{results.BestCSV, results.BestHeader(r.params), func(int) int { return -1 }},
	} {
		if err := concatTables(ctx, folder, t.name, t.header, shards, t.rows); err != nil {
			return nil, err
		}
	}
	if r.values {
		src := &recordFiles{size: r.record}
		for _, sh := range shards {
			x := sh.m.Experiment
			src.files = append(src.files, recordFile{path: filepath.Join(sh.dir, valuesFile), first: x.FirstPoint, n: x.PointsHere})
		}
		if err := writeEffects(ctx, folder, r.e, r.pts, r.metrics, src); err != nil {
			return nil, err
		}
	}
	var sens []results.SensitivityRow
	if r.e.Sensitivity() {
		var err error
		if sens, err = writeSensitivity(ctx, folder, r); err != nil {
			return nil, err
		}
	}
	if r.format == "parquet" {
		if err := pointsParquet(folder, r.e); err != nil {
			return nil, err
		}
	}
	m := r.manifest(start)
	m.Workers, m.CommandLine = first.m.Workers, opts.Command
	m.Experiment.MergedShards = len(shards)
	if opts.Plots {
		if err := drawFigures(ctx, folder, opts.Progress); err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.ScenarioSHA256 = folder.Sums()["scenario.toml"].SHA256
	m.ElapsedSeconds = math.Round(time.Since(start).Seconds()*1000) / 1000
	if err := folder.Complete(m); err != nil {
		return nil, err
	}
	return &Result{Experiment: r.e, Points: r.total, PointsHere: r.total, Dir: folder.Final(), Manifest: m, Sensitivity: sens}, nil
}

// concatTables joins a table of every shard, in shard order, checking
// each record: its fields, and its point, which must lie in the shard's
// points and never go back.
func concatTables(ctx context.Context, folder *results.Folder, name string, header []string, shards []shard, rows func(int) int) error {
	f, err := folder.Create(name)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	cw := csv.NewWriter(bw)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, sh := range shards {
		if err := ctx.Err(); err != nil {
			return err
		}
		x := sh.m.Experiment
		src, err := os.Open(filepath.Join(sh.dir, name))
		if err != nil {
			return inputf("shard %s: %v", sh.dir, err)
		}
		cr := csv.NewReader(bufio.NewReader(io.LimitReader(src, sh.m.Files[name].Bytes)))
		cr.FieldsPerRecord = len(header)
		cr.ReuseRecord = true
		bad := func(line int, format string, a ...any) error {
			src.Close()
			return inputf("shard %s: %s line %d: %s", sh.dir, name, line, fmt.Sprintf(format, a...))
		}
		head, err := cr.Read()
		if err != nil || !slices.Equal(head, header) {
			return bad(1, "the header is not %v", header)
		}
		n, last := 0, x.FirstPoint
		for line := 2; ; line++ {
			rec, err := cr.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return bad(line, "%v", err)
			}
			p, err := strconv.Atoi(rec[0])
			if err != nil || p < last || p >= x.FirstPoint+x.PointsHere {
				return bad(line, "point %q is not one of the shard's points %d to %d, in order", rec[0], x.FirstPoint, x.FirstPoint+x.PointsHere-1)
			}
			last = p
			if err := cw.Write(rec); err != nil {
				src.Close()
				return err
			}
			n++
		}
		src.Close()
		if want := rows(x.PointsHere); want >= 0 && n != want {
			return inputf("shard %s: %s has %d rows; %d points must have %d", sh.dir, name, n, x.PointsHere, want)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// readExperimentShards reads shard folders and checks that together they
// are every shard of one experiment exactly once, each complete and with
// the files a merge reads as its manifest records them; it returns them in
// shard order.
func readExperimentShards(dirs []string) ([]shard, error) {
	var shards []shard
	for _, d := range dirs {
		st, err := os.Stat(d)
		switch {
		case err != nil:
			return nil, inputf("%s: no such folder", d)
		case !st.IsDir():
			return nil, inputf("%s is a file, not a shard folder", d)
		}
		m, err := results.ReadManifest(d)
		if err != nil {
			return nil, inputf("%s is not a results folder: %v", d, err)
		}
		if err := m.CheckReadable(d); err != nil {
			return nil, inputf("%v", err)
		}
		x := m.Experiment
		if m.Kind != results.KindExperiment || x == nil {
			return nil, inputf("%s is a study's folder, not an experiment's: tranche merge takes shards of one or the other", d)
		}
		if x.ShardCount == 0 {
			return nil, inputf("%s holds a whole experiment, not a shard of one (run shards with --shard I/N)", d)
		}
		if x.ShardIndex < 0 || x.ShardIndex >= x.ShardCount || x.Points < x.ShardCount || x.Points > MaxPoints {
			return nil, inputf("%s: its manifest's shard %d/%d of %d points is impossible", d, x.ShardIndex, x.ShardCount, x.Points)
		}
		if f, n := results.ShardRange(x.ShardIndex, x.ShardCount, x.Points); f != x.FirstPoint || n != x.PointsHere {
			return nil, inputf("%s: its manifest's points %d to %d are not shard %d/%d's", d, x.FirstPoint, x.FirstPoint+x.PointsHere-1, x.ShardIndex, x.ShardCount)
		}
		names := []string{"experiment.toml", "scenario.toml", results.DesignCSV, "definitions.json", results.PointsCSV, results.BestCSV}
		if x.Design == Factorial {
			names = append(names, valuesFile)
		}
		for _, name := range names {
			if err := m.Verify(d, name, math.MaxInt64); err != nil {
				return nil, inputf("shard %s: %v", d, err)
			}
		}
		shards = append(shards, shard{d, m})
	}
	sort.SliceStable(shards, func(i, j int) bool { return shards[i].m.Experiment.ShardIndex < shards[j].m.Experiment.ShardIndex })
	ref := shards[0]
	rm, rx := ref.m, ref.m.Experiment
	for i, sh := range shards {
		m, x := sh.m, sh.m.Experiment
		differ := func(what string) error {
			return inputf("%s and %s are not shards of one experiment run by one build: their %s differ", ref.dir, sh.dir, what)
		}
		switch {
		case m.Files["experiment.toml"] != rm.Files["experiment.toml"]:
			return nil, differ("experiment.toml")
		case m.Files["scenario.toml"] != rm.Files["scenario.toml"]:
			return nil, differ("scenario.toml")
		case m.Files[results.DesignCSV] != rm.Files[results.DesignCSV]:
			return nil, differ("design.csv")
		case m.Files["definitions.json"] != rm.Files["definitions.json"]:
			return nil, differ("definitions.json")
		case m.Build != rm.Build || m.Version != rm.Version:
			return nil, inputf("%s and %s were run by different builds of tranche (%s and %s): build tranche once and run every shard with that binary", ref.dir, sh.dir, rm.Build, m.Build)
		case m.GOARCH != rm.GOARCH:
			return nil, differ("architectures (results are bit-identical only on one)")
		case m.Format != rm.Format:
			return nil, differ("formats")
		case x.ShardCount != rx.ShardCount || x.Points != rx.Points:
			return nil, differ("numbers of shards or points")
		case x.ShardIndex != i:
			if x.ShardIndex < i {
				return nil, inputf("%s and %s are the same shard, %d of %d", shards[i-1].dir, sh.dir, x.ShardIndex, x.ShardCount)
			}
			return nil, inputf("shard %d of %d is missing (its folder was not given)", i, rx.ShardCount)
		}
	}
	if len(shards) < rx.ShardCount {
		return nil, inputf("shard %d of %d is missing (its folder was not given)", len(shards), rx.ShardCount)
	}
	return shards, nil
}
