package agents

import "github.com/tranche-sim/tranche/internal/num"

// Member is one member of the sanctioning coalition.
type Member struct {
	Name    string  `toml:"name" required:"true" doc:"member name, for output only"`
	Weight  float64 `toml:"weight" plausible:"[0.05,0.6]" required:"true" range:"(0,inf)" doc:"economic weight of the member's sanctions (normalised over members)" why:"a lead state carries most of the economic weight, as in most Western-led regimes"`
	Resolve float64 `toml:"resolve" plausible:"[0.4,0.9]" default:"0.6" range:"[0,1]" doc:"fatigue level at which the member is equally likely to stop enforcing as to go on" why:"members differ in how much sanctions cost them at home"`
	Fatigue float64 `toml:"fatigue" plausible:"[0,0.4]" default:"0.2" range:"[0,1]" doc:"initial fatigue" why:"some members start reluctant"`
}

// CoalitionParams are the sanctioning coalition's parameters.
type CoalitionParams struct {
	Coverage      float64  `toml:"humanitarian_coverage" plausible:"[0.3,0.8]" range:"[0,1]" doc:"standing humanitarian exemption coverage H that policies start from and normally keep" why:"exemptions exist in most modern regimes but are narrow and slow to license"`
	FatigueRate   float64  `toml:"fatigue_rate" plausible:"[0.005,0.03]" range:"[0,1]" doc:"fatigue added per round per unit of sanctions still in place (1-R)" why:"calibration knob (docs/model.md section 9): long stalemates breed fatigue; at 0.025 a member of resolve 0.6 starting at 0.2 tires after about four years of full sanctions without progress, so that under half of the episodes that end, end with the target's compliance (Attia, Grauvogel and von Soest 2020) and they last about as long as EU regimes (about 55 months)"`
	HumFatigue    float64  `toml:"humanitarian_fatigue" plausible:"[0.01,0.06]" range:"[0,1]" doc:"fatigue added per round per unit of humanitarian need reported by civil society" why:"visible humanitarian harm erodes domestic support for sanctions"`
	Recovery      float64  `toml:"recovery" plausible:"[0.01,0.04]" range:"[0,1]" doc:"fatigue removed per round per unit of verified compliance" why:"sanctions that visibly work are easier to sustain"`
	DefectNoise   float64  `toml:"defect_noise" plausible:"[0.02,0.1]" range:"(0,1]" doc:"spread of the logistic defection rule (fatigue units)" why:"members do not defect at a sharp threshold"`
	Hysteresis    float64  `toml:"hysteresis" plausible:"[0,0.2]" range:"[0,1]" doc:"how far fatigue must fall below resolve before a defected member rejoins" why:"re-imposing national measures is politically costlier than keeping them"`
	Reimposition  float64  `toml:"reimposition_fatigue" plausible:"[0,0.15]" range:"[0,1]" doc:"fatigue added to every member per unit of weighted relief re-imposed: re-imposing costs the coalition cohesion" why:"0.05: a full re-imposition costs as much fatigue as two rounds of full sanctions; re-imposing is harder than keeping sanctions (firms and partners have re-entered the market, and partners may refuse, as the European parties did in 2018)"`
	ElectionShift float64  `toml:"election_shift" plausible:"[0.1,0.3]" range:"[0,1]" doc:"largest change in a member's fatigue at one of its elections (uniform in ±shift)" why:"elections can bring hawks or doves"`
	Members       []Member `toml:"members" doc:"coalition members"`
}

// DefaultCoalition returns the default coalition: a lead state, a regional
// bloc and two smaller allies.
func DefaultCoalition() CoalitionParams {
	return CoalitionParams{
		Coverage: 0.5, FatigueRate: 0.025, HumFatigue: 0.03, Recovery: 0.02,
		DefectNoise: 0.05, Hysteresis: 0.1, Reimposition: 0.05, ElectionShift: 0.2,
		Members: []Member{
			{Name: "lead-state", Weight: 0.5, Resolve: 0.8, Fatigue: 0.1},
			{Name: "regional-bloc", Weight: 0.3, Resolve: 0.6, Fatigue: 0.2},
			{Name: "ally-1", Weight: 0.1, Resolve: 0.55, Fatigue: 0.2},
			{Name: "ally-2", Weight: 0.1, Resolve: 0.5, Fatigue: 0.25},
		},
	}
}

