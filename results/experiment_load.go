package results

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/bits"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/tranche-sim/tranche/sim"
)

// Limits on an experiment's folder read back, beyond those of a study's.
const (
	// MaxExperimentTableBytes bounds the tables of an experiment's folder
	// (design.csv, points.csv, best.csv, effects.csv): they are read
	// streaming, and only the rows of the metrics asked for are kept, so
	// the bound is on the time spent, not on memory.
	MaxExperimentTableBytes = 1 << 40
	// MaxExperimentCells bounds the statistics LoadExperiment keeps: design
	// points × policies × metrics (32 bytes each). Ask for fewer metrics
	// when an experiment is larger.
	MaxExperimentCells = 1 << 27
)

// ExperimentRun is an experiment's results folder (tranche explore) read
// back from its files, for its figures and report. It keeps, for the
// metrics it was loaded with, each policy's mean and 95% interval at each
// design point (points.csv), the best policy and those tied with it
// (best.csv) and, for a factorial design, the effects (effects.csv):
// memory grows with points × policies × metrics, not with the files.
type ExperimentRun struct {
	// Dir is the folder.
	Dir string
	// Manifest is the folder's manifest (for a folder still being written
	// without one, made from experiment.toml: Complete false, no Files).
	Manifest Manifest
	// Definitions describe the scenario, the policies and the metrics.
	Definitions Definitions
	// Scenario is the text of scenario.toml and Source that of
	// experiment.toml (the experiment resolved).
	Scenario, Source []byte
	// Name and Description are the experiment's, from experiment.toml.
	Name, Description string
	// Parameters are the parameters varied, in the tables' column order.
	Parameters []ExperimentParameter
	// Points is the number of design points (the rows of design.csv), and
	// Here the points the folder has results for, in ascending order (all
	// of them but in a shard; none when no metric is kept).
	Points int
	Here   []int
	// Metrics are the metrics kept, in the order asked for.
	Metrics []ExperimentMetric
	// Tally counts, over the points here, how often each policy is best on
	// each metric kept that has a best (from best.csv).
	Tally *Tally
	// Sensitivity holds every row of sensitivity.csv, in the file's order,
	// for every metric (not only those kept): the indices of a Morris or
	// Saltelli design. Nil when the folder has no sensitivity.csv (other
	// designs, and the shards of a sensitivity design).
	Sensitivity []SensitivityRow
}

// ExperimentParameter is one parameter of an experiment and its value at
// every design point.
type ExperimentParameter struct {
	// Name is the parameter's column in the tables and Key its key in the
	// scenario.
	Name, Key string
	// Type is ParamNumber, ParamInteger, ParamChoice or ParamBool.
	Type string
	// Levels are the values the parameter takes, in the experiment's order,
	// as the tables write them: a factorial design's levels, a categorical
	// parameter's choices, or the levels a file gave. Nil for a number
	// sampled over a range.
	Levels []string
	// Range is the lowest and highest value of a numeric parameter: its
	// range, or its levels' extremes.
	Range [2]float64
	// Distribution is "uniform" or "log-uniform" for a number sampled over
	// its range, "" otherwise.
	Distribution string
	// Text is the value at each design point, as design.csv writes it.
	Text []string
	// Number is the value at each design point of a numeric parameter (nil
	// for a categorical one).
	Number []float64
	// Level is the index in Levels of the value at each design point (nil
	// when Levels is).
	Level []int32
}

// Numeric reports whether the parameter's values are numbers.
func (p *ExperimentParameter) Numeric() bool { return p.Number != nil }

// ExperimentMetric is what an experiment's folder holds about one metric.
type ExperimentMetric struct {
	// Def is the metric's definition, from definitions.json.
	Def sim.Metric
	// Cells are the policies' statistics at each point: the cell of point k
	// and policy p (in the manifest's order) is Cells[k*len(policies)+p].
	Cells []PointCell
	// Best is the best policy at each point (Policy -1 where best.csv has
	// no row: a metric without a better direction, or a point not here).
	Best []PointBest
	// tied holds, for each point, a bit per policy tied with the best.
	tied  []uint64
	words int
	// Effects are effects.csv's rows of the metric (factorial designs).
	Effects []ExperimentEffect
}

// PointCell is a policy's statistics on a metric at a design point.
type PointCell struct {
	// N is the number of replications that define the metric (-1 where
	// the folder has no row).
	N int32
	// Versus compares the policy with the baseline on the same
	// replications: +1 where the 95% interval of the paired difference
	// (policy minus baseline) lies above zero, -1 where it lies below, 0
	// otherwise and for the baseline itself.
	Versus int8
	// Mean and CI95 are the mean over replications and its 95% interval.
	Mean float64
	CI95 [2]float64
}

// PointBest is the best policy on a metric at a design point (best.csv).
type PointBest struct {
	// Policy is the index of the best policy in the manifest's order (-1
	// for none).
	Policy int32
	// Mean and CI95 are the best policy's.
	Mean float64
	CI95 [2]float64
}

// ExperimentEffect is one row of effects.csv: a policy's paired difference
// on a metric between a point and its reference point, which differs only
// in Parameter, set to its first level.
type ExperimentEffect struct {
	// Point and ReferencePoint are design points; Parameter and Policy
	// indexes into the run's Parameters and the manifest's Policies.
	Point, ReferencePoint int32
	Parameter, Policy     int32
	// N is the number of paired replications; Diff the mean difference
	// (point minus reference point) and CI95 its 95% interval.
	N    int32
	Diff float64
	CI95 [2]float64
}

