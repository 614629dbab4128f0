package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/tranche-sim/tranche/policy"
	"github.com/tranche-sim/tranche/scenarios"
	"github.com/tranche-sim/tranche/study"
)

// usageFlagSet returns a flag set for subcommand name whose usage, text and
// then the flags if it has any, goes to w, as do its messages.
func usageFlagSet(name, text string, w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(w)
	fs.Usage = func() {
		fmt.Fprint(w, text)
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintln(w, "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

const scenariosUsage = `Usage: tranche scenarios [show NAME]

Lists the bundled scenarios, each with a one-line summary. With show NAME,
prints the bundled scenario NAME as complete, commented TOML: save it to a
file, edit it, and run it with tranche run FILE.toml.
`

// parseScenarios parses the arguments of tranche scenarios and returns the
// scenario to show, or "" to list them; its messages, and the usage that -h
// asks for, go to w.
func parseScenarios(args []string, w io.Writer) (show string, err error) {
	return parseListOrShow("scenarios", "scenario", scenariosUsage, args, w)
}

// parseListOrShow parses the arguments of a command that lists bundled
// things (tranche scenarios, tranche experiments) or, with show NAME,
// shows one: it returns the name to show, or "" to list.
func parseListOrShow(command, thing, usage string, args []string, w io.Writer) (show string, err error) {
	fs := usageFlagSet("tranche "+command, usage, w)
	pos, err := parseInterleaved(fs, args)
	switch {
	case err != nil:
		return "", err
	case len(pos) == 0:
		return "", nil
	case pos[0] == "show" && len(pos) == 2:
		return pos[1], nil
	case pos[0] == "show":
		return "", usagef("usage: tranche %s show NAME (one bundled %s; tranche %s lists them)", command, thing, command)
	}
	return "", usagef("%s: unexpected argument %q; usage: tranche %s [show NAME]", command, pos[0], command)
}

func listScenarios(args []string, stdout, stderr io.Writer) error {
	name, err := parseScenarios(args, stderr)
	if err != nil {
		return err
	}
	if name != "" {
		s, err := scenarios.Get(name)
		if err != nil {
			var se *scenarios.Error
			if errors.As(err, &se) {
				return err
			}
			return usageError{err}
		}
		_, err = stdout.Write(scenarios.Format(s))
		return err
	}
	list, err := scenarios.List()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	for _, b := range list {
		fmt.Fprintf(tw, "%s\t%s\n", b.Name, b.Summary)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "\n'tranche scenarios show NAME' prints one as complete TOML; 'tranche run NAME' runs it.")
	return nil
}

const policiesUsage = `Usage: tranche policies

Lists the built-in sequencing policies, each with a one-line summary. A
scenario chooses among them (policies = [...]) and sets their parameters in
a [policy.NAME] table; docs/policies.md documents them.
`

// parsePolicies parses the arguments of tranche policies: none, or -h.
func parsePolicies(args []string, w io.Writer) error {
	return parseNoArgs("policies", policiesUsage, args, w)
}

// parseNoArgs parses the arguments of a command that takes none: only -h.
func parseNoArgs(name, usage string, args []string, w io.Writer) error {
	pos, err := parseInterleaved(usageFlagSet("tranche "+name, usage, w), args)
	if err == nil && len(pos) > 0 {
		err = usagef("%s takes no arguments, got %s", name, strings.Join(pos, " "))
	}
	return err
}

func listPolicies(args []string, stdout, stderr io.Writer) error {
	if err := parsePolicies(args, stderr); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	for _, e := range policy.Builtins() {
		fmt.Fprintf(tw, "%s\t%s\n", e.Name, e.Summary)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "\nParameters go in a [policy.NAME] table of a scenario; docs/policies.md documents them.")
	return nil
}

const versionUsage = `Usage: tranche version (or tranche --version)

Prints tranche's version: the module version (devel when built from source)
and, when built from a git checkout, the commit, marked -dirty if the
checkout had changes.
`

// parseVersion parses the arguments of tranche version: none, or -h.
func parseVersion(args []string, w io.Writer) error {
	return parseNoArgs("version", versionUsage, args, w)
}

func printVersion(args []string, stdout, stderr io.Writer) error {
	if err := parseVersion(args, stderr); err != nil {
		return err
	}
	_, err := fmt.Fprintln(stdout, "tranche", version())
	return err
}

// version returns tranche's version.
func version() string { return study.Version() }
