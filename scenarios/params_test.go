package scenarios_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tranche-sim/tranche/policy"
	"github.com/tranche-sim/tranche/scenarios"
)

func defaultScenario(t *testing.T) *scenarios.Scenario {
	t.Helper()
	s, err := scenarios.Get("default")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// everyPolicy returns the default scenario with every built-in policy, and
// a variant with every modifier, among its policies, so that every
// parameter of the format is listed.
func everyPolicy(t *testing.T) *scenarios.Scenario {
	t.Helper()
	var mods strings.Builder
	for _, m := range policy.Modifiers() {
		mods.WriteString("\n[[policy.wrapped.modifiers]]\nkind = \"" + m.Kind + "\"\n")
	}
	names := append(policy.Names(), "wrapped")
	src := "policies = [\"" + strings.Join(names, "\", \"") + "\"]\n[policy.wrapped]\nbase = \"phased\"\n" + mods.String()
	s, err := scenarios.Parse("all.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Every number that shapes behaviour has a plausible range for
// exploration, inside its allowed range and holding its default; the
// exceptions are study settings and initial states, named here with the
// reason.
func TestPlausibleRanges(t *testing.T) {
	t.Parallel()
	exempt := map[string]string{
		"rounds":           "the horizon is a study setting",
		"months_per_round": "a label",
		"replications":     "a study setting",
		"seed":             "a study setting",
	}
	exemptSuffix := map[string]string{
		".relief":   "a sector's initial relief is the scenario's starting state", // sectors[...].relief; ladder stages' relief is a lever (checked below)
		".coverage": "a ladder stage's coverage uses -1 for none, a switch more than a level",
	}
	s := everyPolicy(t)
	n := 0
	for _, p := range s.Parameters() {
		if p.Type != scenarios.Number && p.Type != scenarios.Integer {
			if p.Plausible != nil {
				t.Errorf("%s: a %s with a plausible range", p.Key, p.Type)
			}
			continue
		}
		why := exempt[p.Key]
		for suf, w := range exemptSuffix {
			if strings.HasSuffix(p.Key, suf) && (strings.HasPrefix(p.Key, "sectors[") || strings.Contains(p.Key, ".stages[") && suf == ".coverage") {
				why = w
			}
		}
		if why != "" {
			if p.Plausible != nil {
				t.Errorf("%s is exempt (%s) but has a plausible range %v", p.Key, why, p.Plausible)
			}
			continue
		}
		n++
		if p.Plausible == nil {
			t.Errorf("%s has no plausible range (add a plausible tag)", p.Key)
			continue
		}
		pr := *p.Plausible
		if p.Allowed == nil || !p.Allowed.Contains(pr.Lo) || !p.Allowed.Contains(pr.Hi) || pr.Lo >= pr.Hi || pr.OpenLo || pr.OpenHi {
			t.Errorf("%s: plausible %v is not a closed interval inside allowed %v", p.Key, pr, p.Allowed)
		}
		x := toFloat(p.Value)
		if x < pr.Lo || x > pr.Hi {
			t.Errorf("%s: default %v outside plausible %v", p.Key, p.Value, pr)
		}
	}
	if n < 150 {
		t.Errorf("only %d parameters with plausible ranges: the walk missed some", n)
	}
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int:
		return float64(x)
	case uint64:
		return float64(x)
	}
	return math.NaN()
}

// Keys address parameters by path, list elements by index, by name (also
// ignoring case) and all at once, and policy parameters, built-in or
// defined, listed in the scenario or not.
func TestSetGet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key   string
		value any
		check func(*scenarios.Scenario) any
	}{
		{"verifier.quality", 0.9, func(s *scenarios.Scenario) any { return s.Verifier.Quality }},
		{"rounds", 20, func(s *scenarios.Scenario) any { return s.Rounds }},
		{"seed", 77, func(s *scenarios.Scenario) any { return s.Seed }},
		{"coalition.members[0].resolve", 0.45, func(s *scenarios.Scenario) any { return s.Coalition.Members[0].Resolve }},
		{"coalition.members[regional-bloc].resolve", 0.44, func(s *scenarios.Scenario) any { return s.Coalition.Members[1].Resolve }},
		{"coalition.members[Regional-Bloc].fatigue", 0.3, func(s *scenarios.Scenario) any { return s.Coalition.Members[1].Fatigue }},
		{"spoilers.factions[hardline-party].inclusion", 0.1, func(s *scenarios.Scenario) any { return s.Spoilers.Factions[1].Inclusion }},
		{"sectors[energy].weight", 0.4, func(s *scenarios.Scenario) any { return s.Sectors[2].Weight }},
		{"policy.phased-snapback.tranches", 6, func(s *scenarios.Scenario) any {
			return s.PolicyParams["phased-snapback"].(*policy.PhasedParams).Tranches
		}},
		{"policy.grit.step", 0.07, func(s *scenarios.Scenario) any { return s.PolicyParams["grit"].(*policy.GRITParams).Step }},
		{"policy.ladder.stages[1].on_backsliding", "snapback", func(s *scenarios.Scenario) any {
			return s.PolicyParams["ladder"].(*policy.LadderParams).Stages[1].OnBacksliding
		}},
		{"policy.ladder.stages[energy].sectors", []string{"energy", "trade"}, func(s *scenarios.Scenario) any {
			return s.PolicyParams["ladder"].(*policy.LadderParams).Stages[2].Sectors
		}},
		{"policies", []string{"phased", "reciprocal"}, func(s *scenarios.Scenario) any { return s.Policies }},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			s := defaultScenario(t)
			if err := s.Set(tt.key, tt.value); err != nil {
				t.Fatal(err)
			}
			got := tt.check(s)
			if toFloat(got) != toFloat(tt.value) && !reflect.DeepEqual(got, tt.value) {
				t.Errorf("after Set(%s, %v) the field is %v", tt.key, tt.value, got)
			}
			v, err := s.Get(tt.key)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(v, got) {
				t.Errorf("Get(%s) = %#v, want %#v", tt.key, v, got)
			}
		})
	}
}

