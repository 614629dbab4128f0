package sim

import "testing"

func BenchmarkFillOnly(b *testing.B) {
	d := newDraws(40, 4, 3, 2)
	st := newStreams()
	rep := uint64(0)
	for b.Loop() {
		st.seed(1, rep)
		d.fill(st)
		rep++
	}
}
