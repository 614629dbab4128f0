package policy

import "github.com/tranche-sim/tranche/sim"

// GenerousParams are the parameters of generous-reciprocal: reciprocal with
// forgiveness.
type GenerousParams struct {
	ReciprocalParams
	Forgiveness float64 `toml:"forgiveness" plausible:"[0.1,0.5]" range:"[0,1]" doc:"probability of ignoring a reported violation" why:"1/3: generous tit-for-tat's forgiveness under the standard payoffs T,R,P,S = 5,3,1,0 (min(1-(T-R)/(R-S), (R-P)/(T-P)))"`
}

// DefaultGenerous returns generous-reciprocal's default parameters.
func DefaultGenerous() GenerousParams {
	return GenerousParams{ReciprocalParams: DefaultReciprocal(), Forgiveness: 1.0 / 3}
}

// NewPolicy returns reciprocal wrapped in a forgive modifier.
func (p *GenerousParams) NewPolicy() sim.Policy {
	return (&Forgive{Probability: p.Forgiveness}).Wrap(p.ReciprocalParams.NewPolicy())
}

// TwoTatsParams are the parameters of tit-for-two-tats: reciprocal that
// retaliates only after consecutive violation reports.
type TwoTatsParams struct {
	ReciprocalParams
	Reports int `toml:"reports" plausible:"[2,4]" range:"[1,100]" doc:"consecutive violation reports before relief is withdrawn" why:"two: Axelrod's tit-for-two-tats, robust to a single false alarm"`
}

// DefaultTwoTats returns tit-for-two-tats' default parameters.
func DefaultTwoTats() TwoTatsParams {
	return TwoTatsParams{ReciprocalParams: DefaultReciprocal(), Reports: 2}
}

// NewPolicy returns reciprocal wrapped in a tolerate modifier.
func (p *TwoTatsParams) NewPolicy() sim.Policy {
	return (&Tolerate{Reports: p.Reports}).Wrap(p.ReciprocalParams.NewPolicy())
}

// PatientParams are the parameters of patient-snapback: phased with
// snapback that pauses on a single violation report and snaps back only
// when a second report confirms it.
type PatientParams struct {
	PhasedParams
	Window int `toml:"window" plausible:"[1,4]" range:"[1,100]" doc:"rounds to wait for a confirming violation report; meanwhile relief is frozen" why:"two quarterly reports, like the dispute window before UNSCR 2231's snapback bites"`
}

// DefaultPatient returns patient-snapback's default parameters.
func DefaultPatient() PatientParams {
	return PatientParams{PhasedParams: DefaultPhasedSnapback(), Window: 2}
}

// NewPolicy returns phased-snapback wrapped in a confirm modifier.
func (p *PatientParams) NewPolicy() sim.Policy {
	return (&Confirm{Window: p.Window}).Wrap(p.PhasedParams.NewPolicy())
}
