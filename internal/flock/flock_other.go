//go:build !unix

package flock

import "os"

// Elsewhere the lock is not taken: two runs on one folder are not
// prevented there.
func lock(*os.File) error { return nil }

func unlock(*os.File) {}
