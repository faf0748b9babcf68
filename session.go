package strand

// The epoll engine's view of a conn (engine.Session): see idle.go for how
// a conn waits, and internal/engine/epoll_linux.go for where it waits.

import (
	"time"

	"github.com/strandhttp/strand/internal/engine"
)

var _ engine.Session = (*conn)(nil)

// lookupFD records the descriptor of a connection read raw.
func (c *conn) lookupFD() bool {
	ok := false
	err := c.raw.Control(func(fd uintptr) { c.fd, ok = int(fd), true })
	return err == nil && ok
}

// FD implements engine.Session.
func (c *conn) FD() int { return c.fd }

// Resume implements engine.Session: it serves requests until the
// connection is done, or idle with nothing buffered. The deadline of a
// parked connection is the read deadline readRequest chose for the wait:
// IdleTimeout, or ReadHeaderTimeout from accept before the first request.
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
	if c.run() {
		return true, c.readDeadline
	}
	return false, time.Time{}
}

// Expire implements engine.Session: the parked connection's deadline
// passed.
func (c *conn) Expire() { c.end(nil) }
