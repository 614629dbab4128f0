package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Write leaves the complete file or, on any failure, nothing new: the old
// file unchanged and no temporary file; errors name the path asked for.
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.txt")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	failing := errors.New("disk on fire")
	cases := []struct {
		name    string
		path    string
		write   func(io.Writer) error
		want    string // file content afterwards
		wantErr string
		folder  bool // the error is a *FolderError
	}{
		{"replaces", path, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }, "new", "", false},
		{"failed write keeps the old file", path, func(w io.Writer) error { io.WriteString(w, "half"); return failing }, "new", "writing " + path + ": disk on fire", false},
		{"missing folder", filepath.Join(dir, "no", "out.txt"), func(io.Writer) error { t.Error("write called"); return nil }, "", "cannot write " + filepath.Join(dir, "no", "out.txt") + ": no such file or directory", true},
	}
	for _, c := range cases {
		err := Write(c.path, c.write)
		if c.wantErr == "" && err != nil || c.wantErr != "" && (err == nil || err.Error() != c.wantErr) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.wantErr)
		}
		var fe *FolderError
		if errors.As(err, &fe) != c.folder {
			t.Errorf("%s: FolderError %v, want %v", c.name, errors.As(err, &fe), c.folder)
		}
		if c.want != "" {
			if got, _ := os.ReadFile(c.path); string(got) != c.want {
				t.Errorf("%s: file holds %q, want %q", c.name, got, c.want)
			}
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}
