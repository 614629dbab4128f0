package design

import (
	_ "embed"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"sync"
)

const (
	// MaxSobolDims is the largest dimension NewSobol accepts: the number of
	// dimensions of Joe and Kuo's direction numbers embedded in the package.
	MaxSobolDims = 1000

	// MaxSobolPoints is the number of points of a Sobol sequence: the
	// coordinates have 32 bits, so points 0 to MaxSobolPoints-1 exist.
	MaxSobolPoints = 1 << 32
)

// sobolBits is the precision of the coordinates of Sobol points.
const sobolBits = 32

// joeKuoText holds the header line and the lines for dimensions 2 to
// MaxSobolDims of Joe and Kuo's file new-joe-kuo-6.21201; see
// LICENSE-joe-kuo.txt.
//
//go:embed new-joe-kuo-6.1000.txt
var joeKuoText string

// directions returns the direction numbers of the first MaxSobolDims
// dimensions, parsed once from joeKuoText. The table is shared and must not
// be modified.
var directions = sync.OnceValues(func() ([][sobolBits]uint32, error) {
	return parseJoeKuo(joeKuoText, MaxSobolDims)
})

// A Sobol generates the points of an unscrambled Sobol' low-discrepancy
// sequence in [0,1)^d, in Gray-code order, with Joe and Kuo's direction
// numbers new-joe-kuo-6.21201 (see the package documentation). The points are
// those of Joe and Kuo's program sobol.cc and of SciPy's
// scipy.stats.qmc.Sobol(d, scramble=False, bits=32); SciPy's default of 30
// bits gives the same points truncated to 30 bits. Point 0 is the origin.
//
// The first 2^m points of every coordinate, and more generally the points
// k·2^m to (k+1)·2^m - 1 for any k, have exactly one value in each interval
// [j/2^m, (j+1)/2^m).
//
// A Sobol is immutable and safe for concurrent use by multiple goroutines.
type Sobol struct {
	// v[j][k] is the direction number k+1 of dimension j+1 scaled by 2^32;
	// v is a prefix of the shared table returned by directions.
	v [][sobolBits]uint32
}

// NewSobol returns a generator of the dims-dimensional Sobol sequence.
// It returns an error unless 1 <= dims <= MaxSobolDims.
func NewSobol(dims int) (*Sobol, error) {
	if dims < 1 || dims > MaxSobolDims {
		return nil, fmt.Errorf("design: Sobol dimension %d out of range [1, %d]", dims, MaxSobolDims)
	}
	v, err := directions()
	if err != nil {
		return nil, err
	}
	return &Sobol{v: v[:dims:dims]}, nil
}

// Dims returns the dimension of the points.
func (s *Sobol) Dims() int {
	if s == nil {
		return 0
	}
	return len(s.v)
}

// Point stores the i-th point (counting from 0) of the sequence in dst and
// returns it. If len(dst) >= s.Dims(), Point uses dst[:s.Dims()]; otherwise
// it allocates a new slice.
//
// Point is a pure function of i: it computes the point directly from the
// bits of the Gray code i ^ (i >> 1), so points can be generated in any
// order and from several goroutines. The coordinates are multiples of
// 2^-32 in [0,1), exact in float64.
//
// The sequence has MaxSobolPoints points. For i >= MaxSobolPoints every
// coordinate of the result is NaN.
func (s *Sobol) Point(dst []float64, i uint64) []float64 {
	n := s.Dims()
	if len(dst) >= n {
		dst = dst[:n]
	} else {
		dst = make([]float64, n)
	}
	if i >= MaxSobolPoints {
		for j := range dst {
			dst[j] = math.NaN()
		}
		return dst
	}
	gray := uint32(i ^ i>>1)
	for j := range dst {
		v := &s.v[j]
		var x uint32
		for g := gray; g != 0; g &= g - 1 {
			x ^= v[bits.TrailingZeros32(g)]
		}
		dst[j] = float64(x) * 0x1p-32
	}
	return dst
}

