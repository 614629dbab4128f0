package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"text/tabwriter"

	"github.com/tranche-sim/tranche/policy"
	"github.com/tranche-sim/tranche/scenarios"
)

func listScenarios(args []string, stdout io.Writer) error {
	switch {
	case len(args) == 0:
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
	case args[0] == "show" && len(args) == 2:
		s, err := scenarios.Get(args[1])
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
	return usagef("usage: tranche scenarios [show NAME]")
}

func listPolicies(args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return usagef("usage: tranche policies")
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

// version returns the module version and, when built from a checkout, the
// commit.
func version() string {
	v := "devel"
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if info.Main.Version != "" && info.Main.Version != "(devel)" {
		v = info.Main.Version
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += "+" + s.Value[:12]
		}
		if s.Key == "vcs.modified" && s.Value == "true" {
			v += "-dirty"
		}
	}
	return v
}

// build returns the first 16 hexadecimal digits of the SHA-256 of the
// running executable, or "unknown". It tells builds apart where version
// cannot: a build without version control information (go build with
// -buildvcs=false, or outside a repository) reports "devel" whatever its
// source. Go builds are reproducible, so the same source, Go release and
// architecture give the same build.
func build() string {
	exe, err := os.Executable()
	if err != nil {
		return "unknown"
	}
	f, err := os.Open(exe)
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "unknown"
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}
