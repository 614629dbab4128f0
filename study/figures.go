package study

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/tranche-sim/tranche/internal/atomicfile"
	"github.com/tranche-sim/tranche/results/plots"
	"github.com/tranche-sim/tranche/results/report"
)

// Plot draws the figures of a complete results folder again, in the given
// format (plots.Formats), from its files, into its plots/ folder. The new
// figures replace the old ones at once: they are drawn into a temporary
// folder beside plots/, with the figures of other formats (kept as they
// were), and swapped in, so an interrupted Plot leaves the old figures. It
// returns the figures, at their final paths.
func Plot(ctx context.Context, dir, format string) ([]plots.Figure, error) {
	if !slices.Contains(plots.Formats(), format) {
		return nil, optionf("Format", "%s: allowed formats are %s", format, strings.Join(plots.Formats(), ", "))
	}
	draw, err := figuresOf(dir)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(dir, ".plots.partial-")
	if err != nil {
		return nil, &InputError{Err: fmt.Errorf("results folder %s: %w", dir, atomicfile.Cause(err, ""))}
	}
	defer os.RemoveAll(tmp)
	figs, err := draw.draw(ctx, tmp, format)
	if ctx.Err() != nil {
		return nil, fmt.Errorf("interrupted; the figures were left as they were: %w", ctx.Err())
	}
	if err != nil {
		return nil, hideIn(err, tmp, filepath.Join(dir, "plots"))
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, err
	}
	final := filepath.Join(dir, "plots")
	if err := keepOthers(final, tmp, "."+format); err != nil {
		return nil, fmt.Errorf("results folder %s: %w", dir, err)
	}
	old := ""
	if _, err := os.Lstat(final); err == nil {
		if old, err = os.MkdirTemp(dir, ".plots.old-"); err != nil {
			return nil, err
		}
		os.Remove(old)
		if err := os.Rename(final, old); err != nil {
			return nil, fmt.Errorf("results folder %s: %w", dir, err)
		}
	}
	if err := os.Rename(tmp, final); err != nil {
		if old != "" {
			os.Rename(old, final) // put the old figures back
		}
		return nil, fmt.Errorf("results folder %s: %w", dir, err)
	}
	if old != "" {
		os.RemoveAll(old)
	}
	for i := range figs {
		figs[i].Path = filepath.Join(final, filepath.Base(figs[i].Path))
	}
	return figs, nil
}

// Report writes the self-contained HTML report of a complete results
// folder to out (dir/report.html for ""), atomically, with figures drawn
// afresh from the folder's files. An out given explicitly must not exist:
// Report never replaces a file it was not asked to (dir/report.html, the
// folder's own report, it replaces). It returns the report's path.
func Report(ctx context.Context, dir, out string) (string, error) {
	draw, err := figuresOf(dir)
	if err != nil {
		return "", err
	}
	path := out
	if path == "" {
		path = filepath.Join(dir, "report.html")
	} else if st, err := os.Stat(path); err == nil {
		if st.IsDir() {
			return "", optionf("Out", "%s is a folder: give the report's file name, such as %s", path, filepath.Join(path, "report.html"))
		}
		return "", optionf("Out", "%s exists: remove it, or give another file name", path)
	} else if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) { // those atomicfile reports
		return "", optionf("Out", "%s: %v", path, atomicfile.Cause(err, ""))
	}
	err = atomicfile.Write(path, func(w io.Writer) error {
		// Draw the figures afresh from the files, into a scratch folder,
		// so that the report always matches the CSVs.
		scratch, err := os.MkdirTemp("", "tranche-report-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(scratch)
		figs, err := draw.draw(ctx, scratch, "png")
		if err != nil {
			return err
		}
		var embed []report.Figure
		for _, f := range figs {
			embed = append(embed, report.Figure{Name: f.Name, Title: f.Title, Caption: f.Caption, Path: f.Path})
		}
		return draw.write(w, embed)
	})
	if ctx.Err() != nil {
		return "", fmt.Errorf("interrupted; no report written: %w", ctx.Err())
	}
	var fe *atomicfile.FolderError
	if errors.As(err, &fe) {
		return "", &InputError{Option: "Out", Err: err}
	}
	if err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	return path, nil
}

// folderFigures draws the figures of a results folder and writes its
// report: a study's or an experiment's.
type folderFigures struct {
	draw  func(ctx context.Context, dir, format string) ([]plots.Figure, error)
	write func(w io.Writer, figs []report.Figure) error
}

// figuresOf reads the complete results folder in dir, a study's or an
// experiment's, for its figures and report.
func figuresOf(dir string) (*folderFigures, error) {
	if err := checkFolder(dir); err != nil {
		return nil, err
	}
	if IsExperiment(dir) {
		run, err := LoadExperimentFolder(dir)
		if err != nil {
			return nil, err
		}
		return &folderFigures{
			draw: func(ctx context.Context, into, format string) ([]plots.Figure, error) {
				return plots.Experiment(ctx, run, into, format)
			},
			write: func(w io.Writer, figs []report.Figure) error { return report.WriteExperiment(w, run, figs) },
		}, nil
	}
	run, err := LoadFolder(dir)
	if err != nil {
		return nil, err
	}
	return &folderFigures{
		draw: func(ctx context.Context, into, format string) ([]plots.Figure, error) {
			return plots.All(ctx, run, into, format)
		},
		write: func(w io.Writer, figs []report.Figure) error { return report.Write(w, run, figs) },
	}, nil
}

// keepOthers links (or copies) into tmp the files of from whose names do
// not end in ext: the figures of other formats, kept by a redraw.
func keepOthers(from, tmp, ext string) error {
	entries, err := os.ReadDir(from)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || strings.HasSuffix(e.Name(), ext) || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		src, dst := filepath.Join(from, e.Name()), filepath.Join(tmp, e.Name())
		if os.Link(src, dst) == nil {
			continue
		}
		b, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// hideIn returns err with the temporary folder tmp named as final.
func hideIn(err error, tmp, final string) error {
	if err == nil || !strings.Contains(err.Error(), tmp) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), tmp, final))
}
