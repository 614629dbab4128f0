package scenarios

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/tranche-sim/tranche/sim"
)

func parseErr(t *testing.T, src string) *Error {
	t.Helper()
	_, err := Parse("test.toml", []byte(src))
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Parse(%q): error %v, want *Error", src, err)
	}
	return e
}

// checkParseErr checks that src fails to parse with a message containing
// every string in want and, if line > 0, that the first problem is on line.
func checkParseErr(t *testing.T, src string, line int, want []string) {
	t.Helper()
	e := parseErr(t, src)
	msg := e.Error()
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("message %q does not contain %q", msg, w)
		}
	}
	if line > 0 && e.Problems[0].Line != line {
		t.Errorf("line %d, want %d (message %q)", e.Problems[0].Line, line, msg)
	}
}

// Each bad input gets a message that names the file, the line, the key, the
// value and what is allowed.
func TestBadInput(t *testing.T) {
	cases := []struct {
		name string
		src  string
		line int
		want []string
	}{
		{"malformed TOML", "name = \"x\"\nrounds = = 3\n", 2, []string{"test.toml:2", "malformed TOML"}},
		{"unknown top-level key", "name = \"x\"\nrondus = 30\n", 2, []string{"test.toml:2", "unknown key rondus", "did you mean rounds?"}},
		{"unknown key in a table", "[target]\ncommitmnet_alpha = 2.0\n", 2, []string{"test.toml:2", "unknown key target.commitmnet_alpha", "did you mean target.commitment_alpha?"}},
		{"unknown key in an array of tables", "[[sectors]]\nname = \"a\"\nweight = 1.0\n[[sectors]]\nname = \"b\"\nweight = 1.0\nwieght = 2.0\n", 7, []string{"test.toml:7", "unknown key sectors[1].wieght (did you mean sectors[1].weight?)"}},
		{"probability above 1", "[verifier]\nquality = 1.5\n", 2, []string{"test.toml:2", "verifier.quality = 1.5", "allowed [0,1]"}},
		{"negative probability", "\n\n[civil_society]\noversight = -0.1\n", 4, []string{"test.toml:4", "civil_society.oversight = -0.1", "allowed [0,1]"}},
		{"NaN", "[target]\nnoise = nan\n", 2, []string{"test.toml:2", "target.noise = NaN", "allowed (0,10]"}},
		{"infinity", "[economy]\npain = inf\n", 2, []string{"target", "economy.pain = +Inf"}[1:]},
		{"zero rounds", "rounds = 0\n", 1, []string{"test.toml:1", "rounds = 0", "allowed [1,10000]"}},
		{"absurd replications", "replications = 1000000000000\n", 1, []string{"test.toml:1", "replications = 1000000000000", "allowed [1,100000000]"}},
		{"negative count", "[outcomes]\ndurable_rounds = -2\n", 2, []string{"test.toml:2", "outcomes.durable_rounds = -2"}},
		{"string for a whole number", "rounds = \"forty\"\n", 1, []string{"test.toml:1", `rounds = "forty": must be a whole number in [1,10000]`}},
		{"fraction for a whole number", "rounds = 40.5\n", 1, []string{"test.toml:1", "rounds = 40.5: must be a whole number"}},
		{"string for a number", "[target]\nstep = \"x\" # comment\n", 2, []string{"test.toml:2", `target.step = "x": must be a number in (0,1]`, "(implementation gained"}},
		{"bool for a whole number", "[verifier]\nlag = true\n", 2, []string{"test.toml:2", "verifier.lag = true: must be a whole number in [0,15]"}},
		{"string for a list", "policies = \"phased\"\n", 1, []string{"test.toml:1", `policies = "phased": must be a list of strings`}},
		{"number for a string", "name = 3\n", 1, []string{"test.toml:1", "name = 3: must be a string"}},
		{"wrong type in an array of tables", "[[coalition.members]]\nname = \"a\"\nweight = 1.0\n[[coalition.members]]\nname = \"b\"\nweight = \"x\"\n", 6, []string{"test.toml:6", `coalition.members[1].weight = "x": must be a number in (0,inf)`}},
		{"list for a number", "[target]\nstep = [\n 1,\n]\n", 2, []string{"test.toml:2", "target.step = [ …: must be a number in (0,1]"}},
		{"number in a list of strings", "policies = [\n  \"phased\",\n  3,\n]\n", 1, []string{"test.toml:1", "policies = [ …: must be a list of strings"}},
		{"wrong type in a policy", "[policy.phased]\ntranches = \"four\"\n", 2, []string{"test.toml:2", `policy.phased.tranches = "four": must be a whole number in [1,100]`}},
		{"wrong type in a modifier", "[[policy.phased.modifiers]]\nkind = \"forgive\"\nprobability = 0.2\n[[policy.phased.modifiers]]\nkind = \"wind-down\"\nrounds = \"two\"\n", 6, []string{"test.toml:6", `policy.phased.modifiers[1].rounds = "two": must be a whole number in [1,100]`}},
		{"value in an array of tables", "[coalition]\n[[coalition.members]]\nname = \"a\"\nweight = 1.0\n[[coalition.members]]\nname = \"b\"\nweight = 1.0\nresolve = 2.0\n", 8, []string{"test.toml:8", "coalition.members[1].resolve = 2", "allowed [0,1]"}},
		{"missing required key", "[[sectors]]\nname = \"a\"\n", 1, []string{"test.toml:1", "sectors[0].weight is required"}},
		{"unknown policy in list", "policies = [\"phased\", \"nope\"]\n", 1, []string{"test.toml:1", `unknown policy "nope"`, "big-bang"}},
		{"empty policy list", "policies = []\n", 1, []string{"test.toml:1", "policies is empty"}},
		{"duplicate policy", "policies = [\"phased\", \"phased\"]\n", 1, []string{`"phased" is listed twice`}},
		{"unknown policy table", "[policy.nope]\nx = 1\n", 1, []string{"test.toml:1", "[policy.nope]: unknown policy"}},
		{"unknown policy parameter", "[policy.phased]\ntranches = 3\nholdd = 2\n", 3, []string{"test.toml:3", "unknown key policy.phased.holdd", "did you mean policy.phased.hold?"}},
		{"policy parameter out of range", "[policy.phased]\ntranches = 0\n", 2, []string{"test.toml:2", "policy.phased.tranches = 0", "allowed [1,100]"}},
		{"trade links above 1", "[neighbours]\n[[neighbours.states]]\nname = \"a\"\ntrade_link = 0.7\n[[neighbours.states]]\nname = \"b\"\ntrade_link = 0.6\n", 0, []string{"trade links sum to 1.3"}},
		{"durable rounds beyond horizon", "rounds = 3\n", 0, []string{"outcomes.durable_rounds = 4 exceeds rounds = 3"}},
		{"duplicate sector", "[[sectors]]\nname = \"a\"\nweight = 1.0\n[[sectors]]\nname = \"a\"\nweight = 1.0\n", 5, []string{"test.toml:5", "sector names must be unique"}},
		{"parameter of another modifier kind", "[policy.soft]\nbase = \"phased\"\n[[policy.soft.modifiers]]\nkind = \"forgive\"\nfloor = 0.5\n", 5, []string{"test.toml:5", "unknown key policy.soft.modifiers[0].floor (a parameter of the humanitarian-floor modifier, not of this table's kind)"}},
		{"unknown modifier kind, and its parameter", "[policy.soft]\nbase = \"phased\"\n[[policy.soft.modifiers]]\nkind = \"humanitarian-flor\"\nfloor = 0.5\n", 4, []string{"test.toml:4", `unknown modifier kind "humanitarian-flor"`}},
		{"sector weights summing to infinity", "[[sectors]]\nname = \"a\"\nweight = 1e308\n[[sectors]]\nname = \"b\"\nweight = 1e308\n", 0, []string{"sectors: weights sum beyond the largest number"}},
		{"member weights summing to infinity", "[[coalition.members]]\nname = \"a\"\nweight = 1e308\n[[coalition.members]]\nname = \"b\"\nweight = 1e308\n", 0, []string{"coalition.members: weights sum beyond the largest number"}},
		{"member key in the coalition table", "[coalition]\nresolve = 0.7\n", 2, []string{"test.toml:2", "unknown key coalition.resolve (resolve is a key of [[coalition.members]])"}},
		{"misspelt table", "[verfier]\nquality = 0.5\n", 1, []string{"test.toml:1", "unknown key verfier (did you mean verifier?)"}},
		{"misspelt policy table", "[policy.phased-snapbak]\nhold = 2\n", 1, []string{"test.toml:1", `unknown policy "phased-snapbak" (did you mean phased-snapback?)`}},
		{"misspelt policy in the list", "policies = [\"reciprocl\"]\n", 1, []string{`unknown policy "reciprocl" (did you mean reciprocal?)`}},
		{"negative seed", "name = \"x\"\nseed = -1\n", 2, []string{"test.toml:2", "seed = -1 is out of range: allowed [0, 9223372036854775807]"}},
		{"name climbing out of the results folder", "name = \"../evil\"\n", 1, []string{"test.toml:1", `name = "../evil": use 1 to 64 letters`}},
		{"name with a folder", "name = \"a/b\"\n", 1, []string{"test.toml:1", `name = "a/b"`}},
		{"empty name", "name = \"\"\n", 1, []string{"test.toml:1", `name = ""`}},
		// Messages in words, never a Go type's name or the decoder's own
		// text: these once said "type mismatch for agents.TargetParams",
		// named scenarios.policyHead, said "destination has type slice", or
		// were silently ignored (policy = 3).
		{"a number for a table", "target = 5\n", 1, []string{"test.toml:1", "target = 5: must be a table, written [target]"}},
		{"a number for a policy's table", "[policy]\nphased = 3\n", 2, []string{"test.toml:2", "policy.phased = 3: must be a table of the policy's parameters, written [policy.phased]"}},
		{"modifiers as a table", "[policy.mine]\nbase = \"phased\"\n[policy.mine.modifiers]\nkind = \"forgive\"\n", 3, []string{"test.toml:3", "policy.mine.modifiers: must be a list of modifier tables, each written [[policy.mine.modifiers]]"}},
		{"a number for the policy tables", "policy = 3\n", 1, []string{"test.toml:1", "policy = 3: must be tables of policies' parameters, written [policy.NAME]"}},
		{"a table for a number", "[verifier]\nquality = {a = 1}\n", 2, []string{"test.toml:2", "verifier.quality = {a = 1}: must be a number in [0,1]"}},
		{"a date for a number", "[verifier]\nquality = 1979-05-27\n", 2, []string{"test.toml:2", "verifier.quality = 1979-05-27: must be a number in [0,1]"}},
		{"a list for a table", "verifier = [1, 2]\n", 1, []string{"test.toml:1", "verifier = [1, 2]: must be a table, written [verifier]"}},
		{"a table for a list of tables", "[sectors]\nname = \"x\"\n", 1, []string{"test.toml:1", "sectors = …: must be a list of tables, written [[sectors]]"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkParseErr(t, c.src, c.line, c.want)
		})
	}
}

