package main

import (
	"strconv"
	"strings"
)

// shardSel is the shard a run is asked to compute.
type shardSel struct {
	index, count int
	from         string // where it came from, for messages
}

// selectShard returns the shard to run, or nil for a whole study. An
// explicit --shard I/N wins; otherwise a Slurm job array
// (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_STEP,
// SLURM_ARRAY_TASK_COUNT) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX,
// with the count from --shards N) names it.
func selectShard(flag string, shards int, getenv func(string) string) (*shardSel, error) {
	if flag != "" && shards != 0 {
		return nil, usagef("--shard %s and --shards %d: give one, --shard I/N to run one shard by hand or --shards N in a Kubernetes Indexed Job", flag, shards)
	}
	if flag != "" {
		i, n, ok := strings.Cut(flag, "/")
		index, err1 := strconv.Atoi(strings.TrimSpace(i))
		count, err2 := strconv.Atoi(strings.TrimSpace(n))
		if !ok || err1 != nil || err2 != nil {
			return nil, usagef("--shard %s: want I/N, such as 0/4 (shards count from 0)", flag)
		}
		return checkShard(&shardSel{index, count, "--shard"})
	}
	if id := getenv("SLURM_ARRAY_TASK_ID"); id != "" {
		num := func(name string, def int) (int, error) {
			v := getenv(name)
			if v == "" {
				return def, nil
			}
			x, err := strconv.Atoi(v)
			if err != nil {
				return 0, usagef("%s = %q: not a whole number", name, v)
			}
			return x, nil
		}
		task, err := num("SLURM_ARRAY_TASK_ID", 0)
		if err != nil {
			return nil, err
		}
		lo, err := num("SLURM_ARRAY_TASK_MIN", 0)
		if err != nil {
			return nil, err
		}
		step, err := num("SLURM_ARRAY_TASK_STEP", 1)
		if err != nil {
			return nil, err
		}
		count, err := num("SLURM_ARRAY_TASK_COUNT", 0)
		if err != nil {
			return nil, err
		}
		if count == 0 {
			return nil, usagef("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not: run inside a Slurm job array or give --shard I/N")
		}
		if step < 1 || (task-lo)%step != 0 {
			return nil, usagef("SLURM_ARRAY_TASK_ID %d is not on the array's grid (min %d, step %d)", task, lo, step)
		}
		return checkShard(&shardSel{(task - lo) / step, count, "Slurm job array"})
	}
	if idx := getenv("JOB_COMPLETION_INDEX"); idx != "" {
		index, err := strconv.Atoi(idx)
		if err != nil {
			return nil, usagef("JOB_COMPLETION_INDEX = %q: not a whole number", idx)
		}
		if shards == 0 {
			return nil, usagef("JOB_COMPLETION_INDEX is set: give the number of shards with --shards N (the Indexed Job's completions)")
		}
		return checkShard(&shardSel{index, shards, "Kubernetes Indexed Job"})
	}
	if shards != 0 {
		return nil, usagef("--shards N needs JOB_COMPLETION_INDEX (a Kubernetes Indexed Job); use --shard I/N to run one shard by hand")
	}
	return nil, nil
}

func checkShard(s *shardSel) (*shardSel, error) {
	if s.count < 1 || s.index < 0 || s.index >= s.count {
		return nil, usagef("shard %d of %d (from %s): want 0 <= I < N", s.index, s.count, s.from)
	}
	return s, nil
}
