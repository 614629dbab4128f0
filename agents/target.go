package agents

import (
	"math/rand/v2"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/tranche-sim/tranche/internal/num"
)

// Choice is what the target government does in a round.
type Choice uint8

// The target's choices, from most to least cooperative.
const (
	// Comply implements one more step of its obligations.
	Comply Choice = iota
	// Partial implements part of a step.
	Partial
	// Stall changes nothing.
	Stall
	// Backslide openly rolls back one step.
	Backslide
	// Cheat rolls back one step covertly while the façade stays intact.
	Cheat
	// NumChoices is the number of choices.
	NumChoices
)

var choiceNames = [NumChoices]string{"comply", "partial", "stall", "backslide", "cheat"}

// String returns the choice's name.
func (c Choice) String() string {
	if c < NumChoices {
		return choiceNames[c]
	}
	return "unknown"
}

// Rollback reports whether the choice reduces true compliance.
func (c Choice) Rollback() bool { return c == Backslide || c == Cheat }

// TargetParams are the target government's parameters.
type TargetParams struct {
	Model           string  `toml:"model" oneof:"adaptive,rule-learner,forward-looking" doc:"how the target values the relief its choices bring: adaptive learns what each of its own choices brought, crediting each relief change to its choice lag+1 rounds before; rule-learner learns the coalition's rule, the relief the coalition sets at each verified compliance and after a violation report; forward-looking works out the policy's announced rule and values the relief each choice would bring over the rounds ahead, discounted" why:"rule-learner: what it learns does not depend on a policy's rhythm matching the reporting lag, and it needs no knowledge of the rule; the three are compared in docs/model.md section 4"`
	RuleGrid        int     `toml:"rule_grid" plausible:"[4,16]" range:"[1,32]" doc:"rule-learner: number of intervals of verified compliance over which it learns the relief the coalition sets (relief at compliance between grid points is interpolated)" why:"8: intervals of half a step at the default step, fine enough to tell the phased milestones apart"`
	Discount        float64 `toml:"discount" plausible:"[0.7,0.98]" range:"[0,1]" doc:"forward-looking: weight of relief one round later relative to relief now (δ)" why:"0.9 a quarter: a government that weighs the next year about two-thirds as much as now; cooperation under grim trigger needs δ above (T-R)/(T-P) = 0.5 with the standard payoffs"`
	Foresight       int     `toml:"foresight" plausible:"[2,8]" range:"[1,40]" doc:"forward-looking: rounds after the coalition sees a choice over which the target works out the relief it brings" why:"3: three quarterly reviews ahead, longer than the default policies' two-round holds and confirmation windows; each round more costs about a tenth of a replication"`
	CommitmentAlpha float64 `toml:"commitment_alpha" plausible:"[0.6,2.4]" range:"(0,50]" doc:"Beta shape α of the hidden reform commitment κ, drawn per replication and at each leadership change" why:"with commitment_beta, one of the two calibration knobs: mean κ = α/(α+β) sets how many targets reform under pressure alone (base rate about a third)"`
	CommitmentBeta  float64 `toml:"commitment_beta" plausible:"[1.75,7]" range:"(0,50]" doc:"Beta shape β of the hidden reform commitment κ" why:"α=1.2, β=4 gives mean κ 0.23 with wide spread: the coalition is genuinely uncertain about intent; the calibration knob that puts coercion alone (max-pressure) at a settlement about a third of the time"`
	Reformers       float64 `toml:"reformers" plausible:"[0.2,0.6]" range:"[0,1]" doc:"initial (and long-run) share of power held by reformers, ρ₀" why:"below one half: sanctioned regimes are usually dominated by hardliners"`
	Step            float64 `toml:"step" plausible:"[0.125,0.5]" range:"(0,1]" doc:"implementation gained or lost by one comply or backslide choice (share of obligations)" why:"a quarter: full implementation takes a year of quarterly rounds, as the 2013 interim plan to 2016 implementation day took about two"`
	PartialShare    float64 `toml:"partial_share" plausible:"[0.3,0.7]" range:"[0,1]" doc:"share of a step implemented by a partial choice" why:"half a step"`
	Noise           float64 `toml:"noise" plausible:"[0.15,0.6]" range:"(0,10]" doc:"bounded-rationality temperature τ of the logit choice (utility units)" why:"large enough that every choice keeps some probability; smaller values make the target a strict optimiser"`
	LearningRate    float64 `toml:"learning_rate" plausible:"[0.05,0.6]" range:"[0,1]" doc:"weight of the latest observed relief response when updating the expected response to a choice" why:"0.3: a response seen three times is mostly learned, so predictable policies are learned within a year"`
	ReliefWeight    float64 `toml:"relief_weight" plausible:"[1,8]" range:"[0,50]" doc:"utility of one unit of expected relief change (β_relief)" why:"2: at it coercion alone (max-pressure) ends in a settlement about a third of the time under each of the three target models (docs/model.md section 9); a full lifting of sanctions is then worth as much as two units of reform cost"`
	PainWeight      float64 `toml:"pain_weight" plausible:"[0.5,2]" range:"[0,50]" doc:"utility per implementation step per unit of economic damage 1-Y, the target's activity lost to sanctions and shocks (coercion, β_pain)" why:"calibration knob: with the commitment distribution it sets how often coercion alone succeeds; coercion runs through the economy, since severe costs on the target go with success (Bapat et al. 2013) and poor economic health makes termination with compliance more likely (Attia et al. 2020)"`
	CommitWeight    float64 `toml:"commitment_weight" plausible:"[1,4]" range:"[0,50]" doc:"utility per implementation step per unit of hidden commitment κ" why:"genuine reformers implement without being paid"`
	ReformerWeight  float64 `toml:"reformer_weight" plausible:"[0.5,2]" range:"[0,50]" doc:"utility per implementation step per unit of reformer share ρ" why:"a stronger reform camp makes implementation easier"`
	HardlinerCost   float64 `toml:"hardliner_cost" plausible:"[1,4]" range:"[0,50]" doc:"utility cost per implementation step per unit of hardliner share 1-ρ" why:"domestic reform cost: hardliners lose from reform and must be bought off or overruled"`
	PriorComply     float64 `toml:"prior_comply" plausible:"[0,0.1]" range:"[-1,1]" doc:"expected relief change after complying, before any experience" why:"a target expects a small reward for compliance at the outset"`
	PriorPartial    float64 `toml:"prior_partial" plausible:"[0,0.05]" range:"[-1,1]" doc:"expected relief change after partial compliance, before any experience" why:"half the compliance prior"`
	PriorStall      float64 `toml:"prior_stall" plausible:"[-0.02,0.02]" range:"[-1,1]" doc:"expected relief change after stalling, before any experience" why:"no change expected"`
	PriorBackslide  float64 `toml:"prior_backslide" plausible:"[-0.1,0]" range:"[-1,1]" doc:"expected relief change after open backsliding, before any experience" why:"a target expects some penalty for open violations"`
	PriorCheat      float64 `toml:"prior_cheat" plausible:"[-0.05,0]" range:"[-1,1]" doc:"expected relief change after covert cheating, before any experience" why:"smaller than for open backsliding: cheating may go unnoticed"`
	ReliefSupport   float64 `toml:"relief_support" plausible:"[0.05,0.2]" range:"[0,10]" doc:"rise in the reformer share that the balance of power tends to, per unit of relief that reaches people" why:"visible economic gains strengthen the reform camp (seeds)"`
	CivicAmplify    float64 `toml:"civic_amplify" plausible:"[0.5,2]" range:"[0,10]" doc:"extra weight of relief that reaches people in a round civil society mobilises" why:"civil society turns visible benefits into domestic pressure for reform"`
	Humiliation     float64 `toml:"snapback_humiliation" plausible:"[0,0.2]" range:"[0,10]" doc:"loss in reformer share per unit of relief re-imposed" why:"snapback humiliates the reform camp and vindicates hardliners"`
	SpoilerHarden   float64 `toml:"spoiler_hardening" plausible:"[0.01,0.06]" range:"[0,1]" doc:"loss in reformer share per spoiler incident" why:"violence strengthens hardliners"`
	RentHarden      float64 `toml:"rent_hardening" plausible:"[0.25,1]" range:"[0,10]" doc:"fall in the reformer share that the balance of power tends to, per unit of diverted relief (leakage times relief)" why:"diverted relief funds hardliner patronage networks"`
	PressureHarden  float64 `toml:"pressure_hardening" plausible:"[0.05,0.2]" range:"[0,1]" doc:"fall in the reformer share that the balance of power tends to, per unit of sanctions pressure (rally round the flag)" why:"long sanctions let hardliners blame outsiders"`
	Drift           float64 `toml:"reformer_drift" plausible:"[0.025,0.1]" range:"[0,1]" doc:"share of the gap between the reformer share and the level it tends to closed each round" why:"domestic politics moves over a few years, not a quarter"`
	Diversion       float64 `toml:"diversion" plausible:"[0.05,0.2]" range:"[0,1]" doc:"share of relief and exemption flows that hardliner networks try to divert, scaled by their share of power" why:"calibrated with civil-society oversight to relief leakage of about 5%, the oil-for-food programme's illicit payments against the supplies bought (Volcker inquiry 2005; docs/model.md section 9)"`
}

