package main

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var updateDocs = flag.Bool("update", false, "rewrite the command outputs the docs show")

// docOutputs are the command outputs the documentation shows in full: each
// is the text after "$ COMMAND" in a code block of the file, to the end of
// the block.
var docOutputs = []struct{ file, command string }{
	{"../../README.md", "tranche run"},
	{"../../docs/experiments.md", "tranche explore snapback-vs-reciprocal"},
}

// Timings and results folders differ from run to run; everything else a
// command prints is reproducible.
var (
	timing      = regexp.MustCompile(`\(\d+(\.\d+)? s\)`)
	resultsLine = regexp.MustCompile(`(?m)^results: .*$`)
)

func normalise(s string) string {
	return resultsLine.ReplaceAllString(timing.ReplaceAllString(strings.TrimSpace(s), "(… s)"), "results: …")
}

// docBlock returns where, in doc, the output of command begins and ends.
func docBlock(doc, command string) (start, end int, ok bool) {
	i := strings.Index(doc, "$ "+command+"\n")
	if i < 0 {
		return 0, 0, false
	}
	start = i + len("$ "+command+"\n")
	j := strings.Index(doc[start:], "```")
	if j < 0 {
		return 0, 0, false
	}
	return start, start + j, true
}

// The outputs README and docs/experiments.md show are what the commands
// print today (timings and folder names aside), so a change to the model
// or the output cannot leave them stale. After an intended change, run
// go test ./cmd/tranche -run DocOutputs -update and read the diff.
func TestDocOutputs(t *testing.T) {
	t.Parallel()
	for _, c := range docOutputs {
		t.Run(filepath.Base(c.file)+"/"+c.command, func(t *testing.T) {
			t.Parallel()
			b, err := os.ReadFile(c.file)
			if err != nil {
				t.Fatal(err)
			}
			doc := string(b)
			start, end, ok := docBlock(doc, c.command)
			if !ok {
				t.Fatalf("%s shows no output of %q", c.file, c.command)
			}
			args := append(strings.Fields(c.command)[1:], "--no-plots", "--out", filepath.Join(t.TempDir(), "out"))
			code, stdout, stderr := tranche(t, args...)
			if code != 0 {
				t.Fatalf("%s: exit %d: %s", c.command, code, stderr)
			}
			if normalise(stdout) == normalise(doc[start:end]) {
				return
			}
			if !*updateDocs {
				t.Errorf("%s shows another output of %q than it prints now; run go test ./cmd/tranche -run DocOutputs -update and read the diff", c.file, c.command)
				return
			}
			// Keep the folder name and the timing the doc showed (a
			// timing measured under go test means nothing); print the
			// rest.
			out := strings.TrimRight(stdout, "\n") + "\n"
			if shown := resultsLine.FindString(doc[start:end]); shown != "" {
				out = resultsLine.ReplaceAllString(out, shown)
			}
			if shown := timing.FindString(doc[start:end]); shown != "" {
				out = timing.ReplaceAllString(out, shown)
			}
			if err := os.WriteFile(c.file, []byte(doc[:start]+out+doc[end:]), 0o644); err != nil {
				t.Fatal(err)
			}
		})
	}
}
