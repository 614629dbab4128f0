package experiment

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/tranche-sim/tranche/design"
	"github.com/tranche-sim/tranche/internal/textdist"
	"github.com/tranche-sim/tranche/internal/tomltext"
	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/scenarios"
)

// Limits on an experiment, so that a mistyped number is refused at once
// rather than run for days.
const (
	// MaxFileBytes is the largest experiment file read.
	MaxFileBytes = 1 << 20
	// MaxPoints is the most design points of an experiment.
	MaxPoints = 1_000_000
	// MaxParameters is the most parameters an experiment varies.
	MaxParameters = 200
	// MaxLevels is the most levels (or steps) of one parameter.
	MaxLevels = 1000
	// MaxRuns is the most policy-replications of an experiment: points ×
	// policies × replications (ten billion, a few days on a large node).
	MaxRuns = 10_000_000_000
	// DefaultSteps is the number of evenly spaced levels a factorial design
	// gives a number or integer parameter that names neither levels nor
	// steps: its two ends and the middle.
	DefaultSteps = 3
	// DefaultReplications is the replications per design point when the
	// file names none.
	DefaultReplications = 100
	// MaxLHSValues bounds a Latin hypercube's samples times parameters: its
	// points are made, and held, all at once (8 bytes each).
	MaxLHSValues = 10_000_000
	// SignificantDigits is how many significant digits a sampled number
	// keeps: design values are rounded so that tables read well and a
	// value copied from design.csv sets exactly what ran.
	SignificantDigits = 6
)

// The designs.
const (
	Factorial = "factorial"
	LHS       = "lhs"
	Sobol     = "sobol"
	// Morris is a screening design of Morris trajectories, analysed for
	// elementary effects; Saltelli is the design for Sobol' indices.
	Morris   = "morris"
	Saltelli = "saltelli"
)

// designs are the designs an experiment may have.
var designs = []string{Factorial, LHS, Sobol, Morris, Saltelli}

// DefaultMorrisLevels is the number of grid levels of a Morris design
// when the file names none (SALib's default).
const DefaultMorrisLevels = 4

// The distributions of a parameter over its range.
const (
	Uniform    = "uniform"
	LogUniform = "log-uniform"
)

// The replication streams of design points.
const (
	// Common streams: every design point runs replications 0 to R-1 of the
	// experiment's seed, so differences between points are paired.
	Common = "common"
	// Independent streams: each point has a seed of its own.
	Independent = "independent"
)

// Experiment is an experiment: a base scenario, the policies compared, a
// design over some of the scenario's parameters, and the replications run
// at each design point. Parse and Load check it whole; its fields are
// then resolved (defaults filled in, ranges taken from the schema).
type Experiment struct {
	// Name names the experiment in folder names and reports.
	Name string
	// Description says what the experiment asks.
	Description string
	// Scenario is the base scenario as the file names it (a bundled name or
	// a path), and Base the scenario itself, with Set applied.
	Scenario string
	Base     *scenarios.Scenario
	// Set are fixed changes to the base scenario, applied before the design
	// varies anything (key and value, in file order).
	Set []Assignment
	// Policies are the policies compared at every point; Baseline the one
	// the others are compared with.
	Policies []string
	Baseline string
	// Replications is the number of replications at each design point.
	Replications int
	// Seed is the seed of the replication streams (and of a Latin
	// hypercube's sampling).
	Seed uint64
	// Design is Factorial, LHS, Sobol, Morris or Saltelli. Samples is the
	// number of points of LHS and Sobol designs, of trajectories of a
	// Morris design, and of base rows of a Saltelli design.
	Design  string
	Samples int
	// MorrisLevels is the number of levels of a Morris design's grid;
	// SecondOrder asks a Saltelli design for second-order indices.
	MorrisLevels int
	SecondOrder  bool
	// Streams is Common or Independent.
	Streams string
	// Metrics are the metric keys in the points table (every metric of the
	// model when the file names none).
	Metrics []string
	// Objective, if not empty, is a weighted sum of metrics computed for
	// every replication, as tranche run --objective.
	Objective string
	// Parameters are the parameters varied.
	Parameters []Parameter
}

// Assignment is a fixed change to the base scenario.
type Assignment struct {
	Key   string
	Value any
}

// Parameter is one parameter an experiment varies.
type Parameter struct {
	// Key is the parameter's key in the scenario (tranche params lists
	// them); Name its column in the tables.
	Key, Name string
	// Type is the parameter's type: scenarios.Number, Integer, Choice or
	// Bool.
	Type scenarios.Type
	// Range is the range of a number or integer, both ends included (from
	// the file, or the parameter's plausible range).
	Range [2]float64
	// Distribution is Uniform or LogUniform for a number sampled over its
	// range, "" for a parameter with Levels.
	Distribution string
	// Levels are the values a parameter takes: the file's levels, the
	// choices of a categorical parameter, or, in a factorial design,
	// evenly spaced values over the range. Each is a float64, int64,
	// string or bool.
	Levels []any
	// Steps is the number of evenly spaced levels a factorial design gave
	// a number or integer (0 when the file gave levels).
	Steps int
}

