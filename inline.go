package strand

// This file is how the epoll engine serves a connection on its poller
// goroutine itself, with no hand-off to a worker: what Server.Handler
// marked NonBlocking allows (see engine.Mode Inline).
//
// A connection served so is a released one (idle_linux.go): a bare,
// non-blocking descriptor that belongs to the conn alone, which no one
// else closes, and that the Go runtime's own poller does not watch. The
// engine watches it edge-triggered, so a busy connection costs no
// epoll_ctl per request, and Resume(Inline) serves it:
//
//	epoll reports fd ──> read(2) what is there (readInline)
//	                     parse every complete head (readRequest)
//	                     run the handler, here, on the poller
//	                     write(2) what the socket takes (flushNow)
//	                     ──> WaitRead: nothing more to read
//
// Nothing on that path waits. Where a connection would have to, it goes
// back to the engine with what it waits for instead:
//
//   - the rest of a head: WaitRead, keeping its buffer, until the head's
//     ReadHeaderTimeout (a slow client holds a buffer, never a goroutine);
//   - a socket that takes no more output: WaitWrite (EPOLLOUT), keeping
//     the output queued in wbuf, until WriteTimeout; no request is read
//     meanwhile (backpressure: a client that does not read its responses
//     cannot make the server queue more of them);
//   - a request whose body is not all buffered yet, or that waits for
//     100 Continue: ToWorker, and a pool worker runs its handler, with
//     blocking reads, as in the other modes;
//   - closing with a response still queued, or lingering (RFC 9112 §9.6):
//     ToWorker too.
//
// A handler that needs to block after all (reads more body than came,
// writes more than maxInlineQueue to a slow reader, hijacks) is not
// refused: the connection leaves the poller on the spot (leaveInline),
// getting its net.Conn back, and the rest of that handler blocks the
// poller as it would block a worker; the connection then moves on to a
// worker. That is the price of a broken promise, paid by the connections
// of that poller for that long, never by losing a request.
//
// A poller serves at most maxInlineRequests of one connection's pipelined
// requests in a turn (Again), so that one client cannot keep the others
// of its poller waiting.

import (
	"os"
	"syscall"
	"time"

	"github.com/strandhttp/strand/internal/engine"
)

const (
	// maxInlineRequests is how many pipelined requests of one connection
	// a poller serves before it turns to the others.
	maxInlineRequests = 32

	// maxInlineQueue bounds the output queued for a slow reader by a
	// handler running Inline: beyond it, the connection leaves the poller
	// and the handler's writes block.
	maxInlineQueue = 256 << 10
)

// Values of conn.closing.
const (
	closeNone   uint8 = iota
	closeFlush        // send what is queued, then close
	closeLinger       // the same, then linger (see closeConn)
)

// NonBlocking marks h as a handler that never blocks: it does not wait
// for anything (locks held long, network calls, disk, timers, channels)
// and answers from what it has. On the epoll engine (Server.Engine
// "epoll", Linux), the requests it serves then run on the poller
// goroutine that read them, with no hand-off to a pool worker: the
// fastest way there is to serve small requests, and how the engine's
// benchmarks are run. Requests with a body that has not all arrived with
// the head are still served on a worker. On the goroutine engine the mark
// changes nothing.
//
// A marked handler that blocks after all stalls the other connections of
// its poller for as long; one that reads a body or hijacks the connection
// is moved off the poller first (see inline.go), and one that writes a
// large response to a slow reader queues up to 256 KiB of it without
// waiting.
func NonBlocking(h Handler) Handler { return nonBlocking{h} }

type nonBlocking struct{ Handler }

// isNonBlocking reports whether h was marked with NonBlocking.
func isNonBlocking(h Handler) bool {
	_, ok := h.(nonBlocking)
	return ok
}

// fitsInline reports whether the request just read can be served on the
// poller: it has no body, or all of it is buffered already and the
// client does not wait for 100 Continue before sending it.
func (c *conn) fitsInline() bool {
	b := c.x.body
	return b == nil || !b.chunked && !c.x.expect100 && int64(c.w-c.r) >= b.remaining
}

