package results

import (
	"math"
	"strings"
	"testing"

	"github.com/tranche-sim/tranche/sim"
)

// A row's outcome must be the one way its 0/1 columns say the episode
// ended: exactly one of them 1, the others 0. Shard merges rely on it.
func TestCheckOutcomeRow(t *testing.T) {
	t.Parallel()
	columns := []string{"policy", "replication", "outcome", "durable_agreement", "stalemate", "settlement", "breakdown", "capitulation"}
	cases := []struct {
		name string
		row  []string
		want string // "" for a row that passes
	}{
		{"settled", []string{"p", "0", "settlement", "1", "0", "1", "0", "0"}, ""},
		{"stalemate", []string{"p", "0", "stalemate", "0", "1", "0", "0", "0"}, ""},
		{"the wrong name", []string{"p", "0", "breakdown", "1", "0", "1", "0", "0"}, "is not the one way"},
		{"two ways", []string{"p", "0", "stalemate", "1", "1", "1", "0", "0"}, "is not the one way"},
		{"no way", []string{"p", "0", "", "0", "0", "0", "0", "0"}, "is not the one way"},
		{"not 0 or 1", []string{"p", "0", "settlement", "1", "0", "7", "0", "0"}, "settlement is \"7\""},
		{"a long name", []string{"p", "0", strings.Repeat("x", 5000), "1", "0", "1", "0", "0"}, "xxx..."},
	}
	for _, c := range cases {
		err := CheckOutcomeRow(columns, c.row)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want) || len(err.Error()) > 300):
			t.Errorf("%s: %v, want an error with %q, short", c.name, err, c.want)
		}
	}
	if err := CheckOutcomeRow([]string{"policy", "replication", "a"}, []string{"p", "0", "x"}); err != nil {
		t.Errorf("a table without an outcome column: %v", err)
	}
}

func TestCheckEnds(t *testing.T) {
	t.Parallel()
	metrics := sim.Metrics(40, 2)
	idx, ok := endColumns(metrics)
	if !ok {
		t.Fatal("the model's metrics do not say how episodes end")
	}
	v := make([]float64, len(metrics))
	for e := range sim.NumEnds {
		clear(v)
		v[idx[e]] = 1
		if name, ok := checkEnds(&idx, v); !ok || name != sim.EndNames[e] {
			t.Errorf("%s: %q %v", sim.EndNames[e], name, ok)
		}
	}
	for _, bad := range [][4]float64{{0, 0, 0, 0}, {1, 1, 0, 0}, {0, 7, 0, 0}, {0, math.NaN(), 1, 0}} {
		clear(v)
		for e, x := range bad {
			v[idx[e]] = x
		}
		if _, ok := checkEnds(&idx, v); ok {
			t.Errorf("%v passes", bad)
		}
	}
}
