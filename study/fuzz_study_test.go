package study_test

import (
	"context"
	"testing"

	"github.com/tranche-sim/tranche/scenarios"
	"github.com/tranche-sim/tranche/study"
)

// FuzzStudy runs a few replications of every scenario Parse accepts, shortened
// to at most 12 rounds, through aggregation and the comparison: whatever
// validation lets through must run without a panic (a scenario without
// spoiler factions once crashed aggregation). go test runs the seeds, which
// include the edges; go test -fuzz FuzzStudy ./study searches further.
func FuzzStudy(f *testing.F) {
	for _, b := range mustList(f) {
		f.Add(b.Source)
	}
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
		s, err := scenarios.Parse("fuzz.toml", data)
		if err != nil {
			return // FuzzParse checks the errors
		}
		s.Rounds = min(s.Rounds, 12)
		s.Params.Outcomes.DurableRounds = min(s.Params.Outcomes.DurableRounds, s.Rounds)
		s.Params.Outcomes.CollapseRounds = min(s.Params.Outcomes.CollapseRounds, s.Rounds)
		s.Replications = 3
		if s.Check("fuzz") != nil {
			return // shortening broke a rule (a ladder's hold beyond the rounds, say)
		}
		if _, err := s.Model(); err != nil {
			return // the model's own checks, with a message
		}
		if _, err := study.Run(context.Background(), s, study.Options{Workers: 1}); err != nil {
			t.Fatalf("study: %v", err)
		}
	})
}

func mustList(f *testing.F) []scenarios.Bundled {
	f.Helper()
	l, err := scenarios.List()
	if err != nil {
		f.Fatal(err)
	}
	return l
}
