package strand

// The engines' view of a conn (engine.Session): see idle.go for how a
// conn waits, and internal/engine for where it waits.

import (
	"time"

	"github.com/strandhttp/strand/internal/engine"
)

var _ engine.Session = (*conn)(nil)

// lookupFD records the descriptor of a connection read raw.
func (c *conn) lookupFD() bool {
	ok := false
	err := c.raw.Control(func(fd uintptr) { c.fd, ok = int32(fd), true })
	return err == nil && ok
}

// FD implements engine.Session.
func (c *conn) FD() int { return int(c.fd) }

// Resume implements engine.Session: it makes a released connection a
// net.Conn again (idle_linux.go), then serves requests until the
// connection is done, or waits for one with nothing buffered and asks to
// be parked (see waitFor). The deadline of a parked connection is the end
// readRequest chose for the wait (waitUntil): IdleTimeout, or
// ReadHeaderTimeout from accept before the first request.
func (c *conn) Resume(mayPark bool) (park bool, deadline time.Time) {
	defer func() {
		p := recover()
		if p != nil {
			park = false
		}
		if !park {
			c.end(p)
		}
	}()
	c.parking = mayPark
	if c.released && !c.reattach() {
		return false, time.Time{}
	}
	if c.run() {
		return true, fromNanos(c.waitUntil)
	}
	return false, time.Time{}
}

// Expire implements engine.Session: the parked connection's deadline
// passed.
func (c *conn) Expire() { c.end(nil) }

// Wait implements engine.Session: it waits on the calling goroutine for
// the bytes of the next request, holding no buffer, and reports whether
// they came; if not (the wait's deadline passed, the connection failed or
// was closed), the connection has ended.
func (c *conn) Wait() (ok bool) {
	defer func() {
		if p := recover(); p != nil || !ok {
			ok = false
			c.end(p)
		}
	}()
	c.parked, c.probe = false, false
	c.setReadDeadline(fromNanos(c.waitUntil), 0)
	m, _ := c.readIdle()
	if m == 0 {
		return false
	}
	c.w += m
	c.state.Store(stateActive)
	c.resumed(time.Now().UnixNano())
	return true
}
