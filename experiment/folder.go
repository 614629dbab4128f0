package experiment

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/study"
)

// progress is what a resumable folder's progress.json records at each
// checkpoint: how many points are finished, which points the folder is
// for, the build that wrote them, and the size and SHA-256 of what the
// tables held then, so that a resume continues exactly there and refuses
// anything else.
type progress struct {
	Done       int    `json:"points_done"`
	Total      int    `json:"points"`
	First      int    `json:"first_point"`
	ShardIndex int    `json:"shard_index"`
	ShardCount int    `json:"shard_count"`
	Build      string `json:"build"`
	Version    string `json:"version"`
	Rows       int64  `json:"points_bytes"`
	RowsSHA    string `json:"points_sha256"`
	Best       int64  `json:"best_bytes"`
	BestSHA    string `json:"best_sha256"`
	Values     int64  `json:"values_bytes"`
	ValuesSHA  string `json:"values_sha256"`
	// Check is the SHA-256 of the record with Check empty: a record
	// damaged or edited by hand is refused.
	Check string `json:"check"`
}

// sealed returns p with its Check set.
func (p progress) sealed() progress {
	p.Check = ""
	b, _ := json.Marshal(p)
	p.Check = fileSum(b)
	return p
}

// output is an experiment being written into a results folder.
type output struct {
	r        *runner
	folder   *results.Folder
	done     int // points written, in this run and before it
	resumed  int // points an interrupted run had finished
	saved    int // points recorded by the last checkpoint
	rowsF    *results.File
	bestF    *results.File
	valuesF  *results.File // factorial designs: every replication's metrics
	rowsW    *bufio.Writer
	bestW    *bufio.Writer
	valuesW  *bufio.Writer
	buf      []byte
	manifest *results.Manifest
	sens     []results.SensitivityRow
	last     time.Time
}

// open creates the folder, or reopens an interrupted one with Resume.
func (o *output) open(opts Options) error {
	var err error
	if opts.Resume {
		if o.folder, err = results.ResumeFolder(opts.Out); err != nil {
			return &study.InputError{Option: "Resume", Err: err}
		}
		if err := o.resume(); err != nil {
			o.folder.Release()
			return err
		}
		return nil
	}
	path := opts.Out
	for i := 2; ; i++ {
		o.folder, err = results.CreateResumable(path)
		if err == nil || !opts.UniqueOut || !errors.Is(err, results.ErrExists) || i > 1000 {
			break
		}
		path = fmt.Sprintf("%s-%d", opts.Out, i)
	}
	if err != nil {
		var pe *results.PathError
		if errors.As(err, &pe) {
			return &study.InputError{Err: err}
		}
		return err
	}
	if err := o.start(); err != nil {
		o.folder.Abort()
		return err
	}
	return nil
}

// start writes the files known before any point runs and opens the tables.
func (o *output) start() error {
	r := o.r
	if err := o.writeFixed(); err != nil {
		return err
	}
	var err error
	if o.rowsF, err = o.folder.Create(results.PointsCSV); err != nil {
		return err
	}
	if o.bestF, err = o.folder.Create(results.BestCSV); err != nil {
		return err
	}
	if r.values {
		if o.valuesF, err = o.folder.Create(valuesFile); err != nil {
			return err
		}
	}
	o.writers()
	if err := writeHeader(o.rowsW, results.PointsHeader(r.params)); err != nil {
		return err
	}
	if err := writeHeader(o.bestW, results.BestHeader(r.params)); err != nil {
		return err
	}
	return o.checkpoint()
}

func (o *output) writers() {
	o.rowsW, o.bestW = bufio.NewWriterSize(o.rowsF, 1<<20), bufio.NewWriterSize(o.bestF, 1<<16)
	if o.valuesF != nil {
		o.valuesW = bufio.NewWriterSize(o.valuesF, 1<<20)
	}
}

// writeFixed writes experiment.toml, scenario.toml, design.csv and
// definitions.json: the same in every run and shard of the experiment.
func (o *output) writeFixed() error {
	r := o.r
	et, st := r.texts()
	if err := o.folder.WriteFile("experiment.toml", et); err != nil {
		return err
	}
	if err := o.folder.WriteFile("scenario.toml", st); err != nil {
		return err
	}
	f, err := o.folder.Create(results.DesignCSV)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<16)
	cw := csv.NewWriter(bw)
	head := append(results.DesignHeader(r.params), results.DesignExtras(r.e.Design, r.e.Streams)...)
	if err := cw.Write(head); err != nil {
		return err
	}
	var sc scratch
	var vals []any
	rec := make([]string, 0, len(head))
	for k := range r.total {
		vals = r.pts.values(k, vals, &sc)
		rec = append(rec[:0], strconv.Itoa(k))
		for _, v := range vals {
			rec = append(rec, formatValue(v))
		}
		if r.e.Streams == Independent {
			rec = append(rec, strconv.FormatUint(r.seed(k), 10))
		}
		rec = append(rec, r.pts.roleValues(k)...)
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	defs := study.DescribeMetrics(r.e.Base, r.e.Policies, r.metrics)
	j, err := json.MarshalIndent(defs, "", "  ")
	if err != nil {
		return err
	}
	return o.folder.WriteFile("definitions.json", append(j, '\n'))
}

