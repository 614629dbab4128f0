package policy

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/tranche-sim/tranche/sim"
)

// world stands in for sim.Replication in policy tests: it shows a policy an
// observation, hands it the relief and coverage in force, and keeps what
// the policy decided in force for the next round. Tests set the fields of
// obs they care about before each call to decide.
type world struct {
	obs *sim.Observation
	act *sim.Action
}

// newWorld returns a world with the given sectors (equal weights), nothing
// relieved, standing and current coverage 0.5, full cohesion and its own
// random stream.
func newWorld(sectors []sim.Sector) *world {
	n := len(sectors)
	weights := make([]float64, n)
	for i := range weights {
		weights[i] = 1 / float64(n)
	}
	return &world{
		obs: &sim.Observation{
			Rounds: 1000, Sectors: sectors, Weights: weights, Relief: make([]float64, n),
			Coverage: 0.5, StandingCoverage: 0.5, Cohesion: 1, Welfare: 1,
			Rand: rand.New(rand.NewPCG(1, 2)),
		},
		act: &sim.Action{Relief: make([]float64, n)},
	}
}

// sectorsNamed returns sectors with the given names, nothing essential.
func sectorsNamed(names ...string) []sim.Sector {
	s := make([]sim.Sector, len(names))
	for i, n := range names {
		s[i] = sim.Sector{Name: n, Weight: 1}
	}
	return s
}

// decide runs one round: the next round number, the relief and coverage in
// force handed to the policy, its decision put in force.
func (w *world) decide(p sim.Policy) {
	w.obs.Round++
	copy(w.act.Relief, w.obs.Relief)
	w.act.Coverage = w.obs.Coverage
	p.Decide(w.obs, w.act)
	copy(w.obs.Relief, w.act.Relief)
	w.obs.Coverage = w.act.Coverage
}

// restart starts a new replication: round 0, the given relief and coverage
// in force, then p.Reset.
func (w *world) restart(p sim.Policy, relief, coverage float64) {
	w.obs.Round = 0
	for i := range w.obs.Relief {
		w.obs.Relief[i] = relief
	}
	w.obs.Coverage = coverage
	p.Reset()
}

const eps = 1e-12

func near(a, b float64) bool { return math.Abs(a-b) <= eps }

// recorder is a stub inner policy: like reciprocal, relief follows verified
// compliance and a violation it sees withdraws all relief; coverage is left
// alone. It records every call and every Reset.
type recorder struct {
	resets int
	calls  []call
}

// call is one Decide seen by a recorder.
type call struct {
	round     int
	violation bool    // as the recorder saw it
	shown     float64 // a.Relief[0] on entry: the level the policy was shown as in force
}

func (r *recorder) Reset() { r.resets++ }

func (r *recorder) Clone() sim.Policy       { c := *r; c.calls = nil; return &c }
func (r *recorder) CopyFrom(src sim.Policy) { r.resets = src.(*recorder).resets }

func (r *recorder) Decide(o *sim.Observation, a *sim.Action) {
	r.calls = append(r.calls, call{o.Round, o.Violation, a.Relief[0]})
	if o.Violation {
		a.SetAll(0)
		return
	}
	a.SetAll(o.Verified)
}

// lastCall returns the recorder's call in round, if it was consulted.
func (r *recorder) lastCall(round int) (call, bool) {
	if n := len(r.calls); n > 0 && r.calls[n-1].round == round {
		return r.calls[n-1], true
	}
	return call{}, false
}

// planned is a stub inner policy that sets what a function says; it counts
// Resets.
type planned struct {
	resets int
	decide func(o *sim.Observation, a *sim.Action)
}

func (p *planned) Reset()                                   { p.resets++ }
func (p *planned) Clone() sim.Policy                        { c := *p; return &c }
func (p *planned) CopyFrom(src sim.Policy)                  { *p = *src.(*planned) }
func (p *planned) Decide(o *sim.Observation, a *sim.Action) { p.decide(o, a) }

// params makes a fixed policy, so that a Variant can wrap a stub.
type params struct{ p sim.Policy }

func (s params) NewPolicy() sim.Policy { return s.p }