func TestSetAll(t *testing.T) {
	t.Parallel()
	s := defaultScenario(t)
	if _, err := s.Get("coalition.members[*].resolve"); err == nil {
		t.Error("Get of [*] over differing resolves: no error")
	}
	if err := s.Set("coalition.members[*].resolve", 0.5); err != nil {
		t.Fatal(err)
	}
	for i, m := range s.Coalition.Members {
		if m.Resolve != 0.5 {
			t.Errorf("member %d resolve %v, want 0.5", i, m.Resolve)
		}
	}
	if v, err := s.Get("coalition.members[*].resolve"); err != nil || v != 0.5 {
		t.Errorf("Get [*] = %v, %v; want 0.5", v, err)
	}
	// [*] sets all or none: 1.5 is refused for every element.
	if err := s.Set("coalition.members[*].fatigue", 1.5); err == nil {
		t.Error("fatigue 1.5 accepted")
	}
	if s.Coalition.Members[0].Fatigue == 1.5 {
		t.Error("a refused [*] set changed an element")
	}
}

// Bad keys and values are refused with a message that says what is wrong
// and what is allowed, and leave the scenario as it was.
func TestSetErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key   string
		value any
		want  []string
	}{
		{"verifier.qualty", 0.5, []string{"unknown key verifier.qualty", "did you mean verifier.quality?"}},
		{"verifer.quality", 0.5, []string{"unknown key verifer.quality", "did you mean verifier.quality?"}},
		{"coalition.resolve", 0.5, []string{"unknown key coalition.resolve", "[[coalition.members]]"}},
		{"verifier.quality", 1.3, []string{"verifier.quality = 1.3 is out of range: allowed [0,1]", "overall quality"}},
		{"verifier.quality", "high", []string{"verifier.quality = \"high\": must be a number in [0,1]"}},
		{"verifier.lag", 1.5, []string{"verifier.lag = 1.5: must be a whole number in [0,15]"}},
		{"rounds", 0, []string{"rounds = 0 is out of range: allowed [1,10000]"}},
		{"seed", -1, []string{"seed = -1 is out of range"}},
		{"coalition.members[7].resolve", 0.5, []string{"coalition.members has 4 element(s)"}},
		{"coalition.members[usa].resolve", 0.5, []string{"no element named \"usa\"", "lead-state"}},
		{"coalition.members.resolve", 0.5, []string{"is a list", "coalition.members[*]"}},
		{"coalition.members[0]", 0.5, []string{"is a table, not a parameter"}},
		{"verifier", 0.5, []string{"is a table, not a parameter"}},
		{"policy.phased-snapbak.tranches", 3, []string{"no policy \"phased-snapbak\"", "did you mean phased-snapback?"}},
		{"policy.phased.tranche", 3, []string{"unknown key policy.phased.tranche", "did you mean policy.phased.tranches?"}},
		{"policy.ladder.stages[0].on_backsliding", "snapbak", []string{"allowed values are hold, step-back, snapback", "did you mean snapback?"}},
		{"policy.phased.modifiers[0].window", 2, []string{"policy phased has 0 modifier(s)"}},
		{"verifier.quality[0]", 0.5, []string{"is not a list"}},
		{"verifier.", 0.5, []string{"ends with a ."}},
		{"", 0.5, []string{"empty key"}},
		{"coalition.members[", 0.5, []string{"without its ]"}},
		{"verifier.quality", math.NaN(), []string{"out of range"}},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			s := defaultScenario(t)
			before := scenarios.Format(s)
			err := s.Set(tt.key, tt.value)
			if err == nil {
				t.Fatalf("Set(%q, %v): no error", tt.key, tt.value)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Set(%q, %v): error %q lacks %q", tt.key, tt.value, err, w)
				}
			}
			if after := scenarios.Format(s); string(after) != string(before) {
				t.Errorf("Set(%q, %v) failed but changed the scenario", tt.key, tt.value)
			}
		})
	}
	// A refused key of a built-in policy the scenario does not hold does
	// not add the policy.
	s := defaultScenario(t)
	if err := s.Set("policy.grit.nonsense", 1); err == nil {
		t.Fatal("policy.grit.nonsense accepted")
	}
	if _, ok := s.PolicyParams["grit"]; ok {
		t.Error("a refused key added grit's parameters to the scenario")
	}
}

