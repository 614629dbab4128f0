// Package policy holds the built-in sequencing policies. Each policy is one
// small file: a parameter struct (decoded from the scenario table
// [policy.NAME]) whose NewPolicy makes the policy, and the policy itself,
// which implements sim.Policy.
package policy

import (
	"sort"

	"github.com/tranche-sim/tranche/sim"
)

// Entry describes a built-in policy.
type Entry struct {
	// Name is the policy's name in scenario files and on the command line.
	Name string
	// Summary is a one-line description.
	Summary string
	// Defaults returns a fresh copy of the policy's default parameters, as a
	// pointer that a scenario decoder can fill in.
	Defaults func() sim.PolicyParams
}

// Builtins returns the built-in policies, sorted by name.
func Builtins() []Entry {
	e := []Entry{
		{"big-bang", "all relief at once as soon as an agreement is verified, no conditions after that", func() sim.PolicyParams { p := DefaultBigBang(); return &p }},
		{"phased", "relief in equal tranches, each released after verified compliance has held its milestone for some rounds", func() sim.PolicyParams { p := DefaultPhased(); return &p }},
		{"phased-snapback", "phased tranches, plus full re-imposition when the verifier reports a violation", func() sim.PolicyParams { p := DefaultPhasedSnapback(); return &p }},
		{"reciprocal", "tit-for-tat: relief follows the latest verified compliance; a reported violation withdraws it for a round", func() sim.PolicyParams { p := DefaultReciprocal(); return &p }},
		{"max-pressure", "no relief until full compliance is verified; exemptions cut while compliance is low; re-imposition on any violation", func() sim.PolicyParams { p := DefaultMaxPressure(); return &p }},
	}
	sort.Slice(e, func(i, j int) bool { return e[i].Name < e[j].Name })
	return e
}

// Lookup returns the built-in policy with the given name.
func Lookup(name string) (Entry, bool) {
	for _, e := range Builtins() {
		if e.Name == name {
			return e, true
		}
	}
	return Entry{}, false
}

// Names returns the names of the built-in policies, sorted.
func Names() []string {
	var n []string
	for _, e := range Builtins() {
		n = append(n, e.Name)
	}
	return n
}

// streak counts consecutive rounds in which a condition held.
type streak int

// update counts this round and returns the new length.
func (s *streak) update(ok bool) int {
	if ok {
		*s++
	} else {
		*s = 0
	}
	return int(*s)
}
