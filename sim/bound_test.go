package sim_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/tranche-sim/tranche/policy"
	"github.com/tranche-sim/tranche/sim"
)

// draws makes exactly the random draws one replication of the default
// scenario makes, with math/rand/v2 and nothing else: the nine streams
// seeded, the target's commitment drawn from its Beta distribution, then
// per round the shocks (3 + 2 per coalition member uniforms), one uniform
// per member, one normal per neighbour, one uniform for the target, one per
// spoiler faction, one for civil society and the verifier's two uniforms
// and one normal, each from its own stream.
type draws struct {
	p                  *sim.Params
	rounds             int
	pcg                [9]rand.PCG
	rs                 [9]*rand.Rand
	members, neighbors int
	factions           int
	sink               float64
}

func newDraws(m *sim.Model) *draws {
	d := &draws{p: &m.Params, rounds: m.Rounds, members: len(m.Params.Coalition.Members),
		neighbors: len(m.Params.Neighbours.States), factions: len(m.Params.Spoilers.Factions)}
	for i := range d.pcg {
		d.rs[i] = rand.New(&d.pcg[i])
	}
	return d
}

func (d *draws) replication(rep uint64) {
	for i := range d.pcg {
		d.pcg[i].Seed(sim.StreamSeed(1, rep, sim.Source(i+1)))
	}
	typ, shocks, coalition, neighbours, target, spoilers, civil, verifier := d.rs[0], d.rs[1], d.rs[2], d.rs[3], d.rs[4], d.rs[5], d.rs[6], d.rs[7]
	s := distuv.Beta{Alpha: d.p.Target.CommitmentAlpha, Beta: d.p.Target.CommitmentBeta, Src: typ}.Rand()
	for range d.rounds {
		for range 3 + 2*d.members {
			s += shocks.Float64()
		}
		for range d.members {
			s += coalition.Float64()
		}
		for range d.neighbors {
			s += neighbours.NormFloat64()
		}
		s += target.Float64()
		for range d.factions {
			s += spoilers.Float64()
		}
		s += civil.Float64()
		s += verifier.Float64() + verifier.NormFloat64() + verifier.Float64()
	}
	d.sink += s
}

// BenchmarkDrawsLowerBound times the draws of one replication and nothing
// else. Its actor-rounds/s is a ceiling no implementation of this model can
// pass.
func BenchmarkDrawsLowerBound(b *testing.B) {
	m := defaultModel(b)
	d := newDraws(m)
	b.ReportAllocs()
	rep := uint64(0)
	for b.Loop() {
		d.replication(rep)
		rep++
	}
	if d.sink == 0 {
		b.Fatal("no draws")
	}
	actorRounds := float64(m.Params.ActorsPerRound() * m.Rounds)
	b.ReportMetric(actorRounds*float64(b.N)/b.Elapsed().Seconds(), "actor-rounds/s")
	b.ReportMetric(b.Elapsed().Seconds()*1e9/(actorRounds*float64(b.N)), "ns/actor-round")
}

// BenchmarkReplicationOverBound reports how many times the cost of its
// random draws a replication costs: it alternates small batches of whole
// replications and of their draws alone, so that a noisy machine slows both
// alike, and reports the ratio of the total times as x-draws.
func BenchmarkReplicationOverBound(b *testing.B) {
	m := defaultModel(b)
	r := sim.NewReplication(m)
	out := sim.NewOutcome(m.Rounds)
	e, _ := policy.Lookup("phased-snapback")
	pol := e.Defaults().NewPolicy()
	d := newDraws(m)
	const batch = 16
	var full, bound time.Duration
	rep := uint64(0)
	for b.Loop() {
		t0 := time.Now()
		for i := range uint64(batch) {
			r.Run(1, rep+i, pol, out)
		}
		t1 := time.Now()
		for i := range uint64(batch) {
			d.replication(rep + i)
		}
		bound += time.Since(t1)
		full += t1.Sub(t0)
		rep += batch
	}
	b.ReportMetric(float64(full)/float64(bound), "x-draws")
	b.ReportMetric(float64(bound.Nanoseconds())/float64(rep*uint64(m.Params.ActorsPerRound()*m.Rounds)), "draw-ns/actor-round")
}
