// Package bufpool recycles byte buffers in size classes, so that a
// connection can give its buffers back while it waits and take them again
// when bytes arrive: an idle connection then holds no buffer at all.
//
// A Pool keeps one sync.Pool per power-of-two class from MinSize to
// MaxSize. Get(n) returns a slice of the smallest class that holds n; Put
// files a slice under the largest class its capacity covers, so a buffer
// that grew by append is still reused. The pools hold pointers to the
// buffers' first bytes rather than slices, so neither Get nor Put
// allocates once the pool is warm.
package bufpool

import (
	"math/bits"
	"sync"
	"unsafe"
)

const (
	minShift = 12 // 4 KiB
	maxShift = 17 // 128 KiB
	nClasses = maxShift - minShift + 1

	// MinSize and MaxSize bound the pooled classes; Get beyond MaxSize
	// allocates, Put of a buffer smaller than MinSize drops it.
	MinSize = 1 << minShift
	MaxSize = 1 << maxShift
)

// A Pool is a set of size-classed buffer pools. The zero value is ready
// to use; a Pool must not be copied after first use. It is safe for
// concurrent use.
type Pool struct {
	classes [nClasses]sync.Pool // classes[i] holds buffers of 1<<(minShift+i) bytes
}

// classFor returns the smallest class holding n bytes (n <= MaxSize).
func classFor(n int) int {
	if n <= MinSize {
		return 0
	}
	return bits.Len(uint(n-1)) - minShift
}

// Get returns a buffer of length at least n (its class size).
func (p *Pool) Get(n int) []byte {
	if n > MaxSize {
		return make([]byte, n)
	}
	i := classFor(n)
	size := 1 << (minShift + i)
	if v := p.classes[i].Get(); v != nil {
		return unsafe.Slice((*byte)(v.(unsafe.Pointer)), size)
	}
	return make([]byte, size)
}

// Put gives b back for reuse. The caller must not touch b afterwards.
func (p *Pool) Put(b []byte) {
	c := cap(b)
	if c < MinSize {
		return
	}
	i := min(bits.Len(uint(c))-1, maxShift) - minShift
	p.classes[i].Put(unsafe.Pointer(unsafe.SliceData(b[:1])))
}
