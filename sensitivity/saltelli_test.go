package sensitivity

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tranche-sim/tranche/design"
)

func TestSaltelliSampleStructure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d, n   int
		second bool
	}{
		{1, 2, false},
		{1, 2, true},
		{2, 8, true},
		{3, 64, false},
		{5, 33, true},
		{500, 3, true}, // the largest d: 2d = design.MaxSobolDims
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("d=%d,n=%d,second=%v", tc.d, tc.n, tc.second), func(t *testing.T) {
			t.Parallel()
			s, err := SaltelliSample(tc.d, tc.n, tc.second)
			if err != nil {
				t.Fatal(err)
			}
			d, n := tc.d, tc.n
			mats := d + 2
			if tc.second {
				mats = 2*d + 2
			}
			if s.Points() != n*mats || s.Dims() != d || s.BaseRows() != n {
				t.Fatalf("Points, Dims, BaseRows = %d, %d, %d; want %d, %d, %d", s.Points(), s.Dims(), s.BaseRows(), n*mats, d, n)
			}
			if len(s.AB) != d || (s.BA != nil) != tc.second || (tc.second && len(s.BA) != d) {
				t.Fatalf("%d AB and %d BA matrices", len(s.AB), len(s.BA))
			}
			sob, err := design.NewSobol(2 * d)
			if err != nil {
				t.Fatal(err)
			}
			shape := func(name string, m [][]float64) {
				t.Helper()
				if len(m) != n {
					t.Fatalf("%s has %d rows, want %d", name, len(m), n)
				}
				for j, row := range m {
					if len(row) != d || cap(row) != d {
						t.Fatalf("%s row %d has length %d and capacity %d, want %d", name, j, len(row), cap(row), d)
					}
					for _, x := range row {
						if !(x >= 0 && x < 1) {
							t.Fatalf("%s row %d = %v not in [0,1)", name, j, row)
						}
					}
				}
			}
			shape("A", s.A)
			shape("B", s.B)
			for j := range n {
				p := sob.Point(nil, uint64(j+1))
				if !slices.Equal(s.A[j], p[:d]) || !slices.Equal(s.B[j], p[d:]) {
					t.Fatalf("base row %d: A %v, B %v; Sobol' point %d is %v", j, s.A[j], s.B[j], j+1, p)
				}
			}
			for i, m := range s.AB {
				shape(fmt.Sprintf("AB[%d]", i), m)
				for j, row := range m {
					for k := range d {
						want := s.A[j][k]
						if k == i {
							want = s.B[j][k]
						}
						if row[k] != want {
							t.Fatalf("AB[%d] row %d = %v; A %v, B %v", i, j, row, s.A[j], s.B[j])
						}
					}
				}
			}
			for i, m := range s.BA {
				shape(fmt.Sprintf("BA[%d]", i), m)
				for j, row := range m {
					for k := range d {
						want := s.B[j][k]
						if k == i {
							want = s.A[j][k]
						}
						if row[k] != want {
							t.Fatalf("BA[%d] row %d = %v; A %v, B %v", i, j, row, s.A[j], s.B[j])
						}
					}
				}
			}
			// Row 0 is point 1, (½, ..., ½): A and B equal (documented).
			if !slices.Equal(s.A[0], s.B[0]) {
				t.Errorf("A and B row 0 differ: %v, %v", s.A[0], s.B[0])
			}
		})
	}
}

// TestSaltelliRows checks Rows and SplitOutputs: outputs numbered in the
// order of Rows come back in the right matrices.
func TestSaltelliRows(t *testing.T) {
	t.Parallel()
	for _, second := range []bool{false, true} {
		t.Run(fmt.Sprint(second), func(t *testing.T) {
			t.Parallel()
			const d, n = 3, 4
			s, err := SaltelliSample(d, n, second)
			if err != nil {
				t.Fatal(err)
			}
			rows := s.Rows()
			if len(rows) != s.Points() {
				t.Fatalf("%d rows, want %d", len(rows), s.Points())
			}
			y := make([]float64, len(rows))
			for k := range y {
				y[k] = float64(k)
			}
			out, err := s.SplitOutputs(y)
			if err != nil {
				t.Fatal(err)
			}
			// Every output must sit where its point sits.
			same := func(p, q []float64) bool { return &p[0] == &q[0] }
			for j := range n {
				if !same(rows[int(out.A[j])], s.A[j]) || !same(rows[int(out.B[j])], s.B[j]) {
					t.Errorf("base row %d: A or B output misplaced", j)
				}
				for i := range d {
					if !same(rows[int(out.AB[i][j])], s.AB[i][j]) {
						t.Errorf("AB[%d] row %d: output misplaced", i, j)
					}
					if second && !same(rows[int(out.BA[i][j])], s.BA[i][j]) {
						t.Errorf("BA[%d] row %d: output misplaced", i, j)
					}
				}
			}
			if (out.BA != nil) != second {
				t.Errorf("BA outputs %v with second order %v", out.BA != nil, second)
			}
			// SALib's order: A first and B last in each base row.
			step := s.Points() / n
			if out.A[1] != float64(step) || out.B[0] != float64(step-1) {
				t.Errorf("A[1] = %v, B[0] = %v; want %d, %d", out.A[1], out.B[0], step, step-1)
			}
			if _, err := s.SplitOutputs(y[1:]); err == nil || !strings.Contains(err.Error(), "outputs for a design of") {
				t.Errorf("SplitOutputs of too few outputs: error %v", err)
			}
		})
	}
}

func TestSaltelliSampleErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d, n int
		want string
	}{
		{0, 8, "0 factors"},
		{-1, 8, "-1 factors"},
		{design.MaxSobolDims/2 + 1, 8, "Sobol' sequence of 1002 dimensions"},
		{3, 1, "1 base rows"},
		{3, 0, "0 base rows"},
		{100, MaxDesignValues / 100, "more than"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("d=%d,n=%d", tc.d, tc.n), func(t *testing.T) {
			t.Parallel()
			s, err := SaltelliSample(tc.d, tc.n, false)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
			if s != nil {
				t.Error("a design with the error")
			}
		})
	}
}
