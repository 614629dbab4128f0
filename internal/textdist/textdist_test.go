package textdist

import "testing"

func TestDistance(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"run", "run", 0},
		{"", "run", 3},
		{"rnu", "run", 1},  // swap
		{"rn", "run", 1},   // insertion
		{"runn", "run", 1}, // deletion
		{"ran", "run", 1},  // substitution
		{"nur", "run", 2},
		{"fly", "play", 2},
		{"ca", "abc", 3}, // optimal string alignment, not Damerau-Levenshtein (2)
	}
	for _, c := range cases {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := Distance(c.b, c.a); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.b, c.a, got, c.want)
		}
	}
}
