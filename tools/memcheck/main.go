// Command memcheck measures the peak resident memory of tranche run at two
// replication counts and checks that it does not grow with the number of
// replications: results stream to disk and aggregates are fixed-size, so
// the larger run may use at most 25% more memory than the smaller.
//
//	go run ./tools/memcheck                       # 10,000 against 1,000,000 replications
//	go run ./tools/memcheck -large 200000         # quicker, as CI runs it
//
// It builds tranche, runs each study with --no-plots (and the given
// --format), and reads each run's peak RSS from the kernel (getrusage).
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

func main() {
	small := flag.Int("small", 10_000, "replications of the smaller run")
	large := flag.Int("large", 1_000_000, "replications of the larger run")
	limit := flag.Float64("limit", 1.25, "largest allowed ratio of peak RSS, larger run over smaller")
	format := flag.String("format", "csv", "table format passed to tranche run --format")
	flag.Parse()
	if err := run(*small, *large, *limit, *format); err != nil {
		fmt.Fprintln(os.Stderr, "memcheck:", err)
		os.Exit(1)
	}
}

func run(small, large int, limit float64, format string) error {
	tmp, err := os.MkdirTemp("", "memcheck-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "tranche")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/tranche").CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	var rss [2]int64
	for i, reps := range []int{small, large} {
		start := time.Now()
		cmd := exec.Command(bin, "run", "--reps", fmt.Sprint(reps), "--quiet", "--no-plots", "--format", format, "--out", filepath.Join(tmp, fmt.Sprint("run", i)))
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("tranche run --reps %d: %w", reps, err)
		}
		ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		if !ok {
			return fmt.Errorf("no resource usage on this system")
		}
		rss[i] = ru.Maxrss // KiB on Linux
		fmt.Printf("%9d replications x 5 policies: peak RSS %6.1f MiB, %6.1f s\n", reps, float64(rss[i])/1024, time.Since(start).Seconds())
		os.RemoveAll(filepath.Join(tmp, fmt.Sprint("run", i)))
	}
	ratio := float64(rss[1]) / float64(rss[0])
	fmt.Printf("growth: %+.1f%% for %.0fx the replications (limit %+.0f%%)\n", 100*(ratio-1), float64(large)/float64(small), 100*(limit-1))
	if ratio > limit {
		return fmt.Errorf("peak memory grew by %.1f%%, more than %.0f%%", 100*(ratio-1), 100*(limit-1))
	}
	return nil
}
