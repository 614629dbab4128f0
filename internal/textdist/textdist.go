// Package textdist measures how far apart two strings are, for "did you
// mean ...?" suggestions.
package textdist

// Distance returns the optimal string alignment distance between a and
// b: the fewest insertions, deletions, substitutions and swaps of adjacent
// bytes that turn a into b, no substring being edited twice.
func Distance(a, b string) int {
	// d[i][j] is the distance between a[:i] and b[:j].
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// Closest returns the candidate nearest to name, at a distance of at least
// 1 and below limit, the first of equals; "" when none is that close.
func Closest(name string, candidates []string, limit int) string {
	best, bestD := "", limit
	for _, c := range candidates {
		if diff := len(name) - len(c); diff >= bestD || -diff >= bestD {
			continue // the distance is at least the difference in length
		}
		if d := Distance(name, c); d > 0 && d < bestD {
			best, bestD = c, d
		}
	}
	return best
}
