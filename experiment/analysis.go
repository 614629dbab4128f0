package experiment

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"sync"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/sensitivity"
)

// sensOutput is one output of a sensitivity analysis: a metric under a
// policy, or a policy's paired difference from the baseline on it, with
// its value and its Monte Carlo variance at every design point.
type sensOutput struct {
	metric, policy, versus string
	y, noise               []float64 // [point]
}

// readOutputs reads the outputs of every metric and policy from the
// points table at path, for n points of d parameters.
func readOutputs(path string, e *Experiment, metrics []string, n int) ([]*sensOutput, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	d := len(e.Parameters)
	cr := csv.NewReader(bufio.NewReaderSize(f, 1<<20))
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("points.csv: %w", err)
	}
	cr.FieldsPerRecord = len(head)
	col := func(name string) int { return slices.Index(head, name) }
	cPolicy, cMetric, cN, cMean, cSD, cDiff, cDLo, cDHi := col("policy"), col("metric"), col("n"), col("mean"), col("sd"), col("diff"), col("diff_ci95_lo"), col("diff_ci95_hi")
	if cPolicy != d+1 || min(cMetric, cN, cMean, cSD, cDiff, cDLo, cDHi) < 0 {
		return nil, fmt.Errorf("points.csv: header %v is not an experiment's of %d parameters", head, d)
	}
	outs := map[[3]string]*sensOutput{}
	var order []*sensOutput
	get := func(metric, policy, versus string) *sensOutput {
		key := [3]string{metric, policy, versus}
		o, ok := outs[key]
		if !ok {
			o = &sensOutput{metric: metric, policy: policy, versus: versus, y: nanSlice(n), noise: nanSlice(n)}
			outs[key] = o
			order = append(order, o)
		}
		return o
	}
	tq := map[int]float64{}
	num := func(s string) float64 {
		if s == "" {
			return math.NaN()
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return math.NaN()
		}
		return x
	}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("points.csv: %w", err)
		}
		k, err := strconv.Atoi(rec[0])
		if err != nil || k < 0 || k >= n {
			return nil, fmt.Errorf("points.csv line %d: point %q is not one of the %d points", line, rec[0], n)
		}
		if !slices.Contains(metrics, rec[cMetric]) {
			continue
		}
		policy := rec[cPolicy]
		cnt, _ := strconv.Atoi(rec[cN])
		o := get(rec[cMetric], policy, "")
		o.y[k] = num(rec[cMean])
		if sd := num(rec[cSD]); cnt >= 2 {
			o.noise[k] = sd * sd / float64(cnt)
		}
		if policy == e.Baseline {
			continue
		}
		o = get(rec[cMetric], policy, e.Baseline)
		o.y[k] = num(rec[cDiff])
		if cnt >= 2 {
			t, ok := tq[cnt]
			if !ok {
				t = distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(cnt - 1)}.Quantile(0.975)
				tq[cnt] = t
			}
			half := (num(rec[cDHi]) - num(rec[cDLo])) / 2
			o.noise[k] = (half / t) * (half / t) // the variance of the mean difference
		}
	}
	return order, nil
}

func nanSlice(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = math.NaN()
	}
	return s
}

// analyse computes the sensitivity indices of every output of a Morris
// or Saltelli experiment from its points table.
func analyse(ctx context.Context, path string, e *Experiment, pts *points, metrics []string, workers int) ([]results.SensitivityRow, error) {
	outs, err := readOutputs(path, e, metrics, pts.n)
	if err != nil {
		return nil, err
	}
	per := make([][]results.SensitivityRow, len(outs))
	errs := make([]error, len(outs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(workers, len(outs))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				per[i], errs[i] = analyseOutput(e, pts, outs[i])
			}
		}()
	}
	for i := range outs {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var rows []results.SensitivityRow
	for i := range outs {
		if errs[i] != nil {
			return nil, errs[i]
		}
		rows = append(rows, per[i]...)
	}
	return rows, nil
}

