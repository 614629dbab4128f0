// Package scenarios reads, checks and writes scenario files: TOML files that
// say which model to run (every parameter of package sim and package
// agents, with defaults for what a file leaves out), for how many rounds
// and replications, with which seed, and which sequencing policies to
// compare with what parameters. It also holds the bundled scenarios.
package scenarios

import (
	"errors"
	"fmt"
	"github.com/tranche-sim/tranche/internal/tomltext"
	"math"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/tranche-sim/tranche/policy"
	"github.com/tranche-sim/tranche/sim"
)

// MaxReplications is the largest number of replications a scenario may ask
// for in one run.
const MaxReplications = 100_000_000

// Scenario is a study: metadata, the model's parameters and the policies to
// compare. Its TOML form has the metadata at the top level, one table per
// part of the model ([target], [coalition], [[sectors]], ...) and one table
// per policy's parameters ([policy.phased], ...).
type Scenario struct {
	Name           string   `toml:"name" doc:"scenario name, used in results folder names"`
	Description    string   `toml:"description" doc:"what the scenario represents"`
	Rounds         int      `toml:"rounds" range:"[1,10000]" doc:"rounds per replication (a round is one review period)" why:"40 quarterly reviews: ten years, about the life of the 2015 Iran agreement's main restrictions"`
	MonthsPerRound int      `toml:"months_per_round" range:"[1,120]" doc:"months in one round, for labels" why:"a quarter"`
	Replications   int      `toml:"replications" range:"[1,100000000]" doc:"replications per policy" why:"2000 gives 95% intervals of about ±2 points on probabilities"`
	Seed           uint64   `toml:"seed" doc:"seed of the study's random streams, a whole number from 0 to 9223372036854775807 (2^63 - 1)"`
	Policies       []string `toml:"policies" doc:"policies to compare; the first is the baseline"`
	sim.Params

	// PolicyParams holds the resolved parameters of every policy in
	// Policies, defaults filled in.
	PolicyParams map[string]sim.PolicyParams `toml:"-"`

	refused map[string]bool // [policy.NAME] tables Parse refused
}

// Default returns the default scenario as code: the model's calibrated
// defaults and the five core policies. The bundled default.toml adds its
// description.
func Default() *Scenario {
	s := &Scenario{
		Name: "default", Rounds: 40, MonthsPerRound: 3, Replications: 2000, Seed: 1,
		Policies: []string{"phased-snapback", "phased", "big-bang", "reciprocal", "max-pressure"},
		Params:   sim.DefaultParams(),
	}
	s.PolicyParams = map[string]sim.PolicyParams{}
	for _, name := range s.Policies {
		e, _ := policy.Lookup(name)
		s.PolicyParams[name] = e.Defaults()
	}
	return s
}

// Problem is one thing wrong with a scenario.
type Problem struct {
	// Line is the line in the file (0 when unknown or not from a file).
	Line int
	// Key is the TOML key concerned ("" when none).
	Key string
	// Msg says what is wrong and what is allowed.
	Msg string
}

type problem struct{ key, msg string }

// Error reports everything wrong with a scenario.
type Error struct {
	// File is the scenario's file name (or a label such as "command line").
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

// seedDoc says what the seed is and why it is bounded.
const seedDoc = "seed of the study's random streams; TOML integers are signed 64-bit, and results folders record the seed in scenario.toml"

// validName is what a scenario's name may be: it names results folders, so
// it must not climb out of them or be empty.
var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// folderName turns a file's base name into a valid scenario name: every
// character a name may not hold becomes '-'.
func folderName(base string) string {
	b := []byte(base)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			b[i] = '-'
		}
	}
	name := strings.TrimLeft(string(b), "._-")
	if len(name) > 64 {
		name = name[:64]
	}
	if name == "" {
		return "scenario"
	}
	return name
}

var decodeErr = regexp.MustCompile(`^toml: line (\d+)(?: \(last key "([^"]*)"\))?: (.*)$`)