// ExperimentHeadline returns the metrics an experiment's figures and
// report lead with, in order: those of TradeOffCriteria, then "objective"
// (present only when the experiment has an objective).
func ExperimentHeadline() []string {
	var out []string
	for _, c := range TradeOffCriteria() {
		out = append(out, c.Metric)
	}
	return append(out, "objective")
}

// Headline returns the kept metrics of ExperimentHeadline, in its order.
func (r *ExperimentRun) Headline() []*ExperimentMetric {
	var out []*ExperimentMetric
	for _, key := range ExperimentHeadline() {
		if m, ok := r.Metric(key); ok {
			out = append(out, m)
		}
	}
	return out
}

// Policies returns the experiment's policies, in the manifest's order.
func (r *ExperimentRun) Policies() []string { return r.Manifest.Policies }

// Baseline returns the index of the baseline policy (-1 if none).
func (r *ExperimentRun) Baseline() int { return slices.Index(r.Manifest.Policies, r.Manifest.Baseline) }

// Metric returns the kept metric with the given key.
func (r *ExperimentRun) Metric(key string) (*ExperimentMetric, bool) {
	for i := range r.Metrics {
		if r.Metrics[i].Def.Key == key {
			return &r.Metrics[i], true
		}
	}
	return nil, false
}

// Tied returns the indexes of the policies tied with the best at a point,
// ascending.
func (m *ExperimentMetric) Tied(point int) []int {
	var out []int
	if m.words == 0 || point < 0 || point*m.words >= len(m.tied) {
		return nil
	}
	for w, word := range m.tied[point*m.words : (point+1)*m.words] {
		for word != 0 {
			b := bits.TrailingZeros64(word)
			out = append(out, w*64+b)
			word &^= 1 << b
		}
	}
	return out
}

// TiedCount returns the number of policies tied with the best at a point.
func (m *ExperimentMetric) TiedCount(point int) int {
	n := 0
	if m.words == 0 || point < 0 || point*m.words >= len(m.tied) {
		return 0
	}
	for _, word := range m.tied[point*m.words : (point+1)*m.words] {
		n += bits.OnesCount64(word)
	}
	return n
}

// LoadExperiment reads a complete experiment's results folder of this
// version of the format, keeping the rows of the given metrics (every
// metric of the folder when metrics is nil; metrics the folder does not
// have are left out, so "objective" may be asked for whether or not the
// experiment has one), and every row of sensitivity.csv, which a whole
// folder of a Morris or Saltelli design must have. Like Load, it refuses
// an incomplete folder, a folder of another format version or kind, and a
// file whose size or SHA-256 differs from what the manifest records,
// before parsing it; a malformed file is an error naming its line.
func LoadExperiment(dir string, metrics []string) (*ExperimentRun, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	if m.Kind != KindExperiment {
		return nil, fmt.Errorf("results folder %s holds a study (tranche run), not an experiment: read it with results.Load", dir)
	}
	if err := m.CheckReadable(dir); err != nil {
		return nil, err
	}
	return loadExperiment(dir, m, metrics, true)
}

// LoadExperiment reads the experiment's folder being written, to draw its
// figures before it is complete: it checks neither the completeness marker
// nor the files' hashes, which only the finished folder has. Without a
// manifest yet, it takes the policies and parameters from experiment.toml.
func (f *Folder) LoadExperiment(metrics []string) (*ExperimentRun, error) {
	m, err := ReadManifest(f.tmp)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		m = nil
	case err != nil:
		return nil, f.Hide(err)
	case m.Kind != KindExperiment:
		return nil, fmt.Errorf("results folder %s holds a study (tranche run), not an experiment", f.final)
	}
	r, err := loadExperiment(f.tmp, m, metrics, false)
	if err != nil {
		return nil, f.Hide(err)
	}
	r.Dir = f.final
	return r, nil
}

// experimentFile is what the loader reads of experiment.toml.
type experimentFile struct {
	Name         string `toml:"name"`
	Description  string `toml:"description"`
	Policies     []string
	Baseline     string
	Replications int
	Seed         uint64
	Design       string
	Streams      string
	Objective    string
	Parameters   []struct {
		Key          string
		Name         string
		Range        []any
		Distribution string
		Levels       []any
	}
}

