// Command memcheck measures the peak resident memory of tranche run at two
// replication counts and checks that it does not grow with the number of
// replications: results stream to disk and aggregates are fixed-size, so
// the larger run may use at most 25% more memory than the smaller.
//
//	go run ./tools/memcheck                       # 10,000 against 1,000,000 replications
//	go run ./tools/memcheck -large 100000         # quicker, as CI runs it
//
// It builds tranche, runs each study -runs times with --no-plots (and the
// given --format), reads each run's peak RSS from the kernel (getrusage)
// and compares the medians: a single run's peak depends on when the garbage
// collector happens to run, and varies by up to 10% (more with Parquet,
// whose compressor allocates large buffers) from one run to the next.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"gonum.org/v1/gonum/stat"
)

func main() {
	small := flag.Int("small", 10_000, "replications of the smaller run")
	large := flag.Int("large", 1_000_000, "replications of the larger run")
	runs := flag.Int("runs", 5, "runs of each size; their medians are compared")
	limit := flag.Float64("limit", 1.25, "largest allowed ratio of median peak RSS, larger run over smaller")
	format := flag.String("format", "csv", "table format passed to tranche run --format")
	flag.Parse()
	if *runs < 1 || *small < 1 || *large < 1 {
		fmt.Fprintln(os.Stderr, "memcheck: -runs, -small and -large must be at least 1")
		os.Exit(2)
	}
	if err := run(*small, *large, *runs, *limit, *format); err != nil {
		fmt.Fprintln(os.Stderr, "memcheck:", err)
		os.Exit(1)
	}
}

func run(small, large, runs int, limit float64, format string) error {
	tmp, err := os.MkdirTemp("", "memcheck-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "tranche")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/tranche").CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	var median [2]float64
	for i, reps := range []int{small, large} {
		peaks := make([]float64, runs)
		start := time.Now()
		for k := range peaks {
			out := filepath.Join(tmp, fmt.Sprint("run", i, "-", k))
			cmd := exec.Command(bin, "run", "--reps", fmt.Sprint(reps), "--quiet", "--no-plots", "--format", format, "--out", out)
			cmd.Stderr = os.Stderr
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("tranche run --reps %d: %w", reps, err)
			}
			ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
			if !ok {
				return fmt.Errorf("no resource usage on this system")
			}
			peaks[k] = float64(ru.Maxrss) / 1024 // KiB on Linux
			os.RemoveAll(out)
		}
		sorted := slices.Clone(peaks)
		slices.Sort(sorted)
		median[i] = stat.Quantile(0.5, stat.Empirical, sorted, nil)
		fmt.Printf("%9d replications x 5 policies: peak RSS %6.1f MiB (median of %.1f), %6.1f s a run\n",
			reps, median[i], peaks, time.Since(start).Seconds()/float64(runs))
	}
	ratio := median[1] / median[0]
	fmt.Printf("growth: %+.1f%% for %.0fx the replications (limit %+.0f%%)\n", 100*(ratio-1), float64(large)/float64(small), 100*(limit-1))
	if ratio > limit {
		return fmt.Errorf("peak memory grew by %.1f%%, more than %.0f%%", 100*(ratio-1), 100*(limit-1))
	}
	return nil
}
