package shell

import "testing"

// A joined command line can be pasted back into a shell.
func TestJoin(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"tranche", "run", "--reps", "100"}, "tranche run --reps 100"},
		{[]string{"tranche", "run", "--objective", "durable_agreement - 0.05*humanitarian_shortfall"}, "tranche run --objective 'durable_agreement - 0.05*humanitarian_shortfall'"},
		{[]string{"tranche", "run", "it's.toml", ""}, `tranche run 'it'\''s.toml' ''`},
	}
	for _, c := range cases {
		if got := Join(c.args); got != c.want {
			t.Errorf("Join(%q) = %s, want %s", c.args, got, c.want)
		}
	}
}
