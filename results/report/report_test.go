package report_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/results/report"
	"github.com/tranche-sim/tranche/scenarios"
	"github.com/tranche-sim/tranche/study"
)

// resultsFolder makes a small real results folder through the library.
func resultsFolder(t *testing.T) *results.Run {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "res")
	s, err := scenarios.Get("default")
	if err != nil {
		t.Fatal(err)
	}
	s.Replications = 64
	opts := study.Options{Out: dir, Objective: "settlement - 0.05*humanitarian_shortfall"}
	if _, err := study.Run(context.Background(), s, opts); err != nil {
		t.Fatal(err)
	}
	run, err := results.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return run
}

// testFigure writes a small PNG: a red square on white.
func testFigure(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := range 40 {
		for y := range 30 {
			img.Set(x, y, color.White)
			if x > 10 && x < 30 {
				img.Set(x, y, color.RGBA{200, 30, 30, 255})
			}
		}
	}
	path := filepath.Join(t.TempDir(), "fig.png")
	var b bytes.Buffer
	png.Encode(&b, img)
	os.WriteFile(path, b.Bytes(), 0o644)
	return path
}

// The report opens with its answer: a headline naming the best policy on
// each key metric in words, with its interval and the policies that cannot
// be told apart from it, before the trade-off figure and the tables.
func TestReportHeadlineFirst(t *testing.T) {
	run := resultsFolder(t)
	var b bytes.Buffer
	figs := []report.Figure{
		{Name: "levels-relief", Title: "Relief levels", Caption: "c", Path: testFigure(t)},
		{Name: "tradeoff", Title: "The trade-off", Caption: "c", Path: testFigure(t)},
	}
	if err := report.Write(&b, run, figs); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	order := []string{"The answer in brief", "<strong>Settlement</strong> (higher is better): best", "The trade-off", "Comparison with the baseline", "<h2>Summary</h2>", "Relief levels", "<h2>The scenario</h2>"}
	at := -1
	for _, w := range order {
		i := strings.Index(html, w)
		if i < 0 {
			t.Fatalf("report lacks %q", w)
		}
		if i < at {
			t.Errorf("%q comes too early", w)
		}
		at = i
	}
	if !strings.Contains(html, "Humanitarian shortfall<br><span class=\"sub\">humanitarian_shortfall</span>") {
		t.Error("table headers do not name metrics in words with their keys")
	}
}

func TestReportContents(t *testing.T) {
	run := resultsFolder(t)
	var b bytes.Buffer
	fig := report.Figure{Title: "A test figure", Caption: "Read it left to right.", Path: testFigure(t)}
	if err := report.Write(&b, run, []report.Figure{fig}); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	for _, want := range []string{
		"tranche report: default", "The scenario", "Beta(1.2, 4)", "lead-state",
		"settlement", "Comparison with the baseline", "Pareto-efficient", "Ranking by the objective",
		"A test figure", "Read it left to right.", "data:image/png;base64,", "scenario SHA-256",
		"[policy.phased-snapback]", // the resolved TOML
	} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, p := range run.Manifest.Policies {
		if !strings.Contains(html, `<td class="text">`+p+"</td>") {
			t.Errorf("report has no row for %s", p)
		}
	}
	// Self-contained: nothing is fetched and nothing runs.
	if ext := regexp.MustCompile(`(?i)(src|href)\s*=\s*"(https?:|//)`).FindString(html); ext != "" {
		t.Errorf("report refers to the network: %s", ext)
	}
	if strings.Contains(strings.ToLower(html), "<script") {
		t.Error("report contains a script")
	}
}

// The report opens in a real browser: headless Chromium renders it to a
// screenshot with the page's text and the embedded figure on it. Skipped,
// with a message, where Chromium is not installed (.ci/run installs it).
func TestReportRendersInChromium(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skipf("chromium not installed (%v): install Debian's chromium package to run this test", err)
	}
	run := resultsFolder(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	f, _ := os.Create(page)
	if err := report.Write(f, run, []report.Figure{{Title: "Figure", Caption: "caption", Path: testFigure(t)}}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	shot := filepath.Join(dir, "shot.png")
	cmd := exec.Command(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--window-size=1200,3000",
		"--screenshot="+shot, "file://"+page)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	sf, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer sf.Close()
	img, err := png.Decode(sf)
	if err != nil {
		t.Fatal(err)
	}
	// The page is not blank: text (dark pixels) and the figure's red.
	var dark, red int
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if r < 0x4000 && g < 0x4000 && b < 0x4000 {
				dark++
			}
			if r > 0xb000 && g < 0x3000 && b < 0x3000 {
				red++
			}
		}
	}
	if dark < 5000 {
		t.Errorf("screenshot has %d dark pixels: the page's text did not render", dark)
	}
	if red < 100 {
		t.Errorf("screenshot has %d red pixels: the embedded figure did not render", red)
	}
	t.Logf("rendered %dx%d screenshot with %d dark and %d red pixels", bounds.Dx(), bounds.Dy(), dark, red)
}