// waitWrite parks the connection until its socket takes more output, for
// WriteTimeout at most.
func (c *conn) waitWrite() engine.Next {
	c.waitUntil = 0
	if t := c.server.writeTimeout(); t > 0 {
		c.waitUntil = time.Now().Add(t).UnixNano()
	}
	return engine.WaitWrite
}

// leaveInline takes the connection off the poller in the middle of a
// handler: it becomes a net.Conn again, and the rest of the request is
// served with blocking reads and writes (see the top of this file). It
// reports false when the connection cannot go on.
func (c *conn) leaveInline() bool {
	c.inline, c.left, c.blocked = false, true, false
	if !c.reattach() {
		c.closeAfter = true
		return false
	}
	return true
}

// flushNow writes what the socket takes of wbuf now, and keeps the rest
// at its front, setting c.blocked: Inline, and between requests on a
// worker of an engine that waits for the socket (see flushKept). A
// handler running Inline that queues more than maxInlineQueue leaves the
// poller, and the rest is written blocking.
func (c *conn) flushNow() error {
	x := c.x
	for len(x.wbuf) > 0 {
		n, err := c.writeNow()
		if n > 0 {
			rest := copy(x.wbuf, x.wbuf[n:])
			x.wbuf = x.wbuf[:rest]
			// respStart marks where the current response begins, for a
			// handler that panics (see handlerPanicked).
			x.respStart = max(x.respStart-n, 0)
		}
		if err == errWouldBlock {
			c.blocked = true
			if c.inline && x.inHandler && len(x.wbuf) > maxInlineQueue {
				if !c.leaveInline() {
					return errAborted
				}
				return c.flush()
			}
			return nil
		}
		if err != nil {
			x.wbuf = x.wbuf[:0]
			c.closeAfter = true
			return err
		}
	}
	c.blocked = false
	return nil
}

// writeNow writes what the socket takes of wbuf without waiting:
// errWouldBlock when it did not take all of it. Inline through the bare
// descriptor; on a worker through the net.Conn's descriptor, with the
// runtime's lock on it (RawConn.Write), so that a Close cannot slip in.
func (c *conn) writeNow() (int, error) {
	if c.inline {
		return c.writeFD(c.x.wbuf)
	}
	c.rawN, c.rawErr = 0, 0
	if err := c.raw.Write(c.rawWrite); err != nil {
		return 0, err
	}
	switch {
	case c.rawErrno() == syscall.EAGAIN:
		return int(c.rawN), errWouldBlock
	case c.rawErr != 0:
		return 0, os.NewSyscallError("write", c.rawErrno())
	case int(c.rawN) < len(c.x.wbuf):
		return int(c.rawN), errWouldBlock // the send buffer is full
	}
	return int(c.rawN), nil
}

// flushKept sends wbuf once the handler has returned, for a connection
// that lives on. On a worker of an engine that can wait for the socket to
// take more (SessionOptions.WaitWrite: the epoll engine), a slow reader
// does not hold the worker: what the socket does not take now stays
// queued (no more than a finished response, whose body was held back
// whole), c.blocked is set, and readRequest parks the connection
// (WaitWrite) until the socket can take more, for WriteTimeout at most.
// While the handler runs, and for closing, writes block as they must.
func (c *conn) flushKept() error {
	if c.inline || !c.waitsWrite || !c.parking || c.raw == nil || c.x == nil || len(c.x.wbuf) == 0 || c.x.inHandler {
		return c.flush()
	}
	c.armWriteDeadline()
	return c.flushNow()
}

// readInline reads what the socket has into p, without waiting:
// errWouldBlock when it has nothing, or when the last read left it empty
// (c.drained), which saves the read that would only say so: the
// edge-triggered poller reports the descriptor again if bytes came
// meanwhile. Not when the peer hung up (c.hup): then the end of the
// stream may wait behind the bytes, with no report to come for it.
func (c *conn) readInline(p []byte) (int, error) {
	if c.drained {
		return 0, errWouldBlock
	}
	n, err := c.readFD(p)
	if err == errWouldBlock {
		c.drained = true
	} else if err == nil {
		c.drained = n < len(p) && !c.hup
	}
	return n, err
}
