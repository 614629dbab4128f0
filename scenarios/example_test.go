package scenarios_test

import (
	"fmt"

	"github.com/tranche-sim/tranche/scenarios"
)

// Parameters are read and set by key, with the checks a scenario file gets.
func ExampleScenario_Set() {
	s, err := scenarios.Get("default")
	if err != nil {
		panic(err)
	}
	if err := s.Set("verifier.quality", 0.9); err != nil {
		panic(err)
	}
	if err := s.Set("coalition.members[*].resolve", 0.5); err != nil { // every member
		panic(err)
	}
	q, _ := s.Get("verifier.quality")
	r, _ := s.Get("coalition.members[lead-state].resolve")
	fmt.Println(q, r)

	fmt.Println(s.Set("verifier.qualty", 0.9))
	fmt.Println(s.Set("verifier.quality", 1.5))
	// Output:
	// 0.9 0.5
	// unknown key verifier.qualty (did you mean verifier.quality?)
	// verifier.quality = 1.5 is out of range: allowed [0,1] (overall quality q: scales measurement noise, covert-cheating detection, false alarms and misreading of spoiler violence)
}

// Each parameter says what it means, what values it allows and over what
// range it is worth exploring.
func ExampleScenario_Parameter() {
	s, err := scenarios.Get("default")
	if err != nil {
		panic(err)
	}
	p, err := s.Parameter("target.commitment_alpha")
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Key, p.Type, p.Value, p.Allowed, p.Plausible)
	// Output:
	// target.commitment_alpha number 1.2 (0,50] [0.6,2.4]
}

// A clone is a variant that shares nothing with the scenario it came from.
func ExampleScenario_Clone() {
	s, err := scenarios.Get("default")
	if err != nil {
		panic(err)
	}
	weak := s.Clone()
	if err := weak.SetText("policy.phased-snapback.tranches", "2"); err != nil {
		panic(err)
	}
	a, _ := s.Get("policy.phased-snapback.tranches")
	b, _ := weak.Get("policy.phased-snapback.tranches")
	fmt.Println(a, b)
	// Output:
	// 4 2
}