// Everything wrong is reported at once, in file order.
func TestAllProblemsReported(t *testing.T) {
	e := parseErr(t, "[verifier]\nquality = 2.0\naccess = -1.0\n[target]\nnoise = 0.0\n")
	if len(e.Problems) != 3 {
		t.Fatalf("%d problems, want 3: %v", len(e.Problems), e)
	}
	for i, want := range []int{2, 3, 5} {
		if e.Problems[i].Line != want {
			t.Errorf("problem %d on line %d, want %d", i, e.Problems[i].Line, want)
		}
	}
}

func TestDefaultsFillWhatTheFileLeavesOut(t *testing.T) {
	s, err := Parse("t.toml", []byte("rounds = 12\n[target]\nnoise = 0.5\n[[coalition.members]]\nname = \"solo\"\nweight = 2.0\n"))
	if err != nil {
		t.Fatal(err)
	}
	d := Default()
	if s.Rounds != 12 || s.Target.Noise != 0.5 {
		t.Errorf("values from the file not taken: rounds %d noise %v", s.Rounds, s.Target.Noise)
	}
	if s.Target.PainWeight != d.Target.PainWeight || s.Verifier != d.Verifier || s.Replications != d.Replications {
		t.Error("values the file leaves out did not keep their defaults")
	}
	if len(s.Coalition.Members) != 1 {
		t.Fatalf("%d members, want the file's 1", len(s.Coalition.Members))
	}
	m := s.Coalition.Members[0]
	if m.Resolve != 0.6 || m.Fatigue != 0.2 {
		t.Errorf("new member's missing keys: resolve %v fatigue %v, want the element defaults 0.6 and 0.2", m.Resolve, m.Fatigue)
	}
}

