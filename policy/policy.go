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
		{"phased-proportionate", "phased tranches; a reported violation withdraws a share (snapback_severity) of the released tranches", func() sim.PolicyParams { p := DefaultProportionate(); return &p }},
		{"patient-snapback", "phased with snapback, but a single violation report only pauses relief until a second report confirms it", func() sim.PolicyParams { p := DefaultPatient(); return &p }},
		{"phased-sunset", "phased with proportionate snapback, plus needs-based humanitarian exemptions that lapse at each review (every review_every rounds) unless need persists", func() sim.PolicyParams { p := DefaultSunset(); return &p }},
		{"reciprocal", "tit-for-tat: relief follows the latest verified compliance; a reported violation withdraws it for a round", func() sim.PolicyParams { p := DefaultReciprocal(); return &p }},
		{"generous-reciprocal", "tit-for-tat that ignores each reported violation with probability forgiveness", func() sim.PolicyParams { p := DefaultGenerous(); return &p }},
		{"tit-for-two-tats", "tit-for-tat that withdraws relief only after a run of consecutive violation reports (as many as reports)", func() sim.PolicyParams { p := DefaultTwoTats(); return &p }},
		{"grim-trigger", "relief follows verified compliance until the first reported violation, then none ever again", func() sim.PolicyParams { p := DefaultGrim(); return &p }},
		{"grit", "Osgood's GRIT: small unilateral relief steps whatever the response, larger ones when reciprocated, a leverage floor kept until full compliance", func() sim.PolicyParams { p := DefaultGRIT(); return &p }},
		{"proportional", "relief withheld in proportion to the gap between required and verified compliance, adjusted gradually", func() sim.PolicyParams { p := DefaultProportional(); return &p }},
		{"more-for-more", "relief rises and falls with the change in verified compliance (more for more, less for less)", func() sim.PolicyParams { p := DefaultMoreForMore(); return &p }},
		{"humanitarian-only", "regime-facing sanctions stay; only essential sectors are relieved and exemptions fully opened", func() sim.PolicyParams { p := DefaultHumanitarianOnly(); return &p }},
		{"sender-fatigue", "sanctions stay until full compliance is verified or the coalition gives up after give_up_after rounds, then are lifted", func() sim.PolicyParams { p := DefaultSenderFatigue(); return &p }},
		{"max-pressure", "no relief until full compliance is verified; exemptions cut while compliance is low; re-imposition on any violation", func() sim.PolicyParams { p := DefaultMaxPressure(); return &p }},
		{"ladder", "a rule ladder of sectoral stages (humanitarian, travel and trade, energy, finance by default); scenario files define their own", func() sim.PolicyParams { p := DefaultLadder(); return &p }},
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
