package sensitivity_test

import (
	"fmt"
	"log"
	"math"
	"math/rand/v2"

	"github.com/tranche-sim/tranche/sensitivity"
)

// Sobol' indices of f(x) = x0 + 2·x1 for x uniform on [0,1]^3: the third
// factor is inert. Exactly, S1 = ST = (1/5, 4/5, 0).
func ExampleSobolIndices() {
	f := func(x []float64) float64 { return x[0] + 2*x[1] }
	s, err := sensitivity.SaltelliSample(3, 1024, false)
	if err != nil {
		log.Fatal(err)
	}
	// Evaluate the function at every point of the design, in any order.
	rows := s.Rows()
	y := make([]float64, len(rows))
	for k, x := range rows {
		y[k] = f(x)
	}
	out, err := s.SplitOutputs(y)
	if err != nil {
		log.Fatal(err)
	}
	res, err := sensitivity.SobolIndices(out, sensitivity.SobolOptions{Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(rows), "runs")
	for i := range 3 {
		fmt.Printf("x%d: S1 %.2f, ST %.2f, ST interval [%.2f, %.2f]\n", i, res.S1[i], res.ST[i], res.STCI[i][0], res.STCI[i][1])
	}
	// Output:
	// 5120 runs
	// x0: S1 0.20, ST 0.20, ST interval [0.18, 0.22]
	// x1: S1 0.80, ST 0.80, ST interval [0.74, 0.86]
	// x2: S1 0.00, ST 0.00, ST interval [0.00, 0.00]
}

// With a stochastic model each output carries noise. Here the output is
// f(x) = x0 + 2·x1 plus independent noise of variance 0.05, an eighth of
// Var(f) = 5/12. The raw total index of the inert x2 reads the noise as an
// effect; the corrected one does not.
func ExampleSobolIndices_noise() {
	const noiseVar = 0.05
	rng := rand.New(rand.NewPCG(1, 2))
	f := func(x []float64) float64 { return x[0] + 2*x[1] + math.Sqrt(noiseVar)*rng.NormFloat64() }
	s, err := sensitivity.SaltelliSample(3, 4096, false)
	if err != nil {
		log.Fatal(err)
	}
	rows := s.Rows()
	y := make([]float64, len(rows))
	for k, x := range rows {
		y[k] = f(x)
	}
	out, err := s.SplitOutputs(y)
	if err != nil {
		log.Fatal(err)
	}
	res, err := sensitivity.SobolIndices(out, sensitivity.SobolOptions{Seed: 1, NoiseVar: noiseVar})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("noise share of Var(Y): %.2f\n", res.NoiseShare)
	fmt.Printf("x2 raw ST: %.3f [%.3f, %.3f]\n", res.STRaw[2], res.STRawCI[2][0], res.STRawCI[2][1])
	fmt.Printf("x2 corrected ST: %.3f [%.3f, %.3f]\n", res.ST[2], res.STCI[2][0], res.STCI[2][1])
	fmt.Printf("x1 raw ST %.2f, corrected %.2f\n", res.STRaw[1], res.ST[1])
	// Output:
	// noise share of Var(Y): 0.11
	// x2 raw ST: 0.105 [0.100, 0.111]
	// x2 corrected ST: -0.002 [-0.007, 0.003]
	// x1 raw ST 0.83, corrected 0.81
}

// Morris screening of f(x) = x0 + 2·x1 − 3·x3 on [0,1]^4: for a linear
// function every elementary effect is the coefficient, so μ* = |c| and
// σ = 0.
func ExampleMorrisIndices() {
	f := func(x []float64) float64 { return x[0] + 2*x[1] - 3*x[3] }
	trajs, err := sensitivity.MorrisDesign(4, 10, 4, 1)
	if err != nil {
		log.Fatal(err)
	}
	y := make([][]float64, len(trajs))
	for t, tr := range trajs {
		y[t] = make([]float64, len(tr.Points))
		for k, x := range tr.Points {
			y[t][k] = f(x)
		}
	}
	res, err := sensitivity.MorrisIndices(trajs, y, sensitivity.MorrisOptions{Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	for i := range 4 {
		fmt.Printf("x%d: mu %.2f, mu* %.2f, sigma %.2f\n", i, res.Mu[i], res.MuStar[i], res.Sigma[i])
	}
	// Output:
	// x0: mu 1.00, mu* 1.00, sigma 0.00
	// x1: mu 2.00, mu* 2.00, sigma 0.00
	// x2: mu 0.00, mu* 0.00, sigma 0.00
	// x3: mu -3.00, mu* 3.00, sigma 0.00
}

// A Morris trajectory moves one factor at a time by Δ = 2/3 on the 4-level
// grid {0, 1/3, 2/3, 1}.
func ExampleMorrisDesign() {
	trajs, err := sensitivity.MorrisDesign(3, 2, 4, 7)
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range trajs[0].Points {
		fmt.Printf("%.3f\n", p)
	}
	// Output:
	// [0.333 0.333 1.000]
	// [0.333 1.000 1.000]
	// [0.333 1.000 0.333]
	// [1.000 1.000 0.333]
}