// DefaultTarget returns the default target government parameters.
func DefaultTarget() TargetParams {
	return TargetParams{
		Model: "rule-learner", RuleGrid: 8, Discount: 0.9, Foresight: 3,
		CommitmentAlpha: 1.2, CommitmentBeta: 4,
		Reformers: 0.4, Step: 0.25, PartialShare: 0.5,
		Noise: 0.3, LearningRate: 0.3,
		ReliefWeight: 2, PainWeight: 1.1, CommitWeight: 2, ReformerWeight: 1, HardlinerCost: 2,
		PriorComply: 0.05, PriorPartial: 0.02, PriorStall: 0, PriorBackslide: -0.05, PriorCheat: -0.02,
		ReliefSupport: 0.1, CivicAmplify: 1, Humiliation: 0.1, SpoilerHarden: 0.03,
		RentHarden: 0.5, PressureHarden: 0.1, Drift: 0.05, Diversion: 0.1,
	}
}

// The target's decision models (TargetParams.Model).
const (
	// Adaptive learns the relief change each of its choices brought.
	Adaptive = "adaptive"
	// RuleLearner learns the relief the coalition sets in answer to each
	// verified state.
	RuleLearner = "rule-learner"
	// ForwardLooking works out the relief each choice would bring from the
	// policy's rule (World.Anticipated, which the engine fills).
	ForwardLooking = "forward-looking"
)

