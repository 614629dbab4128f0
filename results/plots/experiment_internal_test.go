package plots

import "testing"

func TestBreakLabel(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"adaptive", "adaptive"},
		{"rule-learner", "rule-\nlearner"},
		{"forward-looking", "forward-\nlooking"},
		{"phased-snapback-long", "phased-\nsnapback-long"},
		{"verylonglabelwithoutbreaks", "verylonglabelwithoutbreaks"},
		{"a_b_c_d_e_f_g", "a_b_c_\nd_e_f_g"},
	} {
		if got := breakLabel(c.in, 10); got != c.want {
			t.Errorf("breakLabel(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