func writeHeader(w *bufio.Writer, header []string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// record returns the progress record of what is written now.
func (o *output) record() progress {
	r := o.r
	p := progress{
		Done: o.done, Total: r.n, First: r.first, Build: study.Build(), Version: study.Version(),
		Rows: o.rowsF.Size(), RowsSHA: o.rowsF.Sum(), Best: o.bestF.Size(), BestSHA: o.bestF.Sum(),
	}
	if sh := r.opts.Shard; sh != nil {
		p.ShardIndex, p.ShardCount = sh.Index, sh.Count
	}
	if o.valuesF != nil {
		p.Values, p.ValuesSHA = o.valuesF.Size(), o.valuesF.Sum()
	}
	return p
}

// resume checks that the interrupted run was of this experiment, of these
// points and by this build, and reopens its tables after the points it
// finished, checking that they hold exactly what its last checkpoint
// recorded.
func (o *output) resume() error {
	r := o.r
	final := o.folder.Final()
	refuse := func(format string, a ...any) error {
		return &study.InputError{Option: "Resume", Err: fmt.Errorf("%s: "+format, append([]any{final}, a...)...)}
	}
	et, st := r.texts()
	for name, want := range map[string][]byte{"experiment.toml": et, "scenario.toml": st} {
		got, err := os.ReadFile(o.folder.Path(name))
		if err != nil {
			return refuse("the interrupted run's %s cannot be read: %v", name, err)
		}
		if !bytes.Equal(got, want) {
			return refuse("holds another experiment (its %s differs at line %d): resume it with the experiment that started it, or choose another --out", name, firstDiffLine(got, want))
		}
	}
	b, err := os.ReadFile(o.folder.StatePath(progressFile))
	var p progress
	if err == nil {
		err = json.Unmarshal(b, &p)
	}
	damaged := func(what string) error {
		return refuse("the interrupted run's record of its progress is %s; remove %s, %s and %s and start again", what, final, results.PartialName(final), results.StateName(final))
	}
	if err != nil {
		return damaged("missing or unreadable")
	}
	if p.sealed().Check != p.Check {
		return damaged("damaged (its check sum does not match)")
	}
	want := o.record0()
	switch {
	case p.Build != want.Build || p.Version != want.Version:
		return refuse("was started by another build of tranche (%s %s, not %s %s): resume it with that build, or start again", p.Version, p.Build, want.Version, want.Build)
	case p.ShardCount != want.ShardCount || p.ShardIndex != want.ShardIndex:
		if p.ShardCount == 0 {
			return refuse("holds the whole experiment, not a shard: resume it without --shard")
		}
		return refuse("holds shard %d/%d of the experiment: resume it with --shard %d/%d", p.ShardIndex, p.ShardCount, p.ShardIndex, p.ShardCount)
	case p.Total != want.Total || p.First != want.First || p.Done < 0 || p.Done > p.Total || p.Rows < 0 || p.Best < 0 || p.Values < 0:
		return damaged("inconsistent")
	}
	if r.values {
		// A run that ended between parking its values outside the folder and
		// committing it left them beside it: put them back.
		if _, err := os.Stat(o.folder.Path(valuesFile)); errors.Is(err, fs.ErrNotExist) {
			if err := os.Rename(o.folder.StatePath(valuesFile), o.folder.Path(valuesFile)); err != nil {
				return damaged("without the values it recorded")
			}
		}
	}
	if err := o.writeFixed(); err != nil {
		return err
	}
	// Results derived from the tables at the end are made again.
	for _, name := range []string{results.EffectsCSV, results.SensitivityCSV, "points.parquet"} {
		if err := o.folder.Remove(name); err != nil {
			return err
		}
	}
	if err := os.RemoveAll(o.folder.Path("plots")); err != nil {
		return err
	}
	open := func(name string, size int64, sum string) (*results.File, error) {
		f, err := o.folder.Append(name, size)
		if err != nil {
			return nil, damaged(fmt.Sprintf("ahead of its %s (%v)", name, err))
		}
		if f.Sum() != sum {
			f.Close()
			return nil, damaged(fmt.Sprintf("not what its %s holds (the file was changed)", name))
		}
		return f, nil
	}
	if o.rowsF, err = open(results.PointsCSV, p.Rows, p.RowsSHA); err != nil {
		return err
	}
	if o.bestF, err = open(results.BestCSV, p.Best, p.BestSHA); err != nil {
		return err
	}
	if r.values {
		if o.valuesF, err = open(valuesFile, p.Values, p.ValuesSHA); err != nil {
			return err
		}
		if p.Values != int64(p.Done)*int64(r.record) {
			return damaged("inconsistent with its values")
		}
	}
	o.writers()
	o.done, o.resumed, o.saved = p.Done, p.Done, p.Done
	return nil
}

// record0 is the progress record's identity fields for this run.
func (o *output) record0() progress {
	r := o.r
	p := progress{Total: r.n, First: r.first, Build: study.Build(), Version: study.Version()}
	if sh := r.opts.Shard; sh != nil {
		p.ShardIndex, p.ShardCount = sh.Index, sh.Count
	}
	return p
}

// firstDiffLine returns the first line at which a and b differ.
func firstDiffLine(a, b []byte) int {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return i + 1
		}
	}
	return min(len(la), len(lb)) + 1
}