// SetText reads values as a TOML file has them; strings and choices may be
// bare words, lists of strings comma-separated words.
func TestSetText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key, text string
		want      any
		err       string
	}{
		{key: "verifier.quality", text: "0.9", want: 0.9},
		{key: "verifier.quality", text: "1", want: 1.0},
		{key: "target.commitment_alpha", text: "2.5e0", want: 2.5},
		{key: "verifier.lag", text: "2", want: 2},
		{key: "verifier.lag", text: "2.0", err: "verifier.lag = 2.0: must be a whole number in [0,15]"},
		{key: "verifier.quality", text: "0.9 0.8", err: "not a TOML value"},
		{key: "verifier.quality", text: "0.5\nrounds = 3", err: "a value is one line"},
		{key: "verifier.quality", text: "inf", err: "verifier.quality = +Inf is out of range"},
		{key: "name", text: "weak-verifier", want: "weak-verifier"},
		{key: "name", text: `"quoted"`, want: "quoted"},
		{key: "policy.ladder.stages[0].on_backsliding", text: "step-back", want: "step-back"},
		{key: "policies", text: `["phased", "reciprocal"]`, want: []string{"phased", "reciprocal"}},
		{key: "policies", text: "phased, reciprocal", want: []string{"phased", "reciprocal"}},
		{key: "policies", text: `["phased", 3]`, err: "must be a list of strings"},
	}
	for _, tt := range tests {
		s := defaultScenario(t)
		err := s.SetText(tt.key, tt.text)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("SetText(%s, %q): error %v, want %q", tt.key, tt.text, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("SetText(%s, %q): %v", tt.key, tt.text, err)
			continue
		}
		if got, _ := s.Get(tt.key); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SetText(%s, %q): value %#v, want %#v", tt.key, tt.text, got, tt.want)
		}
	}
}