// Points returns the number of design points.
func (e *Experiment) Points() int {
	d := len(e.Parameters)
	switch e.Design {
	case Factorial:
		n := 1
		for _, p := range e.Parameters {
			n *= len(p.Levels)
		}
		return n
	case Morris:
		return e.Samples * (d + 1)
	case Saltelli:
		if e.SecondOrder {
			return e.Samples * (2*d + 2)
		}
		return e.Samples * (d + 2)
	}
	return e.Samples
}

// Sensitivity reports whether the experiment's design is one for
// sensitivity analysis (Morris or Saltelli).
func (e *Experiment) Sensitivity() bool { return e.Design == Morris || e.Design == Saltelli }

// Problem is one thing wrong with an experiment file.
type Problem struct {
	// Line is the line in the file (0 when unknown).
	Line int
	// Key is the key concerned ("" when none).
	Key string
	// Msg says what is wrong and what is allowed.
	Msg string
}

// Error reports everything wrong with an experiment file.
type Error struct {
	// File is the file's name.
	File string
	// Problems are the findings, in file order.
	Problems []Problem
}

// Error lists the problems, one per line, as file:line: message.
func (e *Error) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.File)
		if p.Line > 0 {
			b.WriteString(":" + strconv.Itoa(p.Line))
		}
		b.WriteString(": " + p.Msg)
	}
	return b.String()
}

// parser reads one experiment file.
type parser struct {
	file  string
	dir   string // the file's folder, for a scenario given by path
	text  string
	lines tomltext.Lines
	probs []Problem
}

func (d *parser) add(key, format string, a ...any) {
	d.probs = append(d.probs, Problem{Line: d.lines.Line(key), Key: key, Msg: fmt.Sprintf(format, a...)})
}

// topKeys are the keys an experiment file may have at its top level.
var topKeys = []string{"name", "description", "scenario", "policies", "baseline", "replications", "seed", "design", "samples", "morris_levels", "second_order", "streams", "metrics", "objective", "set", "parameters"}

// parameterKeys are the keys of a [[parameters]] table.
var parameterKeys = []string{"key", "name", "range", "distribution", "levels", "steps"}

// Parse reads an experiment from data; file names it in messages and
// locates a base scenario given by a relative path. Every problem found
// is reported together in an *Error.
func Parse(file string, data []byte) (*Experiment, error) {
	d := &parser{file: file, dir: filepath.Dir(file), text: string(data)}
	if len(data) > MaxFileBytes {
		return nil, &Error{File: file, Problems: []Problem{{Msg: fmt.Sprintf("the file has %d bytes; experiment files may have at most %d", len(data), MaxFileBytes)}}}
	}
	if depth, line := tomltext.Nesting(d.text, scenarios.MaxNesting); depth > scenarios.MaxNesting {
		return nil, &Error{File: file, Problems: []Problem{{Line: line, Msg: fmt.Sprintf("values nested %d deep or more; experiment files nest at most %d deep", depth, scenarios.MaxNesting)}}}
	}
	var raw map[string]any
	if _, err := toml.Decode(d.text, &raw); err != nil {
		return nil, tomlError(file, err)
	}
	d.lines = tomltext.Index(d.text)
	e := d.experiment(raw)
	if len(d.probs) > 0 {
		sort.SliceStable(d.probs, func(i, j int) bool { return d.probs[i].Line < d.probs[j].Line })
		if len(d.probs) > scenarios.MaxProblems {
			more := len(d.probs) - scenarios.MaxProblems
			d.probs = append(d.probs[:scenarios.MaxProblems], Problem{Msg: fmt.Sprintf("and %d more problems", more)})
		}
		return nil, &Error{File: file, Problems: d.probs}
	}
	return e, nil
}

var decodeErr = regexp.MustCompile(`^toml: line (\d+)(?: \(last key "([^"]*)"\))?: (.*)$`)

// tomlError turns a TOML syntax error into an *Error with its line.
func tomlError(file string, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return &Error{File: file, Problems: []Problem{{Line: pe.Position.Line, Key: pe.LastKey, Msg: "malformed TOML: " + pe.Message}}}
	}
	if m := decodeErr.FindStringSubmatch(err.Error()); m != nil {
		ln, _ := strconv.Atoi(m[1])
		return &Error{File: file, Problems: []Problem{{Line: ln, Key: m[2], Msg: m[3]}}}
	}
	return &Error{File: file, Problems: []Problem{{Msg: strings.TrimPrefix(err.Error(), "toml: ")}}}
}