// Every field of an element of an array of tables has a default or is
// required: otherwise a user's new element would silently get zero.
func TestElementFieldsHaveDefaults(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeOf(sim.Sector{}), reflect.TypeOf(Default().Coalition.Members[0]),
		reflect.TypeOf(Default().Neighbours.States[0]), reflect.TypeOf(Default().Spoilers.Factions[0])} {
		for i := range typ.NumField() {
			f := typ.Field(i)
			if f.Tag.Get("default") == "" && f.Tag.Get("required") != "true" {
				t.Errorf("%s.%s has neither a default nor required tag", typ.Name(), f.Name)
			}
		}
	}
}

// Every parameter is documented and every number has a range.
func TestEveryParameterDocumented(t *testing.T) {
	walk("", reflect.ValueOf(Default()).Elem(), func(f Field) {
		if f.Tag.Get("doc") == "" {
			t.Errorf("%s has no doc tag", f.Key)
		}
		k := f.Value.Kind()
		if (k == reflect.Float64 || k == reflect.Int) && f.Tag.Get("range") == "" {
			t.Errorf("%s has no range tag", f.Key)
		}
		if (k == reflect.Float64 || k == reflect.Int) && f.Tag.Get("why") == "" {
			t.Errorf("%s has no why tag (the rationale of its default)", f.Key)
		}
	})
}