// loadExperiment reads the experiment's folder in dir; m is its manifest
// (nil: made from experiment.toml). strict checks each file against the
// manifest before reading it.
func loadExperiment(dir string, m *Manifest, metrics []string, strict bool) (*ExperimentRun, error) {
	read := func(file string, limit int64) ([]byte, error) {
		if strict {
			if err := m.Verify(dir, file, limit); err != nil {
				return nil, err
			}
		}
		return readLimited(filepath.Join(dir, file), limit)
	}
	r := &ExperimentRun{Dir: dir}
	b, err := read("experiment.toml", MaxDocumentBytes)
	if err != nil {
		return nil, err
	}
	r.Source = b
	var ef experimentFile
	if err := toml.Unmarshal(b, &ef); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "experiment.toml"), err)
	}
	r.Name, r.Description = ef.Name, ef.Description
	if b, err = read(DefinitionsFile, MaxDocumentBytes); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &r.Definitions); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, DefinitionsFile), err)
	}
	if m == nil {
		m = manifestFrom(&ef, &r.Definitions)
	}
	r.Manifest = *m
	if r.Scenario, err = read("scenario.toml", MaxDocumentBytes); err != nil {
		return nil, err
	}
	if err := r.checkManifest(&ef); err != nil {
		return nil, fmt.Errorf("results folder %s: %w", dir, err)
	}
	table := func(file string, header []string, skip *skipRows, row func(rec []string) error) error {
		if strict {
			if err := m.Verify(dir, file, MaxExperimentTableBytes); err != nil {
				return err
			}
		}
		return readTable(dir, file, MaxExperimentTableBytes, header, skip, row)
	}
	x := m.Experiment
	if err := r.readDesign(table, &ef); err != nil {
		return nil, err
	}
	if err := r.keep(metrics); err != nil {
		return nil, fmt.Errorf("results folder %s: %w", dir, err)
	}
	h := PointsHeader(x.Parameters)
	row, err := r.pointRow(h)
	if err != nil {
		return nil, err
	}
	if err := table(PointsCSV, h, r.skipMetrics(h), row); err != nil {
		return nil, err
	}
	if err := r.checkPoints(); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, PointsCSV), err)
	}
	if strict && len(r.Metrics) > 0 && len(r.Here) != x.PointsHere {
		return nil, fmt.Errorf("%s has results for %d points, the manifest records %d", filepath.Join(dir, PointsCSV), len(r.Here), x.PointsHere)
	}
	h = BestHeader(x.Parameters)
	if row, err = r.bestRow(h); err != nil {
		return nil, err
	}
	if err := table(BestCSV, h, r.skipMetrics(h), row); err != nil {
		return nil, err
	}
	if x.Design == "factorial" && x.ShardCount == 0 {
		h = EffectsHeader(x.Parameters)
		if row, err = r.effectRow(h); err != nil {
			return nil, err
		}
		err := table(EffectsCSV, h, r.skipMetrics(h), row)
		if err != nil && !(!strict && errors.Is(err, fs.ErrNotExist)) { // written after the points
			return nil, err
		}
	}
	if err := r.readSensitivity(m, strict); err != nil {
		return nil, err
	}
	return r, nil
}

// SensitivityDesign reports whether a design ("morris", "saltelli")
// computes sensitivity indices, written to sensitivity.csv.
func SensitivityDesign(design string) bool { return design == "morris" || design == "saltelli" }

// readSensitivity reads sensitivity.csv into r.Sensitivity. A strict read
// requires it of a whole folder of a sensitivity design (the run writes it
// after the points) and checks it against the manifest, which must record
// it wherever it is; a folder being written has it read when present.
func (r *ExperimentRun) readSensitivity(m *Manifest, strict bool) error {
	x := r.Manifest.Experiment
	path := filepath.Join(r.Dir, SensitivityCSV)
	_, recorded := m.Files[SensitivityCSV]
	_, statErr := os.Lstat(path)
	present := statErr == nil
	want := SensitivityDesign(x.Design) && x.ShardCount == 0
	if !present && (!strict || !recorded && !want) {
		return nil
	}
	if strict {
		if err := m.Verify(r.Dir, SensitivityCSV, MaxTableBytes); err != nil {
			return err
		}
	}
	var indices []string
	switch x.Design {
	case "morris":
		indices = []string{IndexMuStar, IndexMu, IndexSigma}
	case "saltelli":
		indices = []string{IndexS1, IndexST, IndexS2}
	default:
		return fmt.Errorf("%s: a %s design has no sensitivity indices", path, x.Design)
	}
	known := r.knownMetrics()
	params := map[string]bool{}
	for _, p := range x.Parameters {
		params[p] = true
	}
	seen := map[[6]string]bool{}
	r.Sensitivity = []SensitivityRow{}
	head := SensitivityHeader()
	var vals [8]float64
	var buf []string
	at := []int{6, 7, 8, 9, 10, 11, 12, 13}
	names := fields(nil, head, at)
	return readTable(r.Dir, SensitivityCSV, MaxTableBytes, head, nil, func(rec []string) error {
		row := SensitivityRow{Metric: rec[0], Policy: rec[1], Versus: rec[2], Parameter: rec[3], Parameter2: rec[4], Index: rec[5]}
		switch {
		case !known[row.Metric]:
			return fmt.Errorf("metric %q is not defined in definitions.json", row.Metric)
		case !slices.Contains(r.Manifest.Policies, row.Policy):
			return fmt.Errorf("policy %q is not one of the manifest's (%s)", row.Policy, clipNames(r.Manifest.Policies))
		case row.Versus != "" && (row.Versus != r.Manifest.Baseline || row.Policy == row.Versus):
			return fmt.Errorf("versus %q: a difference is a policy's from the baseline %s", row.Versus, r.Manifest.Baseline)
		case !params[row.Parameter]:
			return fmt.Errorf("parameter %q is not one of the experiment's", row.Parameter)
		case !slices.Contains(indices, row.Index):
			return fmt.Errorf("index %q is not one of a %s design's (%s)", row.Index, x.Design, strings.Join(indices, ", "))
		case (row.Index == IndexS2) != (row.Parameter2 != ""):
			return fmt.Errorf("parameter2 %q: a second-order index (S2) has one, and only it", row.Parameter2)
		case row.Parameter2 != "" && (!params[row.Parameter2] || row.Parameter2 == row.Parameter):
			return fmt.Errorf("parameter2 %q is not another of the experiment's parameters", row.Parameter2)
		}
		key := [6]string{row.Metric, row.Policy, row.Versus, row.Parameter, row.Parameter2, row.Index}
		if seen[key] {
			return fmt.Errorf("a second row for %s of %s, %s", row.Index, row.Parameter, describeOutput(row))
		}
		seen[key] = true
		buf = fields(buf, rec, at)
		if err := parseFloats(vals[:], buf, names); err != nil {
			return err
		}
		row.Estimate, row.CI95 = vals[0], [2]float64{vals[1], vals[2]}
		row.Uncorrected, row.UncorrectedCI95 = vals[3], [2]float64{vals[4], vals[5]}
		row.NoiseShare, row.NoiseFloor = vals[6], vals[7]
		row.Metric, row.Policy, row.Versus = strings.Clone(row.Metric), strings.Clone(row.Policy), strings.Clone(row.Versus)
		row.Parameter, row.Parameter2, row.Index = strings.Clone(row.Parameter), strings.Clone(row.Parameter2), strings.Clone(row.Index)
		r.Sensitivity = append(r.Sensitivity, row)
		return nil
	})
}

