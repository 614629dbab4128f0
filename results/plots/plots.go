// Package plots draws the figures of a results folder: fan charts of the
// per-round series, final-outcome distributions, the durable-agreement
// against humanitarian-shortfall trade-off, paired differences from the
// baseline and sample histories. It reads a results.Run (the folder's CSV
// and JSON files) and never re-runs the model.
//
// Every policy keeps one colour in every figure: policy i, in the order of
// the manifest, gets Color(i) from the Okabe-Ito palette, which colour-blind
// readers can tell apart; from the ninth policy on the colours repeat with a
// different glyph shape and dash pattern.
package plots // import "github.com/tranche-sim/tranche/results/plots"

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/tranche-sim/tranche/internal/atomicfile"
	"github.com/tranche-sim/tranche/results"
)

// Figure is a figure written to disk.
type Figure struct {
	Name    string // file name without extension, e.g. "fan-relief"
	Title   string
	Caption string // one line telling a reader how to read it
	Path    string // the file written
}

// Formats returns the supported output formats: "png", "svg", "pdf".
func Formats() []string { return []string{"png", "svg", "pdf"} }

// figure is a figure before it is drawn: its size and a function drawing
// it on a canvas of that size.
type figure struct {
	name, title, caption string
	w, h                 vg.Length
	draw                 func(draw.Canvas)
}

// All draws every figure of a results folder into dir (created if needed) in
// the given format and returns them in a stable order. It reads only run
// (which comes from the CSV/JSON files), never re-runs anything. Each file is
// written atomically (temporary file in dir, then rename). An unknown format
// is an error naming the allowed ones. Cancelling ctx stops it between
// figures, with ctx's error.
func All(ctx context.Context, run *results.Run, dir, format string) ([]Figure, error) {
	if err := checkFormat(format); err != nil {
		return nil, err
	}
	if run == nil {
		return nil, errors.New("plots: no results")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("plots: %w", err)
	}
	figs := newStudy(run).figures()
	out := make([]Figure, 0, len(figs))
	for _, f := range figs {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		path := filepath.Join(dir, f.name+"."+format)
		if err := render(path, format, f.w, f.h, f.draw); err != nil {
			return out, err
		}
		out = append(out, Figure{Name: f.name, Title: f.title, Caption: f.caption, Path: path})
	}
	return out, nil
}

// figures are the figures of a study, in the order All returns them.
func (st *study) figures() []figure {
	var figs []figure
	for _, s := range fanSeries {
		if f, ok := st.fan(s); ok {
			figs = append(figs, f)
		}
	}
	for _, build := range []func() (figure, bool){st.outcomes, st.tradeoff, st.differences} {
		if f, ok := build(); ok {
			figs = append(figs, f)
		}
	}
	return append(figs, st.histories()...)
}

func checkFormat(format string) error {
	for _, f := range Formats() {
		if f == format {
			return nil
		}
	}
	return fmt.Errorf("plots: unknown format %q (allowed: %s)", format, strings.Join(Formats(), ", "))
}

// render draws a figure of size w x h in the given format and writes it to
// path atomically. A panic while drawing (gonum/plot panics on some invalid
// input) is returned as an error.
func render(path, format string, w, h vg.Length, fn func(draw.Canvas)) (err error) {
	if err := checkFormat(format); err != nil {
		return err
	}
	cw, err := draw.NewFormattedCanvas(w, h, format)
	if err != nil {
		return fmt.Errorf("plots: %w", err)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("plots: drawing %s: %v", filepath.Base(path), r)
		}
	}()
	var c vg.CanvasSizer = cw
	if format == "pdf" {
		c = pdfBold{cw}
	}
	dc := draw.New(c)
	dc.SetColor(white)
	dc.Fill(dc.Rectangle.Path())
	fn(dc)
	return writeAtomic(path, cw)
}

