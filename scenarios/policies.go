package scenarios

import (
	"fmt"
	"reflect"

	"github.com/tranche-sim/tranche/internal/textdist"
	"github.com/tranche-sim/tranche/policy"
	"github.com/tranche-sim/tranche/sim"
)

// sectorChecker is implemented by policy parameters that refer to sectors
// by name (rule ladders).
type sectorChecker interface {
	Check(sectors []string, rounds int) []policy.Problem
}

// suggestModifier returns " (did you mean X?)" for the modifier kind
// closest to a misspelt one, if one is close.
func suggestModifier(kind string) string {
	var kinds []string
	for _, e := range policy.Modifiers() {
		kinds = append(kinds, e.Kind)
	}
	return closest(kind, kinds, 3)
}

// closest returns " (did you mean X?)" for the candidate nearest to name,
// below limit edits, or "".
func closest(name string, candidates []string, limit int) string {
	if best := textdist.Closest(name, candidates, limit); best != "" {
		return " (did you mean " + best + "?)"
	}
	return ""
}

// policyParts splits resolved policy parameters into the base policy's
// parameters and its modifiers.
func policyParts(p sim.PolicyParams) (sim.PolicyParams, []policy.Modifier) {
	if v, ok := p.(*policy.Variant); ok {
		return v.Params, v.Modifiers
	}
	return p, nil
}

// checkPolicy checks one policy's parameters against their ranges and, for
// ladders, against the scenario's sectors and rounds.
func (s *Scenario) checkPolicy(name string, p sim.PolicyParams) []problem {
	key := "policy." + name
	params, mods := policyParts(p)
	probs := checkRanges(key, reflect.ValueOf(params).Elem())
	for i, m := range mods {
		probs = append(probs, checkRanges(fmt.Sprintf("%s.modifiers[%d]", key, i), reflect.ValueOf(m).Elem())...)
	}
	if c, ok := params.(sectorChecker); ok {
		var sectors []string
		for _, sec := range s.Sectors {
			sectors = append(sectors, sec.Name)
		}
		for _, pr := range c.Check(sectors, s.Rounds) {
			probs = append(probs, problem{key + "." + pr.Field, key + "." + pr.Msg})
		}
	}
	return probs
}

// suggestPolicy returns " (did you mean X?)" for the built-in policy
// closest to a misspelt name, if one is close.
func suggestPolicy(name string) string { return closest(name, policy.Names(), 3) }