// Coalition is the sanctioning coalition: members that tire and may stop
// enforcing. The sequencing policy it carries out lives in package sim.
type Coalition struct {
	// Fatigue is each member's fatigue.
	Fatigue []float64
	// Enforcing reports whether each member enforces its sanctions.
	Enforcing []bool

	p        *CoalitionParams
	weight   []float64 // normalised member weights
	resolve  []float64 // members' resolve
	perNoise float64   // 1/DefectNoise
}

// NewCoalition returns a coalition with parameters p.
func NewCoalition(p *CoalitionParams) *Coalition {
	c := &Coalition{
		p:         p,
		Fatigue:   make([]float64, len(p.Members)),
		Enforcing: make([]bool, len(p.Members)),
		weight:    make([]float64, len(p.Members)),
		resolve:   make([]float64, len(p.Members)),
		perNoise:  1 / p.DefectNoise,
	}
	var total float64
	for _, m := range p.Members {
		total += m.Weight
	}
	for i, m := range p.Members {
		c.weight[i] = m.Weight / total
		c.resolve[i] = m.Resolve
	}
	return c
}

// Reset starts a new replication with every member enforcing.
func (c *Coalition) Reset(w *World) {
	for i, m := range c.p.Members {
		c.Fatigue[i] = m.Fatigue
		c.Enforcing[i] = true
	}
	w.Cohesion = 1
}

// Elect applies an election in member i; u is a uniform draw in [0,1).
func (c *Coalition) Elect(i int, u float64) {
	c.Fatigue[i] = num.Clamp01(c.Fatigue[i] + c.p.ElectionShift*(2*u-1))
}

// Step runs one round: each member's fatigue moves and each decides whether
// to go on enforcing, member i with the uniform draw u[i].
func (c *Coalition) Step(w *World, u []float64) {
	p := c.p
	perNoise := c.perNoise
	tire, report, success := p.FatigueRate*(1-w.Relief)+p.Reimposition*w.Reimposed, p.HumFatigue*w.NeedReport, p.Recovery*w.Verified
	n := len(c.Fatigue)
	fatigue, enforcing, weight, resolve, u := c.Fatigue, c.Enforcing[:n], c.weight[:n], c.resolve[:n], u[:n]
	var cohesion float64
	for i := range fatigue {
		f := num.Clamp01(fatigue[i] + tire + report - success)
		fatigue[i] = f
		// An enforcing member defects with probability logistic(x), a
		// defected one rejoins with probability logistic(x'): it switches
		// when its draw is below.
		x := (resolve[i] - p.Hysteresis - f) * perNoise
		if enforcing[i] {
			x = (f - resolve[i]) * perNoise
		}
		switches, ok := below(u[i], x)
		if !ok {
			switches = u[i] < logistic(x)
		}
		enforcing[i] = enforcing[i] != switches
		if enforcing[i] {
			cohesion += weight[i]
		}
	}
	w.Cohesion = min(cohesion, 1) // normalised weights may sum to 1 plus a rounding error
}

func logistic(x float64) float64 { return 1 / (1 + num.Exp(-x)) }

// below reports whether u < logistic(x), exactly, when a cheap bound
// settles it (ok), without computing the exponential: since e**y >= 1 + y,
// logistic(x) <= 1/(2-x) for x <= 0 and logistic(x) >= 1 - 1/(2+x) for
// x > 0. Members far from their resolve, the common case, are settled. The
// bounds are used with a margin of 1e-9, far above rounding error. It is
// small enough to inline, so the members' loop calls nothing in the common
// case.
func below(u, x float64) (b, ok bool) {
	if x <= 0 {
		return false, u*(2-x) > 1+1e-9
	}
	return true, (1-u)*(2+x) > 1+1e-9
}
