package results

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/tranche-sim/tranche/internal/atomicfile"
	"github.com/tranche-sim/tranche/internal/flock"
)

// ErrExists is returned when a results folder already exists.
var ErrExists = errors.New("already exists; choose another --out or remove it")

// Folder is a results folder written atomically. CreateFolder reserves the
// final path at once, as an empty folder, so that two runs cannot both
// work towards it; everything is written into a hidden temporary folder
// beside it, which Commit renames into place. An interrupted or failed run
// leaves no folder that looks complete, and Abort removes both.
type Folder struct {
	final, tmp string
	committed  bool
	kept       bool
	state      string             // a resumable folder's state folder ("" for others)
	lock       *flock.Lock        // its lock, held while the run goes on
	sums       map[string]FileSum // of the files written by WriteFile and Create
}

// PathError reports a results folder that cannot be made where it was
// asked for: the path is taken, a part of it is a file, or the folder
// above it cannot be written. Nothing was written. It is an error in the
// input, not a failure while running.
type PathError struct {
	Path string
	Err  error
}

// Error names the results folder and what is wrong.
func (e *PathError) Error() string { return fmt.Sprintf("results folder %s: %v", e.Path, e.Err) }

// Unwrap returns the cause.
func (e *PathError) Unwrap() error { return e.Err }

// existsError is ErrExists for a path that is taken; it says whether by a
// folder or by something else, such as a file.
type existsError struct{ folder bool }

func (e *existsError) Error() string {
	if e.folder {
		return ErrExists.Error()
	}
	return "that is an existing file, not a folder; choose another --out (a new folder name)"
}

func (e *existsError) Unwrap() error { return ErrExists }

// CheckNew checks that a results folder can be made at path: that nothing
// exists there and no part of the path above it is a file. Its errors are
// *PathError; one wraps ErrExists when something exists at path, and says
// whether it is a folder or a file.
func CheckNew(path string) error {
	st, err := os.Stat(path)
	switch {
	case err == nil:
		return &PathError{path, &existsError{folder: st.IsDir()}}
	case errors.Is(err, syscall.ENOTDIR):
		return &PathError{path, fmt.Errorf("a part of the path, %s, is a file, not a folder; remove it or choose another --out", fileInPath(path))}
	case !errors.Is(err, fs.ErrNotExist):
		return &PathError{path, atomicfile.Cause(err, "")}
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

// usable says whether a failure to make a folder is the path's fault (an
// input error) rather than the system's (a full disk, say).
func usable(err error) bool {
	return !errors.Is(err, syscall.ENOTDIR) && !errors.Is(err, fs.ErrPermission) && !errors.Is(err, syscall.EROFS) &&
		!errors.Is(err, syscall.ENAMETOOLONG) && !errors.Is(err, fs.ErrExist) && !errors.Is(err, syscall.ELOOP)
}

// CreateFolder starts a results folder at path, which must not exist, and
// reserves path for it.
func CreateFolder(path string) (*Folder, error) {
	if err := CheckNew(path); err != nil {
		return nil, err
	}
	mkErr := func(err error) error {
		err = atomicfile.Cause(err, "")
		if errors.Is(err, fs.ErrExist) {
			return &PathError{path, &existsError{folder: true}}
		}
		if !usable(err) {
			return &PathError{path, err}
		}
		return fmt.Errorf("results folder %s: %w", path, err)
	}
	parent := filepath.Dir(path)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, mkErr(err)
	}
	if err := os.Mkdir(path, 0o755); err != nil { // the reservation: exclusive
		return nil, mkErr(err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(path)+".partial-")
	if err != nil {
		os.Remove(path)
		return nil, mkErr(err)
	}
	return &Folder{final: path, tmp: tmp, sums: map[string]FileSum{}}, nil
}

// Path returns where file name is being written.
func (f *Folder) Path(name string) string { return filepath.Join(f.tmp, name) }

// Final returns the path the folder will have after Commit.
func (f *Folder) Final() string { return f.final }

// File is a file being written into a results folder: it records its
// size and SHA-256 as it is written, for the manifest.
type File struct {
	f      *os.File
	h      hash.Hash
	n      int64
	name   string
	folder *Folder
	closed bool
}

// Write writes p to the file.
func (w *File) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.h.Write(p[:n])
	w.n += int64(n)
	if err != nil {
		return n, w.folder.wrap(err)
	}
	return n, nil
}

// Size returns the number of bytes written so far.
func (w *File) Size() int64 { return w.n }

// Sum returns the SHA-256 of the bytes written so far, in hexadecimal.
func (w *File) Sum() string { return hex.EncodeToString(w.h.Sum(nil)) }

// Sync flushes the file to disk.
func (w *File) Sync() error {
	if err := w.f.Sync(); err != nil {
		return w.folder.wrap(err)
	}
	return nil
}

// Close closes the file and records its size and SHA-256. It may be
// called more than once.
func (w *File) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	if err := w.f.Close(); err != nil {
		return w.folder.wrap(err)
	}
	w.folder.sums[w.name] = FileSum{Bytes: w.n, SHA256: hex.EncodeToString(w.h.Sum(nil))}
	return nil
}

