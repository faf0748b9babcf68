package strand

// The engines' view of a conn (engine.Session): see idle.go for how a
// conn waits, and internal/engine for where it waits.

import (
	"crypto/tls"
	"syscall"
	"time"

	"github.com/strandhttp/strand/internal/engine"
)

var _ engine.Session = (*conn)(nil)

// lookupFD records the descriptor of a connection: the one read raw, or,
// for TLS, the one beneath crypto/tls. It reports false when there is
// none (the connection cannot be parked).
func (c *conn) lookupFD() bool {
	rc := c.raw
	if rc == nil {
		tc, isTLS := c.rwc.(*tls.Conn)
		if !isTLS {
			return false
		}
		sc, ok := tc.NetConn().(syscall.Conn)
		if !ok {
			return false
		}
		var err error
		if rc, err = sc.SyscallConn(); err != nil {
			return false
		}
	}
	ok := false
	err := rc.Control(func(fd uintptr) { c.fd, ok = int32(fd), true })
	return err == nil && ok
}

// FD implements engine.Session.
func (c *conn) FD() int { return int(c.fd) }

// Resume implements engine.Session. Accepted, it releases a new
// connection and asks to be parked until its first request. Inline, it
// serves a released connection from its bare descriptor (inline.go),
// releasing it first if need be. Otherwise it makes a
// released connection a net.Conn again (idle_linux.go), finishes what an
// Inline run handed over (a request whose body is still on the wire, a
// slow close), then serves requests until the connection is done, or
// waits for one with nothing buffered and asks to be parked (see
// waitFor). The deadline of a parked connection is waitUntil: the end
// readRequest chose for the wait (IdleTimeout, or ReadHeaderTimeout from
// accept before the first request, or from a partial head's first byte),
// or WriteTimeout from now for queued output.
func (c *conn) Resume(mode engine.Mode) (next engine.Next, deadline time.Time) {
	defer func() {
		p := recover()
		if p != nil {
			next = engine.Done
		}
		if next == engine.Done {
			c.inline = false
			c.end(p)
		}
	}()
	if mode == engine.Accepted {
		if c.inlineOK {
			c.releaseSelf()
		}
		c.waitUntil = nanos(deadlineAfter(fromNanos(c.accepted), c.server.readHeaderTimeout()))
		return engine.WaitRead, fromNanos(c.waitUntil)
	}
	if mode == engine.Inline || mode == engine.InlineHup {
		if !c.released && c.inlineOK {
			c.releaseSelf() // a bare descriptor is what is served Inline
		}
		if !c.inlineOK || !c.released {
			return engine.ToWorker, time.Time{}
		}
		c.inline, c.drained, c.hup = true, false, mode == engine.InlineHup
		next = c.run()
		c.inline = false
		return next, fromNanos(c.waitUntil)
	}
	c.parking = mode == engine.OnWorker
	if c.released && !c.reattach() {
		return engine.Done, time.Time{}
	}
	if c.closing != closeNone {
		c.closeConn(c.closing == closeLinger)
		return engine.Done, time.Time{}
	}
	return c.run(), fromNanos(c.waitUntil)
}

// Released implements engine.Session.
func (c *conn) Released() bool { return c.released }

// Expire implements engine.Session: the parked connection's deadline
// passed. A client that stopped in the middle of a head parked Inline is
// told so, as one read on a worker would (408), if its socket takes the
// answer at once.
func (c *conn) Expire() {
	if c.released && c.x != nil && c.r < c.w {
		c.inline = true
		c.replyParseError(errHeadTimeout, c.rbuf[c.r:c.w])
		c.inline = false
	}
	c.end(nil)
}

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
