package scenarios

import (
	"context"
	"io"
	"testing"

	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/sim"
)

// FuzzStudy runs a few replications of every scenario Parse accepts, shortened
// to at most 12 rounds, through aggregation and the comparison: whatever
// validation lets through must run without a panic (a scenario without
// spoiler factions once crashed aggregation). go test runs the seeds, which
// include the edges; go test -fuzz FuzzStudy ./scenarios searches further.
func FuzzStudy(f *testing.F) {
	addBundled(f)
	for _, seed := range []string{
		"[spoilers]\nfactions = []\n",
		"[neighbours]\nstates = []\n",
		"rounds = 1\n[outcomes]\ndurable_rounds = 1\ncollapse_rounds = 1\n",
		"[[sectors]]\nname = \"all\"\nweight = 1.0\nrelief = 1.0\n",
		"[verifier]\nquality = 0.0\naccess = 0.0\n",
		"[[coalition.members]]\nname = \"solo\"\nweight = 1.0\nresolve = 0.0\nfatigue = 1.0\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz.toml", data)
		if err != nil {
			return // FuzzParse checks the errors
		}
		s.Rounds = min(s.Rounds, 12)
		s.Params.Outcomes.DurableRounds = min(s.Params.Outcomes.DurableRounds, s.Rounds)
		s.Params.Outcomes.CollapseRounds = min(s.Params.Outcomes.CollapseRounds, s.Rounds)
		m, err := s.Model()
		if err != nil {
			return // the model's own checks, with a message
		}
		rec, err := results.NewRecorder(s.Policies, m, 1, nil, io.Discard)
		if err != nil {
			t.Fatalf("recorder: %v", err)
		}
		st := &sim.Study{Model: m, Policies: s.Study(), Seed: s.Seed, Replications: 3, Workers: 1}
		if err := st.Run(context.Background(), rec); err != nil {
			t.Fatalf("study: %v", err)
		}
		a, err := rec.Aggregate()
		if err != nil {
			t.Fatalf("aggregate: %v", err)
		}
		sum := results.Summarize(s.Name, s.Seed, a)
		results.NewComparisonReport(a, sum, 0)
	})
}
