package scenarios

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tranche-sim/tranche/policy"
	"github.com/tranche-sim/tranche/sim"
)

// parsePolicies parses src and returns the resolved policy parameters.
func parsePolicies(t *testing.T, src string) *Scenario {
	t.Helper()
	s, err := Parse("test.toml", []byte(src))
	if err != nil {
		t.Fatalf("Parse:\n%s\nerror: %v", src, err)
	}
	return s
}

// Policy tables resolve to the right parameter types and values: what the
// file writes, defaults for the rest.
func TestPolicyTables(t *testing.T) {
	phased := policy.DefaultPhased()
	phased.Tranches, phased.Severity = 3, 0.5 // from the file; hold and milestones default
	snap := policy.DefaultPhasedSnapback()
	snap3 := snap
	snap3.Tranches = 3
	recip := policy.DefaultReciprocal()
	cases := []struct {
		name string
		src  string
		want map[string]sim.PolicyParams
	}{
		{"built-in with parameters", `
policies = ["phased", "reciprocal"]
[policy.phased]
tranches = 3
snapback_severity = 0.5
`, map[string]sim.PolicyParams{"phased": &phased, "reciprocal": &recip}},

		// Parameters of an embedded struct (reciprocal's gain inside
		// generous-reciprocal) are keys of the same table.
		{"built-in with embedded parameters", `
policies = ["generous-reciprocal"]
[policy.generous-reciprocal]
gain = 2.0
forgiveness = 0.5
`, map[string]sim.PolicyParams{"generous-reciprocal": &policy.GenerousParams{ReciprocalParams: policy.ReciprocalParams{Gain: 2}, Forgiveness: 0.5}}},

		// A new policy: base parameters from phased-snapback's defaults,
		// overridden by the table; modifiers in file order (innermost
		// first); modifier keys left out take the kind's defaults
		// (humanitarian-floor's 0.8). The base itself is untouched.
		{"variant with base and modifiers", `
policies = ["cautious", "phased-snapback"]
[policy.cautious]
base = "phased-snapback"
tranches = 3
[[policy.cautious.modifiers]]
kind = "confirm"
window = 3
[[policy.cautious.modifiers]]
kind = "humanitarian-floor"
[[policy.cautious.modifiers]]
kind = "forgive"
probability = 0.1
`, map[string]sim.PolicyParams{
			"cautious": &policy.Variant{Base: "phased-snapback", Params: &snap3, Modifiers: []policy.Modifier{
				&policy.Confirm{Window: 3}, &policy.HumanitarianFloor{Floor: 0.8}, &policy.Forgive{Probability: 0.1},
			}},
			"phased-snapback": &snap,
		}},

		// Modifiers on a built-in's own table make a Variant whose base
		// is the built-in itself.
		{"built-in with modifiers", `
policies = ["reciprocal"]
[policy.reciprocal]
gain = 2.0
[[policy.reciprocal.modifiers]]
kind = "tolerate"
reports = 3
[[policy.reciprocal.modifiers]]
kind = "wind-down"
`, map[string]sim.PolicyParams{"reciprocal": &policy.Variant{Base: "reciprocal", Params: &policy.ReciprocalParams{Gain: 2},
			Modifiers: []policy.Modifier{&policy.Tolerate{Reports: 3}, &policy.WindDown{Rounds: 2}}}}},

		// base = its own name is allowed and changes nothing.
		{"built-in naming itself as base", `
policies = ["reciprocal"]
[policy.reciprocal]
base = "reciprocal"
gain = 0.5
`, map[string]sim.PolicyParams{"reciprocal": &policy.ReciprocalParams{Gain: 0.5}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := parsePolicies(t, c.src)
			for name, want := range c.want {
				if got := s.PolicyParams[name]; !reflect.DeepEqual(got, want) {
					t.Errorf("%s: got %+v, want %+v", name, describe(got), describe(want))
				}
			}
			for i, p := range s.Study() {
				if p == nil || p.NewPolicy() == nil {
					t.Errorf("policy %d (%s) makes no policy", i, s.Policies[i])
				}
			}
		})
	}
}

// describe spells out parameters, a Variant's parts included, for
// failure messages.
func describe(p sim.PolicyParams) any {
	deref := func(x any) any {
		if v := reflect.ValueOf(x); v.Kind() == reflect.Pointer && !v.IsNil() {
			return v.Elem().Interface()
		}
		return x
	}
	v, ok := p.(*policy.Variant)
	if !ok {
		return deref(p)
	}
	var mods []any
	for _, m := range v.Modifiers {
		mods = append(mods, deref(m))
	}
	return struct {
		Base      string
		Params    any
		Modifiers []any
	}{v.Base, deref(v.Params), mods}
}

