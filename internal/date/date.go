// Package date keeps the current time formatted as an HTTP date (RFC 9110
// §5.6.7, IMF-fixdate), reformatted at most once a second, so that every
// response can carry a Date field without formatting or allocating.
package date

import (
	"sync/atomic"
	"time"
)

// Layout is IMF-fixdate, the preferred HTTP date format (RFC 9110 §5.6.7).
const Layout = "Mon, 02 Jan 2006 15:04:05 GMT"

// Len is the length of a formatted date.
const Len = len(Layout)

type stamp struct {
	sec int64
	b   [Len]byte
}

// Clock caches the formatted date. The zero value is ready; it is safe for
// concurrent use. Now is replaceable for tests.
type Clock struct {
	cur atomic.Pointer[stamp]
	Now func() time.Time // nil means time.Now
}

// Append appends the current date to dst. A new stamp is formatted (and one
// small allocation made) only when the second has changed.
func (c *Clock) Append(dst []byte) []byte {
	var now time.Time
	if c.Now != nil {
		now = c.Now()
	} else {
		now = time.Now()
	}
	sec := now.Unix()
	s := c.cur.Load()
	if s == nil || s.sec != sec {
		s = &stamp{sec: sec}
		now.UTC().AppendFormat(s.b[:0], Layout)
		c.cur.Store(s)
	}
	return append(dst, s.b[:]...)
}
