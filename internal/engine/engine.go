// Package engine drives connections: it accepts them from a listener and
// hands each to a ConnHandler on some goroutine. The HTTP work lives in the
// handler; an engine only decides how connections meet goroutines.
//
// Today there is one engine, Goroutine: one goroutine per connection, taken
// from a FILO pool of parked workers so that a busy server reuses warm
// goroutines (and their grown stacks) instead of starting new ones.
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