// describeOutput names a row's output in messages.
func describeOutput(row SensitivityRow) string {
	if row.Versus != "" {
		return fmt.Sprintf("%s of %s minus %s", row.Metric, row.Policy, row.Versus)
	}
	return fmt.Sprintf("%s under %s", row.Metric, row.Policy)
}

// SensitivityRanking returns the rows of sensitivity.csv of one index
// (mu_star, sigma, mu, S1 or ST: one per parameter) for one output: the
// metric under policy when versus is "", or policy minus versus on it.
// They are ranked from the largest estimate down, estimates that are not
// numbers last, ties in the experiment's order of the parameters: the
// order the figures and the report rank parameters in.
func (r *ExperimentRun) SensitivityRanking(metric, policy, versus, index string) []SensitivityRow {
	var out []SensitivityRow
	for _, row := range r.Sensitivity {
		if row.Metric == metric && row.Policy == policy && row.Versus == versus && row.Index == index && row.Parameter2 == "" {
			out = append(out, row)
		}
	}
	order := map[string]int{}
	if x := r.Manifest.Experiment; x != nil {
		for i, p := range x.Parameters {
			order[p] = i
		}
	}
	slices.SortStableFunc(out, func(a, b SensitivityRow) int {
		na, nb := math.IsNaN(a.Estimate), math.IsNaN(b.Estimate)
		switch {
		case na != nb:
			if na {
				return 1
			}
			return -1
		case !na && a.Estimate != b.Estimate:
			if a.Estimate > b.Estimate {
				return -1
			}
			return 1
		}
		return order[a.Parameter] - order[b.Parameter]
	})
	return out
}

// manifestFrom makes the manifest of a folder being written from its
// experiment.toml and definitions.json.
func manifestFrom(ef *experimentFile, d *Definitions) *Manifest {
	m := &Manifest{
		FormatVersion: FormatVersion, Kind: KindExperiment, Tool: "tranche", Scenario: d.Scenario.Name,
		Replications: ef.Replications, Seed: ef.Seed, Policies: ef.Policies, Baseline: ef.Baseline, Objective: ef.Objective,
		Experiment: &ExperimentInfo{Name: ef.Name, Design: ef.Design, Streams: ef.Streams},
	}
	for _, p := range ef.Parameters {
		m.Experiment.Parameters = append(m.Experiment.Parameters, p.Name)
		m.Experiment.Keys = append(m.Experiment.Keys, p.Key)
	}
	return m
}

// checkManifest checks that the manifest describes an experiment that
// experiment.toml agrees with.
func (r *ExperimentRun) checkManifest(ef *experimentFile) error {
	m := &r.Manifest
	x := m.Experiment
	switch {
	case x == nil:
		return errors.New("manifest.json describes no experiment")
	case len(m.Policies) == 0:
		return errors.New("manifest.json names no policies")
	case len(x.Parameters) == 0:
		return errors.New("manifest.json names no parameters")
	case len(x.Keys) != len(x.Parameters):
		return fmt.Errorf("manifest.json names %d parameters but %d keys", len(x.Parameters), len(x.Keys))
	case !slices.Equal(ef.Policies, m.Policies):
		return errors.New("experiment.toml and manifest.json name different policies")
	case len(ef.Parameters) != len(x.Parameters):
		return fmt.Errorf("experiment.toml has %d parameters, manifest.json %d", len(ef.Parameters), len(x.Parameters))
	}
	seen := map[string]bool{}
	for _, p := range m.Policies {
		if seen[p] {
			return fmt.Errorf("manifest.json names policy %q twice", p)
		}
		seen[p] = true
	}
	if m.Baseline != "" && !seen[m.Baseline] {
		return fmt.Errorf("manifest.json's baseline %q is not one of its policies", m.Baseline)
	}
	cols := map[string]bool{}
	for i, name := range x.Parameters {
		if cols[name] {
			return fmt.Errorf("manifest.json names parameter %q twice", name)
		}
		cols[name] = true
		if p := ef.Parameters[i]; p.Name != name || p.Key != x.Keys[i] {
			return fmt.Errorf("parameter %d is %s (%s) in experiment.toml but %s (%s) in manifest.json", i+1, p.Name, p.Key, name, x.Keys[i])
		}
	}
	return nil
}

// tableFunc reads a table of the folder, checking its header, calling
// row for each record.
type tableFunc func(file string, header []string, skip *skipRows, row func(rec []string) error) error

