//go:build race

package strand

// raceEnabled reports a -race build: sync.Pool then drops a quarter of the
// objects put into it, on purpose, so allocation counts mean nothing.
const raceEnabled = true
