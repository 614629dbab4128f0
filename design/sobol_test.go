package design

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// The embedded file new-joe-kuo-6.1000.txt is the first 1000 lines of
// new-joe-kuo-6.21201 (1,887,612 bytes, 21201 lines, SHA-256
// 68eedd2a4e3b659b9695e7aff0f8ac68718bcf620730fc3d3a8c65df2a067441) as
// distributed by Apache Commons Math
// (commons-math-legacy/src/main/resources/assets/org/apache/commons/math4/legacy/random/new-joe-kuo-6.21201),
// taken with `head -n 1000`. When it was added, that file was checked
//
//   - byte for byte against a second copy, new-joe-kuo-6.21201.txt in the
//     GitHub repository metod11/November_main_last (identical after removing
//     its CR line endings and adding the final newline), and
//   - line by line, for all 21200 dimensions, against the arrays poly and
//     vinit in scipy/stats/_sobol_direction_numbers.npz of SciPy 1.10.1
//     (d = index+1, s = bit length of poly - 1, a = the middle s-1 bits of
//     poly, m = vinit[:s]): no differences.
//
// The SciPy comparison of the generated points below checks the embedded
// numbers again, through dimension 1000.
const joeKuoSHA256 = "fb4e84a77d09427d1d469f854db6832b5341b3da6df0926f44242af89b777657"

func TestEmbeddedDirectionNumbers(t *testing.T) {
	t.Parallel()
	sum := sha256.Sum256([]byte(joeKuoText))
	if got := hex.EncodeToString(sum[:]); got != joeKuoSHA256 {
		t.Errorf("SHA-256 of new-joe-kuo-6.1000.txt = %s, want %s", got, joeKuoSHA256)
	}
	lines := strings.Split(strings.TrimSuffix(joeKuoText, "\n"), "\n")
	if len(lines) != MaxSobolDims {
		t.Fatalf("new-joe-kuo-6.1000.txt has %d lines, want %d", len(lines), MaxSobolDims)
	}
	for _, tc := range []struct {
		line int
		want string
	}{
		{0, "d       s       a       m_i     "},
		{1, "2       1       0       1 "},
		{2, "3       2       1       1 3 "},
		{999, "1000    13      3396    1 1 3 9 3 3 105 201 373 877 919 1263 6649 "},
	} {
		if lines[tc.line] != tc.want {
			t.Errorf("line %d = %q, want %q", tc.line+1, lines[tc.line], tc.want)
		}
	}
	v, err := directions()
	if err != nil {
		t.Fatal(err)
	}
	if len(v) != MaxSobolDims {
		t.Errorf("parsed %d dimensions, want %d", len(v), MaxSobolDims)
	}
}

// TestDirectionNumbers checks the recurrence for the direction numbers on
// hand-checkable cases.
func TestDirectionNumbers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		s    int
		a    uint32
		m    []uint32
		// want holds m_1, m_2, ...: the direction numbers v_k = m_k/2^k.
		want []uint32
	}{
		{
			// The usual textbook example (e.g. in Bratley and Fox's paper
			// on Algorithm 659), worked out here by hand: the polynomial
			// x^3 + x + 1 (a_1 = 0, a_2 = 1, so a = 01 in binary) with
			// m = 1, 3, 7, and m_k = 4 m_(k-2) ⊕ 8 m_(k-3) ⊕ m_(k-3):
			// m_4 = 12 ⊕ 8 ⊕ 1 = 5, m_5 = 28 ⊕ 24 ⊕ 3 = 7,
			// m_6 = 20 ⊕ 56 ⊕ 7 = 43.
			name: "x^3+x+1",
			s:    3, a: 1, m: []uint32{1, 3, 7},
			want: []uint32{1, 3, 7, 5, 7, 43},
		},
		{
			// Dimension 2 of Joe and Kuo, x + 1 with m_1 = 1:
			// m_k = 2 m_(k-1) ⊕ m_(k-1).
			name: "x+1",
			s:    1, a: 0, m: []uint32{1},
			want: []uint32{1, 3, 5, 15, 17, 51},
		},
		{
			// Dimension 3 of Joe and Kuo, x^2 + x + 1 with m = 1, 3:
			// m_k = 2 m_(k-1) ⊕ 4 m_(k-2) ⊕ m_(k-2); m_3 = 6 ⊕ 4 ⊕ 1 = 3,
			// m_4 = 6 ⊕ 12 ⊕ 3 = 9, m_5 = 18 ⊕ 12 ⊕ 3 = 29.
			name: "x^2+x+1",
			s:    2, a: 1, m: []uint32{1, 3},
			want: []uint32{1, 3, 3, 9, 29},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v := directionNumbers(tc.s, tc.a, tc.m)
			for k, m := range tc.want {
				if want := m << (sobolBits - 1 - k); v[k] != want {
					t.Errorf("v_%d = %#x, want m_%d = %d scaled, %#x", k+1, v[k], k+1, m, want)
				}
			}
		})
	}
}