// modRound is one round of a modifier test: what the world shows, and
// what should happen.
type modRound struct {
	verified             float64
	inspected, violation bool
	relief               float64 // relief in force after the round (every sector)
	consulted            bool    // the inner policy was called
	saw                  bool    // ... and saw a violation
}

// runMod drives p, wrapping rec, through rounds and checks each.
func runMod(t *testing.T, name string, p sim.Policy, rec *recorder, rounds []modRound) {
	t.Helper()
	w := newWorld(sectorsNamed("a", "b", "c"))
	w.restart(p, 0, 0.5)
	for i, r := range rounds {
		w.obs.Verified, w.obs.Inspected, w.obs.Violation = r.verified, r.inspected, r.violation
		w.decide(p)
		c, consulted := rec.lastCall(i + 1)
		if consulted != r.consulted || consulted && c.violation != r.saw {
			t.Fatalf("%s round %d (verified %.2f, inspected %v, violation %v): inner consulted %v seeing violation %v, want consulted %v seeing %v",
				name, i+1, r.verified, r.inspected, r.violation, consulted, c.violation, r.consulted, r.saw)
		}
		for k, x := range w.obs.Relief {
			if !near(x, r.relief) {
				t.Fatalf("%s round %d: sector %d relief %v, want %v", name, i+1, k, x, r.relief)
			}
		}
		if w.obs.Violation != r.violation {
			t.Fatalf("%s round %d: the modifier left Violation = %v in the shared observation", name, i+1, w.obs.Violation)
		}
	}
}

// Confirm pauses on a first violation report (inner not consulted, relief
// as it is), passes on a report confirmed within the window, and drops an
// unconfirmed one once the window has passed.
func TestConfirm(t *testing.T) {
	cases := []struct {
		name   string
		window int
		rounds []modRound
	}{
		{"window 2", 2, []modRound{
			{0.6, true, false, 0.6, true, false},
			{0.6, true, true, 0.6, false, false}, // first report: pause, relief frozen
			{0.6, true, true, 0, true, true},     // confirmed the next round: passed on
			{0.7, true, false, 0.7, true, false},
			{0.7, true, true, 0.7, false, false},  // pause
			{0.8, true, false, 0.7, false, false}, // still waiting (1 of 2): frozen although compliance rose
			{0.8, true, false, 0.8, true, false},  // window over without a second report: dropped, carry on
			{0.8, true, true, 0.8, false, false},  // a new first report: pause again
			{0.9, true, false, 0.8, false, false},
			{0.9, true, true, 0, true, true}, // confirmed at the last round of the window
		}},
		{"window 1", 1, []modRound{
			{0.5, true, false, 0.5, true, false},
			{0.5, true, true, 0.5, false, false}, // pause
			{0.6, true, false, 0.6, true, false}, // the one-round window has passed: dropped
			{0.6, true, true, 0.6, false, false}, // pause
			{0.6, true, true, 0, true, true},     // confirmed
			{0.6, true, true, 0.0, false, false}, // a report right after a confirmed one starts a new pause
			{0.7, true, false, 0.7, true, false}, // dropped
		}},
	}
	for _, c := range cases {
		rec := &recorder{}
		runMod(t, c.name, (&Confirm{Window: c.window}).Wrap(rec), rec, c.rounds)
	}
}

