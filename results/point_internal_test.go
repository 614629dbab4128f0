package results

import (
	"bytes"
	"encoding/csv"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tranche-sim/tranche/sim"
)

// Holm's step-down test by critical values decides every pair as
// Holm-adjusted p-values do, on data with effects of every size.
func TestHolmByCriticalValues(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	metrics := []sim.Metric{{Key: "a", Better: 1}, {Key: "b", Better: -1}, {Key: "c", Better: 1}}
	agree, significant := 0, 0
	for trial := range 300 {
		policies := 2 + trial%6
		s := NewPointStats(policies, metrics)
		effect := make([]float64, policies*len(metrics))
		for i := range effect {
			effect[i] = r.NormFloat64() * 0.3 * float64(trial%4)
		}
		reps := 5 + r.IntN(60)
		for range reps {
			common := r.NormFloat64()
			for p := range policies {
				v := s.Values(p)
				for j := range v {
					v[j] = effect[p*len(metrics)+j] + common + r.NormFloat64()*0.5
				}
			}
			s.Add()
		}
		for j := range metrics {
			crit := slices.Clone(s.holmSignificant(j))
			byP := slices.Clone(s.holmByP(j))
			if !slices.Equal(crit, byP) {
				t.Fatalf("trial %d, metric %d: by critical values %v, by p-values %v", trial, j, crit, byP)
			}
			agree++
			for _, x := range crit {
				if x {
					significant++
				}
			}
		}
	}
	if significant == 0 {
		t.Error("no pair was significant: the test compared nothing of interest")
	}
	t.Logf("%d families agree; %d significant pairs", agree, significant)
}

// AppendPoints writes the bytes encoding/csv writes for the same rows,
// whatever the strings hold.
func TestAppendPointsIsCSV(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	rows := []PointRow{
		{Policy: "phased-snapback", Metric: "durable_agreement", N: 200, Mean: 0.365, SD: 0.482638269, CI95: [2]float64{0.301405265, 0.433682973}, Diff: nan, DiffCI95: [2]float64{nan, nan}},
		{Policy: "a,b", Metric: "m \"q\"", N: 3, Mean: -1e-7, SD: 12345678.5, CI95: [2]float64{-3, 1e21}, Diff: 0.1, DiffCI95: [2]float64{-0, 2}},
		{Policy: " lead", Metric: "x\ny", N: 0, Mean: nan, SD: nan, CI95: [2]float64{nan, nan}, Diff: nan, DiffCI95: [2]float64{nan, nan}},
	}
	for _, values := range [][]string{{"0.3", "12"}, {"a,b", "\"", " x", ""}, nil} {
		var want bytes.Buffer
		w := csv.NewWriter(&want)
		var pt PointTables
		if err := pt.Points(w, 7, values, rows); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		if got := pt.AppendPoints(nil, 7, values, rows); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("values %q:\n%s\nencoding/csv writes\n%s", values, got, want.Bytes())
		}
	}
}