func TestParseJoeKuo(t *testing.T) {
	t.Parallel()
	const header = "d s a m_i\n"
	tests := []struct {
		name    string
		text    string
		dims    int
		wantErr bool
	}{
		{"valid", header + "2 1 0 1\n3 2 1 1 3\n", 3, false},
		{"no final newline", header + "2 1 0 1\n3 2 1 1 3", 3, false},
		{"CRLF", "d s a m_i\r\n2 1 0 1\r\n3 2 1 1 3\r\n", 3, false},
		{"extra lines ignored", header + "2 1 0 1\n3 2 1 1 3\nrubbish\n", 3, false},
		{"one dimension needs no line", header, 1, false},
		{"zero dimensions", header, 0, true},
		{"empty", "", 2, true},
		{"no header", "2 1 0 1\n", 2, true},
		{"too few lines", header + "2 1 0 1\n", 3, true},
		{"wrong dimension", header + "3 1 0 1\n", 2, true},
		{"blank line", header + "\n2 1 0 1\n", 2, true},
		{"too few fields", header + "2 1 0\n", 2, true},
		{"not a number", header + "2 1 0 x\n", 2, true},
		{"negative", header + "2 1 0 -1\n", 2, true},
		{"huge", header + "2 1 0 99999999999999999999\n", 2, true},
		{"degree 0", header + "2 0 0 1\n", 2, true},
		{"degree 33", header + "2 33 0" + strings.Repeat(" 1", 33) + "\n", 2, true},
		{"a too large", header + "2 2 2 1 1\n", 2, true},
		{"too many m", header + "2 1 0 1 1\n", 2, true},
		{"too few m", header + "2 2 1 1\n", 2, true},
		{"even m", header + "2 2 1 1 2\n", 2, true},
		{"m too large", header + "2 2 1 1 5\n", 2, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v, err := parseJoeKuo(tc.text, tc.dims)
			if tc.wantErr {
				if err == nil {
					t.Errorf("parseJoeKuo(%q, %d) succeeded, want an error", tc.text, tc.dims)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseJoeKuo(%q, %d): %v", tc.text, tc.dims, err)
			}
			if len(v) != tc.dims {
				t.Errorf("parseJoeKuo(%q, %d) has %d dimensions", tc.text, tc.dims, len(v))
			}
		})
	}
}

func TestNewSobol(t *testing.T) {
	t.Parallel()
	tests := []struct {
		dims    int
		wantErr bool
	}{
		{math.MinInt, true},
		{-1, true},
		{0, true},
		{1, false},
		{2, false},
		{MaxSobolDims, false},
		{MaxSobolDims + 1, true},
		{math.MaxInt, true},
	}
	for _, tc := range tests {
		s, err := NewSobol(tc.dims)
		if tc.wantErr {
			if err == nil || !strings.Contains(err.Error(), "[1, 1000]") {
				t.Errorf("NewSobol(%d) error = %v, want one giving the range [1, 1000]", tc.dims, err)
			}
			if s != nil {
				t.Errorf("NewSobol(%d) = %v, want nil with an error", tc.dims, s)
			}
			continue
		}
		if err != nil {
			t.Errorf("NewSobol(%d): %v", tc.dims, err)
			continue
		}
		if s.Dims() != tc.dims {
			t.Errorf("NewSobol(%d).Dims() = %d", tc.dims, s.Dims())
		}
	}
}

