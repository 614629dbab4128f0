package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCompare(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	base := write("a.csv", "policy,x,y\nphased,0.1,NaN\nreciprocal,12,3\n")
	for _, c := range []struct {
		name            string
		other           string
		differ, beyond  int
		wantErrContains string
	}{
		{"identical", "policy,x,y\nphased,0.1,NaN\nreciprocal,12,3\n", 0, 0, ""},
		{"last bits", "policy,x,y\nphased,0.10000000000000002,NaN\nreciprocal,12,3\n", 1, 0, ""},
		{"beyond the tolerance", "policy,x,y\nphased,0.1,NaN\nreciprocal,12.5,3\n", 1, 1, ""},
		{"NaN against a number", "policy,x,y\nphased,0.1,0\nreciprocal,12,3\n", 1, 1, ""},
		{"another label", "policy,x,y\nphased,0.1,NaN\ngrim,12,3\n", 0, 0, `"reciprocal" against "grim"`},
		{"another row count", "policy,x,y\nphased,0.1,NaN\n", 0, 0, "3 rows, its arm64 twin 2"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := compare(base, write("b.csv", c.other), 1e-9)
			if c.wantErrContains != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErrContains) {
					t.Fatalf("error %v, want one containing %q", err, c.wantErrContains)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.numbers != 4 || d.differ != c.differ || d.beyond != c.beyond {
				t.Errorf("got %d numbers, %d differing, %d beyond; want 4, %d, %d", d.numbers, d.differ, d.beyond, c.differ, c.beyond)
			}
		})
	}
}