// experiment decodes and checks the top level.
func (d *parser) experiment(raw map[string]any) *Experiment {
	e := &Experiment{Scenario: "default", Replications: DefaultReplications, Seed: 1, Streams: Common}
	for _, k := range sortedKeys(raw, d.lines, "") {
		if !slices.Contains(topKeys, k) {
			d.add(k, "unknown key %s%s; an experiment file has: %s", clip(k), suggest(k, topKeys), strings.Join(topKeys, ", "))
		}
	}
	str := func(key string, dst *string) {
		if v, ok := raw[key]; ok {
			if s, ok := v.(string); ok {
				*dst = s
			} else {
				d.add(key, "%s = %s: must be a string in quotes", key, d.shown(key, v))
			}
		}
	}
	str("name", &e.Name)
	str("description", &e.Description)
	str("scenario", &e.Scenario)
	str("baseline", &e.Baseline)
	str("design", &e.Design)
	str("streams", &e.Streams)
	str("objective", &e.Objective)
	if e.Name == "" {
		e.Name = nameFromFile(d.file)
	} else if !scenarios.ValidName(e.Name) {
		d.add("name", "name = %q: must be 1 to 64 letters, digits, '-' or '_', starting with a letter or digit", clip(e.Name))
	}
	e.Replications = d.integer(raw, "replications", e.Replications, 2, scenarios.MaxReplications)
	if v, ok := raw["seed"]; ok {
		if n, ok := v.(int64); ok && n >= 0 {
			e.Seed = uint64(n)
		} else {
			d.add("seed", "seed = %s: must be a whole number from 0 to %d", d.shown("seed", v), int64(math.MaxInt64))
		}
	}
	e.Samples = d.integer(raw, "samples", 0, 1, MaxPoints)
	switch e.Design {
	case Factorial:
		if _, ok := raw["samples"]; ok {
			d.add("samples", "samples = %s: a factorial design has one point per combination of levels; samples applies to lhs and sobol", d.shown("samples", raw["samples"]))
		}
	case LHS, Sobol:
		if _, ok := raw["samples"]; !ok {
			d.add("design", "design = %q needs samples, the number of design points (for example samples = 256)", e.Design)
		}
	case Morris:
		if _, ok := raw["samples"]; !ok {
			d.add("design", "design = \"morris\" needs samples, the number of trajectories (for example samples = 20); it runs samples x (parameters + 1) points")
		} else if e.Samples < 2 {
			d.add("samples", "samples = %d: a Morris design needs at least 2 trajectories for its intervals", e.Samples)
		}
	case Saltelli:
		if _, ok := raw["samples"]; !ok {
			d.add("design", "design = \"saltelli\" needs samples, the number of base rows N (for example samples = 1024; a power of two); it runs N x (parameters + 2) points")
		} else if e.Samples < 2 {
			d.add("samples", "samples = %d: a Saltelli design needs at least 2 base rows", e.Samples)
		}
	case "":
		d.add("design", "design is missing: say design = \"factorial\", \"lhs\", \"sobol\", \"morris\" or \"saltelli\"")
	default:
		d.add("design", "design = %q: allowed designs are factorial, lhs, sobol, morris and saltelli%s", clip(e.Design), suggest(e.Design, designs))
	}
	e.MorrisLevels = DefaultMorrisLevels
	if v, ok := raw["morris_levels"]; ok {
		n, isInt := v.(int64)
		switch {
		case e.Design != Morris:
			d.add("morris_levels", "morris_levels applies to design = \"morris\"")
		case !isInt || n < 2 || n > 100 || n%2 != 0:
			d.add("morris_levels", "morris_levels = %s: must be an even whole number from 2 to 100 (the grid's levels; an even number makes the step Δ = p/(2(p-1)) pair the levels evenly)", d.shown("morris_levels", v))
		default:
			e.MorrisLevels = int(n)
		}
	}
	if v, ok := raw["second_order"]; ok {
		b, isBool := v.(bool)
		switch {
		case e.Design != Saltelli:
			d.add("second_order", "second_order applies to design = \"saltelli\"")
		case !isBool:
			d.add("second_order", "second_order = %s: must be true or false", d.shown("second_order", v))
		default:
			e.SecondOrder = b
		}
	}
	if e.Streams != Common && e.Streams != Independent {
		d.add("streams", "streams = %q: allowed are common (every point runs the same replications, so differences between points are paired) and independent", clip(e.Streams))
	}

	base := d.base(e.Scenario)
	if base != nil {
		e.Set = d.set(raw["set"], base)
		e.Base = base
	}
	e.Policies = d.stringList(raw, "policies")
	e.Metrics = d.stringList(raw, "metrics")
	if base != nil {
		d.policies(e)
		d.metrics(e)
	}
	if pv, ok := raw["parameters"]; ok {
		tabs, ok := tables(pv)
		if !ok {
			d.add("parameters", "parameters must be tables, written [[parameters]], each with a key")
		}
		if len(tabs) > MaxParameters {
			d.add("parameters", "%d parameters: an experiment varies at most %d", len(tabs), MaxParameters)
			tabs = tabs[:MaxParameters]
		}
		star := -1
		for i, t := range tabs {
			if t["key"] == All {
				if star >= 0 {
					d.add(fmt.Sprintf("parameters[%d].key", i), "parameters[%d]: key = %q is given twice", i, All)
				}
				star = i
				continue
			}
			if p, ok := d.parameter(i, t, e); ok {
				e.Parameters = append(e.Parameters, p)
			}
		}
		if star >= 0 && e.Base != nil {
			d.all(star, tabs[star], e)
		}
	} else {
		d.add("parameters", "no parameters to vary: add [[parameters]] tables, each with a key (tranche params lists the keys)")
	}
	d.names(e)
	if len(d.probs) == 0 {
		d.size(e)
	}
	return e
}

