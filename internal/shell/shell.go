// Package shell writes command lines as a POSIX shell reads them back.
package shell

import "strings"

// Join joins args into one command line, quoting each argument that holds
// anything but letters, digits and _./:=@%+,- in single quotes, so that the
// line can be pasted into a shell and gives back the same arguments.
func Join(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		safe := a != ""
		for _, c := range a {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("_./:=@%+,-", c)) {
				safe = false
				break
			}
		}
		if safe {
			quoted[i] = a
		} else {
			quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(quoted, " ")
}