// A ladder's stages get the Stage element defaults for every key they
// leave out, not the values of the default ladder's stage at the same
// index (the TOML decoder decodes into the default ladder's elements).
func TestLadderStageDefaults(t *testing.T) {
	src := `
policies = ["steps", "ladder"]
[policy.steps]
base = "ladder"

[[policy.steps.stages]]
sectors = ["humanitarian_goods"]
relief = 0.5
min_compliance = 0.3

[[policy.steps.stages]]
name = "travel"
sectors = ["travel"]
coverage = 0.9
hold = 3
quiet_rounds = 2

[[policy.steps.stages]]
sectors = ["energy", "finance"]
on_backsliding = "step-back"
step_back = 2
min_cohesion = 0.6
`
	s := parsePolicies(t, src)
	v, ok := s.PolicyParams["steps"].(*policy.Variant)
	if !ok {
		t.Fatalf("steps: %T, want *policy.Variant", s.PolicyParams["steps"])
	}
	if v.Base != "ladder" || len(v.Modifiers) != 0 {
		t.Errorf("steps: base %q modifiers %v, want ladder and none", v.Base, v.Modifiers)
	}
	// Element defaults: relief 1, coverage -1, min_compliance 0.5, hold 2,
	// quiet 0, cohesion 0, on_backsliding "hold", step_back 1, name "".
	// The default ladder's stages at the same indexes have name
	// "humanitarian", coverage 0.8, on_backsliding "step-back" and
	// min_compliance 0.7, and there are four of them.
	want := &policy.LadderParams{Stages: []policy.Stage{
		{Sectors: []string{"humanitarian_goods"}, Relief: 0.5, Coverage: -1, MinCompliance: 0.3, Hold: 2, OnBacksliding: "hold", StepBack: 1},
		{Name: "travel", Sectors: []string{"travel"}, Relief: 1, Coverage: 0.9, MinCompliance: 0.5, Hold: 3, Quiet: 2, OnBacksliding: "hold", StepBack: 1},
		{Sectors: []string{"energy", "finance"}, Relief: 1, Coverage: -1, MinCompliance: 0.5, Hold: 2, MinCohesion: 0.6, OnBacksliding: "step-back", StepBack: 2},
	}}
	if !reflect.DeepEqual(v.Params, want) {
		t.Errorf("stages:\n got %+v\nwant %+v", v.Params, want)
	}
	// The built-in named directly, without a table, keeps the default
	// ladder.
	d := policy.DefaultLadder()
	if !reflect.DeepEqual(s.PolicyParams["ladder"], &d) {
		t.Errorf("ladder: %+v, want the default ladder", s.PolicyParams["ladder"])
	}

	// The built-in's own table with one stage replaces the default
	// ladder's four.
	s = parsePolicies(t, "policies = [\"ladder\"]\n[[policy.ladder.stages]]\nsectors = [\"trade\"]\n")
	want = &policy.LadderParams{Stages: []policy.Stage{
		{Sectors: []string{"trade"}, Relief: 1, Coverage: -1, MinCompliance: 0.5, Hold: 2, OnBacksliding: "hold", StepBack: 1},
	}}
	if !reflect.DeepEqual(s.PolicyParams["ladder"], want) {
		t.Errorf("ladder with one stage: %+v, want %+v", s.PolicyParams["ladder"], want)
	}
}

// roundTrip checks that Parse(Format(s)) gives s back and that formatting
// is stable.
func roundTrip(t *testing.T, s *Scenario) {
	t.Helper()
	text := Format(s)
	back, err := Parse("resolved.toml", text)
	if err != nil {
		t.Fatalf("resolved TOML does not parse: %v\n%s", err, text)
	}
	if !reflect.DeepEqual(back, s) {
		for name, p := range s.PolicyParams {
			if !reflect.DeepEqual(back.PolicyParams[name], p) {
				t.Errorf("round trip changed policy %s:\n got %+v\nwant %+v", name, describe(back.PolicyParams[name]), describe(p))
			}
		}
		t.Fatalf("round trip changed the scenario\n%s", text)
	}
	if again := Format(back); string(again) != string(text) {
		t.Errorf("formatting is not stable")
	}
}

