package sim_test

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/tranche-sim/tranche/policy"
	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/sim"
)

// The outcome categories are not artefacts of the horizon: an episode ends
// when it settles, breaks down or the sender capitulates, so an episode
// that ended by round 80 ends the same way in the same round in a run of
// 160, and running the default scenario's policies for 160 rounds instead
// of 80 barely moves their rates. For each policy and category, the 95% interval of the
// paired difference (the first 80 rounds of a replication are the same
// at both horizons: the draws are made stream by stream) lies within
// ±0.05; and no pair of policies that differs in a category (Holm p <
// 0.05 over all pairs) at one horizon is reversed, significantly, at the
// other.
func TestOutcomesIndependentOfHorizon(t *testing.T) {
	t.Parallel()
	const reps = 2000
	names := []string{"phased-snapback", "phased", "big-bang", "reciprocal", "max-pressure"}
	cats := []int{sim.Settlement, sim.Breakdown, sim.Capitulation, sim.Stalemate}
	horizons := []int{80, 160}
	// got[h][p][k][rep]; end[h][p][rep] the round the episode ended (NaN
	// for a stalemate)
	got := make([][][][]float64, len(horizons))
	end := make([][][]float64, len(horizons))
	for hi, rounds := range horizons {
		m, err := sim.NewModel(sim.DefaultParams(), rounds)
		if err != nil {
			t.Fatal(err)
		}
		r, out := sim.NewReplication(m), sim.NewOutcome(rounds)
		got[hi] = make([][][]float64, len(names))
		end[hi] = make([][]float64, len(names))
		for p, name := range names {
			end[hi][p] = make([]float64, reps)
			e, _ := policy.Lookup(name)
			pol := e.Defaults().NewPolicy()
			got[hi][p] = make([][]float64, len(cats))
			for k := range cats {
				got[hi][p][k] = make([]float64, reps)
			}
			for rep := range reps {
				r.Run(31, uint64(rep), pol, out)
				for k, c := range cats {
					got[hi][p][k][rep] = out.Metrics[c]
				}
				end[hi][p][rep] = out.Metrics[sim.RoundsToEnd]
			}
		}
	}
	// An episode that ended by round 80 in either run ends the same way in
	// the same round in the other: nothing about how it ended depends on
	// the horizon.
	for p, name := range names {
		for rep := range reps {
			if math.IsNaN(end[0][p][rep]) && !(end[1][p][rep] <= 80) {
				continue
			}
			same := end[1][p][rep] == end[0][p][rep]
			for k := range cats {
				same = same && got[1][p][k][rep] == got[0][p][k][rep]
			}
			if !same {
				t.Fatalf("%s, replication %d: ended in round %v at 80 rounds, in round %v at 160, or another way", name, rep, end[0][p][rep], end[1][p][rep])
			}
		}
	}
	tq := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: reps - 1}.Quantile(0.975)
	diff := make([]float64, reps)
	for p, name := range names {
		for k, c := range cats {
			for i := range diff {
				diff[i] = got[1][p][k][i] - got[0][p][k][i]
			}
			mean, sd := stat.MeanStdDev(diff, nil)
			lo, hi := mean-tq*sd/math.Sqrt(reps), mean+tq*sd/math.Sqrt(reps)
			if lo < -0.05 || hi > 0.05 {
				t.Errorf("%s, %s: 160 rounds minus 80 = %+.3f (%+.3f, %+.3f), not within ±0.05", name, sim.Metrics(80, 2)[c].Key, mean, lo, hi)
			}
		}
	}
	// Pairs of policies at each horizon, Holm-adjusted over the pairs.
	for k, c := range cats {
		key := sim.Metrics(80, 2)[c].Key
		var pairs [][2]int
		for a := range names {
			for b := a + 1; b < len(names); b++ {
				pairs = append(pairs, [2]int{a, b})
			}
		}
		means := make([][]float64, len(horizons))
		sig := make([][]bool, len(horizons))
		for h := range horizons {
			ps := make([]float64, len(pairs))
			means[h] = make([]float64, len(pairs))
			for i, pr := range pairs {
				for j := range diff {
					diff[j] = got[h][pr[1]][k][j] - got[h][pr[0]][k][j]
				}
				mean, sd := stat.MeanStdDev(diff, nil)
				means[h][i] = mean
				ps[i] = results.PairedTTest(mean, sd, reps)
			}
			sig[h] = make([]bool, len(pairs))
			for i, q := range results.Holm(ps) {
				sig[h][i] = q < 0.05
			}
		}
		for i, pr := range pairs {
			if sig[0][i] && sig[1][i] && (means[0][i] > 0) != (means[1][i] > 0) {
				t.Errorf("%s, %s against %s: %+.3f at 80 rounds, %+.3f at 160, both significant", key, names[pr[1]], names[pr[0]], means[0][i], means[1][i])
			}
		}
	}
}
