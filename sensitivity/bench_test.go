package sensitivity

import (
	"math"
	"testing"
)

// benchFunction is a cheap function of many factors with effects of
// decreasing size and some interactions, for the benchmarks.
func benchFunction(u []float64) float64 {
	var s float64
	for i, x := range u {
		s += x / float64(i+1)
	}
	return s + u[0]*u[1] + math.Sin(2*math.Pi*u[2])
}

// BenchmarkSobolIndices measures SobolIndices for 160 factors, 1024 base
// rows (166 912 runs) and 1000 bootstrap resamples, without second order.
func BenchmarkSobolIndices(b *testing.B) {
	s, err := SaltelliSample(160, 1024, false)
	if err != nil {
		b.Fatal(err)
	}
	out := evalSaltelli(s, benchFunction)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SobolIndices(out, SobolOptions{Resamples: 1000, Seed: 1, NoiseVar: 1e-4}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMorrisIndices measures MorrisIndices for 160 factors, 20
// trajectories (3220 runs) and 1000 bootstrap resamples.
func BenchmarkMorrisIndices(b *testing.B) {
	trajs, err := MorrisDesign(160, 20, 4, 1)
	if err != nil {
		b.Fatal(err)
	}
	y := evalMorris(trajs, benchFunction)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := MorrisIndices(trajs, y, MorrisOptions{Resamples: 1000, Seed: 1, NoiseVar: 1e-4}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSaltelliSample measures the design of BenchmarkSobolIndices.
func BenchmarkSaltelliSample(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SaltelliSample(160, 1024, false); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMorrisDesign measures the design of BenchmarkMorrisIndices.
func BenchmarkMorrisDesign(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := MorrisDesign(160, 20, 4, 1); err != nil {
			b.Fatal(err)
		}
	}
}
