package results

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/tranche-sim/tranche/internal/atomicfile"
)

// ErrExists is returned when a results folder already exists.
var ErrExists = errors.New("already exists; choose another --out or remove it")

// Folder is a results folder written atomically: everything goes into a
// hidden temporary folder beside the final one, which is renamed into place
// by Commit. An interrupted or failed run leaves no folder that looks
// complete.
type Folder struct {
	final, tmp string
	committed  bool
}

// existsError is ErrExists for a path that is taken; it says whether by a
// folder or by something else, such as a file.
type existsError struct {
	path   string
	folder bool
}

func (e *existsError) Error() string {
	if e.folder {
		return fmt.Sprintf("results folder %s: %v", e.path, ErrExists)
	}
	return fmt.Sprintf("results folder %s: that is an existing file, not a folder; choose another --out (a new folder name)", e.path)
}

func (e *existsError) Unwrap() error { return ErrExists }

// CheckNew checks that a results folder can be made at path: that nothing
// exists there. The error wraps ErrExists when something does, and says
// whether it is a folder or a file.
func CheckNew(path string) error {
	st, err := os.Stat(path)
	switch {
	case err == nil:
		return &existsError{path: path, folder: st.IsDir()}
	case errors.Is(err, syscall.ENOTDIR):
		return fmt.Errorf("results folder %s: a part of the path, %s, is a file, not a folder; remove it or choose another --out", path, fileInPath(path))
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("results folder %s: %w", path, err)
	}
	return nil
}

// fileInPath returns the nearest part of path above it that exists, if it
// is a file (path itself otherwise).
func fileInPath(path string) string {
	for p := filepath.Dir(path); p != filepath.Dir(p); p = filepath.Dir(p) {
		if st, err := os.Stat(p); err == nil {
			if !st.IsDir() {
				return p
			}
			break
		}
	}
	return path
}

// CreateFolder starts a results folder at path, which must not exist.
func CreateFolder(path string) (*Folder, error) {
	if err := CheckNew(path); err != nil {
		return nil, err
	}
	parent := filepath.Dir(path)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("results folder: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(path)+".partial-")
	if err != nil { // name the folder asked for, not the temporary one
		return nil, fmt.Errorf("results folder %s: %w", path, atomicfile.Cause(err, ""))
	}
	return &Folder{final: path, tmp: tmp}, nil
}

// Path returns where file name is being written.
func (f *Folder) Path(name string) string { return filepath.Join(f.tmp, name) }

// Final returns the path the folder will have after Commit.
func (f *Folder) Final() string { return f.final }

// Create creates file name in the folder (and any parent folders in name).
func (f *Folder) Create(name string) (*os.File, error) {
	p := f.Path(name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return nil, f.wrap(err)
	}
	fh, err := os.Create(p)
	if err != nil {
		return nil, f.wrap(err)
	}
	return fh, nil
}

// WriteFile writes file name in the folder.
func (f *Folder) WriteFile(name string, data []byte) error {
	p := f.Path(name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return f.wrap(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		return f.wrap(err)
	}
	return nil
}

// Commit renames the folder into place. It refuses to replace a folder that
// appeared at the final path meanwhile.
func (f *Folder) Commit() error {
	if err := CheckNew(f.final); err != nil {
		return err
	}
	if err := os.Chmod(f.tmp, 0o755); err != nil { // MkdirTemp makes it private
		return fmt.Errorf("results folder: %w", err)
	}
	// Flush every file and folder first, so that a crash after the rename
	// cannot leave a folder that looks complete with empty files in it.
	if err := syncTree(f.tmp); err != nil {
		return f.wrap(err)
	}
	if err := os.Rename(f.tmp, f.final); err != nil {
		return f.wrap(err)
	}
	f.committed = true
	syncDir(filepath.Dir(f.final)) // the rename itself; best effort
	return nil
}

// wrap names the results folder in err and, where err names a file in the
// temporary folder, gives that file by its name in the results folder: the
// temporary folder's name means nothing to the user.
func (f *Folder) wrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		if rel, ok := strings.CutPrefix(pe.Path, f.tmp); ok {
			return fmt.Errorf("results folder %s: %s %s: %w", f.final, pe.Op, strings.TrimPrefix(rel, string(filepath.Separator)), pe.Err)
		}
	}
	var le *os.LinkError
	if errors.As(err, &le) && le.Old == f.tmp {
		return fmt.Errorf("results folder %s: %w", f.final, le.Err)
	}
	return fmt.Errorf("results folder %s: %w", f.final, err)
}

// syncTree flushes every file under root to disk, and the folders that
// hold them.
func syncTree(root string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			syncDir(path)
			return nil
		}
		fh, err := os.Open(path)
		if err != nil {
			return err
		}
		if err := fh.Sync(); err != nil {
			fh.Close()
			return err
		}
		return fh.Close()
	})
}

// syncDir flushes a folder's entries; file systems that cannot are not an
// error.
func syncDir(path string) {
	if d, err := os.Open(path); err == nil {
		d.Sync()
		d.Close()
	}
}

// Abort removes the temporary folder unless Commit succeeded, so a caller
// can defer it right after CreateFolder.
func (f *Folder) Abort() {
	if !f.committed {
		os.RemoveAll(f.tmp)
	}
}
