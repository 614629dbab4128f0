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

func TestClosest(t *testing.T) {
	names := []string{"run", "play", "plot", "report"}
	cases := []struct {
		name  string
		limit int
		want  string
	}{
		{"rnu", 2, "run"},   // one swap
		{"plto", 2, "plot"}, // nearer than play
		{"run", 2, ""},      // itself is no suggestion
		{"xyz", 2, ""},      // nothing close
		{"reprot", 3, "report"},
		{"pla", 2, "play"}, // play and plot: the nearer wins (1 against 2)
	}
	for _, c := range cases {
		if got := Closest(c.name, names, c.limit); got != c.want {
			t.Errorf("Closest(%q, %d) = %q, want %q", c.name, c.limit, got, c.want)
		}
	}
}