// Parse reads a scenario from data; file names it in messages. Whatever the
// file leaves out takes its default. All problems found are reported
// together in an *Error, at most MaxProblems of them (and how many more).
// A file of any size is answered in time and memory in proportion to it:
// files larger than MaxFileBytes and values nested deeper than MaxNesting
// are refused before they are parsed, and the file is parsed once.
func Parse(file string, data []byte) (*Scenario, error) {
	if len(data) > MaxFileBytes {
		return nil, &Error{File: file, Problems: []Problem{{Msg: fmt.Sprintf("the file has %d bytes; scenario files may have at most %d (%d MiB)", len(data), MaxFileBytes, MaxFileBytes>>20)}}}
	}
	text := string(data)
	if depth, line := tomltext.Nesting(text, MaxNesting); depth > MaxNesting {
		return nil, &Error{File: file, Problems: []Problem{{Line: line, Msg: fmt.Sprintf("values nested %d deep or more; scenario files nest lists and inline tables at most %d deep", depth, MaxNesting)}}}
	}
	var raw map[string]any
	if _, err := toml.Decode(text, &raw); err != nil {
		return nil, tomlError(file, err)
	}
	lines := tomltext.Index(text)
	s := Default()
	s.PolicyParams = map[string]sim.PolicyParams{}
	s.refused = map[string]bool{}
	d := &decoder{text: text, lines: lines, refused: s.refused}
	if _, named := raw["name"]; !named { // a file without a name is named after itself
		s.Name = folderName(strings.TrimSuffix(filepath.Base(file), filepath.Ext(file)))
	}
	pol, hasPolicies := raw["policy"]
	delete(raw, "policy")
	if strings.HasPrefix(text, resolvedHeader) && !hasKey(raw, "neighbours", "network_growth") {
		// A resolved file lists every parameter, so one without the
		// smuggling networks was written before coercion ran through the
		// economy: no parameter values repeat its run today.
		return nil, newError(file, lines, []problem{{"", "this resolved scenario was written by a release before coercion ran through the economy (it has no neighbours.network_growth), and today's model cannot repeat its run; rerun it with the release that wrote it (its manifest.json names it), or delete the file's first line to read it as an ordinary scenario, whose missing parameters take today's defaults"}})
	}
	d.table("", reflect.ValueOf(s).Elem(), raw)
	if hasPolicies {
		s.PolicyParams = d.policyTables(pol)
	}
	probs := append(d.probs, s.check()...)
	if len(probs) > 0 {
		return nil, newError(file, lines, probs)
	}
	return s, nil
}

// Check checks every value of s against its allowed range and the
// scenario's consistency rules; label names the source in messages (for
// example "command line").
func (s *Scenario) Check(label string) error {
	if probs := s.check(); len(probs) > 0 {
		return newError(label, nil, probs)
	}
	return nil
}