// TestSobolSciPy compares points bit for bit with SciPy's
// scipy.stats.qmc.Sobol(d, scramble=False, bits=32), and checks that
// SciPy's default of 30 bits gives the same points truncated to 30 bits.
// The reference values in testdata/scipy_sobol.txt were written by
//
//	/usr/bin/python3 testdata/scipy_sobol.py > testdata/scipy_sobol.txt
//
// with SciPy 1.10.1 and NumPy 1.24.2: the first 64 points in dimensions 1 to
// 8; points 0 to 15 of dimensions 1, 2, 50, 100, 500, 999 and 1000 of a
// 1000-dimensional generator; points 1000, 65535, 10^6, 2^30-1,
// 2^31+12345 and 2^32-1 in dimensions 1 to 10; and point 0xAAAAAA, whose
// Gray code has 24 bits set, in all 1000 dimensions. SciPy numbers the
// dimensions of Sobol(d) as columns 0 to d-1; the file numbers them from 1.
func TestSobolSciPy(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/scipy_sobol.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	gens := make(map[int]*Sobol)
	var p []float64
	lines, checked30 := 0, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 5 {
			t.Fatalf("bad line %q", line)
		}
		var n [4]uint64
		for k := range n {
			if n[k], err = strconv.ParseUint(fields[k], 10, 64); err != nil {
				t.Fatalf("bad line %q: %v", line, err)
			}
		}
		d, i, col, x32 := int(n[0]), n[1], int(n[2]), n[3]
		s := gens[d]
		if s == nil {
			if s, err = NewSobol(d); err != nil {
				t.Fatal(err)
			}
			gens[d] = s
		}
		p = s.Point(p, i)
		got := p[col-1]
		want := float64(x32) / (1 << 32)
		if math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("Sobol(%d) point %d, dimension %d = %v (%d/2^32), want %v (%d/2^32)",
				d, i, col, got, uint64(got*(1<<32)), want, x32)
		}
		if fields[4] != "-" {
			x30, err := strconv.ParseUint(fields[4], 10, 32)
			if err != nil {
				t.Fatalf("bad line %q: %v", line, err)
			}
			if trunc := uint64(got*(1<<32)) >> 2; trunc != x30 {
				t.Errorf("Sobol(%d) point %d, dimension %d truncated to 30 bits = %d/2^30, SciPy's default gives %d/2^30",
					d, i, col, trunc, x30)
			}
			checked30++
		}
		lines++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	// 64×8 + 16×7 + 6×10 + 1000 values, of which 2×10 are beyond SciPy's
	// 30 bits.
	if lines != 1684 || checked30 != 1664 {
		t.Errorf("checked %d values and %d 30-bit values, want 1684 and 1664", lines, checked30)
	}
}

// TestSobolPublished checks the first points against published values.
func TestSobolPublished(t *testing.T) {
	t.Parallel()
	// Dimensions 1 and 2 are the same in Joe and Kuo's and in Bratley and
	// Fox's direction numbers. Points 0 to 11 of them are listed in the
	// test output of John Burkardt's i4_sobol, an implementation of Bratley
	// and Fox's Algorithm 659 (sobol_test_output.txt, SOBOL_TEST04), and
	// points 0 to 7 in the example of SciPy's scipy.stats.qmc.Sobol
	// documentation (Sobol(d=2, scramble=False).random_base2(m=3)).
	//
	// Dimension 3 is worked out by hand from Joe and Kuo's line
	// "3 2 1 1 3": v_1 = 0.1, v_2 = 0.11, v_3 = 0.011 in binary (see
	// TestDirectionNumbers), x_i = XOR of the v_k for the bits k of
	// gray(i) = 0, 1, 3, 2, 6, 7, 5, 4.
	want := [][3]float64{
		{0, 0, 0},
		{0.5, 0.5, 0.5},
		{0.75, 0.25, 0.25},
		{0.25, 0.75, 0.75},
		{0.375, 0.375, 0.625},
		{0.875, 0.875, 0.125},
		{0.625, 0.125, 0.875},
		{0.125, 0.625, 0.375},
		{0.1875, 0.3125, math.NaN()},
		{0.6875, 0.8125, math.NaN()},
		{0.9375, 0.0625, math.NaN()},
		{0.4375, 0.5625, math.NaN()},
	}
	s, err := NewSobol(3)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range want {
		got := s.Point(nil, uint64(i))
		for j := range w {
			if !math.IsNaN(w[j]) && got[j] != w[j] {
				t.Errorf("point %d, dimension %d = %v, want %v", i, j+1, got[j], w[j])
			}
		}
	}
}

