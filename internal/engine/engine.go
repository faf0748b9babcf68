// Package engine drives connections: it accepts them from a listener and
// hands each to a ConnHandler on some goroutine. The HTTP work lives in the
// handler; an engine only decides how connections meet goroutines.
//
// There are two engines:
//
//   - Goroutine (every platform, the default): one goroutine per connection,
//     taken from a FILO pool of parked workers so that a busy server reuses
//     warm goroutines (and their grown stacks) instead of starting new ones.
//   - Epoll (Linux): the same pool runs connections while they have work;
//     a connection that waits for its next request with nothing buffered
//     is handed back to the engine, which watches its descriptor in an
//     epoll instance and holds no goroutine for it (see epoll_linux.go).
//     Its ConnHandler must also be a SessionHandler.
package engine

import (
	"errors"
	"net"
	"time"
)

// ConnHandler serves one connection until it is done with it. It owns the
// connection: closing it (or handing it on) is its job.
type ConnHandler interface {
	ServeConn(c net.Conn)
}

// A Session is a connection that an event-driven engine may park between
// requests. Its methods are called by one goroutine at a time: the engine
// hands a session from goroutine to goroutine, never to two at once.
type Session interface {
	// FD is the connection's file descriptor, watched while it is parked.
	FD() int

	// Resume serves the connection until it is done (closed or hijacked;
	// park is false) or, if mayPark, until it waits for the client with
	// nothing buffered (park is true): the engine then watches FD and calls
	// Resume again once it is readable, or Expire at deadline (zero:
	// never). Without mayPark it serves to the end on the calling
	// goroutine, as the goroutine engine does: the engine has stopped.
	Resume(mayPark bool) (park bool, deadline time.Time)

	// Expire closes a parked session whose deadline passed.
	Expire()
}

// A SessionHandler is a ConnHandler that can serve connections as
// Sessions.
type SessionHandler interface {
	ConnHandler

	// OpenSession starts serving c. It returns nil when it has already
	// finished with c itself: refused it, or served it to the end because it
	// cannot be parked (a TLS connection, whose crypto/tls buffers the
	// engine cannot see into). detach removes the session from the engine
	// for good; the session calls it when it is hijacked, before the
	// descriptor is handed on.
	OpenSession(c net.Conn, detach func()) Session
}

// Engine accepts connections from ln and serves each with h until ln is
// closed. Serve returns nil once ln has been closed, or the accept error
// that was not temporary.
type Engine interface {
	Serve(ln net.Listener, h ConnHandler) error
}

// acceptLoop accepts until ln closes, backing off on temporary errors (out
// of file descriptors, aborted handshakes) rather than spinning or quitting.
func acceptLoop(ln net.Listener, dispatch func(net.Conn)) error {
	var delay time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			if ne, ok := err.(net.Error); ok && ne.Timeout() || isTemporary(err) {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				time.Sleep(delay)
				continue
			}
			return err
		}
		delay = 0
		dispatch(c)
	}
}

// isTemporary reports errors after which accepting again can succeed:
// resource exhaustion (EMFILE, ENFILE, ENOBUFS) and connections aborted
// before they were accepted.
func isTemporary(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}
