package experiment_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/tranche-sim/tranche/experiment"
)

// An experiment in memory: a two-level factorial design over the
// verifier's quality, with each point's best policy on settlements.
func ExampleRun() {
	e, err := experiment.Parse("example.toml", []byte(`
policies = ["phased-snapback", "reciprocal"]
replications = 200
design = "factorial"
[[parameters]]
key = "verifier.quality"
levels = [0.3, 0.9]
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = experiment.Run(context.Background(), e, experiment.Options{OnPoint: func(p *experiment.Point) error {
		for _, b := range p.Best {
			if b.Metric == "settlement" {
				fmt.Printf("quality %v: best %s (%.3f), tied with [%s]\n", p.Values[0], b.Policy, b.Stats.Mean, strings.Join(b.Tied, " "))
			}
		}
		return nil
	}})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// quality 0.3: best phased-snapback (0.320), tied with []
	// quality 0.9: best phased-snapback (0.360), tied with []
}

// Problems in an experiment file are reported together, each with its
// line, key, value and what is allowed.
func ExampleParse() {
	_, err := experiment.Parse("sweep.toml", []byte(`design = "lhs"
samples = 100
[[parameters]]
key = "verifier.qualty"
[[parameters]]
key = "target.commitment_alpha"
range = [0.0, 3.0]
distribution = "log-uniform"
`))
	fmt.Println(err)
	// Output:
	// sweep.toml:4: parameters[0]: key = "verifier.qualty": unknown key verifier.qualty (did you mean verifier.quality?); 'tranche params default' lists the keys
	// sweep.toml:7: parameters[1]: range = [0, 3] for target.commitment_alpha is out of range: allowed (0,50]
}
