// Package flock takes exclusive advisory locks on files, so that two
// processes cannot both work on one results folder. The kernel releases a
// lock when its process ends, however it ends, so a crash never leaves a
// folder locked.
package flock

import (
	"errors"
	"fmt"
	"os"
)

// ErrLocked is returned when another process holds the lock.
var ErrLocked = errors.New("another process holds the lock")

// Lock is a held lock.
type Lock struct{ f *os.File }

// TryLock takes the exclusive lock on the file at path, creating it if it
// does not exist, without waiting: it returns an error wrapping ErrLocked
// when another process holds it.
func TryLock(path string) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := lock(f); err != nil {
		f.Close()
		if errors.Is(err, ErrLocked) {
			return nil, fmt.Errorf("%s: %w", path, ErrLocked)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &Lock{f}, nil
}

// Unlock releases the lock; it may be called more than once, and on nil.
func (l *Lock) Unlock() {
	if l == nil || l.f == nil {
		return
	}
	unlock(l.f)
	l.f.Close()
	l.f = nil
}
