package sim_test

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/tranche-sim/tranche/policy"
	"github.com/tranche-sim/tranche/scenarios"
	"github.com/tranche-sim/tranche/sim"
)

// randomize sets every number below v that has a range tag to a value drawn
// from its range (a bounded stretch of it when the range is open-ended).
func randomize(t *rapid.T, prefix string, v reflect.Value) {
	ty := v.Type()
	for i := range ty.NumField() {
		sf, fv := ty.Field(i), v.Field(i)
		name := prefix + "." + strings.Split(sf.Tag.Get("toml"), ",")[0]
		switch {
		case sf.Type.Kind() == reflect.Struct:
			randomize(t, name, fv)
			continue
		case sf.Type.Kind() == reflect.Slice && sf.Type.Elem().Kind() == reflect.Struct:
			for j := range fv.Len() {
				randomize(t, name, fv.Index(j))
			}
			continue
		}
		tag := sf.Tag.Get("range")
		if tag == "" {
			continue
		}
		r, err := scenarios.ParseRange(tag)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		lo, hi := r.Lo, math.Min(r.Hi, r.Lo+10)
		switch fv.Kind() {
		case reflect.Float64:
			x := rapid.Float64Range(lo, hi).Draw(t, name)
			if r.OpenLo && x == lo {
				x = math.Nextafter(lo, hi)
			}
			if r.OpenHi && x == hi {
				x = math.Nextafter(hi, lo)
			}
			fv.SetFloat(x)
		case reflect.Int:
			fv.SetInt(int64(rapid.IntRange(int(lo), int(math.Min(hi, 8))).Draw(t, name)))
		}
	}
}

// Whatever the parameters (within their ranges), the policy and the seed,
// every level stays in its range in every round and every metric in its
// range.
func TestInvariantsProperty(t *testing.T) {
	entries := policy.Builtins()
	rapid.Check(t, func(t *rapid.T) {
		p := sim.DefaultParams()
		randomize(t, "", reflect.ValueOf(&p).Elem())
		var links float64
		for _, n := range p.Neighbours.States {
			links += n.TradeLink
		}
		for i := range p.Neighbours.States {
			p.Neighbours.States[i].TradeLink /= math.Max(links, 1)
		}
		p.Sectors[0].Weight += 0.01 // weights must not all be 0
		rounds := rapid.IntRange(8, 60).Draw(t, "rounds")
		m, err := sim.NewModel(p, rounds)
		if err != nil {
			t.Fatal(err)
		}
		e := entries[rapid.IntRange(0, len(entries)-1).Draw(t, "policy")]
		pp := e.Defaults()
		randomize(t, "policy", reflect.ValueOf(pp).Elem())
		r := sim.NewReplication(m)
		out := sim.NewOutcome(rounds)
		r.Run(rapid.Uint64().Draw(t, "seed"), rapid.Uint64Range(0, 1e6).Draw(t, "rep"), pp.NewPolicy(), out)
		checkInvariants(t, m, out)
	})
}
