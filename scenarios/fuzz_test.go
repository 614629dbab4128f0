package scenarios

import (
	"errors"
	"testing"
)

// FuzzParse feeds Parse arbitrary text: it must never panic, and it must
// either return a scenario that passes its own checks or an *Error with at
// least one problem, each with a message. go test runs the seeds; go test
// -fuzz FuzzParse ./scenarios searches further.
func FuzzParse(f *testing.F) {
	addBundled(f)
	for _, seed := range []string{
		"", "rounds = \"forty\"\n", "[target]\nstep = \n", "[[coalition.members]]\nweight = 'x'\n",
		"[policy.phased]\ntranches = 2.5\n", "policies = [\"phased\", 3]\n", "x = \"unterminated\n",
		"[[policy.phased.modifiers]]\nkind = \"wind-down\"\nrounds = true\n", "name = '''\nmulti\n'''\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz.toml", data)
		if err == nil {
			if cerr := s.Check("fuzz.toml"); cerr != nil {
				t.Fatalf("Parse accepted a scenario its check refuses: %v", cerr)
			}
			return
		}
		var e *Error
		if !errors.As(err, &e) || len(e.Problems) == 0 {
			t.Fatalf("Parse error %T %v: want an *Error with problems", err, err)
		}
		for _, p := range e.Problems {
			if p.Msg == "" {
				t.Fatalf("a problem without a message: %+v", p)
			}
		}
	})
}

// addBundled adds every bundled scenario to a fuzz test's seeds.
func addBundled(f *testing.F) {
	f.Helper()
	for _, name := range Names() {
		data, err := bundled.ReadFile("bundled/" + name + ".toml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}