// readDesign reads design.csv and the parameters' types and levels from
// experiment.toml.
func (r *ExperimentRun) readDesign(table tableFunc, ef *experimentFile) error {
	x := r.Manifest.Experiment
	tomlPath := filepath.Join(r.Dir, "experiment.toml")
	for i, name := range x.Parameters {
		fp := ef.Parameters[i]
		p := ExperimentParameter{Name: name, Key: x.Keys[i], Distribution: fp.Distribution, Range: [2]float64{math.NaN(), math.NaN()}}
		types := map[string]bool{}
		for _, v := range fp.Levels {
			s, t, ok := levelText(v)
			if !ok {
				return fmt.Errorf("%s: parameter %s: level %v is not a number, a word or true/false", tomlPath, name, v)
			}
			if slices.Contains(p.Levels, s) {
				return fmt.Errorf("%s: parameter %s: level %s twice", tomlPath, name, s)
			}
			p.Levels = append(p.Levels, s)
			types[t] = true
		}
		switch {
		case len(fp.Levels) == 0:
			if len(fp.Range) != 2 {
				return fmt.Errorf("%s: parameter %s has neither levels nor a range", tomlPath, name)
			}
			p.Type = ParamNumber
			for j, v := range fp.Range {
				f, ok := tomlNumber(v)
				if !ok {
					return fmt.Errorf("%s: parameter %s: range %v is not two numbers", tomlPath, name, fp.Range)
				}
				p.Range[j] = f
			}
		case len(types) > 1 && !(len(types) == 2 && types[ParamNumber] && types[ParamInteger]):
			return fmt.Errorf("%s: parameter %s: levels of more than one type", tomlPath, name)
		case types[ParamNumber]:
			p.Type = ParamNumber
		case types[ParamInteger]:
			p.Type = ParamInteger
		case types[ParamBool]:
			p.Type = ParamBool
		default:
			p.Type = ParamChoice
		}
		r.Parameters = append(r.Parameters, p)
	}
	index := make([]map[string]int32, len(r.Parameters))
	for i, p := range r.Parameters {
		index[i] = map[string]int32{}
		for j, l := range p.Levels {
			index[i][l] = int32(j)
		}
	}
	err := table(DesignCSV, append(DesignHeader(x.Parameters), DesignExtras(x.Design, x.Streams)...), nil, func(rec []string) error {
		k, err := strconv.Atoi(rec[0])
		if err != nil || k != r.Points {
			return fmt.Errorf("point %q: want %d (points are numbered from 0, in order)", rec[0], r.Points)
		}
		for i := range r.Parameters {
			p := &r.Parameters[i]
			s := rec[1+i]
			if p.Levels != nil {
				j, ok := index[i][s]
				if !ok {
					return fmt.Errorf("%s = %q is not one of its levels (%s)", p.Name, s, clipNames(p.Levels))
				}
				p.Level = append(p.Level, j)
				s = p.Levels[j] // shared, not a copy per point
			} else {
				s = strings.Clone(s)
			}
			p.Text = append(p.Text, s)
			if p.Type == ParamNumber || p.Type == ParamInteger {
				f, err := strconv.ParseFloat(s, 64)
				if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
					return fmt.Errorf("%s = %q is not a finite number", p.Name, s)
				}
				p.Number = append(p.Number, f)
			}
		}
		r.Points++
		return nil
	})
	if err != nil {
		return err
	}
	for i := range r.Parameters {
		p := &r.Parameters[i]
		if p.Number == nil && (p.Type == ParamNumber || p.Type == ParamInteger) {
			p.Number = []float64{} // numeric, with no points
		}
		if p.Levels != nil && p.Numeric() {
			p.Range = [2]float64{math.Inf(1), math.Inf(-1)}
			for _, l := range p.Levels {
				f, _ := strconv.ParseFloat(l, 64)
				p.Range = [2]float64{min(p.Range[0], f), max(p.Range[1], f)}
			}
		}
		if p.Levels == nil && p.Type == ParamNumber && len(p.Number) > 0 && !slices.ContainsFunc(p.Text, func(s string) bool { return strings.ContainsAny(s, ".eE") }) {
			p.Type = ParamInteger // whole numbers, written as such: an integer parameter
		}
	}
	if x.Points != 0 && x.Points != r.Points {
		return fmt.Errorf("%s has %d design points, the manifest records %d", filepath.Join(r.Dir, DesignCSV), r.Points, x.Points)
	}
	return nil
}

// levelText returns a level of experiment.toml as the tables write it, and
// its type.
func levelText(v any) (string, string, bool) {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "", "", false
		}
		return strconv.FormatFloat(x, 'g', -1, 64), ParamNumber, true
	case int64:
		return strconv.FormatInt(x, 10), ParamInteger, true
	case bool:
		return strconv.FormatBool(x), ParamBool, true
	case string:
		return x, ParamChoice, true
	}
	return "", "", false
}

// tomlNumber returns a TOML number as a float64.
func tomlNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, !math.IsNaN(x)
	case int64:
		return float64(x), true
	}
	return 0, false
}

// clipList lists a few strings, for messages.
func clipNames(ss []string) string {
	if len(ss) > 8 {
		return strings.Join(ss[:8], ", ") + ", ..."
	}
	return strings.Join(ss, ", ")
}