// Scenarios with variants, modifiers and ladders survive Format and Parse.
func TestPolicyFormatRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []string // in the formatted text
	}{
		{"variant and ladder", `
name = "mixed"
policies = ["cautious", "steps", "reciprocal", "phased"]
[policy.phased]
tranches = 5
[policy.cautious]
base = "phased-snapback"
tranches = 3
[[policy.cautious.modifiers]]
kind = "confirm"
window = 3
[[policy.cautious.modifiers]]
kind = "humanitarian-floor"
floor = 0.7
[policy.reciprocal]
[[policy.reciprocal.modifiers]]
kind = "forgive"
[policy.steps]
base = "ladder"
[[policy.steps.stages]]
name = "first"
sectors = ["humanitarian_goods"]
coverage = 0.9
[[policy.steps.stages]]
sectors = ["travel", "trade"]
on_backsliding = "step-back"
quiet_rounds = 2
`, []string{`[policy.cautious]`, `base = "phased-snapback"`, `kind = "confirm"`, `kind = "humanitarian-floor"`,
			`base = "ladder"`, `[[policy.steps.stages]]`, `[[policy.reciprocal.modifiers]]`}},
		// A built-in's own table with modifiers must not gain a base key.
		{"built-in with modifiers", `
policies = ["reciprocal"]
[policy.reciprocal]
[[policy.reciprocal.modifiers]]
kind = "tolerate"
`, []string{`kind = "tolerate"`}},
		// The default ladder, written out in full.
		{"default ladder", "policies = [\"ladder\"]\n", []string{`[[policy.ladder.stages]]`, `sectors = ["travel", "trade"]`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := parsePolicies(t, c.src)
			text := string(Format(s))
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("formatted text lacks %q", w)
				}
			}
			if c.name == "built-in with modifiers" && strings.Contains(text, `base = "reciprocal"`) {
				t.Errorf("a built-in's table was written with a base key")
			}
			roundTrip(t, s)
		})
	}
}

// A stage with no sectors (it only opens exemptions) survives Format and
// Parse too.
func TestCoverageOnlyStageRoundTrip(t *testing.T) {
	s := parsePolicies(t, `
policies = ["steps"]
[policy.steps]
base = "ladder"
[[policy.steps.stages]]
coverage = 1.0
[[policy.steps.stages]]
sectors = ["energy"]
`)
	roundTrip(t, s)
}

