package tomltext

import (
	"math"
	"testing"

	"github.com/BurntSushi/toml"
)

// What Float and Quote write, a TOML reader reads back unchanged.
func TestWriteRoundTrip(t *testing.T) {
	t.Parallel()
	for _, x := range []float64{0, 1, -3, 0.1, 1e21, 5e-324, math.MaxFloat64, math.Inf(1), math.Inf(-1)} {
		var v struct{ X float64 }
		if _, err := toml.Decode("X = "+Float(x), &v); err != nil || v.X != x {
			t.Errorf("Float(%v) = %s reads back as %v (%v)", x, Float(x), v.X, err)
		}
	}
	var n struct{ X float64 }
	if _, err := toml.Decode("X = "+Float(math.NaN()), &n); err != nil || !math.IsNaN(n.X) {
		t.Errorf("Float(NaN) = %s reads back as %v (%v)", Float(math.NaN()), n.X, err)
	}
	for _, s := range []string{"", "plain", `a "quoted" \ word`, "two\nlines\ttab", "bell\a del\x7f", "é ü 漢"} {
		var v struct{ S string }
		if _, err := toml.Decode("S = "+Quote(s), &v); err != nil || v.S != s {
			t.Errorf("Quote(%q) = %s reads back as %q (%v)", s, Quote(s), v.S, err)
		}
	}
}