// Apply reports every problem of a list of assignments at once, refuses a
// key set twice, and leaves checking rules between values to Check.
func TestApply(t *testing.T) {
	t.Parallel()
	s := defaultScenario(t)
	err := s.Apply("--set", []string{"verifier.quality=0.9", "verifier.qualty=1", "rounds=0", "verifier.quality=0.8", "nonsense"})
	var se *scenarios.Error
	if !errors.As(err, &se) {
		t.Fatalf("Apply: %v, want *scenarios.Error", err)
	}
	want := []string{"did you mean verifier.quality?", "rounds = 0 is out of range", "verifier.quality is set twice", `"nonsense": want KEY=VALUE`}
	if len(se.Problems) != len(want) {
		t.Errorf("%d problems, want %d:\n%v", len(se.Problems), len(want), se)
	}
	for _, w := range want {
		if !strings.Contains(se.Error(), w) {
			t.Errorf("problems lack %q:\n%v", w, se)
		}
	}
	if !strings.HasPrefix(se.Error(), "--set: ") {
		t.Errorf("problems do not name their source: %q", se.Error())
	}

	// A rule between values is Check's: Apply accepts it.
	s = defaultScenario(t)
	if err := s.Apply("--set", []string{"rounds=3"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Check("--set"); err == nil || !strings.Contains(err.Error(), "durable_rounds = 4 exceeds rounds = 3") {
		t.Errorf("Check after rounds=3: %v", err)
	}
}

// A clone shares nothing with its original: setting every parameter of the
// clone, policy parameters (held by pointer) included, leaves the original
// as it was, and the clone formats and parses back to itself.
func TestClone(t *testing.T) {
	t.Parallel()
	s := everyPolicy(t)
	before := scenarios.Format(s)
	c := s.Clone()
	changed := 0
	var names []string // renamed last: keys name elements by their names
	for _, p := range c.Parameters() {
		var v any
		switch p.Type {
		case scenarios.Number:
			if p.Plausible == nil {
				continue
			}
			v = p.Plausible.Hi
			if toFloat(p.Value) == v {
				v = p.Plausible.Lo
			}
		case scenarios.Integer:
			if p.Plausible == nil {
				continue
			}
			v = int(p.Plausible.Hi)
			if toFloat(p.Value) == p.Plausible.Hi {
				v = int(p.Plausible.Lo)
			}
		case scenarios.String:
			if !strings.HasSuffix(p.Key, ".name") || strings.HasPrefix(p.Key, "sectors[") {
				continue // sector names are referred to by ladders
			}
			names = append(names, p.Key)
			continue
		case scenarios.Choice:
			v = p.Choices[(slices.Index(p.Choices, p.Value.(string))+1)%len(p.Choices)]
		default:
			continue
		}
		if err := c.Set(p.Key, v); err != nil {
			t.Fatalf("Set(%s, %v): %v", p.Key, v, err)
		}
		changed++
	}
	for i, k := range names {
		if err := c.Set(k, fmt.Sprintf("renamed-%d", i)); err != nil {
			t.Fatalf("Set(%s): %v", k, err)
		}
	}
	if changed < 150 {
		t.Fatalf("changed only %d parameters", changed)
	}
	if after := scenarios.Format(s); string(after) != string(before) {
		t.Error("changing the clone changed the original")
	}
	if string(scenarios.Format(c)) == string(before) {
		t.Error("the clone did not change")
	}
	back, err := scenarios.Parse("clone.toml", scenarios.Format(c))
	if err != nil {
		t.Fatalf("the changed clone does not parse: %v", err)
	}
	if string(scenarios.Format(back)) != string(scenarios.Format(c)) {
		t.Error("the clone does not format and parse back to itself")
	}
}

// Parameters are listed by the keys that address them, and as JSON with
// the allowed range as an interval and the plausible range as two numbers.
func TestParameters(t *testing.T) {
	t.Parallel()
	s := defaultScenario(t)
	ps := s.Parameters()
	seen := map[string]bool{}
	for _, p := range ps {
		if seen[p.Key] {
			t.Errorf("%s listed twice", p.Key)
		}
		seen[p.Key] = true
		v, err := s.Get(p.Key)
		if err != nil {
			t.Errorf("Get(%s) of a listed key: %v", p.Key, err)
			continue
		}
		if !reflect.DeepEqual(v, p.Value) {
			t.Errorf("%s: listed %#v, Get %#v", p.Key, p.Value, v)
		}
	}
	for _, k := range []string{"verifier.quality", "coalition.members[lead-state].resolve", "policy.phased-snapback.tranches", "spoilers.factions[armed-group].strength"} {
		if !seen[k] {
			t.Errorf("%s not listed", k)
		}
	}
	p, err := s.Parameter("verifier.quality")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got["allowed"] != "[0,1]" || !reflect.DeepEqual(got["plausible"], []any{0.3, 0.95}) || got["value"] != 0.7 || got["type"] != "number" {
		t.Errorf("JSON of verifier.quality: %s", b)
	}
	b, err = json.Marshal(s.Parameters())
	if err != nil {
		t.Fatalf("JSON of every parameter: %v", err) // an infinite bound must not reach JSON as a number
	}
}

// Element names that read as indexes are not used in keys (a member named
// "1" once took the key of the member at index 1), and an index is a plain
// decimal number.
func TestNumericNames(t *testing.T) {
	t.Parallel()
	// Scenario files cannot give such names (the name rule refuses
	// numbers); a program can.
	s := defaultScenario(t)
	s.Coalition.Members = s.Coalition.Members[:2]
	s.Coalition.Members[0].Name, s.Coalition.Members[1].Name = "1", "0"
	for _, p := range s.Parameters() {
		if strings.HasPrefix(p.Key, "coalition.members[") && !strings.HasPrefix(p.Key, "coalition.members[0]") && !strings.HasPrefix(p.Key, "coalition.members[1]") {
			t.Errorf("listed %s", p.Key)
		}
	}
	if err := s.Set("coalition.members[1].resolve", 0.3); err != nil {
		t.Fatal(err)
	}
	if s.Coalition.Members[1].Resolve != 0.3 || s.Coalition.Members[0].Resolve == 0.3 {
		t.Errorf("members[1] set the wrong member: %+v", s.Coalition.Members)
	}
	for _, key := range []string{"coalition.members[01].resolve", "coalition.members[+1].resolve", "coalition.members[-1].resolve"} {
		if err := s.Set(key, 0.3); err == nil || !errors.Is(err, scenarios.ErrUnknownKey) {
			t.Errorf("Set(%s): %v, want an unknown key", key, err)
		}
	}
}

// A refused Set, SetText or Apply leaves the scenario as it was: no
// policy's defaults added, no earlier assignment kept.
func TestRefusedChangesNothing(t *testing.T) {
	t.Parallel()
	for name, change := range map[string]func(*scenarios.Scenario) error{
		"Set value":     func(s *scenarios.Scenario) error { return s.Set("policy.grit.step", 99.0) },
		"SetText value": func(s *scenarios.Scenario) error { return s.SetText("policy.grit.step", "garbage") },
		"Apply": func(s *scenarios.Scenario) error {
			return s.Apply("--set", []string{"policy.grit.step=0.07", "rounds=0"})
		},
		"Apply first": func(s *scenarios.Scenario) error {
			return s.Apply("--set", []string{"verifier.quality=0.1", "rounds=0"})
		},
	} {
		s := defaultScenario(t)
		before := scenarios.Format(s)
		if err := change(s); err == nil {
			t.Errorf("%s: accepted", name)
		}
		if _, ok := s.PolicyParams["grit"]; ok {
			t.Errorf("%s: a refused change added grit's parameters", name)
		}
		if string(scenarios.Format(s)) != string(before) || s.Verifier.Quality != 0.7 {
			t.Errorf("%s: a refused change changed the scenario", name)
		}
	}
}

// Set takes any Go number type, and says why a number is refused.
func TestSetNumberTypes(t *testing.T) {
	t.Parallel()
	type count int
	ok := []struct {
		key   string
		value any
		want  any
	}{
		{"rounds", uint32(5), 5},
		{"rounds", int8(7), 7},
		{"rounds", uint16(9), 9},
		{"rounds", count(11), 11},
		{"rounds", 12.0, 12},
		{"verifier.quality", float32(0.9), 0.9},
		{"verifier.quality", 1, 1.0},
		{"seed", uint64(1) << 62, uint64(1) << 62},
		{"seed", int64(3), uint64(3)},
	}
	for _, c := range ok {
		s := defaultScenario(t)
		if err := s.Set(c.key, c.value); err != nil {
			t.Errorf("Set(%s, %T %v): %v", c.key, c.value, c.value, err)
			continue
		}
		if got, _ := s.Get(c.key); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Set(%s, %T %v): got %#v, want %#v", c.key, c.value, c.value, got, c.want)
		}
	}
	bad := []struct {
		key   string
		value any
		want  string
	}{
		{"seed", float64(1 << 60), "too large to be held exactly"},
		{"seed", uint64(1) << 63, "out of range"},
		{"rounds", 12.5, "must be a whole number"},
		{"verifier.quality", int64(1) << 60, "too large to be held exactly"},
		{"verifier.quality", nil, "must be a number"},
	}
	for _, c := range bad {
		s := defaultScenario(t)
		if err := s.Set(c.key, c.value); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Set(%s, %v): %v, want %q", c.key, c.value, err, c.want)
		}
	}
}

