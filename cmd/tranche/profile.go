package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
)

// startCPUProfile starts a CPU profile of the process (for go tool pprof, or
// as cmd/tranche/default.pgo for profile-guided optimisation). The profile
// goes to a temporary file beside path; the returned function stops it and
// renames the file to path, so a failed run leaves no half profile.
func startCPUProfile(path string) (stop func() error, err error) {
	f, err := os.CreateTemp(filepath.Dir(path), ".cpuprofile-*")
	if err != nil {
		return nil, fmt.Errorf("cpu profile %s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("cpu profile %s: %w", path, err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("cpu profile %s: %w", path, err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			os.Remove(f.Name())
			return fmt.Errorf("cpu profile %s: %w", path, err)
		}
		if err := os.Rename(f.Name(), path); err != nil {
			os.Remove(f.Name())
			return fmt.Errorf("cpu profile %s: %w", path, err)
		}
		return nil
	}, nil
}