func (s *Scenario) check() []problem {
	probs := checkRanges("", reflect.ValueOf(s).Elem())
	if s.Seed > math.MaxInt64 { // TOML integers are signed: it could not be written back
		probs = append(probs, problem{"seed", fmt.Sprintf("seed = %d is out of range: allowed [0, %d] (%s)", s.Seed, int64(math.MaxInt64), seedDoc)})
	}
	if !validName.MatchString(s.Name) {
		probs = append(probs, problem{"name", fmt.Sprintf("name = %s: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (it names the results folder)", quoteName(s.Name))})
	}
	if s.PolicyParams == nil {
		s.PolicyParams = map[string]sim.PolicyParams{}
	}
	if len(s.Policies) == 0 {
		probs = append(probs, problem{"policies", "policies is empty: name at least one policy to run; built-in policies: " + strings.Join(policy.Names(), ", ")})
	}
	probs = append(probs, s.checkAllNames()...)
	seen := map[string]bool{}
	for _, name := range s.Policies {
		if seen[strings.ToLower(name)] || !ValidName(name) {
			continue // reported by checkAllNames
		}
		seen[strings.ToLower(name)] = true
		if _, ok := s.PolicyParams[name]; ok || s.refused[name] {
			continue // defined, or its table was refused with its own message
		}
		e, ok := policy.Lookup(name)
		if !ok {
			probs = append(probs, problem{"policies", fmt.Sprintf("policies: unknown policy %q%s; built-in policies: %s; or define it in a [policy.%s] table with base = a built-in", name, suggestPolicy(name), strings.Join(policy.Names(), ", "), name)})
			continue
		}
		s.PolicyParams[name] = e.Defaults()
	}
	names := make([]string, 0, len(s.PolicyParams))
	for name := range s.PolicyParams {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		probs = append(probs, s.checkPolicy(name, s.PolicyParams[name])...)
	}
	// Rules between values: reported with the rest, so that a file is
	// fixed in one pass.
	bad := map[string]bool{} // keys already reported: rules between values skip them
	for _, p := range probs {
		bad[p.key] = true
	}
	probs = append(probs, s.consistency(bad)...)
	return probs
}

// CheckRules checks the rules between values of s (weights that sum to 0,
// durable_rounds beyond the rounds, a ladder's stages against the sectors
// and the rounds), not each value's range; label names the source in
// messages. For a scenario that passed Check and was then changed only
// with Set, which checks each value's range, CheckRules finds what Check
// would, at a small part of the cost: experiments check every design point
// with it.
func (s *Scenario) CheckRules(label string) error {
	var probs []problem
	for _, name := range s.Policies {
		if c, ok := policyPart(s.PolicyParams[name]).(sectorChecker); ok {
			var sectors []string
			for _, sec := range s.Sectors {
				sectors = append(sectors, sec.Name)
			}
			for _, pr := range c.Check(sectors, s.Rounds) {
				key := "policy." + name
				probs = append(probs, problem{key + "." + pr.Field, key + "." + pr.Msg})
			}
		}
	}
	probs = append(probs, s.consistency(map[string]bool{})...)
	if len(probs) > 0 {
		return newError(label, nil, probs)
	}
	return nil
}

// policyPart returns a policy's base parameters, without its modifiers.
func policyPart(p sim.PolicyParams) sim.PolicyParams {
	base, _ := policyParts(p)
	return base
}

