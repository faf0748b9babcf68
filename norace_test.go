//go:build !race

package strand

const raceEnabled = false
