// Command tranche simulates how sanctions relief is sequenced: it runs
// Monte Carlo studies that compare sequencing policies on an agent-based
// model of a sanctioning coalition, a target government, civil society,
// neighbouring states, spoilers and a verification body.
//
// Usage:
//
//	tranche run [SCENARIO.toml] [flags]   run a study (default: the bundled default scenario)
//	tranche explore EXPERIMENT [flags]    run an experiment over the scenario's assumptions
//	tranche play [SCENARIO] [flags]       play the coalition in one history (classroom mode)
//	tranche params [SCENARIO] [--json]    list the parameters, their ranges and meaning
//	tranche scenarios                     list the bundled scenarios
//	tranche scenarios show NAME           print a scenario as complete TOML
//	tranche experiments [show NAME]       list the bundled experiments, or print one
//	tranche policies                      list the sequencing policies
//	tranche version                       print the version (also --version)
//	tranche help [COMMAND]                describe tranche or one command
//
// Exit status: 0 success, 1 runtime failure, 2 usage or input error.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tranche-sim/tranche/experiment"
	"github.com/tranche-sim/tranche/internal/textdist"
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
  tranche explore EXPERIMENT       run an experiment: a design over the scenario's assumptions
  tranche play [SCENARIO] [flags]  play the coalition yourself in one history (classroom)
  tranche plot RESULTS_DIR         redraw a results folder's figures (--format png|svg|pdf)
  tranche report RESULTS_DIR       write a self-contained report.html
  tranche merge SHARD_DIR... --out DIR   merge the shards of a study or experiment (--shard I/N)
  tranche params [SCENARIO]        list the parameters a run can --set, with their ranges
  tranche scenarios                list the bundled scenarios
  tranche scenarios show NAME      print a scenario as complete, commented TOML
  tranche experiments [show NAME]  list the bundled experiments, or print one
  tranche policies                 list the sequencing policies
  tranche version                  print the version (also tranche --version)
  tranche help [COMMAND]           describe tranche, or one command (also COMMAND --help)

SCENARIO is a TOML file or the name of a bundled scenario; without it the
bundled default scenario runs. 'tranche COMMAND -h' (or 'tranche help
COMMAND') describes a command, its arguments and its flags.
`

// command is one of tranche's subcommands.
type command struct {
	name string
	// parse parses the command's arguments and does nothing else; its
	// messages, and the usage that -h or --help asks for, go to w. It
	// returns errHelp when the arguments ask for help.
	parse func(args []string, w io.Writer) error
	// run carries the command out, parsing its arguments again.
	run func(args []string, stdin io.Reader, stdout, stderr io.Writer) error
}

// commands returns tranche's subcommands, in the order of the usage.
func commands() []command {
	return []command{
		{"run", func(a []string, w io.Writer) error { _, err := parseRun(a, w); return err },
			func(a []string, _ io.Reader, stdout, stderr io.Writer) error { return runStudy(a, stdout, stderr) }},
		{"explore", func(a []string, w io.Writer) error { _, err := parseExplore(a, w); return err },
			func(a []string, _ io.Reader, stdout, stderr io.Writer) error { return runExplore(a, stdout, stderr) }},
		{"play", func(a []string, w io.Writer) error { _, err := parsePlay(a, w); return err }, playGame},
		{"plot", func(a []string, w io.Writer) error { _, _, err := parsePlot(a, w); return err },
			func(a []string, _ io.Reader, stdout, stderr io.Writer) error { return drawFigures(a, stdout, stderr) }},
		{"report", func(a []string, w io.Writer) error { _, _, err := parseReport(a, w); return err },
			func(a []string, _ io.Reader, stdout, stderr io.Writer) error { return writeReport(a, stdout, stderr) }},
		{"merge", func(a []string, w io.Writer) error { _, err := parseMerge(a, w); return err },
			func(a []string, _ io.Reader, stdout, stderr io.Writer) error { return mergeShards(a, stdout, stderr) }},
		{"params", func(a []string, w io.Writer) error { _, err := parseParams(a, w); return err },
			func(a []string, _ io.Reader, stdout, stderr io.Writer) error { return listParams(a, stdout, stderr) }},
		{"scenarios", func(a []string, w io.Writer) error { _, err := parseScenarios(a, w); return err },
			func(a []string, _ io.Reader, stdout, stderr io.Writer) error { return listScenarios(a, stdout, stderr) }},
		{"experiments", func(a []string, w io.Writer) error { _, err := parseExperiments(a, w); return err },
			func(a []string, _ io.Reader, stdout, stderr io.Writer) error {
				return listExperiments(a, stdout, stderr)
			}},
		{"policies", parsePolicies,
			func(a []string, _ io.Reader, stdout, stderr io.Writer) error { return listPolicies(a, stdout, stderr) }},
		{"version", parseVersion,
			func(a []string, _ io.Reader, stdout, stderr io.Writer) error { return printVersion(a, stdout, stderr) }},
	}
}

// lookup returns the subcommand called name.
func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

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
	var ee *experiment.Error
	if errors.As(err, &ee) {
		fmt.Fprintln(stderr, "tranche: the experiment has problems:")
		fmt.Fprintln(stderr, ee)
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
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		return help(rest, stdout, stderr)
	case "--version", "-version", "-v":
		name = "version"
	}
	c, ok := lookup(name)
	if !ok {
		if s := suggest(name); s != "" {
			return usagef("unknown command %q; did you mean %q? ('tranche help' lists the commands)", name, s)
		}
		fmt.Fprint(stderr, usage)
		return usagef("unknown command %q", name)
	}
	// Help goes to standard output and exits 0. The command prints its usage
	// when its flags are parsed, so a first parse, silent, finds out whether
	// the arguments ask for help.
	if err := c.parse(rest, io.Discard); errors.Is(err, errHelp) {
		return c.parse(rest, stdout)
	}
	return c.run(rest, os.Stdin, stdout, stderr)
}

// help prints the usage of tranche, or of the command named in args, to
// stdout.
func help(args []string, stdout, stderr io.Writer) error {
	switch {
	case len(args) == 0:
		fmt.Fprint(stdout, usage)
		return errHelp
	case len(args) > 1:
		return usagef("usage: tranche help [COMMAND]")
	case args[0] == "help" || args[0] == "-h" || args[0] == "-help" || args[0] == "--help":
		fmt.Fprint(stdout, usage) // help about help is the usage
		return errHelp
	case args[0] == "--version" || args[0] == "-version" || args[0] == "-v":
		args = []string{"version"} // as tranche --version is tranche version
	}
	c, ok := lookup(args[0])
	if !ok {
		if s := suggest(args[0]); s != "" {
			return usagef("no command %q; did you mean %q?", args[0], s)
		}
		fmt.Fprint(stderr, usage)
		return usagef("no command %q", args[0])
	}
	return c.parse([]string{"-h"}, stdout)
}

// suggest returns the command closest to name, a mistyped command, or ""
// when none is close: within one edit (an insertion, deletion, substitution
// or swap of adjacent letters) for short names, two for longer ones.
func suggest(name string) string {
	lower := strings.ToLower(name)
	if _, ok := lookup(lower); ok || lower == "help" {
		return lower // only the case was wrong
	}
	names := []string{"help"}
	for _, c := range commands() {
		names = append(names, c.name)
	}
	return textdist.Closest(lower, names, min(2, max(1, len(name)/3))+1)
}