// Tolerate passes a violation on only after Reports consecutive violation
// reports among inspected rounds: a clean inspection resets the count, a
// round without inspection neither counts nor resets.
func TestTolerate(t *testing.T) {
	cases := []struct {
		name    string
		reports int
		rounds  []modRound
	}{
		{"two reports", 2, []modRound{
			{0.6, true, false, 0.6, true, false},
			{0.6, true, true, 0.6, true, false},   // first report hidden
			{0.6, true, true, 0, true, true},      // second consecutive report passed on
			{0.6, true, true, 0, true, true},      // and the third
			{0.7, true, false, 0.7, true, false},  // clean inspection resets the count
			{0.7, true, true, 0.7, true, false},   // hidden again
			{0.8, false, false, 0.8, true, false}, // no inspection: count kept at 1
			{0.8, true, true, 0, true, true},      // second report among inspected rounds
		}},
		{"three reports", 3, []modRound{
			{0.5, true, true, 0.5, true, false},
			{0.5, true, true, 0.5, true, false},
			{0.5, true, false, 0.5, true, false}, // reset
			{0.5, true, true, 0.5, true, false},
			{0.5, true, true, 0.5, true, false},
			{0.5, true, true, 0, true, true}, // three in a row
		}},
		{"one report", 1, []modRound{
			{0.5, true, true, 0, true, true}, // reports = 1 is plain reciprocity
			{0.5, true, false, 0.5, true, false},
		}},
	}
	for _, c := range cases {
		rec := &recorder{}
		runMod(t, c.name, (&Tolerate{Reports: c.reports}).Wrap(rec), rec, c.rounds)
	}
}

// Wind-down delays a cut by Rounds rounds and cancels it when the inner
// policy restores relief meanwhile; rises pass at once; the inner policy is
// shown its own levels, not the delayed ones.
func TestWindDown(t *testing.T) {
	rounds := []struct {
		verified  float64
		violation bool
		relief    float64 // in force after the round
		shown     float64 // what the inner policy was shown as its level
	}{
		{0.6, false, 0.6, 0},  // a rise passes at once
		{0.6, true, 0.6, 0.6}, // inner cuts to 0: 1 round waited
		{0.6, true, 0.6, 0},   // 2 rounds waited; the inner policy sees its own 0
		{0.6, true, 0, 0},     // decided two rounds ago: bites now
		{0.5, false, 0.5, 0},
		{0.3, false, 0.5, 0.5}, // cut to 0.3 pending
		{0.5, false, 0.5, 0.3}, // restored: the cut is cancelled
		{0.2, false, 0.5, 0.5}, // a new cut waits the full delay again
		{0.2, false, 0.5, 0.2},
		{0.2, false, 0.2, 0.2},
		{0.2, false, 0.2, 0.2},
	}
	rec := &recorder{}
	p := (&WindDown{Rounds: 2}).Wrap(rec)
	w := newWorld(sectorsNamed("a", "b", "c"))
	w.restart(p, 0, 0.5)
	for i, r := range rounds {
		w.obs.Verified, w.obs.Violation = r.verified, r.violation
		w.decide(p)
		if got := w.obs.Relief[0]; !near(got, r.relief) {
			t.Fatalf("round %d: relief %v, want %v", i+1, got, r.relief)
		}
		if c, _ := rec.lastCall(i + 1); !near(c.shown, r.shown) {
			t.Fatalf("round %d: inner policy shown %v as its level, want %v", i+1, c.shown, r.shown)
		}
	}

	// Every cut waits its own grace period: a cut to 0.5, then a deeper
	// one to 0 before the first has bitten; the first bites two rounds
	// after it was decided, the second two rounds after it was.
	steps := []float64{0.5, 0, 0, 0, 0}
	deeper := []float64{1, 1, 0.5, 0, 0}
	stub := &planned{decide: func(o *sim.Observation, a *sim.Action) { a.SetAll(steps[o.Round-1]) }}
	p = (&WindDown{Rounds: 2}).Wrap(stub)
	w = newWorld(sectorsNamed("a"))
	w.restart(p, 1, 0.5)
	for i := range steps {
		w.decide(p)
		if got := w.obs.Relief[0]; got != deeper[i] {
			t.Fatalf("deeper cut, round %d: relief %v, want %v", i+1, got, deeper[i])
		}
	}

	// Each sector's cut waits on its own: sector 0 is cut in round 2,
	// sector 1 in round 3; with a one-round delay each bites one round
	// later.
	plan := [][]float64{{1, 1, 1}, {0, 1, 1}, {0, 0, 1}, {0, 0, 1}, {0, 0, 1}}
	want := [][]float64{{1, 1, 1}, {1, 1, 1}, {0, 1, 1}, {0, 0, 1}, {0, 0, 1}}
	stub = &planned{decide: func(o *sim.Observation, a *sim.Action) { copy(a.Relief, plan[o.Round-1]) }}
	p = (&WindDown{Rounds: 1}).Wrap(stub)
	w = newWorld(sectorsNamed("a", "b", "c"))
	w.restart(p, 0, 0.5)
	for i := range plan {
		w.decide(p)
		if !slices.Equal(w.obs.Relief, want[i]) {
			t.Fatalf("per sector, round %d: relief %v, want %v", i+1, w.obs.Relief, want[i])
		}
	}
}