// Format writes every value so that parsing gives the scenario back.
func TestFormatRoundTrip(t *testing.T) {
	for _, name := range Names() {
		s, err := Get(name)
		if err != nil {
			t.Fatal(err)
		}
		text := Format(s)
		back, err := Parse(name+"-resolved.toml", text)
		if err != nil {
			t.Fatalf("%s: resolved TOML does not parse: %v\n%s", name, err, text)
		}
		if !reflect.DeepEqual(back, s) {
			t.Errorf("%s: round trip changed the scenario", name)
		}
		if string(Format(back)) != string(text) {
			t.Errorf("%s: formatting is not stable", name)
		}
	}
}

func TestBundledScenarios(t *testing.T) {
	list, err := List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) < 4 || list[0].Name != "default" {
		t.Fatalf("bundled scenarios %v: want default first and at least three variants", Names())
	}
	for _, b := range list {
		if !strings.HasPrefix(string(b.Source), "#") {
			t.Errorf("%s: no comment block saying what it represents", b.Name)
		}
		if b.Summary == "" {
			t.Errorf("%s: no description", b.Name)
		}
	}
	// The default scenario file adds metadata only: its model is the code's.
	s, err := Get("default")
	if err != nil {
		t.Fatal(err)
	}
	d := Default()
	if !reflect.DeepEqual(s.Params, d.Params) || !reflect.DeepEqual(s.Policies, d.Policies) {
		t.Error("bundled default.toml and Default() disagree")
	}
}

