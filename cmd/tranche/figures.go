package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/tranche-sim/tranche/internal/textdist"
	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/results/plots"
	"github.com/tranche-sim/tranche/study"
)

// loadRun reads a results folder named on the command line.
func loadRun(dir string) (*results.Run, error) {
	run, err := study.LoadFolder(dir)
	if err != nil {
		return nil, asUsage(err)
	}
	return run, nil
}

// parseFlags parses args with fs. On -h or --help it prints the usage and
// returns errHelp; on a mistake it returns a usage error that says what is
// wrong, suggests a flag for a misspelt one and points to --help, without
// the flag package's dump of every flag.
func parseFlags(fs *flag.FlagSet, args []string) error {
	out, usage := fs.Output(), fs.Usage
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.SetOutput(out)
	fs.Usage = usage
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.Usage()
		return errHelp
	case err != nil:
		hint := ""
		if name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -"); ok {
			var flags []string
			fs.VisitAll(func(f *flag.Flag) { flags = append(flags, f.Name) })
			if best := textdist.Closest(name, flags, min(3, max(1, len(name)/3)+1)); best != "" {
				hint = fmt.Sprintf(" (did you mean --%s?)", best)
			}
		}
		msg := strings.NewReplacer("flag -", "flag --", ": -", ": --").Replace(err.Error()) // flags are written --name here
		return usagef("%s%s; '%s --help' lists the flags and their values", msg, hint, fs.Name())
	}
	return nil
}

// parseInterleaved parses flags and positional arguments given in any
// order (the flag package stops at the first positional argument) and
// returns the positional ones.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// parseScenarioArgs parses a command's flags and its scenario argument,
// none (the default scenario) or one, in any order. It returns the scenario
// and the names of the flags given explicitly.
func parseScenarioArgs(fs *flag.FlagSet, args []string) (string, map[string]bool, error) {
	positional, err := parseInterleaved(fs, args)
	if err != nil {
		return "", nil, err
	}
	if len(positional) > 1 {
		return "", nil, usagef("%s takes one scenario, got %d: %s", fs.Name(), len(positional), strings.Join(positional, " "))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if len(positional) == 0 {
		return "", set, nil
	}
	return positional[0], set, nil
}

// parseDirArgs parses a results folder argument and flags in any order.
func parseDirArgs(fs *flag.FlagSet, args []string) (string, error) {
	dirs, err := parseInterleaved(fs, args)
	if err != nil {
		return "", err
	}
	if len(dirs) != 1 {
		fs.Usage()
		return "", usagef("%s takes one results folder", fs.Name())
	}
	return dirs[0], nil
}

// parsePlot parses the arguments of tranche plot, the results folder and
// the figure format; its messages, and the usage that -h asks for, go to w.
func parsePlot(args []string, w io.Writer) (dir, format string, err error) {
	fs := flag.NewFlagSet("tranche plot", flag.ContinueOnError)
	fs.SetOutput(w)
	fs.StringVar(&format, "format", "png", "figure format: "+strings.Join(plots.Formats(), ", "))
	fs.Usage = func() {
		fmt.Fprintln(w, "Usage: tranche plot RESULTS_DIR [--format png|svg|pdf]\n\nRedraws the figures of a results folder into its plots/ from its CSV and JSON files.\n\nFlags:")
		fs.PrintDefaults()
	}
	if dir, err = parseDirArgs(fs, args); err != nil {
		return "", "", err
	}
	return dir, format, nil
}

// drawFigures redraws the figures of a results folder from its files.
func drawFigures(args []string, stdout, stderr io.Writer) error {
	dir, format, err := parsePlot(args, stderr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	figs, err := study.Plot(ctx, dir, format)
	if err != nil {
		return asUsage(err)
	}
	for _, f := range figs {
		fmt.Fprintf(stdout, "%s\t%s\n", f.Path, f.Title)
	}
	return nil
}

// parseReport parses the arguments of tranche report, the results folder
// and --out; its messages, and the usage that -h asks for, go to w.
func parseReport(args []string, w io.Writer) (dir, out string, err error) {
	fs := flag.NewFlagSet("tranche report", flag.ContinueOnError)
	fs.SetOutput(w)
	fs.StringVar(&out, "out", "", "file to write (default RESULTS_DIR/report.html)")
	fs.Usage = func() {
		fmt.Fprintln(w, "Usage: tranche report RESULTS_DIR [--out FILE]\n\nWrites one self-contained HTML page (figures embedded, no network, no scripts).\n\nFlags:")
		fs.PrintDefaults()
	}
	if dir, err = parseDirArgs(fs, args); err != nil {
		return "", "", err
	}
	return dir, out, nil
}

// writeReport writes report.html for a results folder.
func writeReport(args []string, stdout, stderr io.Writer) error {
	dir, out, err := parseReport(args, stderr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	path, err := study.Report(ctx, dir, out)
	if err != nil {
		return asUsage(err)
	}
	fmt.Fprintf(stdout, "report: %s\n", path)
	return nil
}
