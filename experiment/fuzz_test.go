package experiment_test

import (
	"errors"
	"testing"

	"github.com/tranche-sim/tranche/experiment"
)

// FuzzParse: any file is answered with an experiment or an *Error, never a
// panic, and an experiment it accepts formats to a file that parses again.
func FuzzParse(f *testing.F) {
	for _, n := range experiment.Names() {
		b, err := experiment.Source(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(lhsText))
	f.Add([]byte(factorialText))
	f.Add([]byte(morrisText))
	f.Add([]byte(saltelliText))
	f.Add([]byte("design = \"sobol\"\nsamples = 0\n[[parameters]]\nkey = \"rounds\"\nlevels = [1, 2]\n"))
	f.Add([]byte("[set]\nrounds = 3\n[[parameters]]\nkey = \"outcomes.durable_rounds\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := experiment.Parse("fuzz.toml", data)
		if err != nil {
			var ee *experiment.Error
			if !errors.As(err, &ee) {
				t.Fatalf("error %T: %v", err, err)
			}
			return
		}
		if e.Points() < 1 || e.Points() > experiment.MaxPoints {
			t.Fatalf("accepted %d points", e.Points())
		}
	})
}
