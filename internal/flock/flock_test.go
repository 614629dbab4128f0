//go:build unix

package flock

import (
	"errors"
	"path/filepath"
	"testing"
)

// A held lock refuses a second taker (flock locks belong to open files,
// so a second open in the same process stands for another process) until
// it is released.
func TestTryLock(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "lock")
	a, err := TryLock(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := TryLock(path); !errors.Is(err, ErrLocked) {
		t.Fatalf("second lock: %v, want ErrLocked", err)
	}
	a.Unlock()
	a.Unlock() // twice is harmless
	b, err := TryLock(path)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	b.Unlock()
	var none *Lock
	none.Unlock()
}