// maxGrid is the largest rule_grid.
const maxGrid = 32

// Target is the target government.
type Target struct {
	// Commitment is the hidden reform commitment κ.
	Commitment float64
	// Expect is the expected relief change after each choice in the
	// latest round: learned from the coalition's responses (adaptive,
	// rule-learner) or worked out from its rule (forward-looking).
	Expect [NumChoices]float64
	// Rule is what a rule-learner has learned: the relief the coalition
	// sets when the verified compliance is at each of the rule_grid+1
	// evenly spaced grid points from 0 to 1; RuleViolation is the relief
	// it sets after a violation report.
	Rule          [maxGrid + 1]float64
	RuleViolation float64

	p                 *TargetParams
	model             uint8   // 0 adaptive, 1 rule-learner, 2 forward-looking
	grid              float64 // rule_grid
	reported, exposed float64 // chance that open backsliding is reported, and that cheating is exposed, at an inspection
	history           [lagRing]Choice
	perStep, perNoise float64             // 1/Step and 1/Noise
	move              [NumChoices]float64 // change in true compliance each choice attempts
	amplify           [2]float64          // weight of relief that reaches people, without and with mobilisation
}

// noRollback maps each choice to itself, except rollbacks to Stall.
var noRollback = [NumChoices]Choice{Comply, Partial, Stall, Stall, Stall}

// conceals is 1 for the choice that hides the step it rolls back.
var conceals = [NumChoices]float64{Cheat: 1}

// lagRing is the size of the ring buffers that remember past rounds for the
// reporting lag; MaxLag must stay below it.
const lagRing = 16

// MaxLag is the largest verification reporting lag the model supports.
const MaxLag = lagRing - 1

// NewTarget returns a target government with parameters p that faces the
// verification body v (its detection chances are public).
func NewTarget(p *TargetParams, v *VerifierParams) *Target {
	t := &Target{
		p: p, perStep: 1 / p.Step, perNoise: 1 / p.Noise,
		move:     [NumChoices]float64{Comply: p.Step, Partial: p.Step * p.PartialShare, Backslide: -p.Step, Cheat: -p.Step},
		amplify:  [2]float64{1, 1 + p.CivicAmplify},
		grid:     float64(min(max(p.RuleGrid, 1), maxGrid)),
		reported: v.DetectOvert, exposed: v.Quality * v.DetectCovert,
	}
	switch p.Model {
	case RuleLearner:
		t.model = 1
	case ForwardLooking:
		t.model = 2
	}
	return t
}

// ForwardLooking reports whether the target works out relief from the
// policy's rule, so that the engine must fill World.Anticipated.
func (t *Target) ForwardLooking() bool { return t.model == 2 }

// Chances returns the chance that an inspection reports open backsliding
// and the chance that it exposes covert cheating: the verification
// regime's public detection rates.
func (t *Target) Chances() (reported, exposed float64) { return t.reported, t.exposed }

