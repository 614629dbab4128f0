package scenarios

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/tranche-sim/tranche/internal/textdist"
	"github.com/tranche-sim/tranche/policy"
	"github.com/tranche-sim/tranche/sim"
)

// policyHead holds the keys of a [policy.NAME] table that are not the
// policy's own parameters.
type policyHead struct {
	Base      string           `toml:"base"`
	Modifiers []toml.Primitive `toml:"modifiers"`
}

// sectorChecker is implemented by policy parameters that refer to sectors
// by name (rule ladders).
type sectorChecker interface {
	Check(sectors []string, rounds int) []policy.Problem
}

// decodePolicies decodes the [policy.NAME] tables: a built-in policy's
// parameters, or a new policy defined from a built-in base, either with
// optional modifiers. typed words the problem of a value of the wrong type.
func decodePolicies(md toml.MetaData, tables map[string]toml.Primitive, raw map[string]any, typed typedFunc) (map[string]sim.PolicyParams, []problem) {
	out := map[string]sim.PolicyParams{}
	var probs []problem
	rawPolicies, _ := raw["policy"].(map[string]any)
	names := make([]string, 0, len(tables))
	for name := range tables {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		key := "policy." + name
		var head policyHead
		if err := md.PrimitiveDecode(tables[name], &head); err != nil {
			probs = append(probs, problem{key, fmt.Sprintf("[%s]: %v", key, err)})
			continue
		}
		base := name
		_, builtin := policy.Lookup(name)
		switch {
		case builtin && head.Base != "" && head.Base != name:
			probs = append(probs, problem{key + ".base", fmt.Sprintf("%s.base: %s is a built-in policy; define a new policy under a new name to start from %q", key, name, head.Base)})
			continue
		case !builtin && head.Base == "":
			probs = append(probs, problem{key, fmt.Sprintf("[%s]: unknown policy %q%s; built-in policies: %s; to define a new policy, give base = the built-in it starts from", key, name, suggestPolicy(name), strings.Join(policy.Names(), ", "))})
			continue
		case !builtin:
			base = head.Base
		}
		e, ok := policy.Lookup(base)
		if !ok {
			probs = append(probs, problem{key + ".base", fmt.Sprintf("%s.base = %q: unknown policy%s; built-in policies: %s", key, base, suggestPolicy(base), strings.Join(policy.Names(), ", "))})
			mods, mprobs := decodeModifiers(md, key, head.Modifiers, typed) // they do not depend on the base
			probs = append(probs, mprobs...)
			for i, m := range mods {
				probs = append(probs, checkRanges(fmt.Sprintf("%s.modifiers[%d]", key, i), reflect.ValueOf(m).Elem())...)
			}
			continue
		}
		params := e.Defaults()
		if err := md.PrimitiveDecode(tables[name], params); err != nil {
			if p, ok := typed(err, key, params); ok {
				probs = append(probs, p)
				continue
			}
			probs = append(probs, problem{key, fmt.Sprintf("[%s]: %v", key, err)})
			continue
		}
		sub, _ := rawPolicies[name].(map[string]any)
		probs = append(probs, fillDefaults(key, reflect.ValueOf(params).Elem(), sub)...)
		mods, mprobs := decodeModifiers(md, key, head.Modifiers, typed)
		probs = append(probs, mprobs...)
		if builtin && len(mods) == 0 {
			out[name] = params
			continue
		}
		out[name] = &policy.Variant{Base: base, Params: params, Modifiers: mods}
	}
	return out, probs
}

// typedFunc turns a decoding error about a value of the wrong type into a
// problem, given the key prefix and the struct decoded into.
type typedFunc func(err error, prefix string, v any) (problem, bool)

// decodeModifiers decodes a policy's [[policy.NAME.modifiers]] tables. If
// any is refused, it checks the others' ranges itself, under their own
// index, and returns no modifiers: Scenario.check would number them from
// the ones left.
func decodeModifiers(md toml.MetaData, key string, prims []toml.Primitive, typed typedFunc) ([]policy.Modifier, []problem) {
	var mods []policy.Modifier
	var probs []problem
	refused := false
	var ranges []problem
	for i, prim := range prims {
		mkey := fmt.Sprintf("%s.modifiers[%d]", key, i)
		var k struct {
			Kind string `toml:"kind"`
		}
		if err := md.PrimitiveDecode(prim, &k); err != nil {
			probs = append(probs, problem{mkey, fmt.Sprintf("%s: %v", mkey, err)})
			continue
		}
		e, err := policy.LookupModifier(k.Kind)
		if err != nil {
			probs = append(probs, problem{mkey + ".kind", fmt.Sprintf("%s.kind: %v%s", mkey, err, suggestModifier(k.Kind))})
			refused = true
			continue
		}
		m := e.Defaults()
		if err := md.PrimitiveDecode(prim, m); err != nil {
			refused = true
			if p, ok := typed(err, mkey, m); ok {
				probs = append(probs, p)
				continue
			}
			probs = append(probs, problem{mkey, fmt.Sprintf("%s: %v", mkey, err)})
			continue
		}
		mods = append(mods, m)
		ranges = append(ranges, checkRanges(mkey, reflect.ValueOf(m).Elem())...)
	}
	if refused {
		probs = append(probs, ranges...)
		return nil, probs
	}
	return mods, probs
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