// SetText refuses what it cannot read without guessing.
func TestSetTextRefuses(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ key, text, want string }{
		{"verifier.quality", "0.9#typo", "no comments"},
		{"verifier.quality", "0.9 # note", "no comments"},
		{"policies", "phased # c", "no comments"},
		{"name", `"unterminated`, "not a TOML value"},
		{"policies", `["phased",`, "not a TOML value"},
		{"policies", "phased,", "an empty string in the list"},
		{"policies", `""`, "must be a list of strings"},
	} {
		s := defaultScenario(t)
		if err := s.SetText(c.key, c.text); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("SetText(%s, %q): %v, want %q", c.key, c.text, err, c.want)
		}
	}
	// A string in quotes may hold a '#'.
	s := defaultScenario(t)
	if err := s.SetText("description", `"issue #12"`); err != nil || s.Description != "issue #12" {
		t.Errorf("a quoted # : %v, %q", err, s.Description)
	}
}

// One parameter named twice by different keys is refused, but an element
// may follow its list's [*].
func TestApplyAliases(t *testing.T) {
	t.Parallel()
	s := defaultScenario(t)
	err := s.Apply("--set", []string{"coalition.members[0].resolve=0.5", "coalition.members[lead-state].resolve=0.6"})
	if err == nil || !strings.Contains(err.Error(), "coalition.members[lead-state].resolve is set twice") {
		t.Errorf("aliases: %v", err)
	}
	if err := s.Apply("--set", []string{"coalition.members[*].resolve=0.5", "coalition.members[ally-1].resolve=0.7"}); err != nil {
		t.Fatal(err)
	}
	if s.Coalition.Members[0].Resolve != 0.5 || s.Coalition.Members[2].Resolve != 0.7 {
		t.Errorf("[*] then one element: %+v", s.Coalition.Members)
	}
}