// Outlook returns the compliance the verifier would see after each choice,
// before measurement noise (what a forward-looking target expects the
// coalition to observe), and the true compliance after a rollback, which
// is what the verifier sees when it exposes cheating.
func (t *Target) Outlook(w *World) (seen [NumChoices]float64, exposedAt float64) {
	comply, partial, stall, back := t.outlook(w.Compliance, w.Concealed)
	return [NumChoices]float64{comply, partial, stall, back, stall}, max(w.Compliance-t.p.Step, 0)
}

// outlook returns what the verifier would see after complying, partial
// compliance, stalling (and cheating, which keeps the façade) and open
// backsliding, from true compliance x and concealed rollback g (x + g is
// at most 1). Complying moves true compliance to x' and first repairs the
// concealment, so what is seen is x' + max(g - (x' - x), 0) = max(x', x + g);
// backsliding lowers the truth under an unchanged façade; at x = 0 there
// is nothing to roll back and backsliding is a stall.
func (t *Target) outlook(x, g float64) (comply, partial, stall, back float64) {
	p := t.p
	stall = num.Clamp01(x + g)
	comply = max(min(x+p.Step, 1), stall)
	partial = max(min(x+p.Step*p.PartialShare, 1), stall)
	back = stall
	if x > 0 {
		back = num.Clamp01(max(x-p.Step, 0) + g)
	}
	return
}

// Reset starts a new replication: it draws the hidden commitment from rt and
// sets the target's part of the world to its initial state.
func (t *Target) Reset(w *World, rt *rand.Rand) {
	t.drawCommitment(rt)
	p := t.p
	t.Expect = [NumChoices]float64{p.PriorComply, p.PriorPartial, p.PriorStall, p.PriorBackslide, p.PriorCheat}
	t.history = [lagRing]Choice{}
	// A rule-learner starts from the same priors, as relief levels: the
	// relief now plus prior_comply per step of verified compliance, and
	// prior_backslide after a violation report.
	for k := range t.Rule {
		t.Rule[k] = num.Clamp01(w.Relief + p.PriorComply*float64(k)/t.grid*t.perStep)
	}
	t.RuleViolation = num.Clamp01(w.Relief + p.PriorBackslide)
	w.Reformers = p.Reformers
	w.Compliance, w.Concealed, w.Choice = 0, 0, Stall
}

func (t *Target) drawCommitment(rt *rand.Rand) {
	t.Commitment = distuv.Beta{Alpha: t.p.CommitmentAlpha, Beta: t.p.CommitmentBeta, Src: rt}.Rand()
}

// Step runs the target's round: a leadership change redraws its commitment
// (from rt, the type stream), it learns from the coalition's latest response,
// its balance of power moves, and it chooses how far to comply with the
// uniform draw u.
func (t *Target) Step(w *World, u float64, rt *rand.Rand) {
	p := t.p
	if w.Events.Leadership {
		t.drawCommitment(rt)
		w.Reformers = p.Reformers
	}
	switch t.model {
	case 0:
		// Learn: the coalition's latest relief change answers the report
		// about the round ReportLag+1 rounds ago.
		if back := w.Round - 1 - w.ReportLag; back >= 1 {
			c := t.history[back%lagRing]
			t.Expect[c] += p.LearningRate * (w.ReliefDelta - t.Expect[c])
		}
	case 1:
		if w.Round > 1 { // the coalition has decided once
			t.learnRule(w)
		}
	}

	// Balance of power between reformers and hardliners: it tends to a
	// level set by relief that reaches people (amplified when civil society
	// mobilises), sanctions pressure and diverted rents, and is knocked
	// back by snapbacks and spoiler violence.
	reach := w.Relief * (1 - w.Leakage) * t.amplify[b2u8(w.Mobilised)]
	goal := p.Reformers + p.ReliefSupport*reach - p.PressureHarden*w.Pressure - p.RentHarden*w.Leakage*w.Relief
	rho := w.Reformers + p.Drift*(goal-w.Reformers) -
		p.Humiliation*w.Reimposed - p.SpoilerHarden*float64(w.Incidents)
	w.Reformers = num.Clamp01(rho)

	// Choose: a logit over the five choices. Each choice's utility is the
	// value of the change it makes in true compliance (dx, in steps) and
	// in what the verifier sees, plus the relief it is expected to earn.
	// Complying first repairs concealed rollback g, so what the verifier
	// sees grows only by what exceeds g; open backsliding shows in full;
	// cheating does not show.
	x, g := w.Compliance, w.Concealed
	reform := p.CommitWeight*t.Commitment + p.ReformerWeight*w.Reformers - p.HardlinerCost*(1-w.Reformers)
	coerce := p.PainWeight * (1 - w.Economy)
	perStep, perNoise, rw := t.perStep, t.perNoise, p.ReliefWeight
	up := min(x+p.Step, 1) - x
	part := min(x+p.Step*p.PartialShare, 1) - x
	down := max(x-p.Step, 0) - x
	switch t.model {
	case 1:
		t.expectRule(w)
	case 2:
		t.Expect = w.Anticipated
	}
	e := &t.Expect
	util := [NumChoices]float64{
		Comply:    (reform*up+coerce*max(up-g, 0))*perStep + rw*e[Comply],
		Partial:   (reform*part+coerce*max(part-g, 0))*perStep + rw*e[Partial],
		Stall:     rw * e[Stall],
		Backslide: (reform+coerce)*down*perStep + rw*e[Backslide],
		Cheat:     reform*down*perStep + rw*e[Cheat],
	}
	best := max(util[0], util[1], util[2], util[3], util[4])
	for c := range util {
		util[c] = (util[c] - best) * perNoise
	}
	num.ExpAll(util[:]) // exactly 1 for the best
	sum := util[0] + util[1] + util[2] + util[3] + util[4]
	// Inverse transform: the choice is the number of cumulative weights
	// the draw has passed (counted without branching on the draw).
	u *= sum
	var choice Choice
	var cum float64
	for c := range NumChoices - 1 {
		cum += util[c]
		choice += Choice(b2u8(u >= cum))
	}
	if x == 0 {
		choice = noRollback[choice] // nothing left to roll back
	}
	w.Compliance, w.Concealed = t.apply(choice, x, g)
	w.Choice = choice
	t.history[w.Round%lagRing] = choice
	w.Diversion = p.Diversion * (1 - w.Reformers)
}

