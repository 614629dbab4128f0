package game

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/tranche-sim/tranche/policy"
	"github.com/tranche-sim/tranche/scenarios"
	"github.com/tranche-sim/tranche/sim"
)

func TestCell(t *testing.T) {
	defs := sim.Metrics(40, 1)
	nan := math.NaN()
	cases := []struct {
		x      float64
		metric int
		want   string
	}{
		{1, sim.DurableAgreement, "yes"},
		{0, sim.DurableAgreement, "no"},
		{nan, sim.RoundsToDurable, "n/a"},
		{12, sim.RoundsToDurable, "12"},
		{2, sim.Snapbacks, "2"},
		{0.6746, sim.HumanitarianIndex, "0.675"},
		{1.0, sim.HumanitarianShortfall, "1.000"},
	}
	for _, c := range cases {
		if got := cell(c.x, defs[c.metric]); got != c.want {
			t.Errorf("cell(%v, %s) = %q, want %q", c.x, defs[c.metric].Key, got, c.want)
		}
	}
}

func TestNameListOrdinal(t *testing.T) {
	lists := []struct {
		names []string
		want  string
	}{
		{[]string{"a"}, "a"},
		{[]string{"a", "b"}, "a and b"},
		{[]string{"a", "b", "c"}, "a, b and c"},
		{[]string{"a", "b", "c", "d"}, "a, b, c and d"}, // never "and 1 others"
		{[]string{"a", "b", "c", "d", "e"}, "a, b, c and 2 others"},
		{[]string{"a", "b", "c", "d", "e", "f", "g"}, "a, b, c and 4 others"},
	}
	for _, c := range lists {
		if got := nameList(c.names); got != c.want {
			t.Errorf("nameList(%q) = %q, want %q", c.names, got, c.want)
		}
	}
	ordinals := []struct {
		n    int
		want string
	}{{1, "1st"}, {2, "2nd"}, {3, "3rd"}, {4, "4th"}, {11, "11th"}, {12, "12th"}, {13, "13th"}, {18, "18th"}, {21, "21st"}, {22, "22nd"}, {101, "101st"}, {111, "111th"}}
	for _, c := range ordinals {
		if got := ordinal(c.n); got != c.want {
			t.Errorf("ordinal(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestWrap(t *testing.T) {
	texts := []struct {
		text  string
		width int
		want  string
	}{
		{"", 10, ""},
		{"one two three", 20, "one two three"},
		{"one two three", 7, "one two\nthree"},
		{"  spaces   collapse  ", 20, "spaces collapse"},
		{"averyveryverylongword fits alone", 10, "averyveryverylongword\nfits alone"},
	}
	for _, c := range texts {
		if got := wrapText(c.text, c.width); got != c.want {
			t.Errorf("wrapText(%q, %d) = %q, want %q", c.text, c.width, got, c.want)
		}
	}
	items := []struct {
		prefix string
		items  []string
		width  int
		want   string
	}{
		{"x: ", []string{"a 1", "b 2"}, 20, "x: a 1  b 2"},
		{"x: ", []string{"a 1", "b 2", "c 3"}, 12, "x: a 1  b 2\n   c 3"},
		{"sectors: ", nil, 20, "sectors: "},
	}
	for _, c := range items {
		if got := wrapItems(c.prefix, c.items, c.width); got != c.want {
			t.Errorf("wrapItems(%q, %q, %d) = %q, want %q", c.prefix, c.items, c.width, got, c.want)
		}
	}
}

// rowsOf makes table rows with the given values of one metric, the others
// zero.
func rowsOf(metric int, values ...float64) []Row {
	rows := make([]Row, len(values))
	for i, x := range values {
		rows[i].Policy = string(rune('a' + i))
		rows[i].Metrics[metric] = x
	}
	return rows
}

func TestBestRows(t *testing.T) {
	defs := sim.Metrics(40, 1)
	nan := math.NaN()
	cases := []struct {
		name   string
		metric int
		key    string
		values []float64
		want   []string
	}{
		{"higher is better", sim.HumanitarianIndex, "humanitarian_index", []float64{0.5, 0.7, 0.6}, []string{"b"}},
		{"lower is better", sim.HumanitarianShortfall, "humanitarian_shortfall", []float64{0.5, 0.7, 0.4}, []string{"c"}},
		{"ties as printed", sim.HumanitarianIndex, "humanitarian_index", []float64{0.7001, 0.6, 0.7004}, []string{"a", "c"}},
		{"every row ties", sim.StabilityIndex, "stability_index", []float64{0.4, 0.4, 0.4}, nil},
		{"proportions", sim.Settlement, "settlement", []float64{0, 1, 1}, []string{"b", "c"}},
		{"breakdown: lower is better", sim.Breakdown, "breakdown", []float64{1, 0, 1}, []string{"b"}},
		{"undefined values are never best", sim.HumanitarianIndex, "humanitarian_index", []float64{nan, 0.2, 0.1}, []string{"b"}},
		{"snapbacks are neither good nor bad", sim.Snapbacks, "snapbacks", []float64{0, 3, 1}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := bestRows(rowsOf(c.metric, c.values...), defs)[c.key]
			if !slices.Equal(got, c.want) {
				t.Errorf("best %s = %q, want %q", c.key, got, c.want)
			}
		})
	}
}

func TestInterpret(t *testing.T) {
	defs := sim.Metrics(40, 1)
	nan := math.NaN()
	mk := func(name string, settled, round, shortfall float64) Row {
		r := Row{Policy: name}
		r.Metrics[sim.Settlement] = settled
		r.Metrics[sim.Stalemate] = 1 - settled
		r.Metrics[sim.RoundsToEnd] = round
		r.Metrics[sim.HumanitarianShortfall] = shortfall
		return r
	}
	cases := []struct {
		name string
		rows []Row
		want []string
	}{
		{"nobody reached one", []Row{mk("you", 0, nan, 1.2), mk("p", 0, nan, 1.1), mk("q", 0, nan, 1.5)}, []string{
			"Settlement (on true compliance): you did not reach one (nothing was settled by the end); none of the 2 policies did either.",
			"Humanitarian shortfall: lowest of the policies p (1.100); yours 1.200, 2nd of 3 rows.",
		}},
		{"the player and two policies", []Row{mk("you", 1, 9, 0.5), mk("p", 1, 12, 0.7), mk("q", 0, nan, 0.7), mk("r", 1, 12, 0.9)}, []string{
			"Settlement (on true compliance): you reached one (round 9); 2 of 3 policies did, the earliest p and r (round 12).",
			"Humanitarian shortfall: lowest of the policies p and q (0.700); yours 0.500, 1st of 4 rows.",
		}},
		{"the player's episode broke down", []Row{func() Row {
			r := mk("you", 0, 7, 0.5)
			r.Metrics[sim.Stalemate], r.Metrics[sim.Breakdown] = 0, 1
			return r
		}(), mk("p", 0, nan, 0.7)}, []string{
			"Settlement (on true compliance): you did not reach one (it broke down in round 7); none of the 1 policies did either.",
			"Humanitarian shortfall: lowest of the policies p (0.700); yours 0.500, 1st of 2 rows.",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := interpret(c.rows, defs, "sc")
			want := append(c.want, "This is one history: luck decides much of it. 'tranche run sc' compares policies over thousands of histories.")
			if !slices.Equal(got, want) {
				t.Errorf("interpret:\n%q\nwant\n%q", got, want)
			}
		})
	}
}

// Every built-in policy contends, then the scenario's own, by name; one
// whose parameters do not fit the scenario is left out, with the reason.
func TestContenders(t *testing.T) {
	two, err := scenarios.Parse("two.toml", []byte("name = \"two\"\n[[sectors]]\nname = \"Oil\"\nweight = 0.6\n[[sectors]]\nname = \"Banks\"\nweight = 0.4\n"))
	if err != nil {
		t.Fatal(err)
	}
	ladder, err := scenarios.Get("ladder")
	if err != nil {
		t.Fatal(err)
	}
	var own []string
	for n := range ladder.PolicyParams {
		if _, ok := policy.Lookup(n); !ok {
			own = append(own, n)
		}
	}
	slices.Sort(own)
	if len(own) == 0 {
		t.Fatal("the ladder scenario defines no policy of its own")
	}
	without := func(name string) []string {
		return slices.DeleteFunc(policy.Names(), func(n string) bool { return n == name })
	}
	cases := []struct {
		name    string
		s       *scenarios.Scenario
		want    []string
		skipped []string
	}{
		{"ladder", ladder, append(policy.Names(), own...), nil},
		{"two sectors", two, without("ladder"), []string{`ladder: policy.ladder.stages[0].sectors: unknown sector "humanitarian_goods"; sectors are Oil, Banks`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			list, skipped := contenders(c.s)
			var names []string
			for _, ct := range list {
				names = append(names, ct.name)
			}
			if !slices.Equal(names, c.want) || !slices.Equal(skipped, c.skipped) {
				t.Errorf("contenders: %q, skipped %q; want %q, skipped %q", names, skipped, c.want, c.skipped)
			}
		})
	}
}

// The table has a row for every row of the result, the best starred, a
// legend and the policies left out; the record holds the same.
func TestTableAndRecord(t *testing.T) {
	_, r := playDefault(t, "relieve all 0.5\nquit\n")
	r.Skipped = []string{"imaginary: does not fit"}
	var b bytes.Buffer
	if err := r.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteVerdict(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"Common random numbers", "\npolicy  ", "\nyou  ", "* best in the column", "left out, does not fit this scenario: imaginary: does not fit", "Settlement (on true compliance):", "Humanitarian shortfall:"} {
		if !strings.Contains(out, want) {
			t.Errorf("table and verdict lack %q:\n%s", want, out)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if len(line) > Width {
			t.Errorf("line of %d columns: %q", len(line), line)
		}
	}
	if err := r.WriteTable(failWriter{}); !errors.Is(err, errFull) {
		t.Errorf("WriteTable to a failing writer: %v", err)
	}
	if err := r.WriteVerdict(failWriter{}); !errors.Is(err, errFull) {
		t.Errorf("WriteVerdict to a failing writer: %v", err)
	}

	var j bytes.Buffer
	if err := r.Record().WriteJSON(&j); err != nil {
		t.Fatal(err)
	}
	var rec Record
	if err := json.Unmarshal(j.Bytes(), &rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.Outcomes) != len(r.Rows) || rec.Outcomes[0].Policy != You || rec.Moves != 2 ||
		!slices.Equal(rec.Columns, Columns()) || len(rec.Best) != len(Columns()) || rec.Seed != 1 || len(rec.ScenarioSHA256) != 64 {
		t.Errorf("record: %d outcomes (first %q), %d moves, columns %q, %d best, seed %d", len(rec.Outcomes), rec.Outcomes[0].Policy, rec.Moves, rec.Columns, len(rec.Best), rec.Seed)
	}
	for i, o := range rec.Outcomes {
		for k, def := range sim.Metrics(40, 1) {
			x, v := r.Rows[i].Metrics[k], o.Metrics[def.Key]
			if (v == nil) != math.IsNaN(x) || (v != nil && *v != x) {
				t.Errorf("record: %s %s is %v, want %v (null for NaN)", o.Policy, def.Key, v, x)
			}
		}
	}
}

var errFull = errors.New("disk full")

// failWriter fails every write.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errFull }
