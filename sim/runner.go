package sim

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
)

// BlockSize is the number of replications in a block, the unit of work the
// runner hands to a worker. It is fixed, so that blocks, and everything
// written in block order, are the same for any number of workers.
const BlockSize = 64

// Study is a set of replications of several policies on one model.
type Study struct {
	// Model is the model to run.
	Model *Model
	// Policies are the policies to compare; every replication runs all of
	// them on the same random streams (common random numbers).
	Policies []PolicyParams
	// Seed is the study's seed.
	Seed uint64
	// First is the index of the first replication to run; a study split
	// into shards runs disjoint ranges of the same seed.
	First int
	// Replications is the number of replications to run.
	Replications int
	// Workers is the number of goroutines; 0 means runtime.GOMAXPROCS(0).
	Workers int
}

// Block is the result of a block of consecutive replications: every
// policy's metrics, replication-major.
type Block struct {
	// Index is the block's position in the study (0 for the first).
	Index int
	// First is the index of the block's first replication and N the number
	// of replications in it.
	First, N int
	// Scratch is free for a Sink to use between Prepare and Commit, for
	// example for formatted rows; it keeps its capacity across blocks.
	Scratch []byte

	policies int
	metrics  []float64
}

// Metrics returns the metrics of replication First+i under policy p.
func (b *Block) Metrics(i, p int) []float64 {
	k := (i*b.policies + p) * NumMetrics
	return b.metrics[k : k+NumMetrics : k+NumMetrics]
}

// Sink receives what a study produces.
type Sink interface {
	// Start is called once by Run, before any other method, with the number
	// of workers the study will use: Outcome and Prepare are then called
	// with w in [0, workers). A sink that keeps per-worker state sizes it
	// here, from the study itself, so the two counts cannot disagree. A sink
	// may be started again by a later Run (a study grown in batches); it
	// keeps what it has recorded. An error stops the study before it starts.
	Start(workers int) error
	// Outcome is called by worker w (0 ≤ w < workers) for each replication
	// rep and policy p as soon as it has run. Different workers call it
	// concurrently; w lets a sink keep per-worker state without locks. o is
	// reused after Outcome returns.
	Outcome(w, rep, p int, o *Outcome)
	// Prepare is called by worker w when it has finished a block, before the
	// block is committed; it may fill b.Scratch.
	Prepare(w int, b *Block)
	// Commit is called for every block in increasing order of Index, from
	// one goroutine at a time. An error stops the study.
	Commit(b *Block) error
}

// WorkerCount returns the number of workers the study will use.
func (s *Study) WorkerCount() int {
	w := s.Workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	blocks := (s.Replications + BlockSize - 1) / BlockSize
	return max(min(w, blocks), 1)
}

// Run runs the study, handing results to sink. It stops early, returning
// the context's error, when ctx is cancelled.
func (s *Study) Run(ctx context.Context, sink Sink) error {
	if s.Model == nil || len(s.Policies) == 0 {
		return errors.New("study: a model and at least one policy are needed")
	}
	if s.Replications < 0 || s.First < 0 {
		return fmt.Errorf("study: replications %d from %d: must not be negative", s.Replications, s.First)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	workers := s.WorkerCount()
	if err := sink.Start(workers); err != nil {
		return err
	}
	blocks := (s.Replications + BlockSize - 1) / BlockSize
	// Workers take a free block before claiming an index, so the block
	// that Commit waits for always has its buffer: no deadlock.
	free := make(chan *Block, 2*workers)
	for range 2 * workers {
		free <- &Block{policies: len(s.Policies), metrics: make([]float64, BlockSize*len(s.Policies)*NumMetrics)}
	}
	done := make(chan *Block, 2*workers)
	var next int
	var mu sync.Mutex
	claim := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if next >= blocks {
			return 0, false
		}
		next++
		return next - 1, true
	}

	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.work(ctx, w, sink, free, done, claim)
		}()
	}
	go func() { wg.Wait(); close(done) }()

	// Commit in block order.
	var err error
	pending := map[int]*Block{}
	want := 0
	for b := range done {
		if err != nil {
			continue // drain
		}
		pending[b.Index] = b
		for {
			nb, ok := pending[want]
			if !ok {
				break
			}
			delete(pending, want)
			if err = sink.Commit(nb); err != nil {
				cancel()
				break
			}
			want++
			free <- nb
		}
	}
	if err != nil {
		return err
	}
	if want < blocks {
		return ctx.Err()
	}
	return nil
}

func (s *Study) work(ctx context.Context, w int, sink Sink, free, done chan *Block, claim func() (int, bool)) {
	rep := NewReplication(s.Model)
	out := NewOutcome(s.Model.Rounds)
	pols := make([]Policy, len(s.Policies))
	for i, p := range s.Policies {
		pols[i] = p.NewPolicy()
	}
	for {
		var b *Block
		select {
		case <-ctx.Done():
			return
		case b = <-free:
		}
		idx, ok := claim()
		if !ok {
			return
		}
		b.Index = idx
		b.First = s.First + idx*BlockSize
		b.N = min(BlockSize, s.Replications-idx*BlockSize)
		for i := range b.N {
			if ctx.Err() != nil {
				return
			}
			r := b.First + i
			for p, pol := range pols {
				rep.Run(s.Seed, uint64(r), pol, out)
				copy(b.Metrics(i, p), out.Metrics[:])
				sink.Outcome(w, r, p, out)
			}
		}
		sink.Prepare(w, b)
		done <- b
	}
}
