package plots

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writerTo is an io.WriterTo that writes text and then fails with err, if
// err is not nil.
type writerTo struct {
	text string
	err  error
}

func (w writerTo) WriteTo(out io.Writer) (int64, error) {
	n, err := io.WriteString(out, w.text)
	if err == nil {
		err = w.err
	}
	return int64(n), err
}

// writeAtomic's errors name the file asked for, with the cause, never the
// temporary file; a failure leaves an existing file as it was and no
// temporary file behind.
func TestWriteAtomicErrors(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "fig.png")
	if err := os.WriteFile(existing, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, path string
		wt         io.WriterTo
		want       []string
	}{
		{"missing folder", filepath.Join(dir, "nope", "f.png"), writerTo{text: "x"},
			[]string{"cannot write " + filepath.Join(dir, "nope", "f.png"), "no such file or directory"}},
		{"folder is a file", filepath.Join(existing, "f.png"), writerTo{text: "x"},
			[]string{"cannot write " + filepath.Join(existing, "f.png"), "not a directory"}},
		{"drawing fails", existing, writerTo{text: "partial", err: errors.New("canvas broke")},
			[]string{"writing " + existing, "canvas broke"}},
		{"path is a folder", dir, writerTo{text: "x"},
			[]string{"writing " + dir}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := writeAtomic(c.path, c.wt)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), ".tmp") {
				t.Errorf("error %q names the temporary file", err)
			}
		})
	}
	if b, _ := os.ReadFile(existing); string(b) != "old" {
		t.Errorf("the failed writes changed %s to %q", existing, b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the failed writes left %d entries, want only fig.png", len(entries))
	}
}