// Humanitarian-floor raises coverage to the floor and never lowers what
// the inner policy set; relief is untouched.
func TestHumanitarianFloor(t *testing.T) {
	cases := []struct {
		floor, inner, want float64
	}{
		{0.8, 0.2, 0.8},   // raised to the floor
		{0.8, 0.95, 0.95}, // above the floor: kept
		{0.8, 0.8, 0.8},
		{0, 0, 0}, // a zero floor changes nothing
		{1, 0.5, 1},
	}
	for _, c := range cases {
		stub := &planned{decide: func(o *sim.Observation, a *sim.Action) { a.SetAll(0.3); a.Coverage = c.inner }}
		p := (&HumanitarianFloor{Floor: c.floor}).Wrap(stub)
		w := newWorld(sectorsNamed("a", "b"))
		w.restart(p, 0, 0.5)
		w.decide(p)
		if !near(w.obs.Coverage, c.want) || !near(w.obs.Relief[0], 0.3) {
			t.Errorf("floor %v over coverage %v: coverage %v relief %v, want %v and 0.3", c.floor, c.inner, w.obs.Coverage, w.obs.Relief[0], c.want)
		}
	}

	// Over max-pressure, which cuts coverage to 0.2 while compliance is
	// below 0.25, coverage never falls below the floor in any round.
	mp := DefaultMaxPressure()
	for _, floor := range []float64{0.3, 0.8} {
		p := (&HumanitarianFloor{Floor: floor}).Wrap(mp.NewPolicy())
		w := newWorld(sectorsNamed("a", "b"))
		w.restart(p, 0, 0.5)
		r := rand.New(rand.NewPCG(3, uint64(floor*10)))
		for range 200 {
			w.obs.Verified = r.Float64()
			w.obs.Inspected = true
			w.obs.Violation = r.Float64() < 0.1
			w.decide(p)
			if w.obs.Coverage < floor {
				t.Fatalf("floor %v: coverage %v in round %d (verified %v)", floor, w.obs.Coverage, w.obs.Round, w.obs.Verified)
			}
			// Without escalation max-pressure sets the standing 0.5,
			// which the floor keeps when it is lower.
			if w.obs.Verified >= mp.Escalate && !near(w.obs.Coverage, max(0.5, floor)) {
				t.Fatalf("floor %v: coverage %v, want %v", floor, w.obs.Coverage, max(0.5, floor))
			}
		}
	}
}

// Forgive hides a violation with its probability: never at 0, always at 1,
// and a binomial share in between.
func TestForgive(t *testing.T) {
	const n = 20000
	cases := []struct {
		prob float64
		seed uint64
	}{
		{0, 1}, {1, 2}, {1.0 / 3, 3}, {0.25, 4}, {0.9, 5}, {0.5, 6},
	}
	for _, c := range cases {
		rec := &recorder{}
		p := (&Forgive{Probability: c.prob}).Wrap(rec)
		w := newWorld(sectorsNamed("a"))
		w.obs.Rand = rand.New(rand.NewPCG(c.seed, 99))
		w.restart(p, 0, 0.5)
		seen := 0
		for i := range n {
			w.obs.Verified, w.obs.Inspected, w.obs.Violation = 0.7, true, true
			w.decide(p)
			if !w.obs.Violation {
				t.Fatalf("p=%v: the shared observation's Violation was not restored", c.prob)
			}
			if rec.calls[i].violation {
				seen++
				if w.obs.Relief[0] != 0 {
					t.Fatalf("p=%v: a passed violation did not reach the inner policy's decision", c.prob)
				}
			} else if !near(w.obs.Relief[0], 0.7) {
				t.Fatalf("p=%v: forgiven round relief %v, want 0.7", c.prob, w.obs.Relief[0])
			}
		}
		forgiven := float64(n - seen)
		// Each violation is forgiven independently with probability p:
		// forgiven ~ Binomial(n, p); 4 sigma makes a false failure about
		// 1 in 16000 and is exact (zero width) at p = 0 and p = 1.
		mean, sd := n*c.prob, math.Sqrt(n*c.prob*(1-c.prob))
		if math.Abs(forgiven-mean) > 4*sd {
			t.Errorf("p=%v: forgave %v of %d violations, want %v ± %.1f", c.prob, forgiven, n, mean, 4*sd)
		}
	}

	// Rounds without a violation are passed through untouched, even at p = 1.
	rec := &recorder{}
	p := (&Forgive{Probability: 1}).Wrap(rec)
	w := newWorld(sectorsNamed("a"))
	w.restart(p, 0, 0.5)
	w.obs.Verified = 0.4
	w.decide(p)
	if len(rec.calls) != 1 || rec.calls[0].violation || !near(w.obs.Relief[0], 0.4) {
		t.Errorf("a clean round through forgive: calls %v relief %v", rec.calls, w.obs.Relief[0])
	}
}