// checkpoint flushes the tables to disk and then records how far they go,
// atomically: a crash at any moment leaves a record that the files hold.
func (o *output) checkpoint() error {
	for _, w := range []*bufio.Writer{o.rowsW, o.bestW, o.valuesW} {
		if w != nil {
			if err := w.Flush(); err != nil {
				return err
			}
		}
	}
	for _, f := range []*results.File{o.rowsF, o.bestF, o.valuesF} {
		if f != nil {
			if err := f.Sync(); err != nil {
				return err
			}
		}
	}
	b, _ := json.Marshal(o.record().sealed())
	tmp := o.folder.StatePath(progressFile + ".tmp")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, o.folder.StatePath(progressFile)); err != nil {
		return err
	}
	o.last = time.Now()
	o.saved = o.done
	return nil
}

// write writes one finished point.
func (o *output) write(f *finished) error {
	if f.values != nil {
		if cap(o.buf) < o.r.record {
			o.buf = make([]byte, o.r.record)
		}
		b := o.buf[:o.r.record]
		putFloats(b, f.values)
		if _, err := o.valuesW.Write(b); err != nil {
			return err
		}
	}
	if _, err := o.rowsW.Write(f.rows); err != nil {
		return err
	}
	if _, err := o.bestW.Write(f.best); err != nil {
		return err
	}
	o.done++
	if time.Since(o.last) > checkpointEvery {
		return o.checkpoint()
	}
	return nil
}

// run runs the points and completes the folder. Once a point is recorded
// by a checkpoint, a failure keeps the folder for --resume.
func (o *output) run(ctx context.Context, start time.Time) error {
	r := o.r
	_, err := r.simulate(ctx, o.write, o.done)
	if err == nil {
		err = o.finish(ctx, start)
	}
	if err == nil || study.IsInput(err) {
		return err
	}
	o.checkpoint() // what it can; on a full disk the last record stands
	if o.saved == 0 {
		return err
	}
	o.folder.Keep()
	return &InterruptedError{Dir: o.folder.Final(), Done: o.saved, Total: r.n, Err: err}
}

// finish writes what follows the points: the effects of a factorial
// design, the Parquet table, the figures and the manifest. A failure
// anywhere leaves what --resume needs to finish it again.
func (o *output) finish(ctx context.Context, start time.Time) error {
	r := o.r
	if err := o.checkpoint(); err != nil {
		return err
	}
	if r.opts.Shard == nil && r.values {
		src := &recordFiles{size: r.record, files: []recordFile{{path: o.folder.Path(valuesFile), first: 0, n: r.n}}}
		if err := writeEffects(ctx, o.folder, r.e, r.pts, r.metrics, src); err != nil {
			return err
		}
	}
	if r.opts.Shard == nil && r.e.Sensitivity() {
		rows, err := writeSensitivity(ctx, o.folder, r)
		if err != nil {
			return err
		}
		o.sens = rows
	}
	if r.format == "parquet" {
		if err := pointsParquet(o.folder, r.e); err != nil {
			return err
		}
	}
	o.manifest = r.manifest(start)
	if r.opts.Plots && r.opts.Shard == nil {
		if err := drawFigures(ctx, o.folder, r.opts.Progress); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, f := range []*results.File{o.rowsF, o.bestF, o.valuesF} {
		if f != nil {
			if err := f.Close(); err != nil {
				return err
			}
		}
	}
	if o.valuesF != nil && r.opts.Shard == nil {
		// A whole experiment's values were only for effects.csv: park them
		// beside the folder (Commit removes them with the state; a resume
		// puts them back).
		o.folder.Forget(valuesFile)
		if err := os.Rename(o.folder.Path(valuesFile), o.folder.StatePath(valuesFile)); err != nil {
			return err
		}
	}
	o.manifest.ScenarioSHA256 = o.folder.Sums()["scenario.toml"].SHA256
	return o.folder.Complete(o.manifest)
}