// pdfBold works around two limits of gonum/plot's PDF backend: it selects a
// bold face with a style its font registration does not know ("undefined
// font"), and it embeds the first font file only, under every face. In PDF
// output, bold (or italic) text is therefore written in the regular face,
// enlarged to the width the layout measured for it.
type pdfBold struct{ vg.CanvasWriterTo }

func (c pdfBold) FillString(f font.Face, pt vg.Point, s string) {
	if f.Font.Weight != xfont.WeightNormal || f.Font.Style != xfont.StyleNormal {
		reg := f.Font
		reg.Weight, reg.Style = xfont.WeightNormal, xfont.StyleNormal
		r := font.DefaultCache.Lookup(reg, f.Font.Size)
		if wr, wb := r.Width(s), f.Width(s); wr > 0 && wb > 0 {
			r = font.DefaultCache.Lookup(reg, f.Font.Size*wb/wr)
		}
		f = r
	}
	c.CanvasWriterTo.FillString(f, pt, s)
}

// writeAtomic writes wt to path with atomicfile.Write: a reader never sees
// a partial file, and errors name path with the underlying cause.
func writeAtomic(path string, wt io.WriterTo) error {
	err := atomicfile.Write(path, func(w io.Writer) error {
		_, err := wt.WriteTo(w)
		return err
	})
	if err != nil {
		return fmt.Errorf("plots: %w", err)
	}
	return nil
}

// study is a run with its policies in colour order.
type study struct {
	run      *results.Run
	policies []string       // manifest order, then any others of the summary and rounds
	index    map[string]int // colour index of each policy
}

func newStudy(run *results.Run) *study {
	st := &study{run: run, index: map[string]int{}}
	add := func(p string) {
		if _, ok := st.index[p]; !ok {
			st.index[p] = len(st.policies)
			st.policies = append(st.policies, p)
		}
	}
	for _, p := range run.Manifest.Policies {
		add(p)
	}
	for _, p := range run.Summary.Policies {
		add(p.Policy)
	}
	for _, r := range run.Rounds {
		add(r.Policy)
	}
	return st
}

// summary returns the summary of a policy.
func (st *study) summary(policy string) (results.PolicySummary, bool) {
	for _, p := range st.run.Summary.Policies {
		if p.Policy == policy {
			return p, true
		}
	}
	return results.PolicySummary{}, false
}

func (st *study) replications() int {
	if n := st.run.Manifest.Replications; n > 0 {
		return n
	}
	return st.run.Summary.Replications
}

func (st *study) rounds() int {
	if n := st.run.Manifest.Rounds; n > 0 {
		return n
	}
	return st.run.Summary.Rounds
}

// roundLabel is the label of a time axis.
func roundLabel(monthsPerRound int) string {
	switch {
	case monthsPerRound == 1:
		return "round (1 month)"
	case monthsPerRound > 1:
		return fmt.Sprintf("round (%d months)", monthsPerRound)
	}
	return "round"
}

// fileNames returns a file name part for each policy, unique even on a
// file system that ignores case: the policy's name with characters that do
// not belong in a file name replaced, at most 64 of them, and -2, -3, ...
// after names taken by an earlier policy. Names that scenarios accept need
// no change; a results folder made otherwise cannot make figures overwrite
// each other.
func fileNames(policies []string) map[string]string {
	out := map[string]string{}
	taken := map[string]bool{}
	for _, p := range policies {
		if _, ok := out[p]; ok {
			continue
		}
		base := fileSafe(p)
		if len(base) > 64 {
			base = base[:64]
		}
		if base == "" {
			base = "policy"
		}
		name := base
		for i := 2; taken[strings.ToLower(name)]; i++ {
			name = fmt.Sprintf("%s-%d", base, i)
		}
		taken[strings.ToLower(name)] = true
		out[p] = name
	}
	return out
}

// fileSafe replaces characters that do not belong in a file name.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, s)
}

// gridCols is the number of columns of a grid of n policy panels.
func gridCols(n int) int {
	switch {
	case n <= 3:
		return max(n, 1)
	case n <= 6:
		return 3
	}
	return 4
}
