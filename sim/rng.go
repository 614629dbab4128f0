package sim

import "math/rand/v2"

// Source names one source of randomness inside a replication. Each source
// has its own stream, derived from (seed, replication, source), so that what
// one source draws never shifts what another sees: all policies face the
// same shocks, the same verifier noise and the same actor draws in the same
// replication (common random numbers), and results do not depend on the
// number of workers or the order in which replications run.
type Source uint64

// The sources of randomness.
const (
	// SourceType draws the target's hidden commitment (at the start and at
	// each leadership change).
	SourceType Source = iota + 1
	// SourceShocks draws exogenous events.
	SourceShocks
	// SourceCoalition draws coalition members' defection decisions.
	SourceCoalition
	// SourceNeighbours draws neighbours' evasion changes.
	SourceNeighbours
	// SourceTarget draws the target government's choices.
	SourceTarget
	// SourceSpoilers draws spoiler attacks.
	SourceSpoilers
	// SourceCivil draws civil society's mobilisation.
	SourceCivil
	// SourceVerifier draws verifier access, noise and detection.
	SourceVerifier
	// SourcePolicy is the stream a stochastic policy may draw from.
	SourcePolicy
	// SourceForecast is the stream the random parts of a policy draw from
	// when a forward-looking target works out what the policy would do.
	SourceForecast
	numSources = int(SourceForecast)
)

// mix is the SplitMix64 finaliser (Steele, Lea and Flood 2014): a bijection
// on uint64 with full avalanche, so that seeds that differ in one bit give
// unrelated outputs.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// StreamSeed returns the two PCG seed words of the stream for source src in
// replication rep of a study with the given seed. It hashes the triple with
// chained SplitMix64 finalisers rather than using nearby seeds, because PCG
// streams with nearby seeds can be correlated.
func StreamSeed(seed, rep uint64, src Source) (uint64, uint64) {
	h := mix(mix(mix(seed)^rep) ^ uint64(src))
	return h, mix(h ^ 0x6a09e667f3bcc909)
}

// streams holds one generator per source, reseeded in place for each
// replication so that running a replication allocates nothing.
type streams struct {
	pcg  [numSources]rand.PCG
	rand [numSources]*rand.Rand
}

func newStreams() *streams {
	s := &streams{}
	for i := range s.pcg {
		s.rand[i] = rand.New(&s.pcg[i])
	}
	return s
}

func (s *streams) seed(seed, rep uint64) {
	for i := range s.pcg {
		s.pcg[i].Seed(StreamSeed(seed, rep, Source(i+1)))
	}
}

// reseed seeds only the streams of the given sources.
func (s *streams) reseed(seed, rep uint64, srcs ...Source) {
	for _, src := range srcs {
		s.pcg[src-1].Seed(StreamSeed(seed, rep, src))
	}
}

func (s *streams) get(src Source) *rand.Rand { return s.rand[src-1] }

// draws holds every random number a replication's actors and shocks use,
// drawn at its start, stream by stream, in the order the actors use them:
// each source makes a fixed number of draws a round (common random
// numbers), so the whole replication's draws are known in advance, and
// drawing them in tight loops lets the processor overlap them. Values and
// order are exactly those of drawing as the round goes.
type draws struct {
	shocks, coalition, neighbours []float64    // per round: 3+2*members uniforms; members uniforms; states normals
	target, spoilers, civil       []float64    // per round: 1 uniform; factions uniforms; 1 uniform
	verifier                      []float64    // per round: uniform, normal, uniform
	members                       int          // coalition members: an election and a shift each per round
	rounds                        []roundDraws // each round's windows into the arrays above

	made      bool   // whether the arrays hold the draws of a replication,
	seed, rep uint64 // this one
}

// roundDraws are one round's draws: windows into the draws' arrays, cut
// once so that a round takes its draws without arithmetic.
type roundDraws struct {
	shocks                          []float64 // 3 events, then an election and a shift per member
	coalition, neighbours, spoilers []float64 // one per member, state, faction
	verifier                        []float64 // access, noise, flag
}

func newDraws(rounds, members, states, factions int) *draws {
	perRound := 3 + 2*members
	d := &draws{
		shocks:     make([]float64, rounds*perRound),
		coalition:  make([]float64, rounds*members),
		neighbours: make([]float64, rounds*states),
		target:     make([]float64, rounds),
		spoilers:   make([]float64, rounds*factions),
		civil:      make([]float64, rounds),
		verifier:   make([]float64, 3*rounds),
		members:    members,
		rounds:     make([]roundDraws, rounds),
	}
	window := func(s []float64, i, n int) []float64 { return s[i*n : (i+1)*n : (i+1)*n] }
	for i := range d.rounds {
		d.rounds[i] = roundDraws{
			shocks:     window(d.shocks, i, perRound),
			coalition:  window(d.coalition, i, members),
			neighbours: window(d.neighbours, i, states),
			spoilers:   window(d.spoilers, i, factions),
			verifier:   window(d.verifier, i, 3),
		}
	}
	return d
}

// fill draws every number from the streams.
func (d *draws) fill(st *streams) {
	uniforms := func(dst []float64, r *rand.Rand) {
		for i := range dst {
			dst[i] = r.Float64()
		}
	}
	uniforms(d.shocks, st.get(SourceShocks))
	uniforms(d.coalition, st.get(SourceCoalition))
	nr := st.get(SourceNeighbours)
	for i := range d.neighbours {
		d.neighbours[i] = nr.NormFloat64()
	}
	uniforms(d.target, st.get(SourceTarget))
	uniforms(d.spoilers, st.get(SourceSpoilers))
	uniforms(d.civil, st.get(SourceCivil))
	vr := st.get(SourceVerifier)
	for i := 0; i < len(d.verifier); i += 3 {
		d.verifier[i], d.verifier[i+1], d.verifier[i+2] = vr.Float64(), vr.NormFloat64(), vr.Float64()
	}
}