// learnRule moves what a rule-learner expects of the coalition toward what
// the coalition just did: the relief in force now is its answer to the
// report it last saw (w.Verified and w.Violation, public). After a
// violation report it learns RuleViolation; otherwise the two grid points
// around the verified compliance, each by its interpolation weight.
func (t *Target) learnRule(w *World) {
	lr := t.p.LearningRate
	if w.Violation {
		t.RuleViolation += lr * (w.Relief - t.RuleViolation)
		return
	}
	k, frac := t.gridAt(w.Verified)
	t.Rule[k] += lr * (1 - frac) * (w.Relief - t.Rule[k])
	if frac > 0 {
		t.Rule[k+1] += lr * frac * (w.Relief - t.Rule[k+1])
	}
}

// gridAt returns the grid interval that holds verified compliance v and
// v's place in it, in [0, 1).
func (t *Target) gridAt(v float64) (int, float64) {
	pos := num.Clamp01(v) * t.grid
	k := min(int(pos), int(t.grid)-1)
	return k, pos - float64(k)
}

// rule returns the relief a rule-learner expects at verified compliance v.
func (t *Target) rule(v float64) float64 {
	k, frac := t.gridAt(v)
	return t.Rule[k] + frac*(t.Rule[k+1]-t.Rule[k])
}

// expectRule sets what a rule-learner expects each choice to bring: the
// relief it has learned the coalition sets at the compliance the verifier
// would see after the choice, less the relief now. Open backsliding is
// reported with the verifier's public detection chance, and covert
// cheating exposed with its chance; either brings the relief learned for
// violation reports.
func (t *Target) expectRule(w *World) {
	comply, partial, seen, back := t.outlook(w.Compliance, w.Concealed)
	r, viol := w.Relief, t.RuleViolation
	stall := t.rule(seen)
	t.Expect = [NumChoices]float64{
		Comply:    t.rule(comply) - r,
		Partial:   t.rule(partial) - r,
		Stall:     stall - r,
		Backslide: t.reported*viol + (1-t.reported)*t.rule(back) - r,
		Cheat:     t.exposed*viol + (1-t.exposed)*stall - r,
	}
}

// apply returns true compliance and concealed rollback after choice c.
// Complying first restores concealed rollback, which leaves what the
// verifier sees unchanged until the façade and the truth agree again;
// cheating conceals what it rolls back. The choice is random, so apply
// looks its step up in tables rather than branching on it.
func (t *Target) apply(c Choice, x, g float64) (float64, float64) {
	nx := num.Clamp01(x + t.move[c])
	g = num.Clamp01(g - max(nx-x, 0)) // g <= 1 always: it only hides real steps
	return nx, g + conceals[c]*(x-nx)
}

// Choice returns the target's choice in round, if it is still remembered
// (at most MaxLag rounds back).
func (t *Target) Choice(round int) Choice { return t.history[round%lagRing] }