// parseJoeKuo parses the first dims dimensions of a file in the format of
// Joe and Kuo's new-joe-kuo-6.21201: a header line, then one line
// "d s a m_1 ... m_s" for each dimension d = 2, 3, ... Dimension 1, which is
// not in the file, has all m_k = 1. Lines after the one for dimension dims
// are ignored.
func parseJoeKuo(text string, dims int) ([][sobolBits]uint32, error) {
	if dims < 1 {
		return nil, fmt.Errorf("design: cannot parse %d dimensions of direction numbers", dims)
	}
	v := make([][sobolBits]uint32, 1, dims)
	for k := range v[0] {
		v[0][k] = 1 << (sobolBits - 1 - k)
	}
	lineNo := 0
	for line := range strings.Lines(text) {
		if len(v) == dims {
			break
		}
		lineNo++
		fields := strings.Fields(line)
		if lineNo == 1 {
			if len(fields) == 0 || fields[0] != "d" {
				return nil, errors.New("design: direction numbers: missing header line")
			}
			continue
		}
		dv, err := parseJoeKuoLine(fields, len(v)+1)
		if err != nil {
			return nil, fmt.Errorf("design: direction numbers, line %d: %w", lineNo, err)
		}
		v = append(v, dv)
	}
	if len(v) < dims {
		return nil, fmt.Errorf("design: direction numbers: found %d dimensions, want %d", len(v), dims)
	}
	return v, nil
}

// parseJoeKuoLine parses the fields "d s a m_1 ... m_s" of one line of Joe
// and Kuo's file, which must be for dimension want, and returns the
// direction numbers of that dimension.
func parseJoeKuoLine(fields []string, want int) ([sobolBits]uint32, error) {
	var zero [sobolBits]uint32
	nums := make([]uint64, len(fields))
	for k, f := range fields {
		n, err := strconv.ParseUint(f, 10, 32)
		if err != nil {
			return zero, fmt.Errorf("field %d: %w", k+1, err)
		}
		nums[k] = n
	}
	if len(nums) < 4 {
		return zero, fmt.Errorf("got %d fields, want at least 4", len(nums))
	}
	d, s, a, m := nums[0], nums[1], nums[2], nums[3:]
	switch {
	case d != uint64(want):
		return zero, fmt.Errorf("got dimension %d, want %d", d, want)
	case s < 1 || s > sobolBits:
		return zero, fmt.Errorf("degree %d out of range [1, %d]", s, sobolBits)
	case a >= 1<<(s-1):
		return zero, fmt.Errorf("coefficients %d do not fit a polynomial of degree %d", a, s)
	case uint64(len(m)) != s:
		return zero, fmt.Errorf("got %d initial direction numbers, want %d", len(m), s)
	}
	mk := make([]uint32, len(m))
	for k, x := range m {
		if x%2 == 0 || x >= 1<<(k+1) {
			return zero, fmt.Errorf("m_%d = %d is not odd and less than 2^%d", k+1, x, k+1)
		}
		mk[k] = uint32(x)
	}
	return directionNumbers(int(s), uint32(a), mk), nil
}

// directionNumbers returns the direction numbers v_1, ..., v_32, scaled by
// 2^32, of the primitive polynomial x^s + a_1 x^(s-1) + ... + a_(s-1) x + 1,
// where a_1 is bit s-2 of a and a_(s-1) is bit 0, with initial direction
// numbers m_1, ..., m_s: v_k = m_k / 2^k for k <= s, and beyond that Bratley
// and Fox's recurrence
//
//	v_k = a_1 v_(k-1) ⊕ ... ⊕ a_(s-1) v_(k-s+1) ⊕ v_(k-s) ⊕ v_(k-s)/2^s.
//
// The caller ensures 1 <= s <= 32, len(m) == s and m_k < 2^k.
func directionNumbers(s int, a uint32, m []uint32) [sobolBits]uint32 {
	var v [sobolBits]uint32
	for k := range s {
		v[k] = m[k] << (sobolBits - 1 - k)
	}
	for k := s; k < sobolBits; k++ {
		x := v[k-s] ^ v[k-s]>>s
		for l := 1; l < s; l++ {
			if a>>(s-1-l)&1 != 0 {
				x ^= v[k-l]
			}
		}
		v[k] = x
	}
	return v
}