// Create creates file name in the folder (and any parent folders in name).
func (f *Folder) Create(name string) (*File, error) {
	p := f.Path(name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return nil, f.wrap(err)
	}
	fh, err := os.Create(p)
	if err != nil {
		return nil, f.wrap(err)
	}
	return &File{f: fh, h: sha256.New(), name: filepath.ToSlash(name), folder: f}, nil
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
	sum := sha256.Sum256(data)
	f.sums[filepath.ToSlash(name)] = FileSum{Bytes: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}
	return nil
}

// Sums returns the size and SHA-256 of every file written so far with
// WriteFile or Create (and closed), by name.
func (f *Folder) Sums() map[string]FileSum { return maps.Clone(f.sums) }

// Complete writes the manifest as the folder's last file, marked
// complete, with the format version and the size and SHA-256 of every file
// written so far (m is updated), and commits the folder.
func (f *Folder) Complete(m *Manifest) error {
	m.FormatVersion = FormatVersion
	m.Files = f.Sums()
	delete(m.Files, "manifest.json")
	m.Complete = true
	var b bytes.Buffer
	if err := WriteManifest(&b, m); err != nil {
		return err
	}
	if err := f.WriteFile("manifest.json", b.Bytes()); err != nil {
		return err
	}
	return f.Commit()
}

// Commit renames the folder into place, over its reservation. It refuses
// if anything was written into the reservation meanwhile.
func (f *Folder) Commit() error {
	if entries, err := os.ReadDir(f.final); err != nil || len(entries) > 0 {
		return fmt.Errorf("results folder %s: changed by something else while this run wrote it; nothing written", f.final)
	}
	if err := os.Chmod(f.tmp, 0o755); err != nil { // MkdirTemp makes it private
		return f.wrap(err)
	}
	// Flush every file and folder first, so that a crash after the rename
	// cannot leave a folder that looks complete with empty files in it.
	if err := syncTree(f.tmp); err != nil {
		return f.wrap(err)
	}
	// Renaming a folder onto an empty one replaces it on Linux and macOS;
	// where it does not, the reservation goes first.
	if err := os.Rename(f.tmp, f.final); err != nil {
		if rerr := os.Remove(f.final); rerr != nil {
			return f.wrap(err)
		}
		if err := os.Rename(f.tmp, f.final); err != nil {
			return f.wrap(err)
		}
	}
	f.committed = true
	syncDir(filepath.Dir(f.final)) // the rename itself; best effort
	if f.state != "" {             // the results are in place: the state is no longer needed
		os.RemoveAll(f.state)
		f.Release()
	}
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
	return fmt.Errorf("results folder %s: %w", f.final, f.Hide(err))
}

