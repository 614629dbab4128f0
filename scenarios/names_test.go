package scenarios_test

import (
	"strings"
	"testing"

	"github.com/tranche-sim/tranche/scenarios"
)

// Every name a user gives (policies, sectors, members, states, factions,
// ladder stages) follows one rule, checked once when the scenario is read:
// 1-64 letters, digits, '_' or '-', starting with a letter or digit, and
// unique in its list ignoring case. Names once reached CSV files raw,
// broke their columns and named figures that overwrote each other.
func TestNameRule(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 5000)
	cases := []struct {
		name, src, want string
	}{
		{"comma", `policies = ["phased, 3 tranches", "phased"]
[policy."phased, 3 tranches"]
base = "phased"`, `policies: "phased, 3 tranches" is not a valid policy name`},
		{"formula", `policies = ["=HYPERLINK(A1)"]
[policy."=HYPERLINK(A1)"]
base = "phased"`, `"=HYPERLINK(A1)" is not a valid policy name`},
		{"plus", `policies = ["+cmd|' /C calc'!A0"]`, `is not a valid policy name`},
		{"at", `policies = ["@SUM(1+1)"]`, `is not a valid policy name`},
		{"empty", `policies = [""]`, `"" is not a valid policy name`},
		{"blank", `policies = ["  "]`, `"  " is not a valid policy name`},
		{"slash", `policies = ["a/b"]`, `"a/b" is not a valid policy name`},
		{"space", `policies = ["a b"]`, `"a b" is not a valid policy name`},
		{"long", `policies = ["` + long + `"]`, `(5000 characters) is not a valid policy name`},
		{"case twin", `policies = ["phased", "Phased"]
[policy.Phased]
base = "phased"`, `policies: "phased" and "Phased" differ only in case`},
		{"twice", `policies = ["phased", "phased"]`, `policies: "phased" is listed twice`},
		{"unlisted table", `[policy."my policy"]
base = "phased"`, `[policy."my policy"] is not a valid policy name`},
		{"member twins", `[[coalition.members]]
name = "us"
weight = 1.0
[[coalition.members]]
name = "US"
weight = 1.0`, `coalition.members[1].name = "US": member names must be unique, ignoring case (coalition.members[0].name is "us")`},
		{"sector", `[[sectors]]
name = "oil & gas"
weight = 1.0`, `sectors[0].name = "oil & gas" is not a valid name`},
		{"sector twins", `[[sectors]]
name = "oil"
weight = 1.0
[[sectors]]
name = "OIL"
weight = 1.0`, `sector names must be unique, ignoring case`},
		{"state", `[[neighbours.states]]
name = "-x"
trade_link = 0.1`, `neighbours.states[0].name = "-x" is not a valid name`},
		{"faction", `[[spoilers.factions]]
name = "a.b"`, `spoilers.factions[0].name = "a.b" is not a valid name`},
		{"stage", `policies = ["mine"]
[policy.mine]
base = "ladder"
[[policy.mine.stages]]
name = "step one"
sectors = ["energy"]`, `policy.mine.stages[0].name = "step one" is not a valid name`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := scenarios.Parse("names.toml", []byte(c.src))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want %q", err, c.want)
			}
			if err != nil && len(err.Error()) > 2000 {
				t.Errorf("message of %d characters", len(err.Error()))
			}
		})
	}
	for _, ok := range []string{"a", "phased-snapback", "A_1", "9lives", strings.Repeat("y", 64), "NA1", "x-1", "tt", "e5"} {
		if !scenarios.ValidName(ok) {
			t.Errorf("%q refused", ok)
		}
	}
	// Names a CSV reader would not give back as written: R reads NA as a
	// missing value, and a column of 007 and 1e5 as the numbers 7 and
	// 100000 (TestRReadsResults in package study found the first).
	for _, bad := range []string{"", "_a", "-a", "a.b", "é", strings.Repeat("y", 65), "a\n", "NA", "na", "NaN", "NULL", "None", "TRUE", "false", "T", "F", "Inf", "007", "1e5", "12", "0x1p3", "1e999"} {
		if scenarios.ValidName(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}
