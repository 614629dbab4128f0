package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"

	"github.com/tranche-sim/tranche/internal/atomicfile"
)

// startCPUProfile starts a CPU profile of the process, for go tool pprof.
// The profile goes to a temporary file beside path; the returned function
// stops it and, if keep is true, renames the file to path, so that a run
// that fails leaves no profile behind. A path that cannot be written is a
// usage error.
func startCPUProfile(path string) (stop func(keep bool) error, err error) {
	f, err := os.CreateTemp(filepath.Dir(path), ".cpuprofile-*")
	if err != nil { // name the file asked for, not the temporary one
		return nil, usageError{fmt.Errorf("--cpuprofile %s: %w", path, atomicfile.Cause(err, ""))}
	}
	fail := func(err error) error {
		f.Close()
		os.Remove(f.Name())
		return fmt.Errorf("--cpuprofile %s: %w", path, atomicfile.Cause(err, f.Name()))
	}
	if err := f.Chmod(0o644); err != nil {
		return nil, fail(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		return nil, fail(err)
	}
	return func(keep bool) error {
		pprof.StopCPUProfile()
		if !keep {
			f.Close()
			return os.Remove(f.Name())
		}
		if err := f.Close(); err != nil {
			return fail(err)
		}
		if err := os.Rename(f.Name(), path); err != nil {
			return fail(err)
		}
		return nil
	}, nil
}