// keep chooses the metrics to keep and makes room for them.
func (r *ExperimentRun) keep(metrics []string) error {
	if metrics == nil {
		for _, d := range r.Definitions.Metrics {
			metrics = append(metrics, d.Key)
		}
	}
	np := len(r.Manifest.Policies)
	words := (np + 63) / 64
	for _, key := range metrics {
		d, ok := r.Definitions.Metric(key)
		if !ok {
			continue
		}
		if _, dup := r.Metric(key); dup {
			continue
		}
		if cells := (len(r.Metrics) + 1) * r.Points * np; cells > MaxExperimentCells || cells < 0 {
			return fmt.Errorf("%d design points × %d policies × %d metrics are more than the %d statistics read at once: ask for fewer metrics", r.Points, np, len(r.Metrics)+1, MaxExperimentCells)
		}
		em := ExperimentMetric{Def: d, Cells: make([]PointCell, r.Points*np), Best: make([]PointBest, r.Points),
			tied: make([]uint64, r.Points*words), words: words}
		for i := range em.Cells {
			em.Cells[i] = PointCell{N: -1, Mean: math.NaN(), CI95: [2]float64{math.NaN(), math.NaN()}}
		}
		for i := range em.Best {
			em.Best[i] = PointBest{Policy: -1, Mean: math.NaN(), CI95: [2]float64{math.NaN(), math.NaN()}}
		}
		r.Metrics = append(r.Metrics, em)
	}
	var keys []string
	for _, m := range r.Metrics {
		keys = append(keys, m.Def.Key)
	}
	r.Tally = NewTally(r.Manifest.Policies, keys)
	return nil
}

// skipMetrics returns the rows of a table with header h to skip: those of
// the metrics of definitions.json not kept.
func (r *ExperimentRun) skipMetrics(h []string) *skipRows {
	col, err := columns(h, len(r.Parameters), "metric")
	if err != nil {
		return nil
	}
	skip := &skipRows{col: col[0], values: map[string]bool{}}
	for _, d := range r.Definitions.Metrics {
		if _, kept := r.Metric(d.Key); !kept {
			skip.values[d.Key] = true
		}
	}
	return skip
}

// rowPoint parses a row's point and checks its parameter values against
// design.csv.
func (r *ExperimentRun) rowPoint(rec []string) (int, error) {
	k, err := strconv.Atoi(rec[0])
	if err != nil || k < 0 || k >= r.Points {
		return 0, fmt.Errorf("point %q is not a point of design.csv (0 to %d)", rec[0], r.Points-1)
	}
	for i := range r.Parameters {
		if p := &r.Parameters[i]; rec[1+i] != p.Text[k] {
			return 0, fmt.Errorf("%s = %q, but design.csv has %q at point %d", p.Name, rec[1+i], p.Text[k], k)
		}
	}
	return k, nil
}

// policyIndex returns the index of a policy of the manifest.
func (r *ExperimentRun) policyIndex(name string) (int, error) {
	if i := slices.Index(r.Manifest.Policies, name); i >= 0 {
		return i, nil
	}
	return 0, fmt.Errorf("policy %q is not one of the manifest's (%s)", name, clipNames(r.Manifest.Policies))
}

// metricIndex returns the index of a kept metric (-1 if not kept), or an
// error for a metric the definitions do not have.
func (r *ExperimentRun) metricIndex(key string, known map[string]bool) (int, error) {
	for i := range r.Metrics {
		if r.Metrics[i].Def.Key == key {
			return i, nil
		}
	}
	if !known[key] {
		return -1, fmt.Errorf("metric %q is not defined in definitions.json", key)
	}
	return -1, nil
}

func (r *ExperimentRun) knownMetrics() map[string]bool {
	known := map[string]bool{}
	for _, d := range r.Definitions.Metrics {
		known[d.Key] = true
	}
	return known
}

// columns returns the positions of the named columns in a table's
// header, after the parameters' (which come first).
func columns(header []string, params int, names ...string) ([]int, error) {
	out := make([]int, len(names))
	for i, n := range names {
		j := slices.Index(header[1+params:], n)
		if j < 0 {
			return nil, fmt.Errorf("this tranche's tables have no column %s", n)
		}
		out[i] = j + 1 + params
	}
	return out, nil
}

// fields returns the fields at the positions given, into dst.
func fields(dst []string, rec []string, at []int) []string {
	dst = dst[:0]
	for _, i := range at {
		dst = append(dst, rec[i])
	}
	return dst
}

// pointRow returns the reader of points.csv's rows, whose header is h.
func (r *ExperimentRun) pointRow(h []string) (func([]string) error, error) {
	at, err := columns(h, len(r.Parameters), "policy", "metric", "n")
	if err != nil {
		return nil, err
	}
	statsAt, err := columns(h, len(r.Parameters), "mean", "ci95_lo", "ci95_hi", "diff_ci95_lo", "diff_ci95_hi")
	if err != nil {
		return nil, err
	}
	stats := fields(nil, h, statsAt)
	known := r.knownMetrics()
	base := r.Baseline()
	here := make([]bool, r.Points)
	r.Here = r.Here[:0]
	var buf []string
	return func(f []string) error {
		policy, metric, count := f[at[0]], f[at[1]], f[at[2]]
		j, err := r.metricIndex(metric, known)
		if err != nil || j < 0 {
			return err
		}
		k, err := r.rowPoint(f)
		if err != nil {
			return err
		}
		p, err := r.policyIndex(policy)
		if err != nil {
			return err
		}
		n, err := parseCount(count)
		if err != nil {
			return err
		}
		var v [5]float64
		buf = fields(buf, f, statsAt)
		if err := parseFloats(v[:], buf, stats); err != nil {
			return err
		}
		cell := &r.Metrics[j].Cells[k*len(r.Manifest.Policies)+p]
		if cell.N >= 0 {
			return fmt.Errorf("a second row for point %d, policy %s, metric %s", k, policy, metric)
		}
		*cell = PointCell{N: int32(n), Mean: v[0], CI95: [2]float64{v[1], v[2]}}
		if p != base {
			switch {
			case v[3] > 0:
				cell.Versus = 1
			case v[4] < 0:
				cell.Versus = -1
			}
		}
		if !here[k] {
			here[k] = true
			r.Here = append(r.Here, k)
		}
		return nil
	}, nil
}