// Hide returns err with every mention of the temporary folder replaced by
// the results folder's own path, for errors that reach the folder's files
// from elsewhere (a figure, a CSV reader): the temporary name means nothing
// to the user. It keeps err's chain for errors.Is and errors.As.
func (f *Folder) Hide(err error) error {
	if err == nil || !strings.Contains(err.Error(), f.tmp) {
		return err
	}
	return &hidden{err: err, msg: strings.ReplaceAll(err.Error(), f.tmp, f.final)}
}

// hidden is an error with another message.
type hidden struct {
	err error
	msg string
}

func (h *hidden) Error() string { return h.msg }
func (h *hidden) Unwrap() error { return h.err }

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

// Abort removes the temporary folder and the reservation unless Commit
// succeeded, so a caller can defer it right after CreateFolder. The
// reservation is removed only while it is empty: Abort never deletes
// anything it did not make.
func (f *Folder) Abort() {
	if !f.committed && !f.kept {
		os.RemoveAll(f.tmp)
		os.Remove(f.final) // fails, harmlessly, unless empty
		if f.state != "" && f.lock != nil {
			os.RemoveAll(f.state)
		}
	}
	f.Release()
}

// PartialName returns the name of the temporary folder of a resumable
// results folder at path: fixed, so that a later run can find it.
func PartialName(path string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".partial")
}

// StateName returns the name of the folder that holds a resumable results
// folder's own state, beside it: its lock, and what a run records to be
// resumed. Commit removes it.
func StateName(path string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".resume")
}

// ErrPartial is returned when an interrupted run's folder is in the way of
// a new one.
var ErrPartial = errors.New("an interrupted run's work is there")

// ErrNoPartial is returned by ResumeFolder when there is nothing to resume.
var ErrNoPartial = errors.New("there is no interrupted run to resume there")

// ErrBusy is returned when another run is writing a resumable folder.
var ErrBusy = errors.New("another run is writing it now")

// CreateResumable starts a results folder at path, like CreateFolder, whose
// temporary folder has a fixed name (PartialName) and which keeps a state
// folder beside it (StateName), locked while the run goes on, so that when
// the run is interrupted and the folder kept (Keep), ResumeFolder can
// continue it and no two runs write it at once.
func CreateResumable(path string) (*Folder, error) {
	tmp := PartialName(path)
	partial := fmt.Errorf("%w, in %s: continue it with --resume, or remove %s, %s and %s", ErrPartial, tmp, tmp, StateName(path), path)
	if _, err := os.Lstat(tmp); err == nil {
		return nil, &PathError{path, partial}
	}
	if err := CheckNew(path); err != nil {
		return nil, err
	}
	f, err := CreateFolder(path)
	if err != nil {
		return nil, err
	}
	if err := os.Mkdir(tmp, 0o755); err != nil {
		f.Abort()
		if errors.Is(err, fs.ErrExist) {
			return nil, &PathError{path, partial}
		}
		return nil, fmt.Errorf("results folder %s: %w", path, atomicfile.Cause(err, ""))
	}
	os.RemoveAll(f.tmp)
	f.tmp = tmp
	f.state = StateName(path)
	if err := f.lockState(); err != nil {
		os.Remove(tmp)
		os.Remove(path)
		return nil, err
	}
	return f, nil
}

// lockState makes the state folder and takes its lock.
func (f *Folder) lockState() error {
	if err := os.MkdirAll(f.state, 0o755); err != nil {
		return fmt.Errorf("results folder %s: %w", f.final, atomicfile.Cause(err, ""))
	}
	l, err := flock.TryLock(filepath.Join(f.state, "lock"))
	if errors.Is(err, flock.ErrLocked) {
		return &PathError{f.final, ErrBusy}
	}
	if err != nil {
		return fmt.Errorf("results folder %s: %w", f.final, err)
	}
	f.lock = l
	return nil
}