// analyseOutput computes the indices of one output.
func analyseOutput(e *Experiment, pts *points, o *sensOutput) ([]results.SensitivityRow, error) {
	if slices.ContainsFunc(o.y, math.IsNaN) {
		return nil, nil // a metric undefined at some point (rounds_to_durable where no agreement was durable)
	}
	noise := 0.0
	for _, v := range o.noise {
		if !math.IsNaN(v) {
			noise += v
		}
	}
	noise /= float64(len(o.noise))
	corr := 0.0 // the noise the estimators correct for: independent streams only
	if e.Streams == Independent {
		corr = noise
	}
	seed := outputSeed(e.Seed, o)
	// The share of the variance across points that is noise: with
	// independent streams each point's noise is its own, so it adds its
	// Monte Carlo variance; with common streams every point shares its
	// replications' noise, which reaches the differences between points
	// only in part, and the share is not estimated (NaN).
	share := math.NaN()
	if e.Streams == Independent {
		share = min(max(noise/variance(o.y), 0), 1)
	}
	base := results.SensitivityRow{Metric: o.metric, Policy: o.policy, Versus: o.versus, NoiseShare: share}
	nan2 := [2]float64{math.NaN(), math.NaN()}
	var rows []results.SensitivityRow
	switch e.Design {
	case Morris:
		d := len(e.Parameters)
		y := make([][]float64, len(pts.morris))
		for t := range y {
			y[t] = o.y[t*(d+1) : (t+1)*(d+1)]
		}
		res, err := sensitivity.MorrisIndices(pts.morris, y, sensitivity.MorrisOptions{Seed: seed, NoiseVar: corr})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", o.describe(), err)
		}
		for i, p := range e.Parameters {
			r := base
			r.Parameter, r.NoiseFloor = p.Name, res.NoiseFloor
			for _, x := range []struct {
				index string
				v     float64
				ci    [2]float64
			}{
				{results.IndexMuStar, res.MuStar[i], res.MuStarCI[i]},
				{results.IndexMu, res.Mu[i], nan2},
				{results.IndexSigma, res.Sigma[i], nan2},
			} {
				r.Index, r.Estimate, r.CI95, r.Uncorrected, r.UncorrectedCI95 = x.index, x.v, x.ci, x.v, x.ci
				rows = append(rows, r)
			}
		}
	case Saltelli:
		res, err := sensitivity.SobolIndices(pts.sobolOutputs(o.y), sensitivity.SobolOptions{Seed: seed, NoiseVar: corr})
		if errors.Is(err, sensitivity.ErrConstantOutput) {
			// The output is the same at every point: no parameter moves
			// it, and its indices are undefined (0/0).
			for _, p := range e.Parameters {
				for _, index := range []string{results.IndexS1, results.IndexST} {
					r := base
					r.Parameter, r.Index = p.Name, index
					r.Estimate, r.CI95, r.Uncorrected, r.UncorrectedCI95 = math.NaN(), nan2, math.NaN(), nan2
					rows = append(rows, r)
				}
			}
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", o.describe(), err)
		}
		if corr > 0 { // the share of the estimator's variance
			base.NoiseShare = res.NoiseShare
		}
		for i, p := range e.Parameters {
			r := base
			r.Parameter = p.Name
			r.Index, r.Estimate, r.CI95, r.Uncorrected, r.UncorrectedCI95 = results.IndexS1, res.S1[i], res.S1CI[i], res.S1Raw[i], res.S1RawCI[i]
			rows = append(rows, r)
			r.Index, r.Estimate, r.CI95, r.Uncorrected, r.UncorrectedCI95 = results.IndexST, res.ST[i], res.STCI[i], res.STRaw[i], res.STRawCI[i]
			rows = append(rows, r)
		}
		for i := range res.S2 {
			for j := i + 1; j < len(res.S2[i]); j++ {
				r := base
				r.Parameter, r.Parameter2 = e.Parameters[i].Name, e.Parameters[j].Name
				r.Index, r.Estimate, r.CI95 = results.IndexS2, res.S2[i][j], res.S2CI[i][j]
				r.Uncorrected, r.UncorrectedCI95 = res.S2Raw[i][j], res.S2RawCI[i][j]
				rows = append(rows, r)
			}
		}
	}
	return rows, nil
}

// describe names an output in messages.
func (o *sensOutput) describe() string {
	if o.versus != "" {
		return fmt.Sprintf("%s of %s minus %s", o.metric, o.policy, o.versus)
	}
	return fmt.Sprintf("%s under %s", o.metric, o.policy)
}

// outputSeed is the seed of an output's bootstrap: a function of the
// experiment's seed and the output, so the intervals are reproducible.
func outputSeed(seed uint64, o *sensOutput) uint64 {
	h := fnv.New64a()
	h.Write([]byte(o.metric + "\x00" + o.policy + "\x00" + o.versus))
	return splitmix(seed ^ h.Sum64())
}

// variance is the sample variance of xs.
func variance(xs []float64) float64 {
	var m float64
	for _, x := range xs {
		m += x
	}
	m /= float64(len(xs))
	var ss float64
	for _, x := range xs {
		ss += (x - m) * (x - m)
	}
	return ss / float64(len(xs)-1)
}

// sobolOutputs arranges a Saltelli design's outputs by their roles.
func (pt *points) sobolOutputs(y []float64) sensitivity.SobolOutputs {
	d := len(pt.e.Parameters)
	n := pt.e.Samples
	out := sensitivity.SobolOutputs{A: make([]float64, n), B: make([]float64, n), AB: make([][]float64, d)}
	for i := range out.AB {
		out.AB[i] = make([]float64, n)
	}
	if pt.e.SecondOrder {
		out.BA = make([][]float64, d)
		for i := range out.BA {
			out.BA[i] = make([]float64, n)
		}
	}
	for k, v := range y {
		j, m, i := pt.role(k)
		switch m {
		case "A":
			out.A[j] = v
		case "B":
			out.B[j] = v
		case "AB":
			out.AB[i][j] = v
		case "BA":
			out.BA[i][j] = v
		}
	}
	return out
}

// writeSensitivity writes sensitivity.csv of a Morris or Saltelli
// experiment from the folder's points table.
func writeSensitivity(ctx context.Context, folder *results.Folder, r *runner) ([]results.SensitivityRow, error) {
	var keys []string
	for _, m := range r.metrics {
		keys = append(keys, m.Key)
	}
	rows, err := analyse(ctx, folder.Path(results.PointsCSV), r.e, r.pts, keys, r.workers)
	if err != nil {
		return nil, fmt.Errorf("sensitivity analysis: %w", err)
	}
	f, err := folder.Create(results.SensitivityCSV)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := results.WriteSensitivity(bw, rows); err != nil {
		return nil, err
	}
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	return rows, f.Close()
}