// checkPoints checks that points.csv has a row for every policy and metric
// kept at every point it has, and puts the points in order.
func (r *ExperimentRun) checkPoints() error {
	slices.Sort(r.Here)
	np := len(r.Manifest.Policies)
	for j := range r.Metrics {
		m := &r.Metrics[j]
		for _, k := range r.Here {
			for p := range np {
				if m.Cells[k*np+p].N < 0 {
					return fmt.Errorf("no row for point %d, policy %s, metric %s", k, r.Manifest.Policies[p], m.Def.Key)
				}
			}
		}
	}
	return nil
}

// bestRow returns the reader of best.csv's rows, whose header is h.
func (r *ExperimentRun) bestRow(h []string) (func([]string) error, error) {
	at, err := columns(h, len(r.Parameters), "metric", "best", "tied")
	if err != nil {
		return nil, err
	}
	statsAt, err := columns(h, len(r.Parameters), "mean", "ci95_lo", "ci95_hi")
	if err != nil {
		return nil, err
	}
	stats := fields(nil, h, statsAt)
	known := r.knownMetrics()
	var tied, buf []string
	here := make([]bool, r.Points)
	for _, k := range r.Here {
		here[k] = true
	}
	return func(f []string) error {
		metric, bestName, tiedField := f[at[0]], f[at[1]], f[at[2]]
		j, err := r.metricIndex(metric, known)
		if err != nil || j < 0 {
			return err
		}
		k, err := r.rowPoint(f)
		if err != nil {
			return err
		}
		if !here[k] {
			return fmt.Errorf("point %d has a best policy but no rows in points.csv", k)
		}
		best, err := r.policyIndex(bestName)
		if err != nil {
			return err
		}
		var v [3]float64
		buf = fields(buf, f, statsAt)
		if err := parseFloats(v[:], buf, stats); err != nil {
			return err
		}
		m := &r.Metrics[j]
		if m.Best[k].Policy >= 0 {
			return fmt.Errorf("a second row for point %d, metric %s", k, metric)
		}
		m.Best[k] = PointBest{Policy: int32(best), Mean: v[0], CI95: [2]float64{v[1], v[2]}}
		tied = tied[:0]
		if tiedField != "" {
			for _, name := range strings.Split(tiedField, TiedSeparator) {
				q, err := r.policyIndex(name)
				if err != nil {
					return fmt.Errorf("tied: %w", err)
				}
				w := &m.tied[k*m.words+q/64]
				if q == best || *w&(1<<(q%64)) != 0 {
					return fmt.Errorf("tied: %s twice, or the best itself", name)
				}
				*w |= 1 << (q % 64)
				tied = append(tied, name)
			}
		}
		r.Tally.Add([]Best{{Metric: m.Def.Key, Policy: bestName, Tied: tied}})
		return nil
	}, nil
}

// effectRow returns the reader of effects.csv's rows, whose header is h.
func (r *ExperimentRun) effectRow(h []string) (func([]string) error, error) {
	at, err := columns(h, len(r.Parameters), "parameter", "level", "reference_point", "reference_level", "policy", "metric", "n")
	if err != nil {
		return nil, err
	}
	statsAt, err := columns(h, len(r.Parameters), "diff", "ci95_lo", "ci95_hi")
	if err != nil {
		return nil, err
	}
	stats := fields(nil, h, statsAt)
	known := r.knownMetrics()
	var buf []string
	return func(f []string) error {
		param, level, refPoint, refLevel, policy, metric, count := f[at[0]], f[at[1]], f[at[2]], f[at[3]], f[at[4]], f[at[5]], f[at[6]]
		j, err := r.metricIndex(metric, known)
		if err != nil || j < 0 {
			return err
		}
		k, err := r.rowPoint(f)
		if err != nil {
			return err
		}
		pi := slices.Index(r.Manifest.Experiment.Parameters, param)
		if pi < 0 {
			return fmt.Errorf("parameter %q is not one of the experiment's", param)
		}
		prm := &r.Parameters[pi]
		ref, err := strconv.Atoi(refPoint)
		if err != nil || ref < 0 || ref >= r.Points {
			return fmt.Errorf("reference point %q is not a point of design.csv", refPoint)
		}
		if level != prm.Text[k] || refLevel != prm.Text[ref] {
			return fmt.Errorf("levels %q and %q of %s are not design.csv's at points %d and %d", level, refLevel, prm.Name, k, ref)
		}
		p, err := r.policyIndex(policy)
		if err != nil {
			return err
		}
		n, err := parseCount(count)
		if err != nil {
			return err
		}
		var v [3]float64
		buf = fields(buf, f, statsAt)
		if err := parseFloats(v[:], buf, stats); err != nil {
			return err
		}
		m := &r.Metrics[j]
		m.Effects = append(m.Effects, ExperimentEffect{Point: int32(k), ReferencePoint: int32(ref), Parameter: int32(pi), Policy: int32(p),
			N: int32(n), Diff: v[0], CI95: [2]float64{v[1], v[2]}})
		return nil
	}, nil
}

// parseFloats parses texts, the fields named names, into dst: numbers, empty for
// NaN.
func parseFloats(dst []float64, texts, names []string) error {
	for i, s := range texts {
		if s == "" {
			dst[i] = math.NaN()
			continue
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("%s = %q is not a number", names[i], s)
		}
		dst[i] = x
	}
	return nil
}

