package experiment_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/tranche-sim/tranche/experiment"
)

// README's headline table is the bundled target-models experiment:
// settlement of the five core policies under each target decision model at
// the relief weight that calibrates it (2 for all three since coercion runs
// through the economy), the best in each column in bold. The test runs the experiment and rebuilds the table, so
// the README cannot drift from it.
func TestREADMETargetModelsTable(t *testing.T) {
	t.Parallel()
	e, err := experiment.Get("target-models")
	if err != nil {
		t.Fatal(err)
	}
	type key struct {
		model  string
		weight float64
	}
	cells := map[key]map[string]string{}
	means := map[key]map[string]float64{}
	opt := experiment.Options{OnPoint: func(p *experiment.Point) error {
		k := key{p.Values[0].(string), p.Values[1].(float64)}
		cells[k], means[k] = map[string]string{}, map[string]float64{}
		for _, r := range p.Rows {
			if r.Metric == "settlement" {
				cells[k][r.Policy] = fmt.Sprintf("%.3f (%.3f, %.3f)", r.Mean, r.CI95[0], r.CI95[1])
				means[k][r.Policy] = r.Mean
			}
		}
		return nil
	}}
	if _, err := experiment.Run(context.Background(), e, opt); err != nil {
		t.Fatal(err)
	}
	columns := []key{{"rule-learner", 2}, {"adaptive", 2}, {"forward-looking", 2}}
	var want []string
	for _, pol := range e.Policies {
		row := "| " + pol + " |"
		for _, k := range columns {
			best := true
			for _, m := range means[k] {
				best = best && m <= means[k][pol]
			}
			c := cells[k][pol]
			if best {
				c = "**" + c + "**"
			}
			row += " " + c + " |"
		}
		want = append(want, row)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range want {
		if !strings.Contains(string(readme), row+"\n") {
			t.Errorf("README's target-model table lacks the row\n%s", row)
		}
	}
}