// Bad policy tables get a message naming the file, the line and the key.
func TestBadPolicyInput(t *testing.T) {
	cases := []struct {
		name string
		src  string
		line int
		want []string
	}{
		{"unknown modifier kind", "policies = [\"reciprocal\"]\n[policy.reciprocal]\ngain = 1.0\n[[policy.reciprocal.modifiers]]\nkind = \"pardon\"\n", 5,
			[]string{"test.toml:5", "policy.reciprocal.modifiers[0].kind", `unknown modifier kind "pardon"`, "confirm, forgive, humanitarian-floor, tolerate, wind-down"}},
		{"misspelt choice", "[policy.ladder]\n[[policy.ladder.stages]]\nsectors = [\"finance\"]\non_backsliding = \"stepback\"\n", 4,
			[]string{"test.toml:4", `policy.ladder.stages[0].on_backsliding = "stepback" (did you mean step-back?): allowed values are hold, step-back, snapback`}},
		{"modifier without kind", "[policy.reciprocal]\n[[policy.reciprocal.modifiers]]\nreports = 2\n", 2,
			[]string{"test.toml:2", "policy.reciprocal.modifiers[0].kind", `unknown modifier kind ""`}},
		{"modifier parameter out of range", "policies = [\"cautious\"]\n[policy.cautious]\nbase = \"phased-snapback\"\n[[policy.cautious.modifiers]]\nkind = \"confirm\"\n[[policy.cautious.modifiers]]\nkind = \"forgive\"\nprobability = 1.5\n", 8,
			[]string{"test.toml:8", "policy.cautious.modifiers[1].probability = 1.5", "allowed [0,1]"}},
		{"unknown modifier parameter", "[policy.reciprocal]\n[[policy.reciprocal.modifiers]]\nkind = \"confirm\"\nwindw = 3\n", 4,
			[]string{"test.toml:4", "unknown key policy.reciprocal.modifiers[0].windw"}},
		{"variant parameter out of range", "[policy.cautious]\nbase = \"phased\"\ntranches = 0\n", 3,
			[]string{"test.toml:3", "policy.cautious.tranches = 0", "allowed [1,100]"}},
		{"unknown base", "[policy.mine]\nbase = \"tit-for-tat\"\n", 2,
			[]string{"test.toml:2", `policy.mine.base = "tit-for-tat": unknown policy`, "tit-for-two-tats"}},
		{"base on a built-in naming another", "[policy.phased]\nbase = \"reciprocal\"\ntranches = 3\n", 2,
			[]string{"test.toml:2", "policy.phased.base", "phased is a built-in policy", `"reciprocal"`}},
		{"new policy without base", "\n[policy.mine]\ntranches = 3\n", 2,
			[]string{"test.toml:2", "[policy.mine]", `unknown policy "mine"`, "give base ="}},
		{"ladder with no stages", "[policy.steps]\nbase = \"ladder\"\nstages = []\n", 3,
			[]string{"test.toml:3", "policy.steps.stages", "no stages"}},
		{"stage with unknown sector", "[policy.steps]\nbase = \"ladder\"\n[[policy.steps.stages]]\nsectors = [\"travel\"]\n[[policy.steps.stages]]\nsectors = [\"oil\"]\n", 6,
			[]string{"test.toml:6", "policy.steps.stages[1].sectors", `unknown sector "oil"`, "humanitarian_goods, finance, energy, trade, travel"}},
		{"duplicate sector in a stage", "[policy.steps]\nbase = \"ladder\"\n[[policy.steps.stages]]\nname = \"x\"\nsectors = [\"energy\", \"energy\"]\n", 5,
			[]string{"test.toml:5", "policy.steps.stages[0].sectors", `"energy" is listed twice`}},
		{"on_backsliding = explode", "[policy.steps]\nbase = \"ladder\"\n[[policy.steps.stages]]\nsectors = [\"energy\"]\non_backsliding = \"explode\"\n", 5,
			[]string{"test.toml:5", `policy.steps.stages[0].on_backsliding = "explode"`, "hold, step-back, snapback"}},
		{"stage hold longer than rounds", "rounds = 8\n[policy.steps]\nbase = \"ladder\"\n[[policy.steps.stages]]\nsectors = [\"energy\"]\nhold = 9\n", 6,
			[]string{"test.toml:6", "policy.steps.stages[0].hold", "9", "8 rounds"}},
		{"stage out of range", "[policy.steps]\nbase = \"ladder\"\n[[policy.steps.stages]]\nsectors = [\"energy\"]\nrelief = 1.5\n", 5,
			[]string{"test.toml:5", "policy.steps.stages[0].relief = 1.5", "allowed [0,1]"}},
		{"stage releasing nothing", "[policy.steps]\nbase = \"ladder\"\n[[policy.steps.stages]]\nname = \"empty\"\n", 3,
			[]string{"test.toml:3", "policy.steps.stages[0]", "releases nothing"}},
		{"unknown key inside a stage", "[policy.steps]\nbase = \"ladder\"\n[[policy.steps.stages]]\nsectors = [\"energy\"]\nholdd = 3\n", 5,
			[]string{"test.toml:5", "unknown key policy.steps.stages[0].holdd"}},
		{"undefined policy listed", "policies = [\"phased\", \"mine\"]\n[policy.phased]\ntranches = 3\n", 1,
			[]string{"test.toml:1", `unknown policy "mine"`, "[policy.mine]", "base ="}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkParseErr(t, c.src, c.line, c.want)
		})
	}
}

// An unknown key in a built-in policy's table, including inside a
// ladder's stages, comes with the closest known key, as unknown keys in
// the model's tables do.
func TestPolicyKeySuggestions(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"built-in parameter", "[policy.phased]\nholdd = 2\n", "did you mean policy.phased.hold?"},
		{"stage key of the built-in ladder", "[policy.ladder]\n[[policy.ladder.stages]]\nsectors = [\"energy\"]\nholdd = 3\n",
			"did you mean policy.ladder.stages[0].hold?"},
		{"parameter of a new policy", "policies = [\"mine\"]\n[policy.mine]\nbase = \"phased-snapback\"\ntranchs = 3\n",
			"did you mean policy.mine.tranches?"},
		{"modifier parameter", "[policy.phased]\n[[policy.phased.modifiers]]\nkind = \"confirm\"\nwindw = 3\n",
			"did you mean policy.phased.modifiers[0].window?"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if msg := parseErr(t, c.src).Error(); !strings.Contains(msg, c.want) {
				t.Errorf("message %q does not contain %q", msg, c.want)
			}
		})
	}
}