// readTable reads a CSV table of at most limit bytes whose header must be
// header, calling row for each record (which it must not keep: records
// are reused) but those skip skips (nil: none). Errors name the file and
// the line.
func readTable(dir, name string, limit int64, header []string, skip *skipRows, row func([]string) error) error {
	path := filepath.Join(dir, name)
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("results folder %s: %w", dir, pathCause(err, name))
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", path)
	}
	lr := &io.LimitedReader{R: f, N: limit + 1}
	rs := &records{br: bufio.NewReaderSize(lr, 1<<16), fields: len(header)}
	head, err := rs.read()
	rs.skip = skip // not the header
	switch {
	case errors.Is(err, io.EOF):
		return fmt.Errorf("%s is empty: it has no header", path)
	case err != nil:
		return fmt.Errorf("%s: header: %w", path, err)
	case !slices.Equal(head, header):
		return fmt.Errorf("%s: header is %s, want %s", path, clip(strings.Join(head, ",")), clip(strings.Join(header, ",")))
	}
	for {
		rec, err := rs.read()
		if lr.N <= 0 {
			return fmt.Errorf("%s is larger than %d bytes: not read", path, limit)
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if err := row(rec); err != nil {
			return fmt.Errorf("%s:%d: %w", path, rs.line, err)
		}
	}
}

// records reads the records of a CSV table as encoding/csv reads them, a
// few times faster: a record on one line with no quote and no carriage
// return (every record tranche writes, but those naming a policy or a
// level that needs quotes) is split at its commas; any other record is
// read by encoding/csv. Empty lines are skipped, as encoding/csv skips
// them.
type records struct {
	br     *bufio.Reader
	fields int
	skip   *skipRows
	line   int // the first line of the record last read
	lines  int // the lines read so far
	rec    []string
	buf    []byte
}

// skipRows are the rows of a table to skip, by the value of one column:
// those of the metrics not kept, which are most rows and need not be
// split into fields.
type skipRows struct {
	col    int
	values map[string]bool
}

// field returns field col of a line with no quotes.
func field(l []byte, col int) []byte {
	for range col {
		i := bytes.IndexByte(l, ',')
		if i < 0 {
			return nil
		}
		l = l[i+1:]
	}
	if i := bytes.IndexByte(l, ','); i >= 0 {
		return l[:i]
	}
	return l
}

// readLine reads the next physical line, with its newline, into r.buf.
func (r *records) readLine() ([]byte, error) {
	r.buf = r.buf[:0]
	for {
		l, err := r.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			r.buf = append(r.buf, l...)
			continue
		}
		if len(r.buf) > 0 {
			r.buf = append(r.buf, l...)
			l = r.buf
		}
		if len(l) > 0 {
			r.lines++
			if errors.Is(err, io.EOF) {
				err = nil
			}
		}
		return l, err
	}
}

// read returns the next record, which the next call reuses, or io.EOF.
func (r *records) read() ([]string, error) {
	for {
		l, err := r.readLine()
		if err != nil {
			return nil, err
		}
		r.line = r.lines
		if bytes.IndexByte(l, '"') >= 0 || bytes.IndexByte(l, '\r') >= 0 {
			return r.slow(l)
		}
		l = bytes.TrimSuffix(l, []byte{'\n'})
		if len(l) == 0 {
			continue
		}
		if n := bytes.Count(l, []byte{','}) + 1; n != r.fields {
			return nil, fmt.Errorf("line %d: %d fields, the header has %d", r.line, n, r.fields)
		}
		if r.skip != nil && r.skip.values[string(field(l, r.skip.col))] {
			continue
		}
		s := string(l)
		r.rec = r.rec[:0]
		for {
			i := strings.IndexByte(s, ',')
			if i < 0 {
				r.rec = append(r.rec, s)
				break
			}
			r.rec = append(r.rec, s[:i])
			s = s[i+1:]
		}
		return r.rec, nil
	}
}

// slow reads a record that starts with line l through encoding/csv: the
// lines up to the one that closes its quotes.
func (r *records) slow(l []byte) ([]string, error) {
	chunk := append([]byte(nil), l...)
	for bytes.Count(chunk, []byte{'"'})%2 == 1 {
		more, err := r.readLine()
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		if len(more) == 0 {
			break // unbalanced at the end: encoding/csv says so
		}
		chunk = append(chunk, more...)
	}
	cr := csv.NewReader(bytes.NewReader(chunk))
	cr.FieldsPerRecord = r.fields
	rec, err := cr.Read()
	if errors.Is(err, io.EOF) { // an empty line, "\r\n"
		return r.read()
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			if errors.Is(pe.Err, csv.ErrFieldCount) {
				return nil, fmt.Errorf("line %d: %d fields, the header has %d", r.line, len(rec), r.fields)
			}
			return nil, fmt.Errorf("line %d: %w", r.line+pe.Line-1, pe.Err)
		}
		return nil, err
	}
	if _, err := cr.Read(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("line %d: a record that does not end where its quotes do", r.line)
	}
	if r.skip != nil && r.skip.values[rec[r.skip.col]] {
		return r.read()
	}
	r.rec = append(r.rec[:0], rec...)
	return r.rec, nil
}

// parseCount reads a table's count of replications (its n column).
func parseCount(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > math.MaxInt32 {
		return 0, fmt.Errorf("n = %q is not a count", clip(s))
	}
	return n, nil
}

// clip shortens s for a message.
func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}
