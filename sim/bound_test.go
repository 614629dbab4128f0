package sim_test

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/tranche-sim/tranche/sim"
)

// BenchmarkDrawsLowerBound makes exactly the random draws one replication
// of the default scenario makes, with math/rand/v2 and nothing else: the
// nine streams seeded, the target's commitment drawn from its Beta
// distribution, then per round the shocks (3 + 2 per coalition member
// uniforms), one uniform per member, one normal per neighbour, one uniform
// for the target, one per spoiler faction, one for civil society and the
// verifier's two uniforms and one normal. Its actor-rounds/s is the ceiling
// no implementation of this model can pass; BenchmarkReplication's ratio to
// it is the overhead of everything else.
func BenchmarkDrawsLowerBound(b *testing.B) {
	m := defaultModel(b)
	p := &m.Params
	members, neighbours, factions := len(p.Coalition.Members), len(p.Neighbours.States), len(p.Spoilers.Factions)
	uniforms := 3 + 2*members + members + 1 + factions + 1 + 2
	normals := neighbours + 1
	var pcg [9]rand.PCG
	var rs [9]*rand.Rand
	for i := range pcg {
		rs[i] = rand.New(&pcg[i])
	}
	var sink float64
	b.ReportAllocs()
	rep := uint64(0)
	for b.Loop() {
		for i := range pcg {
			pcg[i].Seed(sim.StreamSeed(1, rep, sim.Source(i+1)))
		}
		sink += distuv.Beta{Alpha: p.Target.CommitmentAlpha, Beta: p.Target.CommitmentBeta, Src: rs[0]}.Rand()
		r := rs[1]
		for range m.Rounds {
			for range uniforms {
				sink += r.Float64()
			}
			for range normals {
				sink += r.NormFloat64()
			}
		}
		rep++
	}
	if sink == 0 {
		b.Fatal("no draws")
	}
	actorRounds := float64(p.ActorsPerRound() * m.Rounds)
	b.ReportMetric(actorRounds*float64(b.N)/b.Elapsed().Seconds(), "actor-rounds/s")
	b.ReportMetric(b.Elapsed().Seconds()*1e9/(actorRounds*float64(b.N)), "ns/actor-round")
}