// integer reads an optional whole number within [lo, hi].
func (d *parser) integer(raw map[string]any, key string, def, lo, hi int) int {
	v, ok := raw[key]
	if !ok {
		return def
	}
	n, ok := v.(int64)
	if !ok || n < int64(lo) || n > int64(hi) {
		d.add(key, "%s = %s: must be a whole number from %d to %d", key, d.shown(key, v), lo, hi)
		return def
	}
	return int(n)
}

// stringList reads an optional list of strings.
func (d *parser) stringList(raw map[string]any, key string) []string {
	v, ok := raw[key]
	if !ok {
		return nil
	}
	list, ok := v.([]any)
	out := []string{}
	seen := map[string]bool{}
	for _, x := range list {
		s, isStr := x.(string)
		if !isStr {
			ok = false
			break
		}
		if seen[strings.ToLower(s)] {
			d.add(key, "%s: %q is listed twice", key, clip(s))
			continue
		}
		seen[strings.ToLower(s)] = true
		out = append(out, s)
	}
	switch {
	case !ok:
		d.add(key, "%s = %s: must be a list of names in quotes, such as [\"a\", \"b\"]", key, d.shown(key, v))
		return nil
	case len(out) == 0 && len(list) == 0:
		d.add(key, "%s is empty: name at least one, or leave the line out for all of them", key)
		return nil
	}
	return out
}

// base loads the base scenario: a bundled name, or a path relative to the
// experiment file.
func (d *parser) base(name string) *scenarios.Scenario {
	arg := name
	if strings.ContainsRune(name, os.PathSeparator) || strings.HasSuffix(name, ".toml") {
		if !filepath.IsAbs(name) {
			arg = filepath.Join(d.dir, name)
		}
	}
	s, err := scenarios.Load(arg)
	if err != nil {
		var se *scenarios.Error
		if errors.As(err, &se) {
			for _, p := range se.Problems {
				where := se.File
				if p.Line > 0 {
					where += ":" + strconv.Itoa(p.Line)
				}
				d.add("scenario", "scenario %s: %s: %s", clip(name), where, p.Msg)
			}
		} else {
			d.add("scenario", "scenario = %q: %v", clip(name), err)
		}
		return nil
	}
	return s
}

// set applies the [set] table to the base scenario.
func (d *parser) set(v any, s *scenarios.Scenario) []Assignment {
	if v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		d.add("set", "set must be a table of scenario parameters, written [set] with key = value lines")
		return nil
	}
	var out []Assignment
	for _, k := range sortedKeys(m, d.lines, "set") {
		val := m[k]
		if list, ok := val.([]any); ok { // a list of strings
			var ss []string
			for _, x := range list {
				if str, ok := x.(string); ok {
					ss = append(ss, str)
				}
			}
			if len(ss) == len(list) {
				val = ss
			}
		}
		if err := s.Set(k, val); err != nil {
			d.probs = append(d.probs, Problem{Line: d.lines.Line("set." + k), Key: "set." + k, Msg: "set: " + err.Error()})
			continue
		}
		out = append(out, Assignment{k, val})
	}
	if err := s.Check("the base scenario with [set] applied"); err != nil {
		d.add("set", "%v", err)
	}
	return out
}

// policies checks the policies and baseline against the base scenario.
func (d *parser) policies(e *Experiment) {
	if e.Policies == nil {
		e.Policies = slices.Clone(e.Base.Policies)
	} else {
		// Any built-in policy, or one the scenario defines, as tranche run
		// --policy allows; the scenario's check resolves and reports them.
		e.Base.Policies = slices.Clone(e.Policies)
		var se *scenarios.Error
		if err := e.Base.Check("policies"); errors.As(err, &se) {
			for _, p := range se.Problems {
				d.add("policies", "%s", p.Msg)
			}
		}
	}
	if e.Baseline == "" && len(e.Policies) > 0 {
		e.Baseline = e.Policies[0]
	} else if e.Baseline != "" && !slices.Contains(e.Policies, e.Baseline) {
		d.add("baseline", "baseline = %q: not among the policies compared (%s)%s", clip(e.Baseline), strings.Join(e.Policies, ", "), suggest(e.Baseline, e.Policies))
	}
}

// metrics checks the metric keys and the objective.
func (d *parser) metrics(e *Experiment) {
	m, err := e.Base.Model()
	if err != nil {
		d.add("scenario", "%v", err)
		return
	}
	var keys []string
	for _, def := range m.Metrics() {
		keys = append(keys, def.Key)
	}
	for _, k := range e.Metrics {
		if !slices.Contains(keys, k) && k != "objective" {
			d.add("metrics", "metrics: %q is not a metric%s; metrics: %s", clip(k), suggest(k, keys), strings.Join(keys, ", "))
		}
	}
	if e.Objective != "" {
		if _, err := results.ParseObjective(e.Objective, m.Metrics()); err != nil {
			d.add("objective", "%v", err)
		}
	} else if slices.Contains(e.Metrics, "objective") {
		d.add("metrics", "metrics: \"objective\" needs an objective = \"...\" line")
	}
}