// tagMod is a test modifier that logs its name when its wrapper decides,
// before calling the wrapped policy.
type tagMod struct {
	name string
	log  *[]string
}

func (m *tagMod) Kind() string { return "tag" }
func (m *tagMod) Wrap(p sim.Policy) sim.Policy {
	return &planned{decide: func(o *sim.Observation, a *sim.Action) {
		*m.log = append(*m.log, m.name)
		p.Decide(o, a)
	}}
}

// Variant.NewPolicy wraps the base innermost first: the last modifier is
// the outermost, so it sees each round first.
func TestModifiersComposeInOrder(t *testing.T) {
	var log []string
	base := &planned{decide: func(o *sim.Observation, a *sim.Action) { log = append(log, "base") }}
	v := &Variant{Base: "stub", Params: params{base}, Modifiers: []Modifier{
		&tagMod{"first", &log}, &tagMod{"second", &log}, &tagMod{"third", &log},
	}}
	w := newWorld(sectorsNamed("a"))
	w.decide(v.NewPolicy())
	if want := []string{"third", "second", "first", "base"}; !slices.Equal(log, want) {
		t.Errorf("call order %v, want %v", log, want)
	}

	// With real modifiers order changes behaviour. Four consecutive
	// violation reports after a clean round at compliance 0.6:
	// [confirm, tolerate] = tolerate(confirm(reciprocal)): tolerate hides
	// the first report and passes the second, on which confirm only
	// pauses; the third confirms it. [tolerate, confirm] =
	// confirm(tolerate(reciprocal)): confirm pauses on the first report
	// (tolerate is not consulted, so it does not count it), passes the
	// second, which tolerate hides as its first; confirm pauses on the
	// third and passes the fourth, tolerate's second.
	cases := []struct {
		name  string
		mods  []Modifier
		wants []float64
	}{
		{"confirm then tolerate", []Modifier{&Confirm{Window: 2}, &Tolerate{Reports: 2}}, []float64{0.6, 0.6, 0.6, 0, 0}},
		{"tolerate then confirm", []Modifier{&Tolerate{Reports: 2}, &Confirm{Window: 2}}, []float64{0.6, 0.6, 0.6, 0.6, 0}},
	}
	for _, c := range cases {
		v := &Variant{Base: "reciprocal", Params: &ReciprocalParams{Gain: 1}, Modifiers: c.mods}
		p := v.NewPolicy()
		w := newWorld(sectorsNamed("a"))
		w.restart(p, 0, 0.5)
		for i, want := range c.wants {
			w.obs.Verified, w.obs.Inspected, w.obs.Violation = 0.6, true, i > 0
			w.decide(p)
			if !near(w.obs.Relief[0], want) {
				t.Errorf("%s round %d: relief %v, want %v", c.name, i+1, w.obs.Relief[0], want)
			}
		}
	}
}