// TestSobolNet checks that in every dimension the first 2^m points, and the
// points 3·2^m to 4·2^m-1, have exactly one value in each interval
// [k/2^m, (k+1)/2^m): each coordinate is a (0,1)-sequence in base 2. In
// dimensions 1 and 2 it also checks the two-dimensional property: with Joe
// and Kuo's numbers they form a (0,2)-sequence, so each box
// [a/2^r, (a+1)/2^r) × [b/2^(m-r), (b+1)/2^(m-r)) holds exactly one of the
// first 2^m points.
func TestSobolNet(t *testing.T) {
	t.Parallel()
	const maxM = 10
	s, err := NewSobol(MaxSobolDims)
	if err != nil {
		t.Fatal(err)
	}
	// x[i] is point i scaled by 2^32, for i < 4·2^maxM.
	x := make([][]uint64, 4<<maxM)
	for i := range x {
		p := s.Point(nil, uint64(i))
		x[i] = make([]uint64, len(p))
		for j, v := range p {
			x[i][j] = uint64(v * (1 << 32))
		}
	}
	for m := 1; m <= maxM; m++ {
		for _, start := range []int{0, 3 << m} {
			block := x[start : start+1<<m]
			for j := range MaxSobolDims {
				seen := make([]bool, 1<<m)
				for i, p := range block {
					k := p[j] >> (32 - m)
					if seen[k] {
						t.Fatalf("m = %d: points %d to %d, dimension %d: two values in [%d/2^m, %d/2^m) (point %d)",
							m, start, start+1<<m-1, j+1, k, k+1, start+i)
					}
					seen[k] = true
				}
			}
		}
		for r := 0; r <= m; r++ {
			seen := make([]bool, 1<<m)
			for i, p := range x[:1<<m] {
				box := p[0]>>(32-r)<<(m-r) | p[1]>>(32-(m-r))
				if seen[box] {
					t.Fatalf("m = %d, r = %d: two of the first 2^m points in the same box (point %d)", m, r, i)
				}
				seen[box] = true
			}
		}
	}
}

// TestSobolPure checks that Point depends only on i: points computed in
// reverse order, in a scattered order and concurrently agree.
func TestSobolPure(t *testing.T) {
	t.Parallel()
	const n = 1 << 10
	s, err := NewSobol(20)
	if err != nil {
		t.Fatal(err)
	}
	want := make([][]float64, n)
	for i := range want {
		want[i] = s.Point(nil, uint64(i))
	}
	check := func(t *testing.T, i int, got []float64) {
		t.Helper()
		for j := range got {
			if got[j] != want[i][j] {
				t.Fatalf("point %d, dimension %d = %v, want %v", i, j+1, got[j], want[i][j])
			}
		}
	}
	t.Run("reverse", func(t *testing.T) {
		t.Parallel()
		var p []float64
		for i := n - 1; i >= 0; i-- {
			p = s.Point(p, uint64(i))
			check(t, i, p)
		}
	})
	t.Run("scattered", func(t *testing.T) {
		t.Parallel()
		var p []float64
		for k := range n {
			i := k * 389 % n // 389 is prime, so this visits every i.
			p = s.Point(p, uint64(i))
			check(t, i, p)
		}
	})
	t.Run("concurrent", func(t *testing.T) {
		t.Parallel()
		const workers = 8
		got := make([][]float64, n)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < n; i += workers {
					got[i] = s.Point(nil, uint64(i))
				}
			}()
		}
		wg.Wait()
		for i, p := range got {
			check(t, i, p)
		}
	})
}

func TestSobolPoint(t *testing.T) {
	t.Parallel()
	s, err := NewSobol(3)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		dst     []float64
		i       uint64
		reuse   bool
		wantNaN bool
	}{
		{"nil dst", nil, 5, false, false},
		{"short dst", make([]float64, 2), 5, false, false},
		{"exact dst", make([]float64, 3), 5, true, false},
		{"long dst", make([]float64, 10), 5, true, false},
		{"short len, long cap", make([]float64, 2, 10), 5, false, false},
		{"last point", nil, MaxSobolPoints - 1, false, false},
		{"past the end", nil, MaxSobolPoints, false, true},
		{"far past the end", make([]float64, 3), math.MaxUint64, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := s.Point(tc.dst, tc.i)
			if len(got) != 3 {
				t.Fatalf("len = %d, want 3", len(got))
			}
			if reused := len(tc.dst) > 0 && &got[0] == &tc.dst[0]; reused != tc.reuse {
				t.Errorf("reused dst = %t, want %t", reused, tc.reuse)
			}
			for j, x := range got {
				switch {
				case tc.wantNaN && !math.IsNaN(x):
					t.Errorf("dimension %d = %v, want NaN", j+1, x)
				case !tc.wantNaN && !(0 <= x && x < 1):
					t.Errorf("dimension %d = %v, want a value in [0, 1)", j+1, x)
				}
			}
		})
	}
}

func TestSobolNilAndZero(t *testing.T) {
	t.Parallel()
	for _, s := range []*Sobol{nil, {}} {
		if d := s.Dims(); d != 0 {
			t.Errorf("%#v.Dims() = %d, want 0", s, d)
		}
		if p := s.Point(nil, 1); len(p) != 0 {
			t.Errorf("%#v.Point(nil, 1) = %v, want an empty point", s, p)
		}
	}
}

func BenchmarkSobolPoint(b *testing.B) {
	s, err := NewSobol(10)
	if err != nil {
		b.Fatal(err)
	}
	p := make([]float64, s.Dims())
	var i uint64
	for b.Loop() {
		p = s.Point(p, i)
		i++
	}
}