// parameter decodes and checks one [[parameters]] table.
func (d *parser) parameter(i int, t map[string]any, e *Experiment) (Parameter, bool) {
	at := fmt.Sprintf("parameters[%d]", i)
	for _, k := range sortedKeys(t, d.lines, at) {
		if !slices.Contains(parameterKeys, k) {
			d.add(at+"."+k, "%s: unknown key %s%s; a parameter has: %s", at, clip(k), suggest(k, parameterKeys), strings.Join(parameterKeys, ", "))
		}
	}
	key, ok := t["key"].(string)
	if !ok {
		d.add(at, "%s: needs key = \"...\", the parameter's key (tranche params lists them)", at)
		return Parameter{}, false
	}
	if e.Base == nil {
		return Parameter{}, false
	}
	sp, err := e.Base.Parameter(key)
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), key+": ")
		if !strings.Contains(msg, "tranche params") {
			msg += fmt.Sprintf("; 'tranche params %s' lists the keys", e.Base.Name)
		}
		d.add(at+".key", "%s: key = %q: %s", at, clip(key), msg)
		return Parameter{}, false
	}
	p := Parameter{Key: key, Type: sp.Type}
	if n, ok := t["name"]; ok {
		s, isStr := n.(string)
		if !isStr || !columnName.MatchString(s) {
			d.add(at+".name", "%s: name = %s: a column name of 1 to 64 letters, digits and '_', starting with a letter", at, d.shown(at+".name", n))
			return Parameter{}, false
		}
		p.Name = s
	} else {
		p.Name = defaultName(key)
	}
	switch sp.Type {
	case scenarios.Number, scenarios.Integer:
		return p, d.numeric(at, t, sp, &p, e.Design)
	case scenarios.Choice, scenarios.Bool:
		return p, d.categorical(at, t, sp, &p)
	default:
		d.add(at+".key", "%s: %s is a %s parameter; an experiment varies numbers, whole numbers, choices and true/false parameters", at, key, strings.ReplaceAll(string(sp.Type), "_", " "))
		return Parameter{}, false
	}
}

