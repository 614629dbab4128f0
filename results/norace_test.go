//go:build !race

package results

// raceEnabled is true in builds with the race detector, whose shadow memory
// makes heap measurements meaningless.
const raceEnabled = false
