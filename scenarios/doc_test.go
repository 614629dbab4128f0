package scenarios

import (
	"fmt"
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

// tomlBlocks returns the ```toml code blocks of a document, each with the
// line it starts on.
func tomlBlocks(t *testing.T, path string) (blocks []string, lines []int) {
	t.Helper()
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cur []string
	in := false
	for i, l := range strings.Split(string(doc), "\n") {
		switch {
		case !in && strings.TrimSpace(l) == "```toml":
			in, cur = true, nil
			lines = append(lines, i+2)
		case in && strings.TrimSpace(l) == "```":
			in = false
			blocks = append(blocks, strings.Join(cur, "\n")+"\n")
		case in:
			cur = append(cur, l)
		}
	}
	return blocks, lines
}

// Every scenario file the documentation shows is valid: a reader who
// copies one gets a run, not an error (the ladder examples of policies.md
// had stage names the name rule refuses).
func TestDocScenarioExamples(t *testing.T) {
	t.Parallel()
	n := 0
	for _, path := range []string{"../docs/policies.md", "../docs/teaching.md"} {
		blocks, lines := tomlBlocks(t, path)
		for i, b := range blocks {
			n++
			if _, err := Parse(fmt.Sprintf("%s:%d", path, lines[i]), []byte(b)); err != nil {
				t.Errorf("the example at %s:%d is not a valid scenario: %v", path, lines[i], err)
			}
		}
	}
	if n < 7 {
		t.Errorf("found %d scenario examples in the docs, want at least 7: has the code-block marker changed?", n)
	}
}
