package policy

import "github.com/tranche-sim/tranche/sim"

// Variant is a policy defined in a scenario file from a base policy, its
// parameters and a chain of modifiers:
//
//	[policy.cautious-snapback]
//	base = "phased-snapback"
//	tranches = 3
//	[[policy.cautious-snapback.modifiers]]
//	kind = "confirm"
//	window = 2
type Variant struct {
	// Base is the name of the built-in policy it starts from.
	Base string
	// Params are the base policy's parameters.
	Params sim.PolicyParams
	// Modifiers wrap the base policy, innermost first.
	Modifiers []Modifier
}

// NewPolicy implements sim.PolicyParams.
func (v *Variant) NewPolicy() sim.Policy {
	p := v.Params.NewPolicy()
	for _, m := range v.Modifiers {
		p = m.Wrap(p)
	}
	return p
}
