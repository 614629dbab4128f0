// Package atomicfile writes files so that no reader ever sees one half
// written: into a temporary file beside the target, flushed to disk, then
// renamed into place.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// FolderError reports that path's folder cannot take a file (it does not
// exist, is not a folder, or is not writable): nothing was written.
type FolderError struct {
	Path string
	Err  error
}

// Error says which file could not be written, and why.
func (e *FolderError) Error() string { return fmt.Sprintf("cannot write %s: %v", e.Path, e.Err) }

// Unwrap returns the cause.
func (e *FolderError) Unwrap() error { return e.Err }

// Write writes path through write, so that a failure leaves no partial file
// and an existing one unchanged. If the temporary file cannot be made, it
// returns a *FolderError before calling write. Its errors name path, not
// the temporary file, with the underlying cause.
func Write(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return &FolderError{Path: path, Err: Cause(err, "")}
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, Cause(err, tmp))
	}
	if err := write(f); err != nil {
		return fail(err)
	}
	if err := f.Chmod(0o644); err != nil { // CreateTemp makes it private
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fail(err)
	}
	return nil
}

// Cause returns the cause of err, a failure on the temporary file tmp (""
// for one that could not be made), without the temporary file's name, which
// means nothing to the user; other errors are returned unchanged.
func Cause(err error, tmp string) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && (pe.Path == tmp || tmp == "") {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) && le.Old == tmp {
		return le.Err
	}
	return err
}
