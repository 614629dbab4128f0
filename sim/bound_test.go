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
// for every round the shocks (3 + 2 per coalition member uniforms), one
// uniform per member, one normal per neighbour, one uniform for the target,
// one per spoiler faction, one for civil society and the verifier's two
// uniforms and one normal, each from its own stream. It draws stream by
// stream, each in one tight loop, into a buffer that stays in the cache:
// the fastest way found (drawing round by round across streams is 20%
// slower, and summing the draws instead of storing them makes a chain of
// dependent additions that is slower still).
type draws struct {
	p                  *sim.Params
	rounds             int
	pcg                [9]rand.PCG
	rs                 [9]*rand.Rand
	members, neighbors int
	factions           int
	buf                []float64
	sink               float64
}

func newDraws(m *sim.Model) *draws {
	d := &draws{p: &m.Params, rounds: m.Rounds, members: len(m.Params.Coalition.Members),
		neighbors: len(m.Params.Neighbours.States), factions: len(m.Params.Spoilers.Factions)}
	d.buf = make([]float64, m.Rounds*(3+2*d.members+d.members+d.neighbors+1+d.factions+1+3))
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
	buf := d.buf
	buf[0] = distuv.Beta{Alpha: d.p.Target.CommitmentAlpha, Beta: d.p.Target.CommitmentBeta, Src: typ}.Rand()
	next := func(n int) []float64 { // the next n slots of the buffer
		s := buf[:n]
		buf = buf[n:]
		return s
	}
	uniforms := func(dst []float64, r *rand.Rand) {
		for i := range dst {
			dst[i] = r.Float64()
		}
	}
	uniforms(next(d.rounds*(3+2*d.members)), shocks)
	uniforms(next(d.rounds*d.members), coalition)
	z := next(d.rounds * d.neighbors)
	for i := range z {
		z[i] = neighbours.NormFloat64()
	}
	uniforms(next(d.rounds), target)
	uniforms(next(d.rounds*d.factions), spoilers)
	uniforms(next(d.rounds), civil)
	v := next(3 * d.rounds)
	for i := 0; i < len(v); i += 3 {
		v[i], v[i+1], v[i+2] = verifier.Float64(), verifier.NormFloat64(), verifier.Float64()
	}
	s := d.buf[0] + d.buf[len(d.buf)-1]
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
