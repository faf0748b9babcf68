//go:build race

package router

// raceEnabled reports a -race build: the server's sync.Pools then drop a
// quarter of the objects put into them, on purpose, so allocation counts
// over a real server mean nothing.
const raceEnabled = true
