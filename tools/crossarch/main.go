// Command crossarch measures how far tranche's results on arm64 are from
// those on this machine's architecture. Results are bit-identical on one
// architecture, whatever the workers or machines; across architectures they
// are not, because the Go compiler fuses multiply-adds on arm64 (and so do
// the math library's and gonum's own functions there), which changes the
// last bits. crossarch checks that it changes no more than that: it builds
// tranche for both, runs the same study natively and on arm64 under
// qemu-user, and compares every number of the tables.
//
//	go run ./tools/crossarch              # 2,000 replications of the default scenario
//	go run ./tools/crossarch -reps 500 -tol 1e-9
//
// It fails (exit 1) if any number differs by more than -tol (relative, or
// absolute below 1) or any other cell differs. Without qemu-aarch64 it
// prints SKIP and why, and exits 0.
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
)

func main() {
	reps := flag.Int("reps", 2000, "replications per policy")
	tol := flag.Float64("tol", 1e-9, "largest allowed difference of a number, relative (absolute below 1)")
	scenario := flag.String("scenario", "default", "scenario to run")
	flag.Parse()
	if *reps < 1 || !(*tol >= 0) {
		fmt.Fprintln(os.Stderr, "crossarch: -reps must be at least 1 and -tol at least 0")
		os.Exit(2)
	}
	if runtime.GOARCH == "arm64" {
		fmt.Println("SKIP: this machine is arm64 already; run crossarch on another architecture")
		return
	}
	qemu, err := exec.LookPath("qemu-aarch64")
	if err != nil {
		fmt.Println("SKIP: qemu-aarch64 not found (Debian: apt-get install qemu-user); arm64 results not compared")
		return
	}
	if err := run(qemu, *scenario, *reps, *tol); err != nil {
		fmt.Fprintln(os.Stderr, "crossarch:", err)
		os.Exit(1)
	}
}

func run(qemu, scenario string, reps int, tol float64) error {
	dir, err := os.MkdirTemp("", "crossarch")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	native, arm := filepath.Join(dir, "tranche"), filepath.Join(dir, "tranche-arm64")
	if err := build(native, runtime.GOARCH); err != nil {
		return err
	}
	if err := build(arm, "arm64"); err != nil {
		return err
	}
	args := []string{"run", scenario, "--reps", strconv.Itoa(reps), "--quiet", "--no-plots", "--workers", "2", "--out"}
	outN, outA := filepath.Join(dir, runtime.GOARCH), filepath.Join(dir, "arm64")
	if err := command(native, append(args, outN)...); err != nil {
		return err
	}
	if err := command(qemu, append([]string{arm}, append(args, outA)...)...); err != nil {
		return err
	}
	fmt.Printf("%s: %d replications per policy, %s against arm64 (qemu-user)\n", scenario, reps, runtime.GOARCH)
	var failed bool
	for _, name := range []string{"summary.csv", "comparison.csv", "rounds.csv", "replications.csv"} {
		d, err := compare(filepath.Join(outN, name), filepath.Join(outA, name), tol)
		if err != nil {
			return err
		}
		fmt.Printf("  %-17s %8d numbers, %7d not bit-identical, largest difference %.2g, %d beyond %.0e\n",
			name, d.numbers, d.differ, d.largest, d.beyond, tol)
		failed = failed || d.beyond > 0
	}
	if failed {
		return fmt.Errorf("arm64 results differ by more than %g", tol)
	}
	fmt.Println("PASS: arm64 results differ from " + runtime.GOARCH + " only in the last bits")
	return nil
}

func build(out, goarch string) error {
	cmd := exec.Command("go", "build", "-o", out, "./cmd/tranche")
	cmd.Env = append(os.Environ(), "GOARCH="+goarch, "CGO_ENABLED=0")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("build for %s: %w", goarch, err)
	}
	return nil
}

// command runs name with args; what it prints is shown only if it fails.
func command(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %v: %w\n%s", name, args, err, out)
	}
	return nil
}

// difference summarises how two tables differ.
type difference struct {
	numbers, differ, beyond int
	largest                 float64
}

// compare reads two CSV tables and compares them cell by cell: numbers
// within tol (relative, or absolute below 1), NaN equal to NaN, any other
// cell exactly.
func compare(a, b string, tol float64) (difference, error) {
	ta, err := read(a)
	if err != nil {
		return difference{}, err
	}
	tb, err := read(b)
	if err != nil {
		return difference{}, err
	}
	if len(ta) != len(tb) {
		return difference{}, fmt.Errorf("%s has %d rows, its arm64 twin %d", filepath.Base(a), len(ta), len(tb))
	}
	var d difference
	for i := range ta {
		if len(ta[i]) != len(tb[i]) {
			return difference{}, fmt.Errorf("%s row %d has %d cells, its arm64 twin %d", filepath.Base(a), i+1, len(ta[i]), len(tb[i]))
		}
		for j, x := range ta[i] {
			y := tb[i][j]
			fx, errx := strconv.ParseFloat(x, 64)
			fy, erry := strconv.ParseFloat(y, 64)
			if errx != nil || erry != nil {
				if x != y {
					return difference{}, fmt.Errorf("%s row %d cell %d: %q against %q on arm64", filepath.Base(a), i+1, j+1, x, y)
				}
				continue
			}
			d.numbers++
			if x == y || math.IsNaN(fx) && math.IsNaN(fy) {
				continue
			}
			d.differ++
			diff := math.Abs(fx-fy) / max(1, math.Abs(fx))
			if math.IsNaN(diff) {
				diff = math.Inf(1)
			}
			d.largest = max(d.largest, diff)
			if diff > tol {
				d.beyond++
			}
		}
	}
	return d, nil
}

func read(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rows, nil
}