// Reset reaches the inner policy through every modifier, and clears each
// modifier's own state.
func TestModifierResetPropagates(t *testing.T) {
	for _, e := range Modifiers() {
		stub := &recorder{}
		e.Defaults().Wrap(stub).Reset()
		if stub.resets != 1 {
			t.Errorf("%s: inner policy reset %d times, want 1", e.Kind, stub.resets)
		}
	}
	stub := &recorder{}
	var all []Modifier
	for _, e := range Modifiers() {
		all = append(all, e.Defaults())
	}
	(&Variant{Base: "stub", Params: params{stub}, Modifiers: all}).NewPolicy().Reset()
	if stub.resets != 1 {
		t.Errorf("all modifiers stacked: inner policy reset %d times, want 1", stub.resets)
	}

	// State from the previous replication must not leak into the next.
	// Each case plays a history, resets, then one round whose relief
	// depends on whether the modifier's state was cleared.
	cases := []struct {
		name    string
		mod     Modifier
		history []modRound
		after   modRound // played with relief 0.7 in force
		want    float64
	}{
		// A pending report would freeze relief at the restart's 0.7;
		// cleared, the inner policy follows compliance 0.6.
		{"confirm", &Confirm{Window: 2}, []modRound{{verified: 0.5, inspected: true, violation: true}},
			modRound{verified: 0.6, inspected: true}, 0.6},
		// One report before the reset must not count: the next report is
		// the first again and is hidden, so relief follows compliance
		// 0.6 (counted as the second, it would withdraw all relief).
		{"tolerate", &Tolerate{Reports: 2}, []modRound{{verified: 0.5, inspected: true, violation: true}},
			modRound{verified: 0.6, inspected: true, violation: true}, 0.6},
		// A cut that has waited its two rounds would bite at once; after
		// the reset it waits again and 0.7 stays in force.
		{"wind-down", &WindDown{Rounds: 2}, []modRound{{verified: 0.5}, {violation: true}, {violation: true}},
			modRound{violation: true}, 0.7},
	}
	for _, c := range cases {
		rec := &recorder{}
		p := c.mod.Wrap(rec)
		w := newWorld(sectorsNamed("a"))
		w.restart(p, 0, 0.5)
		for _, r := range c.history {
			w.obs.Verified, w.obs.Inspected, w.obs.Violation = r.verified, r.inspected, r.violation
			w.decide(p)
		}
		w.restart(p, 0.7, 0.5)
		w.obs.Verified, w.obs.Inspected, w.obs.Violation = c.after.verified, c.after.inspected, c.after.violation
		w.decide(p)
		if !near(w.obs.Relief[0], c.want) {
			t.Errorf("%s: first round after Reset: relief %v, want %v", c.name, w.obs.Relief[0], c.want)
		}
	}
}

func TestModifierRegistry(t *testing.T) {
	var kinds []string
	for _, e := range Modifiers() {
		kinds = append(kinds, e.Kind)
		m := e.Defaults()
		if m.Kind() != e.Kind {
			t.Errorf("registry kind %q makes a modifier of kind %q", e.Kind, m.Kind())
		}
		if e.Summary == "" {
			t.Errorf("%s: no summary", e.Kind)
		}
		if m.Wrap(&recorder{}) == nil {
			t.Errorf("%s: Wrap returned nil", e.Kind)
		}
		got, err := LookupModifier(e.Kind)
		if err != nil || got.Kind != e.Kind {
			t.Errorf("LookupModifier(%q) = %v, %v", e.Kind, got.Kind, err)
		}
	}
	// The five kinds scenario files may use, sorted.
	if want := []string{"confirm", "forgive", "humanitarian-floor", "tolerate", "wind-down"}; !slices.Equal(kinds, want) {
		t.Errorf("kinds %v, want %v", kinds, want)
	}

	_, err := LookupModifier("pardon")
	if err == nil {
		t.Fatal("LookupModifier(pardon) succeeded")
	}
	if !strings.Contains(err.Error(), `"pardon"`) {
		t.Errorf("error %q does not name the unknown kind", err)
	}
	for _, k := range kinds {
		if !strings.Contains(err.Error(), k) {
			t.Errorf("error %q does not list kind %q", err, k)
		}
	}
}