// valueText returns the value as written, without a trailing comment but
// with a # inside a string.
func TestValueText(t *testing.T) {
	text := "a = 1\nb = \"x # y\" # note\nc = 2.5 # note\n[table]\nd =\ne = 'q'\nf = [1, 2 # more below\n 3]\n"
	for _, c := range []struct {
		line int
		want string
	}{
		{1, "1"}, {2, `"x # y"`}, {3, "2.5"}, {4, ""}, {5, ""}, {6, "'q'"}, {7, "[1, 2 …"}, {0, ""}, {99, ""},
	} {
		if got := valueText(text, c.line); got != c.want {
			t.Errorf("line %d: got %q, want %q", c.line, got, c.want)
		}
	}
}

// A seed above 2^63-1 (possible from the command line) could not be written
// back to the results folder's scenario.toml, whose integers are signed.
func TestSeedMustFitTOML(t *testing.T) {
	for _, c := range []struct {
		seed uint64
		ok   bool
	}{{0, true}, {math.MaxInt64, true}, {math.MaxInt64 + 1, false}, {math.MaxUint64, false}} {
		s := Default()
		s.Seed = c.seed
		err := s.Check("command line")
		if (err == nil) != c.ok {
			t.Errorf("seed %d: error %v, want ok = %v", c.seed, err, c.ok)
		}
		if err != nil && !strings.Contains(err.Error(), fmt.Sprintf("seed = %d is out of range", c.seed)) {
			t.Errorf("seed %d: error %q does not name the seed", c.seed, err)
		}
	}
}

// A file without a name is named after itself, made safe as a folder name.
func TestFolderName(t *testing.T) {
	for _, c := range []struct{ base, want string }{
		{"study", "study"},
		{"my study v2", "my-study-v2"},
		{"..hidden", "hidden"},
		{"étude", "tude"},
		{"...", "scenario"},
		{strings.Repeat("a", 80), strings.Repeat("a", 64)},
	} {
		got := folderName(c.base)
		if got != c.want {
			t.Errorf("folderName(%q) = %q, want %q", c.base, got, c.want)
		}
		if !validName.MatchString(got) {
			t.Errorf("folderName(%q) = %q is not a valid name", c.base, got)
		}
	}
}

// A modifier of unknown kind is reported once: its parameters depend on the
// kind, so they are not reported as unknown keys too.
func TestUnknownModifierKindReportedOnce(t *testing.T) {
	e := parseErr(t, "[policy.soft]\nbase = \"phased\"\n[[policy.soft.modifiers]]\nkind = \"humanitarian-flor\"\nfloor = 0.5\n")
	if len(e.Problems) != 1 {
		t.Errorf("%d problems, want 1: %v", len(e.Problems), e)
	}
}

// A misspelt table is reported once, not again for each of its keys.
func TestUnknownTableReportedOnce(t *testing.T) {
	for _, src := range []string{
		"[verfier]\nquality = 0.5\naccess = 0.2\n",
		"[verfier.sub]\nx = 1\n[verfier.sub.deeper]\ny = 2\n",
	} {
		if e := parseErr(t, src); len(e.Problems) != 1 {
			t.Errorf("%q: %d problems, want 1: %v", src, len(e.Problems), e)
		}
	}
}

