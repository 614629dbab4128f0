package policy

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tranche-sim/tranche/sim"
)

// A Modifier wraps any policy to change what it sees or what it does, as
// Axelrod-Python's transformers do: modifiers compose instead of
// multiplying variants. A scenario lists them, innermost first, in
// [[policy.NAME.modifiers]] tables with a kind key.
type Modifier interface {
	// Kind returns the modifier's kind, as written in scenario files.
	Kind() string
	// Wrap returns p with the modifier applied.
	Wrap(p sim.Policy) sim.Policy
}

// ModifierEntry describes a modifier kind.
type ModifierEntry struct {
	// Kind is the modifier's name in scenario files.
	Kind string
	// Summary is a one-line description.
	Summary string
	// Defaults returns a fresh copy of the modifier's default parameters.
	Defaults func() Modifier
}

// Modifiers returns the modifier kinds, sorted by kind.
func Modifiers() []ModifierEntry {
	m := []ModifierEntry{
		{"forgive", "ignore a reported violation with some probability (generosity)", func() Modifier { return &Forgive{Probability: 1.0 / 3} }},
		{"tolerate", "pass a violation on only after several consecutive violation reports", func() Modifier { return &Tolerate{Reports: 2} }},
		{"confirm", "on a violation report, pause and pass it on only if another report confirms it within a window", func() Modifier { return &Confirm{Window: 2} }},
		{"wind-down", "re-imposed relief bites only after a grace period", func() Modifier { return &WindDown{Rounds: 2} }},
		{"humanitarian-floor", "never let humanitarian coverage fall below a floor", func() Modifier { return &HumanitarianFloor{Floor: 0.8} }},
	}
	sort.Slice(m, func(i, j int) bool { return m[i].Kind < m[j].Kind })
	return m
}

// LookupModifier returns the modifier kind with the given name.
func LookupModifier(kind string) (ModifierEntry, error) {
	var kinds []string
	for _, m := range Modifiers() {
		if m.Kind == kind {
			return m, nil
		}
		kinds = append(kinds, m.Kind)
	}
	return ModifierEntry{}, fmt.Errorf("unknown modifier kind %q; kinds: %s", kind, strings.Join(kinds, ", "))
}

// Forgive hides a reported violation from the wrapped policy with the given
// probability, drawn from the policy's own stream: generous tit-for-tat
// forgives a third of lapses under the standard payoffs (T,R,P,S = 5,3,1,0).
type Forgive struct {
	Probability float64 `toml:"probability" plausible:"[0.1,0.5]" range:"[0,1]" doc:"probability of ignoring a reported violation" why:"1/3: generous tit-for-tat's forgiveness under the standard payoffs (Nowak and Sigmund 1992)"`
}

// Kind implements Modifier.
func (*Forgive) Kind() string { return "forgive" }

// Wrap implements Modifier.
func (f *Forgive) Wrap(p sim.Policy) sim.Policy { return &forgiving{inner: p, prob: f.Probability} }

type forgiving struct {
	inner sim.Policy
	prob  float64
}

func (f *forgiving) Reset() { f.inner.Reset() }

func (f *forgiving) Clone() sim.Policy { return &forgiving{inner: f.inner.Clone(), prob: f.prob} }

func (f *forgiving) CopyFrom(src sim.Policy) { f.inner.CopyFrom(src.(*forgiving).inner) }

func (f *forgiving) Decide(o *sim.Observation, a *sim.Action) {
	decideHiding(f.inner, o, a, o.Violation && o.Rand.Float64() < f.prob)
}

// decideHiding consults inner, hiding a violation report from it when hide
// is true; the report is restored for the modifiers outside.
func decideHiding(inner sim.Policy, o *sim.Observation, a *sim.Action, hide bool) {
	if !hide || !o.Violation {
		inner.Decide(o, a)
		return
	}
	o.Violation = false
	inner.Decide(o, a)
	o.Violation = true
}

// Tolerate passes a violation on only when the latest Reports inspection
// reports all flagged violations: tit-for-two-tats with Reports = 2, robust
// to a single false alarm.
type Tolerate struct {
	Reports int `toml:"reports" plausible:"[2,4]" range:"[1,100]" doc:"consecutive violation reports needed before the wrapped policy sees a violation" why:"2: Axelrod's tit-for-two-tats"`
}

// Kind implements Modifier.
func (*Tolerate) Kind() string { return "tolerate" }

// Wrap implements Modifier.
func (t *Tolerate) Wrap(p sim.Policy) sim.Policy { return &tolerant{inner: p, need: t.Reports} }

type tolerant struct {
	inner sim.Policy
	need  int
	run   int
}

func (t *tolerant) Reset() { t.inner.Reset(); t.run = 0 }

func (t *tolerant) Clone() sim.Policy {
	c := *t
	c.inner = t.inner.Clone()
	return &c
}

func (t *tolerant) CopyFrom(src sim.Policy) {
	o := src.(*tolerant)
	t.inner.CopyFrom(o.inner)
	t.run = o.run
}

func (t *tolerant) Decide(o *sim.Observation, a *sim.Action) {
	if o.Inspected {
		if o.Violation {
			t.run++
		} else {
			t.run = 0
		}
	}
	decideHiding(t.inner, o, a, t.run < t.need)
}

