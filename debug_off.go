//go:build !strand_debug

package strand

// debugPoison is set by the strand_debug build tag.
const debugPoison = false

func poison([]byte) {}
