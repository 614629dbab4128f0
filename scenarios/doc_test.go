package scenarios

import (
	"os"
	"strings"
	"testing"

	"github.com/tranche-sim/tranche/policy"
)

const docsModel = "../docs/model.md"

// docs/model.md carries the generated parameter table between markers, so
// that code and documentation change together. Run
// go test ./scenarios -run ParameterDocs -update to regenerate it.
func TestParameterDocs(t *testing.T) {
	syncGenerated(t, docsModel, "params", ParameterTable())
}

// syncGenerated checks (or with -update rewrites) the text between
// <!-- NAME:begin --> and <!-- NAME:end --> in a document.
func syncGenerated(t *testing.T, path, name, body string) {
	t.Helper()
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	begin, end := "<!-- "+name+":begin -->\n", "<!-- "+name+":end -->"
	i, j := strings.Index(string(doc), begin), strings.Index(string(doc), end)
	if i < 0 || j < i {
		t.Fatalf("%s lacks the markers %q and %q", path, strings.TrimSpace(begin), end)
	}
	want := string(doc[:i+len(begin)]) + body + string(doc[j:])
	if *Update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want != string(doc) {
		t.Errorf("%s: the generated %s section is out of date; run go test ./scenarios -run Docs -update", path, name)
	}
}

// docs/policies.md carries each built-in policy's generated parameter
// table.
func TestPolicyDocs(t *testing.T) {
	for _, e := range policy.Builtins() {
		syncGenerated(t, "../docs/policies.md", "policy-"+e.Name, PolicyParameterTable(e.Name))
	}
}

// Every table of the parameter reference appears once: an array of tables
// at the top level (sectors) was once documented twice.
func TestParameterTableHeadingsUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, line := range strings.Split(ParameterTable(), "\n") {
		if !strings.HasPrefix(line, "#### ") {
			continue
		}
		if seen[line] {
			t.Errorf("parameter table has %q twice", line)
		}
		seen[line] = true
	}
	if !seen["#### [[sectors]]"] || !seen["#### [[coalition.members]]"] {
		t.Errorf("parameter table lacks the arrays of tables; headings: %v", seen)
	}
}
