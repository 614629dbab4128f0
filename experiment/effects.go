package experiment

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/csv"
	"fmt"
	"math"
	"os"

	"gonum.org/v1/gonum/stat/combin"

	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/sim"
)

// putFloats writes xs little-endian into b.
func putFloats(b []byte, xs []float64) {
	for i, x := range xs {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
	}
}

// recordFile is a values file: the records of points [first, first+n).
type recordFile struct {
	path     string
	first, n int
}

// recordFiles reads the values records of design points, each size bytes:
// every replication's metrics under every policy, replication-major.
type recordFiles struct {
	size  int
	files []recordFile
	open  map[int]*os.File
	buf   []byte
}

// read reads point k's record into dst.
func (rf *recordFiles) read(k int, dst []float64) error {
	for i, f := range rf.files {
		if k < f.first || k >= f.first+f.n {
			continue
		}
		if rf.open == nil {
			rf.open = map[int]*os.File{}
		}
		fh, ok := rf.open[i]
		if !ok {
			var err error
			if fh, err = os.Open(f.path); err != nil {
				return err
			}
			rf.open[i] = fh
		}
		if cap(rf.buf) < rf.size {
			rf.buf = make([]byte, rf.size)
		}
		b := rf.buf[:rf.size]
		if _, err := fh.ReadAt(b, int64(k-f.first)*int64(rf.size)); err != nil {
			return fmt.Errorf("values of design point %d: %w", k, err)
		}
		for j := range dst {
			dst[j] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*j:]))
		}
		return nil
	}
	return fmt.Errorf("no values of design point %d", k)
}

// close closes the files read.
func (rf *recordFiles) close() {
	for _, f := range rf.open {
		f.Close()
	}
}

// writeEffects writes effects.csv of a factorial design: for each point
// and each parameter not at its first level, every policy's difference on
// every metric from the point that differs only in having that parameter
// at its first level. With common streams the two points ran the same
// replications, so the difference is paired; with independent streams it
// is Welch's.
func writeEffects(ctx context.Context, folder *results.Folder, e *Experiment, pts *points, metrics []sim.Metric, src *recordFiles) error {
	defer src.close()
	f, err := folder.Create(results.EffectsCSV)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	cw := csv.NewWriter(bw)
	var params []string
	for _, p := range e.Parameters {
		params = append(params, p.Name)
	}
	if err := cw.Write(results.EffectsHeader(params)); err != nil {
		return err
	}
	pos := make([]int, pts.n) // cell -> position in run order
	for k, c := range pts.order {
		pos[c] = k
	}
	np, nm, nr := len(e.Policies), len(metrics), e.Replications
	cur, ref := make([]float64, nr*np*nm), make([]float64, nr*np*nm)
	var cell, refCell []int
	var vals []any
	var sc scratch
	var strs []string
	var effects []results.Effect
	var tables results.PointTables
	diffs := make([]results.Moments, np*nm)
	a, b := make([]results.Moments, np*nm), make([]results.Moments, np*nm)
	for k := range pts.n {
		if k%64 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		cell = pts.cellIndex(k, cell)
		effects = effects[:0]
		read := false
		for fi, level := range cell {
			if level == 0 {
				continue
			}
			if !read {
				if err := src.read(k, cur); err != nil {
					return err
				}
				read = true
			}
			refCell = append(refCell[:0], cell...)
			refCell[fi] = 0
			kr := pos[combin.IdxFor(refCell, pts.levels)]
			if err := src.read(kr, ref); err != nil {
				return err
			}
			clear(diffs)
			clear(a)
			clear(b)
			for r := range nr {
				row := r * np * nm
				for i := range np * nm {
					if e.Streams == Common {
						diffs[i].Add(cur[row+i] - ref[row+i])
					} else {
						a[i].Add(ref[row+i])
						b[i].Add(cur[row+i])
					}
				}
			}
			p := e.Parameters[fi]
			for pi, pol := range e.Policies {
				for mi, def := range metrics {
					i := pi*nm + mi
					var d results.Difference
					if e.Streams == Common {
						d = results.PairedDifference(&diffs[i])
					} else {
						d = results.WelchDifference(&a[i], &b[i])
					}
					effects = append(effects, results.Effect{
						Parameter: p.Name, Level: formatValue(p.Levels[level]), ReferencePoint: kr,
						ReferenceLevel: formatValue(p.Levels[0]), Policy: pol, Metric: def.Key, Difference: d,
					})
				}
			}
		}
		if len(effects) == 0 {
			continue
		}
		vals = pts.values(k, vals, &sc)
		strs = strs[:0]
		for _, v := range vals {
			strs = append(strs, formatValue(v))
		}
		if err := tables.Effects(cw, k, strs, effects); err != nil {
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
	return f.Close()
}