// consistency checks rules that involve more than one value. bad holds the
// keys already reported (out of range, say): a rule that reads one of them
// is skipped, since it would only repeat the problem.
func (s *Scenario) consistency(bad map[string]bool) []problem {
	var probs []problem
	p := &s.Params
	anyBad := func(format string, n int) bool { // a key of an element out of range
		for i := range n {
			if bad[fmt.Sprintf(format, i)] {
				return true
			}
		}
		return false
	}
	if len(p.Sectors) == 0 {
		probs = append(probs, problem{"sectors", "sectors: at least one [[sectors]] table is needed"})
	}
	var weight float64
	for _, sec := range p.Sectors {
		weight += sec.Weight
	}
	if len(p.Sectors) > 0 && !anyBad("sectors[%d].weight", len(p.Sectors)) {
		switch {
		case !(weight > 0):
			probs = append(probs, problem{"sectors", "sectors: weights sum to 0; at least one sector must carry weight"})
		case math.IsInf(weight, 0):
			probs = append(probs, problem{"sectors", "sectors: weights sum beyond the largest number; only their ratios matter, so use smaller ones"})
		}
	}
	if len(p.Coalition.Members) == 0 {
		probs = append(probs, problem{"coalition.members", "coalition.members: at least one [[coalition.members]] table is needed"})
	}
	var members float64
	for _, m := range p.Coalition.Members {
		members += m.Weight
	}
	if math.IsInf(members, 0) && !anyBad("coalition.members[%d].weight", len(p.Coalition.Members)) {
		probs = append(probs, problem{"coalition.members", "coalition.members: weights sum beyond the largest number; only their ratios matter, so use smaller ones"})
	}
	var links float64
	for _, n := range p.Neighbours.States {
		links += n.TradeLink
	}
	if links > 1 && !anyBad("neighbours.states[%d].trade_link", len(p.Neighbours.States)) {
		probs = append(probs, problem{"neighbours.states", fmt.Sprintf("neighbours.states: trade links sum to %.3g; they are shares of the target's trade and must sum to at most 1", links)})
	}
	if bad["rounds"] {
		return probs
	}
	if p.Outcomes.DurableRounds > s.Rounds && !bad["outcomes.durable_rounds"] {
		probs = append(probs, problem{"outcomes.durable_rounds|rounds", fmt.Sprintf("outcomes.durable_rounds = %d exceeds rounds = %d: no agreement could ever count as durable", p.Outcomes.DurableRounds, s.Rounds)})
	}
	if p.Outcomes.CollapseRounds > s.Rounds && !bad["outcomes.collapse_rounds"] {
		probs = append(probs, problem{"outcomes.collapse_rounds|rounds", fmt.Sprintf("outcomes.collapse_rounds = %d exceeds rounds = %d: no agreement could ever collapse", p.Outcomes.CollapseRounds, s.Rounds)})
	}
	if o := &p.Outcomes; o.CollapseCompliance >= o.AgreementThreshold && !bad["outcomes.collapse_compliance"] && !bad["outcomes.agreement_threshold"] {
		probs = append(probs, problem{"outcomes.collapse_compliance|outcomes.agreement_threshold", fmt.Sprintf("outcomes.collapse_compliance = %g is not below outcomes.agreement_threshold = %g: an agreement would count as abandoned in the round it was reached", o.CollapseCompliance, o.AgreementThreshold)})
	}
	if p.Outcomes.CapitulationRounds > s.Rounds && !bad["outcomes.capitulation_rounds"] {
		probs = append(probs, problem{"outcomes.capitulation_rounds|rounds", fmt.Sprintf("outcomes.capitulation_rounds = %d exceeds rounds = %d: no episode could ever end in the sender's capitulation", p.Outcomes.CapitulationRounds, s.Rounds)})
	}
	return probs
}

func newError(file string, lines tomltext.Lines, probs []problem) *Error {
	e := &Error{File: file}
	for _, p := range probs {
		ln := 0
		for _, k := range strings.Split(p.key, "|") { // alternatives, best first
			if ln == 0 && lines != nil {
				ln = lines.Line(k)
			}
		}
		key, _, _ := strings.Cut(p.key, "|")
		e.Problems = append(e.Problems, Problem{Line: ln, Key: key, Msg: p.msg})
	}
	// File order; problems without a line last.
	sort.SliceStable(e.Problems, func(i, j int) bool {
		a, b := e.Problems[i].Line, e.Problems[j].Line
		return a != 0 && (b == 0 || a < b)
	})
	if n := len(e.Problems); n > MaxProblems {
		e.Problems = append(e.Problems[:MaxProblems:MaxProblems], Problem{Msg: fmt.Sprintf("and %d more problems (the first %d are listed: fix them and run again)", n-MaxProblems, MaxProblems)})
	}
	return e
}

// tomlError turns a decoder error into an *Error with the line it names.
func tomlError(file string, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return &Error{File: file, Problems: []Problem{{Line: pe.Position.Line, Key: pe.LastKey, Msg: "malformed TOML: " + pe.Message}}}
	}
	if m := decodeErr.FindStringSubmatch(err.Error()); m != nil {
		ln, _ := strconv.Atoi(m[1])
		msg := m[3]
		if m[2] != "" {
			msg = m[2] + ": " + msg
		}
		return &Error{File: file, Problems: []Problem{{Line: ln, Key: m[2], Msg: msg}}}
	}
	return &Error{File: file, Problems: []Problem{{Msg: strings.TrimPrefix(err.Error(), "toml: ")}}}
}

