package results

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// CreateFolder refuses a path that is taken, and says by what: a folder, or
// a file that is not a folder at all. Either way it touches nothing.
func TestCreateFolderTaken(t *testing.T) {
	dir := t.TempDir()
	folder := filepath.Join(dir, "folder")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "afile")
	if err := os.WriteFile(file, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, path   string
		want, absent string
	}{
		{"folder", folder, "results folder " + folder + ": already exists; choose another --out", "file"},
		{"file", file, "results folder " + file + ": that is an existing file, not a folder; choose another --out", "already exists"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for what, err := range map[string]error{"CheckNew": CheckNew(c.path), "CreateFolder": createErr(c.path)} {
				if !errors.Is(err, ErrExists) {
					t.Fatalf("%s(%s): %v, want ErrExists", what, c.name, err)
				}
				if msg := err.Error(); !strings.Contains(msg, c.want) || strings.Contains(msg, c.absent) {
					t.Errorf("%s(%s): %q, want %q without %q", what, c.name, msg, c.want, c.absent)
				}
			}
		})
	}
	if b, err := os.ReadFile(file); err != nil || string(b) != "mine" {
		t.Errorf("the file in the way was touched: %q, %v", b, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("the refused folders left %d entries, want 2", len(entries))
	}
	if err := CheckNew(filepath.Join(dir, "new")); err != nil {
		t.Errorf("CheckNew on a free path: %v", err)
	}
}

// createErr returns CreateFolder's error, aborting a folder it made.
func createErr(path string) error {
	f, err := CreateFolder(path)
	if err == nil {
		f.Abort()
	}
	return err
}

// Errors about the files of a results folder name the results folder and
// the file, never the temporary folder the files are written in.
func TestFolderErrorsHideTheTemporaryFolder(t *testing.T) {
	dir := t.TempDir()
	f, err := CreateFolder(filepath.Join(dir, "res"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	if err := f.WriteFile("plots", []byte("a file where a folder is wanted")); err != nil {
		t.Fatal(err)
	}
	_, err = f.Create("plots/fan.png")
	if err == nil {
		t.Fatal("created a file below a file")
	}
	if msg := err.Error(); strings.Contains(msg, ".partial-") || !strings.Contains(msg, "results folder "+filepath.Join(dir, "res")) || !strings.Contains(msg, "plots") {
		t.Errorf("error %q: want the results folder and plots named, and no temporary name", msg)
	}
}

// FuzzLoadTables feeds the readers of rounds.csv and histories.csv
// arbitrary bytes, in a folder otherwise whole: Load must refuse or
// accept, never panic.
func FuzzLoadTables(f *testing.F) {
	f.Add([]byte(RoundsCSVHeader+"a,1,relief,0.5,0,0.25,0.5,0.75,1\n"), []byte(HistoriesCSVHeader))
	f.Add([]byte("policy\n\"a,1"), []byte("x,y\n1,2,3\n"))
	f.Add([]byte{}, []byte{})
	f.Fuzz(func(t *testing.T, rounds, histories []byte) {
		dir := t.TempDir()
		files := map[string][]byte{
			"manifest.json": []byte(`{"format_version": 2, "complete": true}`), DefinitionsFile: []byte("{}"),
			"summary.json": []byte("{}"), "scenario.toml": nil, "rounds.csv": rounds, "histories.csv": histories,
		}
		for name, b := range files {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		load(dir, dir, false)
	})
}

// Errors from elsewhere (a figure, a CSV reader) that name a file in the
// temporary folder name the results folder instead, and keep their chain.
func TestFolderHide(t *testing.T) {
	dir := t.TempDir()
	f, err := CreateFolder(filepath.Join(dir, "res"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	inner := &os.PathError{Op: "open", Path: f.Path("rounds.csv"), Err: os.ErrNotExist}
	err = f.Hide(fmt.Errorf("plots: %w", inner))
	if msg := err.Error(); strings.Contains(msg, ".partial-") || !strings.Contains(msg, filepath.Join(dir, "res", "rounds.csv")) {
		t.Errorf("message %q", msg)
	}
	if !errors.Is(err, os.ErrNotExist) {
		t.Error("the error's chain was lost")
	}
	if f.Hide(nil) != nil {
		t.Error("Hide(nil) is not nil")
	}
}
