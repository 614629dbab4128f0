package num

import "math"

// Exp returns e**x to within a relative error of 2e-12 (checked against
// math.Exp by TestExp), faster than math.Exp. The actors' logit and
// logistic choices take nine exponentials a round, a fifth of a
// replication's time with math.Exp. Like every floating-point function here
// it is deterministic on a given architecture.
//
// It writes x = (32m + j) ln2/32 + r with |r| <= ln2/64, so that
// e**x = 2**m * 2**(j/32) * e**r, takes 2**(j/32) from a table and e**r
// from its Taylor polynomial of degree 4 (remainder below 1.2e-12). The
// nearest multiple 32m + j of ln2/32 is found by adding 1.5*2**52, which
// leaves it in the low bits of the sum: no floor, no conversion.
func Exp(x float64) float64 {
	v := [1]float64{x}
	ExpAll(v[:])
	return v[0]
}

// ExpAll replaces every element x of v by Exp(x). Taking several
// exponentials in one call, as the target's logit does, saves a call and
// the spilling of the caller's registers around it per exponential, and
// lets the processor overlap them.
func ExpAll(v []float64) {
	const (
		inv     = 32 / math.Ln2
		ln2hi   = 6.93147180369123816490e-01 / 32
		ln2lo   = 1.90821492927058770002e-10 / 32
		shifter = 0x1.8p52
	)
	for i, x := range v {
		if !(x >= -708 && x <= 709) { // one test for the rare cases, NaN included
			v[i] = expEdge(x)
			continue
		}
		t := x*inv + shifter
		k := int64(math.Float64bits(t) - math.Float64bits(shifter)) // the nearest integer to x*inv
		kf := t - shifter
		r := x - kf*ln2hi - kf*ln2lo
		r2 := r * r
		p := (1 + r) + r2*(0.5+r*(1.0/6)) + r2*r2*(1.0/24)
		p *= exp2Table[k&31]
		v[i] = math.Float64frombits(math.Float64bits(p) + uint64(k>>5)<<52)
	}
}

// expEdge is Exp outside [-708, 709]: +Inf above, 0 below the smallest
// normal (flushed), NaN for NaN.
func expEdge(x float64) float64 {
	switch {
	case x > 709:
		return math.Inf(1)
	case x < -708:
		return 0
	}
	return x // NaN
}

// exp2Table holds 2**(j/32) for j = 0 to 31.
var exp2Table = [32]float64{
	1.0, 1.0218971486541166, 1.0442737824274138, 1.0671404006768237,
	1.0905077326652577, 1.1143867425958924, 1.1387886347566916, 1.1637248587775775,
	1.189207115002721, 1.215247359980469, 1.241857812073484, 1.2690509571917332,
	1.2968395546510096, 1.3252366431597413, 1.3542555469368927, 1.383909881963832,
	1.4142135623730951, 1.4451808069770467, 1.4768261459394993, 1.5091644275934228,
	1.5422108254079407, 1.5759808451078865, 1.6104903319492543, 1.645755478153965,
	1.681792830507429, 1.718619298122478, 1.7562521603732995, 1.7947090750031072,
	1.8340080864093424, 1.8741676341103, 1.9152065613971474, 1.9571441241754002,
}