// Model returns the scenario's model.
func (s *Scenario) Model() (*sim.Model, error) {
	m, err := sim.NewModel(s.Params, s.Rounds)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
	}
	return m, nil
}

// Study returns the policies' parameters in the order of s.Policies.
func (s *Scenario) Study() []sim.PolicyParams {
	out := make([]sim.PolicyParams, len(s.Policies))
	for i, name := range s.Policies {
		out[i] = s.PolicyParams[name]
	}
	return out
}

// parentKey returns the key of the table that holds key.
func parentKey(key string) string {
	if i := strings.LastIndex(key, "."); i >= 0 {
		return key[:i]
	}
	return ""
}

// suggest returns " (did you mean X?)" for the known key closest to key,
// if one is close. Keys of a policy's table are looked up among its base
// policy's parameters (policies maps defined names to their parameters);
// keys of a modifier table among the modifiers' parameters.
func suggest(key string, policies map[string]sim.PolicyParams) string {
	parent := ""
	if i := strings.LastIndex(key, "."); i >= 0 {
		parent = key[:i]
	}
	var known []string
	parts := strings.SplitN(key, ".", 3)
	switch {
	case len(parts) == 3 && parts[0] == "policy" && strings.HasPrefix(parts[2], "modifiers."):
		known = append(known, parent+".kind")
		var owners []string // modifier kinds that have this very key
		for _, e := range policy.Modifiers() {
			walk(parent, reflect.ValueOf(e.Defaults()).Elem(), func(f Field) {
				known = append(known, f.Key)
				if f.Key == key {
					owners = append(owners, e.Kind)
				}
			})
		}
		if len(owners) > 0 {
			return fmt.Sprintf(" (a parameter of the %s modifier, not of this table's kind)", strings.Join(owners, " and "))
		}
	case len(parts) == 3 && parts[0] == "policy":
		if p, ok := policies[parts[1]]; ok {
			params, _ := policyParts(p)
			walk("policy."+parts[1], reflect.ValueOf(params).Elem(), func(f Field) { known = append(known, f.Key) })
		}
	default:
		walk("", reflect.ValueOf(Default()).Elem(), func(f Field) { known = append(known, f.Key) })
	}
	for _, k := range known { // tables too: a misspelt [verfier] is a key of its parent
		for i, c := range k {
			if c == '.' {
				known = append(known, k[:i])
			}
		}
	}
	var siblings []string // the keys of key's own table
	for _, k := range known {
		if k = index.ReplaceAllString(k, ""); parentKey(k) == parent { // the decoder names keys without indices
			siblings = append(siblings, k)
		}
	}
	if hint := closest(key, siblings, 4); hint != "" {
		return hint
	}
	return elsewhere(key, known)
}

// elsewhere returns a hint for a key written in the wrong table: " (resolve
// is a key of [[coalition.members]])" for coalition.resolve, say; "" if no
// table below the key's own has it. known are the format's keys, with the
// indices of the default elements of arrays of tables.
func elsewhere(key string, known []string) string {
	parent, name := parentKey(key), key[strings.LastIndex(key, ".")+1:]
	for _, raw := range known {
		k := index.ReplaceAllString(raw, "")
		if kp := parentKey(k); strings.HasPrefix(kp, parent+".") && k == kp+"."+name {
			table := "[" + kp + "]"
			if raw != k { // an element of an array of tables
				table = "[[" + kp + "]]"
			}
			return fmt.Sprintf(" (%s is a key of %s)", name, table)
		}
	}
	return ""
}

var index = regexp.MustCompile(`\[\d+\]`)

// hasKey reports whether the decoded TOML table raw has table name with
// key in it.
func hasKey(raw map[string]any, name, key string) bool {
	t, ok := raw[name].(map[string]any)
	if !ok {
		return false
	}
	_, ok = t[key]
	return ok
}