var columnName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,63}$`)

// defaultName makes a column name of a key: its words joined by '_',
// without list selectors ("spoilers.factions[*].strength" becomes
// "spoilers_factions_strength"; "coalition.members[0].resolve" becomes
// "coalition_members_0_resolve").
func defaultName(key string) string {
	key = strings.ReplaceAll(key, "[*]", "")
	var b strings.Builder
	sep := false
	for _, c := range key {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			if sep && b.Len() > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(c)
			sep = false
		} else {
			sep = true
		}
	}
	name := b.String()
	if name == "" || !(name[0] >= 'a' && name[0] <= 'z' || name[0] >= 'A' && name[0] <= 'Z') {
		name = "p_" + name
	}
	if len(name) > 64 {
		name = name[:64]
	}
	return name
}

// All is the key of a [[parameters]] table that varies every parameter
// of the scenario that has a plausible range (tranche params lists them)
// and is not set in [set] or varied by another table, each over its
// plausible range: the parameters of a screening experiment.
const All = "*"

// all expands the [[parameters]] table with key = "*".
func (d *parser) all(i int, t map[string]any, e *Experiment) {
	at := fmt.Sprintf("parameters[%d]", i)
	for k := range t {
		if k != "key" && k != "distribution" {
			d.add(at+"."+k, "%s: with key = %q only distribution may be given (each parameter takes its plausible range)", at, All)
			return
		}
	}
	taken := map[string]bool{}
	for _, a := range e.Set {
		ks, _ := e.Base.Keys(a.Key)
		for _, k := range ks {
			taken[k] = true
		}
	}
	for _, p := range e.Parameters {
		ks, _ := e.Base.Keys(p.Key)
		for _, k := range ks {
			taken[k] = true
		}
	}
	for _, sp := range e.Base.Parameters() {
		if sp.Plausible == nil || taken[sp.Key] || (sp.Type != scenarios.Number && sp.Type != scenarios.Integer) {
			continue
		}
		if !(sp.Plausible.Lo < sp.Plausible.Hi) {
			continue
		}
		if name, ok := policyOfKey(sp.Key); ok && !slices.Contains(e.Policies, name) {
			continue // a policy the experiment does not run: it could change nothing
		}
		tt := map[string]any{"key": sp.Key}
		if dist, ok := t["distribution"]; ok {
			if dist == LogUniform && !(sp.Plausible.Lo > 0) {
				dist = Uniform // log-uniform only where the range is above 0
			}
			tt["distribution"] = dist
		}
		if p, ok := d.parameter(i, tt, e); ok {
			e.Parameters = append(e.Parameters, p)
		}
	}
}

// policyOfKey returns the policy a key of policy.NAME.KEY belongs to.
func policyOfKey(key string) (string, bool) {
	rest, ok := strings.CutPrefix(key, "policy.")
	if !ok {
		return "", false
	}
	name, _, ok := strings.Cut(rest, ".")
	return name, ok
}

// numeric decodes a number or integer parameter's range, distribution,
// levels and steps.
func (d *parser) numeric(at string, t map[string]any, sp scenarios.Param, p *Parameter, design string) bool {
	allowed := sp.Allowed
	integer := sp.Type == scenarios.Integer
	ok := true
	if lv, has := t["levels"]; has {
		for _, k := range []string{"range", "distribution", "steps"} {
			if _, also := t[k]; also {
				d.add(at+"."+k, "%s: give levels or %s, not both", at, k)
				ok = false
			}
		}
		list, isList := lv.([]any)
		if !isList || len(list) == 0 || len(list) > MaxLevels {
			d.add(at+".levels", "%s: levels = %s: must be a list of 1 to %d numbers", at, d.shown(at+".levels", lv), MaxLevels)
			return false
		}
		seen := map[float64]bool{}
		for _, x := range list {
			f, isNum := number(x)
			switch {
			case !isNum || (integer && f != math.Trunc(f)):
				what := "numbers"
				if integer {
					what = "whole numbers"
				}
				d.add(at+".levels", "%s: levels: %s is not one of the %s %s takes", at, d.shown("", x), what, p.Key)
				ok = false
			case allowed != nil && !allowed.Contains(f):
				d.add(at+".levels", "%s: levels: %s = %s is out of range: allowed %s", at, p.Key, d.shown("", x), allowed)
				ok = false
			case seen[f]:
				d.add(at+".levels", "%s: levels: %s is listed twice", at, d.shown("", x))
				ok = false
			default:
				seen[f] = true
				if integer {
					p.Levels = append(p.Levels, int64(f))
				} else {
					p.Levels = append(p.Levels, f)
				}
			}
		}
		if len(p.Levels) > 0 {
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, l := range p.Levels {
				f, _ := number(l)
				lo, hi = min(lo, f), max(hi, f)
			}
			p.Range = [2]float64{lo, hi}
		}
		return ok
	}
	// A range: the file's or the plausible one.
	if rv, has := t["range"]; has {
		list, isList := rv.([]any)
		var lo, hi float64
		good := isList && len(list) == 2
		if good {
			var ok1, ok2 bool
			lo, ok1 = number(list[0])
			hi, ok2 = number(list[1])
			good = ok1 && ok2
		}
		switch {
		case !good:
			d.add(at+".range", "%s: range = %s: must be two numbers [low, high]", at, d.shown(at+".range", rv))
			return false
		case !(lo < hi):
			d.add(at+".range", "%s: range = %s is empty: the low end must be below the high end", at, d.shown(at+".range", rv))
			return false
		case allowed != nil && (!allowed.Contains(lo) || !allowed.Contains(hi)):
			d.add(at+".range", "%s: range = %s for %s is out of range: allowed %s", at, d.shown(at+".range", rv), p.Key, allowed)
			return false
		case integer && (lo != math.Trunc(lo) || hi != math.Trunc(hi)):
			d.add(at+".range", "%s: range = %s: %s is a whole number; give whole-number ends", at, d.shown(at+".range", rv), p.Key)
			return false
		}
		p.Range = [2]float64{lo, hi}
	} else {
		if sp.Plausible == nil {
			d.add(at+".key", "%s: %s has no plausible range to explore by default; give range = [low, high] or levels", at, p.Key)
			return false
		}
		p.Range = [2]float64{sp.Plausible.Lo, sp.Plausible.Hi}
		if !(p.Range[0] < p.Range[1]) {
			d.add(at+".key", "%s: the plausible range of %s is the single value %g; give range = [low, high] or levels", at, p.Key, p.Range[0])
			return false
		}
	}
	p.Distribution = Uniform
	if dv, has := t["distribution"]; has {
		s, isStr := dv.(string)
		switch {
		case !isStr || (s != Uniform && s != LogUniform):
			d.add(at+".distribution", "%s: distribution = %s: allowed are uniform and log-uniform%s", at, d.shown(at+".distribution", dv), suggest(fmt.Sprint(dv), []string{Uniform, LogUniform}))
			return false
		case s == LogUniform && !(p.Range[0] > 0):
			d.add(at+".distribution", "%s: distribution = \"log-uniform\" needs a range above 0; the range of %s is [%g, %g]", at, p.Key, p.Range[0], p.Range[1])
			return false
		case s == LogUniform && integer:
			d.add(at+".distribution", "%s: %s is a whole number: it takes a uniform distribution or levels", at, p.Key)
			return false
		}
		p.Distribution = s
	}
	steps := 0
	if sv, has := t["steps"]; has {
		n, isInt := sv.(int64)
		if !isInt || n < 2 || n > MaxLevels {
			d.add(at+".steps", "%s: steps = %s: must be a whole number from 2 to %d", at, d.shown(at+".steps", sv), MaxLevels)
			return false
		}
		if design != Factorial {
			d.add(at+".steps", "%s: steps applies to factorial designs; a %s design samples the range", at, design)
			return false
		}
		steps = int(n)
	}
	if design == Factorial {
		if steps == 0 {
			steps = DefaultSteps
		}
		p.Steps = steps
		p.Levels = spaced(p.Range, steps, p.Distribution == LogUniform, integer)
		if len(p.Levels) < steps {
			what := "the whole numbers"
			if !integer {
				what = fmt.Sprintf("%d significant digits", SignificantDigits)
			}
			d.add(at+".steps", "%s: %d steps over [%g, %g] repeat values at %s; use at most %d", at, steps, p.Range[0], p.Range[1], what, len(p.Levels))
			return false
		}
		p.Distribution = ""
	}
	return ok
}

// spaced returns n evenly spaced values over r (geometrically spaced for
// log), rounded to SignificantDigits; whole numbers for an integer
// parameter, without repeats.
func spaced(r [2]float64, n int, log, integer bool) []any {
	var out []any
	for k := range n {
		u := float64(k) / float64(n-1)
		x := scale(r, u, log)
		if integer {
			v := int64(math.Round(x))
			if len(out) > 0 && out[len(out)-1].(int64) == v {
				continue
			}
			out = append(out, v)
		} else {
			if len(out) > 0 && out[len(out)-1].(float64) == x {
				continue
			}
			out = append(out, x)
		}
	}
	return out
}

// scale maps u in [0, 1] onto r, linearly or geometrically, rounded to
// SignificantDigits and kept within r.
func scale(r [2]float64, u float64, log bool) float64 {
	var x float64
	switch {
	case u <= 0:
		x = r[0]
	case u >= 1:
		x = r[1]
	case log:
		x = r[0] * math.Pow(r[1]/r[0], u)
	default:
		x = r[0] + u*(r[1]-r[0])
	}
	return min(max(roundSignificant(x, SignificantDigits), r[0]), r[1])
}

// roundSignificant rounds x to d significant digits.
func roundSignificant(x float64, d int) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	v, err := strconv.ParseFloat(strconv.FormatFloat(x, 'g', d, 64), 64)
	if err != nil {
		return x
	}
	return v
}

// categorical decodes a choice or true/false parameter's levels.
func (d *parser) categorical(at string, t map[string]any, sp scenarios.Param, p *Parameter) bool {
	for _, k := range []string{"range", "distribution", "steps"} {
		if _, has := t[k]; has {
			d.add(at+"."+k, "%s: %s takes levels, not %s (its values: %s)", at, p.Key, k, strings.Join(choices(sp), ", "))
			return false
		}
	}
	lv, has := t["levels"]
	if !has {
		for _, c := range choices(sp) {
			if sp.Type == scenarios.Bool {
				p.Levels = append(p.Levels, c == "true")
			} else {
				p.Levels = append(p.Levels, c)
			}
		}
		return true
	}
	list, isList := lv.([]any)
	if !isList || len(list) == 0 || len(list) > MaxLevels {
		d.add(at+".levels", "%s: levels = %s: must be a list of 1 to %d of %s", at, d.shown(at+".levels", lv), MaxLevels, strings.Join(choices(sp), ", "))
		return false
	}
	ok := true
	seen := map[any]bool{}
	for _, x := range list {
		var v any
		switch sp.Type {
		case scenarios.Bool:
			b, isBool := x.(bool)
			if !isBool {
				d.add(at+".levels", "%s: levels: %s is not true or false", at, d.shown("", x))
				ok = false
				continue
			}
			v = b
		default:
			s, isStr := x.(string)
			if !isStr || !slices.Contains(sp.Choices, s) {
				d.add(at+".levels", "%s: levels: %s is not a value of %s; allowed: %s%s", at, d.shown("", x), p.Key, strings.Join(sp.Choices, ", "), suggest(fmt.Sprint(x), sp.Choices))
				ok = false
				continue
			}
			v = s
		}
		if seen[v] {
			d.add(at+".levels", "%s: levels: %s is listed twice", at, d.shown("", x))
			ok = false
			continue
		}
		seen[v] = true
		p.Levels = append(p.Levels, v)
	}
	return ok
}

// choices returns the values a categorical parameter takes.
func choices(sp scenarios.Param) []string {
	if sp.Type == scenarios.Bool {
		return []string{"false", "true"}
	}
	return sp.Choices
}

// names checks that parameters are varied once and have distinct column
// names, none of them a fixed column of the tables.
func (d *parser) names(e *Experiment) {
	owner := map[string]string{} // a parameter's key as listed -> the key that varies it
	for _, a := range e.Set {
		ks, _ := e.Base.Keys(a.Key)
		for _, k := range ks {
			owner[k] = "[set] " + a.Key
		}
	}
	names := map[string]bool{}
	for i, p := range e.Parameters {
		at := fmt.Sprintf("parameters[%d]", i)
		ks, _ := e.Base.Keys(p.Key)
		for _, k := range ks {
			o, ok := owner[k]
			switch {
			case !ok:
				continue
			case strings.EqualFold(o, p.Key):
				d.add(at+".key", "%s: %s is varied twice", at, p.Key)
			case strings.EqualFold(o, "[set] "+p.Key):
				d.add(at+".key", "%s: %s is both set in [set] and varied", at, p.Key)
			default:
				d.add(at+".key", "%s: %s sets %s, which %s sets too: set each parameter in one place", at, p.Key, k, o)
			}
			break
		}
		for _, k := range ks {
			owner[k] = p.Key
		}
		n := strings.ToLower(p.Name)
		if names[n] || slices.Contains(reservedColumns, n) {
			d.add(at+".name", "%s: the column name %s is taken; give this parameter name = \"...\"", at, p.Name)
		}
		names[n] = true
	}
}

// reservedColumns are the fixed columns of an experiment's tables, which
// no parameter's column may take.
var reservedColumns = []string{"point", "seed", "trajectory", "step", "base", "matrix", "column", "policy", "metric", "n", "mean", "sd", "ci95_lo", "ci95_hi", "diff", "diff_ci95_lo", "diff_ci95_hi", "best", "tied", "parameter", "level", "reference_point", "reference_level"}

// size checks the size of the design and of the whole experiment.
func (d *parser) size(e *Experiment) {
	n := 1
	if e.Design == Factorial {
		for _, p := range e.Parameters {
			if n > MaxPoints/len(p.Levels) {
				d.add("parameters", "the factorial design has more than %d points (the product of the parameters' levels); use fewer levels or a sampled design (lhs, sobol)", MaxPoints)
				return
			}
			n *= len(p.Levels)
		}
	} else {
		n = e.Points()
		if n > MaxPoints {
			d.add("samples", "samples = %d over %d parameters makes %d design points: more than %d", e.Samples, len(e.Parameters), n, MaxPoints)
			return
		}
	}
	if e.Design == Saltelli && 2*len(e.Parameters) > design.MaxSobolDims {
		d.add("parameters", "a saltelli design varies at most %d parameters (its base matrices use twice as many dimensions of the Sobol' sequence)", design.MaxSobolDims/2)
	}
	if e.Design == Sobol && len(e.Parameters) > design.MaxSobolDims {
		d.add("parameters", "a sobol design varies at most %d parameters", design.MaxSobolDims)
	}
	if e.Design == LHS && n*len(e.Parameters) > MaxLHSValues {
		d.add("samples", "samples = %d over %d parameters: a Latin hypercube is held in memory whole, and at most %d values (samples x parameters, %d MB) are allowed; use fewer samples, or design = \"sobol\", whose points are made as they run", n, len(e.Parameters), MaxLHSValues, MaxLHSValues*8>>20)
	}
	if runs := float64(n) * float64(len(e.Policies)) * float64(e.Replications); runs > MaxRuns {
		d.add("replications", "%d points x %d policies x %d replications = %.3g policy-replications: more than %.0g; use fewer points or replications", n, len(e.Policies), e.Replications, runs, float64(MaxRuns))
	}
}

// number returns x as a float64 if it is a TOML number.
func number(x any) (float64, bool) {
	switch v := x.(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, !math.IsNaN(v) && !math.IsInf(v, 0)
	}
	return 0, false
}

// tables returns v as a list of tables.
func tables(v any) ([]map[string]any, bool) {
	switch t := v.(type) {
	case []map[string]any:
		return t, true
	case []any:
		var out []map[string]any
		for _, x := range t {
			m, ok := x.(map[string]any)
			if !ok {
				return nil, false
			}
			out = append(out, m)
		}
		return out, true
	}
	return nil, false
}

// sortedKeys returns a table's keys in file order.
func sortedKeys(m map[string]any, lines tomltext.Lines, prefix string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	full := func(k string) string {
		if prefix == "" {
			return k
		}
		return prefix + "." + k
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := lines.Line(full(keys[i])), lines.Line(full(keys[j]))
		if a != b {
			return a < b
		}
		return keys[i] < keys[j]
	})
	return keys
}

// shown returns a value as the file writes it, clipped.
func (d *parser) shown(key string, v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(clip(x))
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, 0, len(x))
		for _, y := range x {
			parts = append(parts, d.shown("", y))
		}
		return clip("[" + strings.Join(parts, ", ") + "]")
	case map[string]any:
		return "a table"
	}
	return clip(fmt.Sprint(v))
}

// clip shortens s for a message.
func clip(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}

// suggest returns " (did you mean X?)" for the candidate nearest to s.
func suggest(s string, candidates []string) string {
	if best := textdist.Closest(s, candidates, 3); best != "" {
		return " (did you mean " + best + "?)"
	}
	return ""
}

// nameFromFile names an experiment after its file.
func nameFromFile(file string) string {
	base := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	b := []byte(base)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			b[i] = '-'
		}
	}
	name := strings.TrimLeft(string(b), "_-")
	if len(name) > 64 {
		name = name[:64]
	}
	if name == "" || !scenarios.ValidName(name) {
		return "experiment"
	}
	return name
}

// Load reads an experiment file, or a bundled experiment when arg has no
// path separator and no .toml suffix and names one.
func Load(arg string) (*Experiment, error) {
	if !strings.ContainsRune(arg, os.PathSeparator) && !strings.HasSuffix(arg, ".toml") {
		if _, err := bundled.ReadFile("bundled/" + arg + ".toml"); err == nil {
			return Get(arg)
		}
	}
	data, err := readFile(arg)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !strings.ContainsRune(arg, os.PathSeparator) {
			return nil, &Error{File: arg, Problems: []Problem{{Msg: fmt.Sprintf("no such file, and no bundled experiment of that name%s (bundled: %s)", suggest(arg, Names()), strings.Join(Names(), ", "))}}}
		}
		return nil, &Error{File: arg, Problems: []Problem{{Msg: err.Error()}}}
	}
	return Parse(arg, data)
}

// readFile reads a regular file of at most MaxFileBytes.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	return data, nil
}
