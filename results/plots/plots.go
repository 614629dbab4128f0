// Package plots draws the figures of a results folder: fan charts of the
// per-round series, final-outcome distributions, the durable-agreement
// against humanitarian-shortfall trade-off, paired differences from the
// baseline and sample histories. It reads a results.Run (the folder's CSV
// and JSON files) and never re-runs the model.
//
// Every policy keeps one colour in every figure: policy i, in the order of
// the manifest, gets st.style[p].colour() from the Okabe-Ito palette, which colour-blind
// readers can tell apart; from the ninth policy on the colours repeat with a
// different glyph shape and dash pattern.
package plots // import "github.com/tranche-sim/tranche/results/plots"

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"git.sr.ht/~sbinet/gg"
	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

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
// (which comes from the CSV/JSON files), never re-runs anything. Figures
// are drawn in parallel, on as many goroutines as GOMAXPROCS, each written
// atomically (temporary file in dir, then rename); a figure's bytes depend
// only on run. An unknown format is an error naming the allowed ones.
// Cancelling ctx stops it between figures, with ctx's error. done, if not
// nil, is called (from one goroutine at a time) as each figure is written,
// with the number written and the total.
func All(ctx context.Context, run *results.Run, dir, format string, done ...func(n, total int)) ([]Figure, error) {
	if err := checkFormat(format); err != nil {
		return nil, err
	}
	if run == nil {
		return nil, errors.New("plots: no results")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("plots: %w", err)
	}
	return drawFigures(ctx, newStudy(run).figures(), dir, format, done)
}

// drawFigures draws figures into dir on as many goroutines as GOMAXPROCS,
// each into a pixel buffer it reuses, and returns them in the order given.
func drawFigures(ctx context.Context, figs []figure, dir, format string, done []func(n, total int)) ([]Figure, error) {
	out := make([]Figure, len(figs))
	errs := make([]error, len(figs))
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	written := 0
	for range min(runtime.GOMAXPROCS(0), len(figs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf pixels // reused from figure to figure
			for i := range next {
				f := figs[i]
				path := filepath.Join(dir, f.name+"."+format)
				if errs[i] = buf.render(path, format, f.w, f.h, f.draw); errs[i] == nil {
					out[i] = Figure{Name: f.name, Title: f.title, Caption: f.caption, Path: path}
				}
				mu.Lock()
				written++
				for _, d := range done {
					d(written, len(figs))
				}
				mu.Unlock()
			}
		}()
	}
	var err error
	for i := range figs {
		if err = ctx.Err(); err != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	for _, e := range errs {
		if e != nil {
			return nil, e
		}
	}
	return out, nil
}

// figures are the figures of a study, in the order All returns them.
func (st *study) figures() []figure {
	var figs []figure
	for _, build := range []func() (figure, bool){st.tradeoff, st.differences, st.means, st.outcomes, st.endings} {
		if f, ok := build(); ok {
			figs = append(figs, f)
		}
	}
	for _, s := range keySeries() {
		if f, ok := st.levels(s); ok {
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
func render(path, format string, w, h vg.Length, fn func(draw.Canvas)) error {
	var buf pixels
	return buf.render(path, format, w, h, fn)
}

// pixels holds the pixels of PNG figures, reused from one figure to the
// next: a figure is megabytes of pixels, and allocating them afresh (twice,
// as vgimg.New does) cost more than drawing many figures.
type pixels struct{ img *image.RGBA }

// canvas returns a white image canvas of size w x h at vgimg.DefaultDPI on
// the buffer's pixels.
func (b *pixels) canvas(w, h vg.Length) *vgimg.Canvas {
	dpi := vg.Length(vgimg.DefaultDPI)
	pw, ph := int(w/vg.Inch*dpi+0.5), int(h/vg.Inch*dpi+0.5)
	if b.img == nil || b.img.Rect.Dx() < pw || b.img.Rect.Dy() < ph {
		b.img = image.NewRGBA(image.Rect(0, 0, max(pw, b.width()), max(ph, b.height())))
	}
	sub := b.img.SubImage(image.Rect(0, 0, pw, ph)).(*image.RGBA)
	ctx := gg.NewContextForRGBA(sub)
	ctx.SetLineCapButt() // as vgimg.New sets up its own context
	ctx.InvertY()
	return vgimg.NewWith(vgimg.UseImageWithContext(sub, ctx)) // white, the default background
}

func (b *pixels) width() int {
	if b.img == nil {
		return 0
	}
	return b.img.Rect.Dx()
}

func (b *pixels) height() int {
	if b.img == nil {
		return 0
	}
	return b.img.Rect.Dy()
}

// render is the package's render, drawing PNG figures on b's pixels.
func (b *pixels) render(path, format string, w, h vg.Length, fn func(draw.Canvas)) (err error) {
	if err := checkFormat(format); err != nil {
		return err
	}
	var cw vg.CanvasWriterTo
	if format == "png" {
		cw = fastPNG{b.canvas(w, h)}
	} else {
		var err error
		if cw, err = draw.NewFormattedCanvas(w, h, format); err != nil {
			return fmt.Errorf("plots: %w", err)
		}
		if format == "svg" {
			cw = svgFallback{cw}
		}
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
	if format != "png" { // a PNG canvas starts white
		dc.SetColor(white)
		dc.Fill(dc.Rectangle.Path())
	}
	fn(dc)
	return writeAtomic(path, cw)
}

// svgFallback is an SVG canvas whose text names generic fallback fonts
// after the one it was measured with: a reader without Liberation Sans gets
// Arial, Helvetica or the system's sans-serif, not a serif default.
type svgFallback struct{ vg.CanvasWriterTo }

// WriteTo writes the SVG with the fallback fonts.
func (c svgFallback) WriteTo(w io.Writer) (int64, error) {
	var b bytes.Buffer
	if _, err := c.CanvasWriterTo.WriteTo(&b); err != nil {
		return 0, err
	}
	out := bytes.ReplaceAll(b.Bytes(), []byte("font-family:Liberation Sans;"), []byte("font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"))
	n, err := w.Write(out)
	return int64(n), err
}

// fastPNG is a PNG canvas encoded at zlib's best speed: PNG is lossless at
// any level, and the default level made encoding most of the time spent on
// figures for files a third smaller.
type fastPNG struct{ *vgimg.Canvas }

// WriteTo writes the canvas as PNG.
func (c fastPNG) WriteTo(w io.Writer) (int64, error) {
	cw := &countingWriter{w: w}
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	err := enc.Encode(cw, c.Image())
	return cw.n, err
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
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

// study is a run with its policies in order and their styles.
type study struct {
	run      *results.Run
	policies []string         // manifest order, then any others of the summary and rounds
	index    map[string]int   // position of each policy in policies
	style    map[string]Style // how each policy is drawn
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
	bases := map[string]string{}
	for _, p := range run.Definitions.Policies {
		bases[p.Name] = p.Base
	}
	st.style = Styles(st.policies, bases)
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
