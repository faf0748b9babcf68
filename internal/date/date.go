// Package date keeps the current time formatted as an HTTP date (RFC 9110
// §5.6.7, IMF-fixdate), so that every response can carry a Date field
// without formatting, allocating or even reading the clock.
//
// Reading the clock is the expensive part: time.Now reads the wall and
// the monotonic clock, some 40 ns on a virtual machine, more than a tenth
// of all the work of a small pipelined request. So while a Clock is in use, a timer
// reformats its date at each second boundary, and Append only copies the
// latest one. The timer stops after a second in which nobody called
// Append, and the next Append starts it again: an idle server has no timer
// running and no goroutine waiting.
package date

import (
	"sync"
	"sync/atomic"
	"time"
)

// Layout is IMF-fixdate, the preferred HTTP date format (RFC 9110 §5.6.7).
const Layout = "Mon, 02 Jan 2006 15:04:05 GMT"

// Len is the length of a formatted date.
const Len = len(Layout)

// A stamp is one formatted second. It is immutable once published in
// Clock.cur.
type stamp struct {
	sec int64
	b   [Len]byte
}

func newStamp(now time.Time) *stamp {
	s := &stamp{sec: now.Unix()}
	now.UTC().AppendFormat(s.b[:0], Layout)
	return s
}

// Clock caches the formatted date. The zero value is ready; it is safe for
// concurrent use and must not be copied after first use.
//
// Now is replaceable for tests. A Clock with Now set reads it at every
// Append (reformatting when the second has changed) and runs no timer.
type Clock struct {
	Now func() time.Time // nil means time.Now

	// cur is the date Append copies. While ticking, the timer replaces it
	// at each second boundary; it is never nil while ticking.
	cur     atomic.Pointer[stamp]
	ticking atomic.Bool // a timer keeps cur current; set only under mu
	used    atomic.Bool // Append ran since the timer last fired

	mu    sync.Mutex  // serialises start and tick
	timer *time.Timer // fires at the next second boundary; guarded by mu
}

// Append appends the current date to dst. It allocates nothing but when
// it starts the timer (after a second without a call); the timer makes
// one small allocation a second, for the new date.
//
// The date it appends may lag the clock by the time the timer takes to run
// once the second has turned: longer on a loaded scheduler, and up to a
// second after the machine resumes from suspend (the timer runs on the
// monotonic clock, which stops meanwhile). That is within what the Date
// field promises, "the best available approximation" of when the message
// was generated (RFC 9110 §6.6.1).
func (c *Clock) Append(dst []byte) []byte {
	if c.Now != nil {
		return append(dst, c.at(c.Now()).b[:]...)
	}
	if !c.ticking.Load() {
		c.start()
	}
	if !c.used.Load() {
		c.used.Store(true) // loaded first: one store a second, not one a call
	}
	return append(dst, c.cur.Load().b[:]...)
}

// at returns the stamp for now, the cached one if it is of the same second.
func (c *Clock) at(now time.Time) *stamp {
	s := c.cur.Load()
	if s == nil || s.sec != now.Unix() {
		s = newStamp(now)
		c.cur.Store(s)
	}
	return s
}

// start formats the current date and arms the timer, unless another
// caller did so first.
func (c *Clock) start() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ticking.Load() {
		return
	}
	now := time.Now()
	c.at(now)
	c.used.Store(true) // the caller is about to append
	if c.timer == nil {
		c.timer = time.AfterFunc(untilNextSecond(now), c.tick)
	} else {
		c.timer.Reset(untilNextSecond(now))
	}
	c.ticking.Store(true) // after cur: Append reads cur once it sees ticking
}

// tick runs at a second boundary. It reformats the date and rearms the
// timer, or, if no Append ran during the last second, stops ticking: the
// next Append restarts it. Only one timer is ever armed: start arms it only
// while ticking is false, and tick clears ticking only as its last act.
func (c *Clock) tick() {
	c.mu.Lock() // start may still be setting the timer up
	defer c.mu.Unlock()
	if !c.used.Swap(false) {
		c.ticking.Store(false)
		return
	}
	now := time.Now()
	c.at(now)
	// A timer on the monotonic clock may fire a hair before the wall clock's
	// second turns; it then finds the same second and fires again at once.
	c.timer.Reset(untilNextSecond(now))
}

// untilNextSecond is the time from now to the next whole second.
func untilNextSecond(now time.Time) time.Duration {
	return time.Second - time.Duration(now.Nanosecond())
}
