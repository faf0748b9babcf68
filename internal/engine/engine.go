// Package engine drives connections: it accepts them from a listener and
// hands each to a ConnHandler on some goroutine. The HTTP work lives in the
// handler; an engine only decides how connections meet goroutines.
//
// There are two engines:
//
//   - Goroutine (every platform, the default): one goroutine per connection,
//     taken from a FILO pool of parked workers so that a busy server reuses
//     warm goroutines (and their grown stacks) instead of starting new ones.
//     When its ConnHandler is also a SessionHandler, a connection that waits
//     for its next request gives its worker back and waits on a new
//     goroutine with a small stack (see Goroutine).
//   - Epoll (Linux): the same pool runs connections while they have work;
//     a connection that waits for its next request with nothing buffered
//     (at once, or, when busy, after DefaultParkAfter) is handed back to
//     the engine, which watches its descriptor in an epoll instance and
//     holds no goroutine for it, and after a while not even its net.Conn
//     (see epoll_linux.go). Its ConnHandler must also be a SessionHandler.
package engine

import (
	"errors"
	"net"
	"time"
)

// DefaultParkAfter is the default of Epoll.ParkAfter and
// Goroutine.ParkAfter: how long a busy connection, one whose last request
// came within this long of the response before it, waits for its next
// request on the goroutine that served the last one before it is parked.
// A busy keep-alive connection then never leaves its goroutine (parking
// and resuming it costs hand-offs between goroutines and system calls, a
// few microseconds a request), while one that pauses holds the goroutine
// (and its grown stack) this long at most, and a new connection, or one
// whose client paused, none at all.
const DefaultParkAfter = 100 * time.Millisecond

// DefaultReleaseAfter is Epoll.ReleaseAfter's default: a connection
// parked this long costs about half as much memory from then on, and
// pays about ten microseconds of system calls on its next request.
const DefaultReleaseAfter = time.Second

// ConnHandler serves one connection until it is done with it. It owns the
// connection: closing it (or handing it on) is its job.
type ConnHandler interface {
	ServeConn(c net.Conn)
}

// A Session is a connection that an engine may park between requests:
// take it off the goroutine that serves it while it waits for the client.
// Its methods are called by one goroutine at a time: the engine hands a
// session from goroutine to goroutine, never to two at once.
type Session interface {
	// FD is the connection's file descriptor, watched while it is parked.
	FD() int

	// Resume serves the connection until it is done (closed or hijacked;
	// park is false) or, if mayPark, until it waits for the client with
	// nothing buffered and asks to be parked (park is true): at once, or,
	// for a busy connection, after waiting up to the parkAfter given to
	// OpenSession. The engine then waits for the client (watching FD, or
	// calling Wait) and calls Resume again once bytes are there, or
	// Expire at deadline (zero: never). Without mayPark it serves to the
	// end on the calling goroutine: the engine has stopped.
	Resume(mayPark bool) (park bool, deadline time.Time)

	// Expire closes a parked session whose deadline passed.
	Expire()

	// Release gives up, for a session parked a long time, all it holds of
	// its connection but a descriptor (the net.Conn, and the runtime's
	// state for it: about 850 bytes), and returns that descriptor, which
	// FD reports from then on; ok is false when it cannot (the session is
	// unchanged). Resume takes the rest back, for about 15 system calls.
	// The engine calls it while the session is parked, with FD out of its
	// interest list.
	Release() (fd int, ok bool)

	// Wait waits on the calling goroutine, holding no buffer, for the
	// client of a parked session to send its next request, until the
	// deadline Resume returned. It reports whether Resume is to be called
	// now; false means the session has ended (timed out or closed). An
	// engine that has no poller of its own waits for its parked sessions
	// this way, on a new goroutine whose stack has not grown.
	Wait() bool
}

// A SessionHandler is a ConnHandler that can serve connections as
// Sessions.
type SessionHandler interface {
	ConnHandler

	// OpenSession starts serving c as opts say. It returns nil when it has
	// already finished with c itself: refused it, or served it to the end
	// because it cannot be parked (a TLS connection, whose crypto/tls
	// buffers the engine cannot see into).
	OpenSession(c net.Conn, opts SessionOptions) Session
}

// SessionOptions is what an engine tells the sessions it opens.
type SessionOptions struct {
	// ParkAfter is how long a busy session waits for its next request on
	// the goroutine that runs it before it asks to be parked (zero or
	// negative: none waits).
	ParkAfter time.Duration

	// Release says that the engine watches released sessions (see
	// Session.Release). A session may then release itself as it asks to
	// be parked, calling Detach first if its descriptor was parked before:
	// Resume's caller must take FD again.
	Release bool

	// Detach (nil for an engine that has nothing to undo) takes the
	// session's descriptor out of the engine's interest list; the session
	// calls it when it is hijacked, before the descriptor is handed on,
	// and before it closes a descriptor that has a duplicate (see
	// Session.Release).
	Detach func()
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
