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

	// Resume serves the connection as mode says, until it is done
	// (closed or hijacked: Done) or asks the engine for something:
	//
	//   - WaitRead: it waits for the client with nothing to do until bytes
	//     arrive (OnWorker: at once, or, for a busy connection, after
	//     waiting up to the parkAfter given to OpenSession). The engine
	//     waits (watching FD, or calling Wait) and calls Resume again once
	//     bytes are there, or Expire at deadline (zero: never).
	//   - WaitWrite (Inline, or OnWorker between requests when the engine
	//     set SessionOptions.WaitWrite): output is queued that the socket
	//     does not take now; Resume again once it can take more, or Expire
	//     at deadline.
	//   - ToWorker (Inline only): what comes next may block (a request
	//     body still on the wire, a response too large to queue, closing
	//     slowly): Resume again, OnWorker.
	//   - Again (Inline only): more requests are buffered; Resume again,
	//     Inline, once the engine has served others (fairness).
	Resume(mode Mode) (next Next, deadline time.Time)

	// Expire closes a parked session whose deadline passed.
	Expire()

	// Release gives up, for a session parked a long time, all it holds of
	// its connection but a descriptor (the net.Conn, and the runtime's
	// state for it: about 850 bytes), and returns that descriptor, which
	// FD reports from then on; ok is false when it cannot (the session is
	// unchanged). Resume takes the rest back, for about 15 system calls,
	// when it must (Inline, it need not). The engine calls it while the
	// session is parked, with FD out of its interest list.
	Release() (fd int, ok bool)

	// Released reports whether the session holds only a descriptor.
	Released() bool

	// Wait waits on the calling goroutine, holding no buffer, for the
	// client of a parked session to send its next request, until the
	// deadline Resume returned. It reports whether Resume is to be called
	// now; false means the session has ended (timed out or closed). An
	// engine that has no poller of its own waits for its parked sessions
	// this way, on a new goroutine whose stack has not grown.
	Wait() bool
}

// Mode is how Resume may serve.
type Mode uint8

const (
	// OnWorker: on a worker of the engine's pool, which may block (read a
	// body, wait for a slow reader); Resume returns Done or WaitRead.
	OnWorker Mode = iota

	// Inline: on the goroutine that polls, which serves many connections
	// and must never block. Only sessions opened with
	// SessionOptions.Inline are resumed so: their handler promised not to
	// block. Resume reads and writes without waiting and returns whatever
	// it would have to wait for. The engine watches such a session's
	// descriptor edge-triggered (netpoll.ArmEdge): Resume must not ask
	// for WaitRead before it has seen the socket empty.
	Inline

	// InlineHup is Inline for a session whose report says its peer hung
	// up: a short read does not show the end of the stream, which may be
	// waiting; read until EOF or EAGAIN.
	InlineHup

	// Drain: the engine has stopped; serve to the end on the calling
	// goroutine, never park (Done only).
	Drain

	// Accepted: a new session of an Inline engine, opened on the
	// goroutine that accepts connections: read nothing, serve nothing,
	// get ready to be resumed Inline, and return WaitRead with the
	// deadline of the first request (or Done).
	Accepted
)

// Next is what Resume asks of the engine: see Session.Resume.
type Next uint8

const (
	Done Next = iota
	WaitRead
	WaitWrite
	ToWorker
	Again
)

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

	// WaitWrite says that the engine can wait for the socket to take more
	// output (Resume may return WaitWrite OnWorker too, between requests).
	WaitWrite bool

	// Inline says that the engine resumes the session Inline once it has
	// parked (see Mode); it serves its first request OnWorker.
	Inline bool

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
