// Command tranche simulates how sanctions relief is sequenced: it runs
// Monte Carlo studies that compare sequencing policies on an agent-based
// model of a sanctioning coalition, a target government, civil society,
// neighbouring states, spoilers and a verification body.
//
// Usage:
//
//	tranche run [SCENARIO.toml] [flags]   run a study (default: the bundled default scenario)
//	tranche play [SCENARIO] [flags]       play the coalition in one history (classroom mode)
//	tranche scenarios                     list the bundled scenarios
//	tranche scenarios show NAME           print a scenario as complete TOML
//	tranche policies                      list the sequencing policies
//	tranche version                       print the version
//
// Exit status: 0 success, 1 runtime failure, 2 usage or input error.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/tranche-sim/tranche/scenarios"
)

// usageError marks errors in what the user asked for (exit status 2).
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

const usage = `tranche simulates sequencing strategies for sanctions relief.

Usage:
  tranche run [SCENARIO] [flags]   run a study and write a results folder
  tranche play [SCENARIO] [flags]  play the coalition yourself in one history (classroom)
  tranche plot RESULTS_DIR         redraw a results folder's figures (--format png|svg|pdf)
  tranche report RESULTS_DIR       write a self-contained report.html
  tranche merge SHARD_DIR... --out DIR   merge the shards of a study (run --shard I/N)
  tranche scenarios                list the bundled scenarios
  tranche scenarios show NAME      print a scenario as complete, commented TOML
  tranche policies                 list the sequencing policies
  tranche version                  print the version

SCENARIO is a TOML file or the name of a bundled scenario; without it the
bundled default scenario runs. 'tranche run -h' and 'tranche play -h' list
the flags.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run runs the command line args and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	err := dispatch(args, stdout, stderr)
	if err == nil {
		return 0
	}
	if errors.Is(err, errHelp) {
		return 0
	}
	var se *scenarios.Error
	if errors.As(err, &se) {
		fmt.Fprintln(stderr, "tranche: the scenario has problems:")
		fmt.Fprintln(stderr, se)
		return 2
	}
	fmt.Fprintln(stderr, "tranche:", err)
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}

var errHelp = errors.New("help shown")

func dispatch(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usagef("no command given")
	}
	switch args[0] {
	case "run":
		return runStudy(args[1:], stdout, stderr)
	case "scenarios":
		return listScenarios(args[1:], stdout)
	case "policies":
		return listPolicies(args[1:], stdout)
	case "play":
		return playGame(args[1:], os.Stdin, stdout, stderr)
	case "plot":
		return drawFigures(args[1:], stdout, stderr)
	case "report":
		return writeReport(args[1:], stdout, stderr)
	case "merge":
		return mergeShards(args[1:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "tranche", version())
		return nil
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return errHelp
	}
	fmt.Fprint(stderr, usage)
	return usagef("unknown command %q", args[0])
}