// ResumeFolder reopens the temporary folder of a resumable results folder
// at path, which an interrupted run kept, and takes its lock: path must
// not hold a complete folder, and no other run may be writing it. The
// files in it are not recorded until the caller writes them again
// (Append, Create, WriteFile, Record).
func ResumeFolder(path string) (*Folder, error) {
	tmp := PartialName(path)
	st, err := os.Lstat(tmp)
	if err != nil || !st.IsDir() {
		if entries, err := os.ReadDir(path); err == nil && len(entries) > 0 {
			return nil, &PathError{path, errors.New("already holds a results folder; there is nothing to resume")}
		}
		return nil, &PathError{path, ErrNoPartial}
	}
	f := &Folder{final: path, tmp: tmp, state: StateName(path), sums: map[string]FileSum{}}
	if err := f.lockState(); err != nil {
		return nil, err
	}
	switch entries, err := os.ReadDir(path); {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.Mkdir(path, 0o755); err != nil { // the reservation again
			f.Release()
			return nil, &PathError{path, atomicfile.Cause(err, "")}
		}
	case err != nil:
		f.Release()
		return nil, &PathError{path, atomicfile.Cause(err, "")}
	case len(entries) > 0:
		f.Release()
		return nil, &PathError{path, errors.New("already holds a results folder beside the interrupted run's; remove one of them")}
	}
	return f, nil
}

// HasPartial reports whether an interrupted run's work is kept for the
// results folder at path.
func HasPartial(path string) bool {
	st, err := os.Lstat(PartialName(path))
	return err == nil && st.IsDir()
}

// StatePath returns where the resumable folder's state file name is kept
// (outside the folder: it is not part of the results).
func (f *Folder) StatePath(name string) string { return filepath.Join(f.state, name) }

// Release releases the lock of a resumable folder (Commit and Abort
// release it too); it may be called more than once.
func (f *Folder) Release() {
	f.lock.Unlock()
	f.lock = nil
}

// Keep makes Abort leave the folder as it is, for a later ResumeFolder.
func (f *Folder) Keep() { f.kept = true }

// Append opens file name of the folder, cuts it to size bytes (what an
// earlier run had finished writing of it) and returns it for writing on:
// its size and SHA-256 cover the first size bytes too.
func (f *Folder) Append(name string, size int64) (*File, error) {
	p := f.Path(name)
	fh, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		return nil, f.wrap(err)
	}
	st, err := fh.Stat()
	if err != nil || st.Size() < size {
		fh.Close()
		if err == nil {
			err = fmt.Errorf("%s has %d bytes, fewer than the %d the interrupted run recorded", name, st.Size(), size)
		}
		return nil, f.wrap(err)
	}
	if err := fh.Truncate(size); err != nil {
		fh.Close()
		return nil, f.wrap(err)
	}
	h := sha256.New()
	if _, err := io.CopyN(h, fh, size); err != nil {
		fh.Close()
		return nil, f.wrap(err)
	}
	return &File{f: fh, h: h, n: size, name: filepath.ToSlash(name), folder: f}, nil
}

// Remove removes file name from the folder and from what the manifest
// will record (a scratch file no longer needed).
func (f *Folder) Remove(name string) error {
	delete(f.sums, filepath.ToSlash(name))
	if err := os.Remove(f.Path(name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return f.wrap(err)
	}
	return nil
}

// Forget drops file name from what the manifest will record, leaving the
// file (moved out of the folder by the caller).
func (f *Folder) Forget(name string) { delete(f.sums, filepath.ToSlash(name)) }

// Record records the size and SHA-256 of file name, already in the folder
// (written by other means, such as WriteAt), for the manifest.
func (f *Folder) Record(name string) error {
	fh, err := os.Open(f.Path(name))
	if err != nil {
		return f.wrap(err)
	}
	defer fh.Close()
	h := sha256.New()
	n, err := io.Copy(h, fh)
	if err != nil {
		return f.wrap(err)
	}
	f.sums[filepath.ToSlash(name)] = FileSum{Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))}
	return nil
}