// Confirm makes a policy patient: on a violation report it pauses (the
// wrapped policy is not consulted and relief stays as it is) and passes the
// violation on only if another report confirms it within Window rounds;
// otherwise the report is dropped and the policy carries on.
type Confirm struct {
	Window int `toml:"window" plausible:"[1,4]" range:"[1,100]" doc:"rounds to wait for a second violation report before dropping the first" why:"two quarterly reports, like the dispute window of UNSCR 2231's snapback"`
}

// Kind implements Modifier.
func (*Confirm) Kind() string { return "confirm" }

// Wrap implements Modifier.
func (c *Confirm) Wrap(p sim.Policy) sim.Policy { return &confirming{inner: p, window: c.Window} }

type confirming struct {
	inner   sim.Policy
	window  int
	pending bool
	waited  int
}

func (c *confirming) Reset() { c.inner.Reset(); c.pending, c.waited = false, 0 }

func (c *confirming) Clone() sim.Policy {
	n := *c
	n.inner = c.inner.Clone()
	return &n
}

func (c *confirming) CopyFrom(src sim.Policy) {
	o := src.(*confirming)
	c.inner.CopyFrom(o.inner)
	c.pending, c.waited = o.pending, o.waited
}

func (c *confirming) Decide(o *sim.Observation, a *sim.Action) {
	switch {
	case c.pending && o.Violation: // confirmed
		c.pending = false
		c.inner.Decide(o, a)
	case c.pending:
		c.waited++
		if c.waited >= c.window { // never confirmed: drop it
			c.pending = false
			c.inner.Decide(o, a)
		}
	case o.Violation:
		c.pending, c.waited = true, 0 // pause
	default:
		c.inner.Decide(o, a)
	}
}

// WindDown delays re-imposition: when the wrapped policy lowers a sector's
// relief, the cut takes effect only Rounds rounds after the policy first
// wanted it, and not at all if the policy has wanted more relief since, like
// the 90/180-day wind-downs of 2018. Every cut waits its own grace period:
// the relief in force is the highest level the policy wanted in its last
// Rounds+1 decisions (counting the level in force before its first).
type WindDown struct {
	Rounds int `toml:"rounds" plausible:"[1,4]" range:"[1,100]" doc:"rounds between the decision to re-impose and the moment it bites" why:"two quarters, the longer 2018 wind-down"`
}

// Kind implements Modifier.
func (*WindDown) Kind() string { return "wind-down" }

// Wrap implements Modifier.
func (w *WindDown) Wrap(p sim.Policy) sim.Policy { return &windingDown{inner: p, delay: w.Rounds} }

type windingDown struct {
	inner  sim.Policy
	delay  int
	want   []float64 // the wrapped policy's own levels
	recent []float64 // its levels in its last delay+1 decisions: one row of sectors per decision, a ring
	next   int       // the row the next decision overwrites
}

func (w *windingDown) Reset() {
	w.inner.Reset()
	w.want = w.want[:0]
}

func (w *windingDown) Clone() sim.Policy {
	c := &windingDown{inner: w.inner.Clone(), delay: w.delay}
	c.CopyFrom(w)
	return c
}

func (w *windingDown) CopyFrom(src sim.Policy) {
	o := src.(*windingDown)
	w.inner.CopyFrom(o.inner)
	if cap(w.want) < len(o.want) {
		w.want, w.recent = make([]float64, len(o.want)), make([]float64, len(o.recent))
	}
	w.want, w.recent = append(w.want[:0], o.want...), append(w.recent[:0], o.recent...)
	w.next = o.next
}

func (w *windingDown) Decide(o *sim.Observation, a *sim.Action) {
	n := len(a.Relief)
	if len(w.want) != n { // first round of a replication
		if cap(w.want) < n {
			w.want, w.recent = make([]float64, n), make([]float64, (w.delay+1)*n)
		}
		w.want, w.recent = w.want[:n], w.recent[:(w.delay+1)*n]
		copy(w.want, a.Relief) // what is in force
		for r := range w.delay + 1 {
			copy(w.recent[r*n:], a.Relief)
		}
		w.next = 0
	}
	copy(a.Relief, w.want) // the wrapped policy sees its own decisions
	w.inner.Decide(o, a)
	copy(w.want, a.Relief)
	copy(w.recent[w.next*n:], a.Relief)
	w.next = (w.next + 1) % (w.delay + 1)
	for r := range w.delay + 1 {
		for i, x := range w.recent[r*n : (r+1)*n] {
			a.Relief[i] = max(a.Relief[i], x)
		}
	}
}

// HumanitarianFloor never lets humanitarian coverage fall below Floor: the
// seeds' "non-negotiable pillar".
type HumanitarianFloor struct {
	Floor float64 `toml:"floor" plausible:"[0.5,1]" range:"[0,1]" doc:"lowest humanitarian coverage the policy may set" why:"0.8: exemptions stay open through stalemates (seeds)"`
}

// Kind implements Modifier.
func (*HumanitarianFloor) Kind() string { return "humanitarian-floor" }

// Wrap implements Modifier.
func (h *HumanitarianFloor) Wrap(p sim.Policy) sim.Policy { return &floored{inner: p, floor: h.Floor} }

type floored struct {
	inner sim.Policy
	floor float64
}

func (f *floored) Reset() { f.inner.Reset() }

func (f *floored) Clone() sim.Policy { return &floored{inner: f.inner.Clone(), floor: f.floor} }

func (f *floored) CopyFrom(src sim.Policy) { f.inner.CopyFrom(src.(*floored).inner) }

func (f *floored) Decide(o *sim.Observation, a *sim.Action) {
	f.inner.Decide(o, a)
	a.Coverage = max(a.Coverage, f.floor)
}
