// Package testclock is a clock that moves only when a test moves it, for
// the code that takes its time from a func() time.Time field (the file
// cache's freshness in static, the rate limiter's buckets in middleware).
package testclock

import (
	"sync"
	"time"
)

// A Clock is a time that Advance moves; Now may be called from any
// goroutine.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// New returns a Clock reading start.
func New(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