// Every problem of a file is reported in one pass, each where it is: the
// modifiers after one of unknown kind keep their own index and line, and
// rules between values (unique names, trade links) are checked alongside
// the ranges, not only once those are fixed.
func TestEveryProblemAtOnce(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []string // substrings of the message, in file order
		n    int      // problems
	}{
		{"modifiers after an unknown kind",
			"[policy.mine]\nbase = \"phased\"\n[[policy.mine.modifiers]]\nkind = \"forgiv\"\n[[policy.mine.modifiers]]\nkind = \"confirm\"\nwindw = 3\n[[policy.mine.modifiers]]\nkind = \"humanitarian-floor\"\nfloor = 1.5\n",
			[]string{`test.toml:4: policy.mine.modifiers[0].kind: unknown modifier kind "forgiv"`, "(did you mean forgive?)",
				"test.toml:7: unknown key policy.mine.modifiers[1].windw (did you mean policy.mine.modifiers[1].window?)",
				"test.toml:10: policy.mine.modifiers[2].floor = 1.5 is out of range"}, 3},
		{"ranges and rules together",
			"replications = 0\n[[sectors]]\nname = \"oil\"\nweight = -1.0\n[[sectors]]\nname = \"oil\"\nweight = 1.0\n[neighbours]\n[[neighbours.states]]\nname = \"a\"\ntrade_link = 0.7\n[[neighbours.states]]\nname = \"b\"\ntrade_link = 0.7\n",
			[]string{"test.toml:1: replications = 0", "test.toml:4: sectors[0].weight = -1", `test.toml:6: sectors[1].name = "oil": sector names must be unique`, "trade links sum to 1.4"}, 4},
		{"the same mistake in two elements",
			"[[sectors]]\nname = \"a\"\nweight = 1.0\nwieght = 2.0\n[[sectors]]\nname = \"b\"\nweight = 1.0\n[[sectors]]\nname = \"c\"\nweight = 1.0\nwieght = 2.0\n",
			[]string{"test.toml:4: unknown key sectors[0].wieght (did you mean sectors[0].weight?)", "test.toml:11: unknown key sectors[2].wieght (did you mean sectors[2].weight?)"}, 2},
		{"a stray key after a modifier of unknown kind",
			"[policy.mine]\nbase = \"phased\"\n[[policy.mine.modifiers]]\nkind = \"windw\"\nrounds = 2\n[[policy.mine.modifiers]]\nkind = \"humanitarian-floor\"\nrounds = 3\n",
			[]string{`test.toml:4: policy.mine.modifiers[0].kind: unknown modifier kind "windw"`, "test.toml:8: unknown key policy.mine.modifiers[1].rounds (a parameter of the wind-down modifier"}, 2},
		{"a stray key before a modifier of unknown kind",
			"[policy.mine]\nbase = \"phased\"\n[[policy.mine.modifiers]]\nkind = \"humanitarian-floor\"\nrounds = 3\n[[policy.mine.modifiers]]\nkind = \"windw\"\nrounds = 2\n",
			[]string{"test.toml:5: unknown key policy.mine.modifiers[0].rounds", `test.toml:7: policy.mine.modifiers[1].kind: unknown modifier kind "windw"`}, 2},
		{"an out-of-range value is not reported again by a rule that reads it",
			"rounds = 40\n[outcomes]\ndurable_rounds = 2000\n[[sectors]]\nname = \"a\"\nweight = inf\n[neighbours]\n[[neighbours.states]]\nname = \"x\"\ntrade_link = 5.0\n",
			[]string{"test.toml:3: outcomes.durable_rounds = 2000 is out of range", "test.toml:6: sectors[0].weight = +Inf is out of range", "test.toml:10: neighbours.states[0].trade_link = 5 is out of range"}, 3},
		{"misspelt base",
			"policies = [\"mine\"]\n[policy.mine]\nbase = \"phased-snapbak\"\n[[policy.mine.modifiers]]\nkind = \"forgive\"\nprobability = 2.0\n",
			[]string{`test.toml:3: policy.mine.base = "phased-snapbak": unknown policy (did you mean phased-snapback?)`, "test.toml:6: policy.mine.modifiers[0].probability = 2 is out of range"}, 2},
	}
	for _, c := range cases {
		e := parseErr(t, c.src)
		msg := e.Error()
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: message lacks %q:\n%s", c.name, w, msg)
			}
		}
		if len(e.Problems) != c.n {
			t.Errorf("%s: %d problems, want %d:\n%s", c.name, len(e.Problems), c.n, msg)
		}
	}
}
