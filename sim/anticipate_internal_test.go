package sim

import (
	"math"
	"testing"

	"github.com/tranche-sim/tranche/agents"
)

// mirror sets every sector's relief to the verified compliance, and to 0
// after a violation report: reciprocal with gain 1.
type mirror struct{}

func (mirror) Reset() {}
func (mirror) Decide(o *Observation, a *Action) {
	level := o.Verified
	if o.Violation {
		level = 0
	}
	a.SetAll(level)
}
func (mirror) Clone() Policy   { return mirror{} }
func (mirror) CopyFrom(Policy) {}

// A forward-looking target's expected relief changes, against the
// equations of docs/model.md section 7.2 worked by hand for one state:
// lag 1 (one shared decision on the standing report, then the plan), the
// lag's discount, open backsliding reported with the verifier's
// detect_overt, an exposed cheat showing the truth, not the façade.
func TestAnticipateByHand(t *testing.T) {
	p := DefaultParams()
	p.Target.Model = agents.ForwardLooking
	p.Verifier.Lag = 1
	m, err := NewModel(p, 40)
	if err != nil {
		t.Fatal(err)
	}
	r := NewReplication(m)
	r.fc = r.forecaster(mirror{})
	// Round 6: true compliance 0.5 with 0.25 concealed (0.75 visible), the
	// standing report 0.5, relief 0.5 in force in every sector.
	for i := range r.relief {
		r.relief[i] = 0.5
	}
	r.w.Round, r.w.Relief, r.w.Compliance, r.w.Concealed = 6, 0.5, 0.5, 0.25
	r.obs.Round, r.obs.Verified, r.obs.Violation, r.obs.Coverage = 5, 0.5, false, 0.5
	r.anticipate()

	tp, v := &p.Target, &p.Verifier
	delta, lag := tp.Discount, float64(v.Lag)
	// W(u, viol) = δ^lag ( Σ_k δ^k R_k / Σ_k δ^k − R ), where the mirror
	// answers u in every plan round, 0 in the first after a violation
	// report. The shared decision sees the standing report (0.5) and sets
	// 0.5, which no plan depends on.
	W := func(u float64, viol bool) float64 {
		var num, den float64
		for k := range tp.Foresight {
			level := u
			if viol && k == 0 {
				level = 0
			}
			num += math.Pow(delta, float64(k)) * level
			den += math.Pow(delta, float64(k))
		}
		return math.Pow(delta, lag) * (num/den - 0.5)
	}
	s := tp.Step
	x, g := 0.5, 0.25
	seen := x + g // complying first repairs the concealment: 0.75 either way
	d, e := v.DetectOvert, v.Quality*v.DetectCovert
	want := [agents.NumChoices]float64{
		agents.Comply:    W(math.Max(x+s, seen), false),
		agents.Partial:   W(math.Max(x+s*tp.PartialShare, seen), false),
		agents.Stall:     W(seen, false),
		agents.Backslide: d*W(x-s+g, true) + (1-d)*W(x-s+g, false),
		agents.Cheat:     e*W(x-s, true) + (1-e)*W(seen, false),
	}
	for c := range agents.NumChoices {
		if math.Abs(r.w.Anticipated[c]-want[c]) > 1e-12 {
			t.Errorf("%s: anticipated %.6f, by hand %.6f", agents.Choice(c), r.w.Anticipated[c], want[c])
		}
	}
	if want[agents.Backslide] == want[agents.Cheat] || d == 1 || e == 0 {
		t.Fatal("the hand-worked state does not tell the mixtures apart")
	}
}
