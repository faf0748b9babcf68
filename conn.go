package strand

// This file is the HTTP/1.x connection loop: read a head, frame the body,
// run the handler, finish the response, decide whether the connection
// lives on. One goroutine (from the engine's pool) owns a conn and
// everything in it, except the fields marked otherwise.
//
// Buffers. rbuf holds bytes read from the socket: [r, w) is what has not
// been consumed yet, which after a request may already be the next,
// pipelined, request. A complete head is copied out of rbuf into the
// Request's own raw buffer, which the Request's strings alias; rbuf is
// then free to be compacted and refilled while the handler reads the body.
// wbuf holds output on its way to the socket (see response.go).

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/debug"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/strandhttp/strand/internal/engine"
	"github.com/strandhttp/strand/internal/http1"
)

const (
	initialReadBuffer = 4 << 10
	deadlineSlack     = time.Second // deadlines are moved at most once a second
	lingerTimeout     = 500 * time.Millisecond
	maxLingerBytes    = 256 << 10
)

// Connection states, for Shutdown: only idle connections are closed early.
const (
	stateNew int32 = iota // accepted, no request byte yet
	stateActive
	stateIdle // between requests, waiting for the next one
)

type conn struct {
	server     *Server
	rwc        net.Conn
	remoteAddr string
	tlsState   *tls.ConnectionState

	// The read buffer and the per-request state (x, with the write buffer)
	// come from the server's pools and go back to them whenever the
	// connection waits for a request with nothing buffered (see idle.go):
	// rbuf and x are then nil. x is held whenever rbuf is: from the first
	// byte of a request on. What stays is what an idle connection needs.
	rbuf  []byte // read buffer; rbuf[r:w] is unconsumed input
	r, w  int
	x     *exchange // the request being served; nil while idle
	req   *Request  // &x.request while x is held
	resp  *response // &x.response while x is held
	wsize int32     // capacity to take the next write buffer at (see releaseExchange)
	fd    int32     // the descriptor, for the epoll engine

	// Raw reads while idle (idle.go). raw is nil when rwc has no file
	// descriptor to read from directly (TLS): one byte is read into one.
	raw      syscall.RawConn
	rawRead  func(fd uintptr) bool // c.readRaw, bound once
	rawWrite func(fd uintptr) bool // c.writeRaw, bound once (flushKept)
	detach   func()                // removes the connection from an event engine; nil otherwise

	// Waiting for a request as a Session (idle.go, waitFor).
	parkAfter time.Duration // how long a lingering wait lasts here; immutable after OpenSession
	idleSince int64         // when the current wait for a request began (see nanos)
	waitUntil int64         // when it ends (0: never); the engine's to enforce while parked
	headStart int64         // when the current head's ReadHeaderTimeout began (see nanos); 0: not yet

	requests     int
	readDeadline int64        // last deadline set, to skip needless updates (see nanos)
	writeDeadln  int64        // likewise
	accepted     int64        // when accept returned (see nanos); immutable
	state        atomic.Int32 // stateNew, stateActive or stateIdle; read by Shutdown
	rawN         int32        // bytes readRaw read, or writeRaw wrote
	rawErr       int32        // their system call's errno (see rawErrno); none and no byte read is EOF

	closeAfter bool // close once the current response is out
	hijacked   bool
	probe      bool // readRaw returns errWouldBlock instead of waiting
	parking    bool // run returns readPark instead of waiting long (a Session)
	lingering  bool // the last request came soon after its wait began: wait here first
	parked     bool // run returned readPark: the next wait resumes that one
	reported   bool // resumed from a park, so bytes are on the socket (readIdle, TLS)
	released   bool // parked, holding fd but no rwc (idle_linux.go); rwc is written under server.mu
	mayRelease bool // the engine watches released connections; immutable after OpenSession
	waitsWrite bool // the engine can wait for the socket to take output (flushKept); likewise

	// Serving on the poller (inline.go).
	inlineOK bool  // the engine resumes this session Inline; immutable after OpenSession
	inline   bool  // this Resume is Inline: reads and writes never wait
	drained  bool  // Inline: the last read left the socket empty; do not read again
	hup      bool  // Inline: the peer hung up; a short read does not mean empty
	blocked  bool  // wbuf holds output the socket would not take (flushNow); the connection waits for it
	left     bool  // Inline: a handler needed to block and the connection left the poller
	started  bool  // a request is read and framed, its handler still to run (handed to a worker)
	closing  uint8 // closeFlush or closeLinger: closing was handed to a worker
	one      [1]byte
}

func newConn(s *Server, rwc net.Conn) *conn {
	c := &conn{server: s, rwc: rwc, accepted: time.Now().UnixNano()}
	c.initRaw()
	return c
}

// serve runs the connection on the calling goroutine until it closes or
// is hijacked: the goroutine engine's way.
func (c *conn) serve() {
	defer func() { c.end(recover()) }()
	if c.start() {
		c.run()
	}
}

// start completes the TLS handshake, if any, and records the peer.
func (c *conn) start() bool {
	if !c.handshake() {
		return false
	}
	c.remoteAddr = c.rwc.RemoteAddr().String()
	return true
}

// run serves requests until the connection is done (engine.Done), or,
// when c.parking, until it waits for a request with nothing buffered and
// asks to be parked (see waitFor): then it returns engine.WaitRead
// holding no buffer, and the engine calls it again once bytes arrive.
// Inline (inline.go), it also returns when what comes next would block.
func (c *conn) run() engine.Next {
	served := 0
	for {
		if c.started {
			c.started = false // read and framed by an Inline run
		} else {
			switch c.readRequest() {
			case readPark:
				return engine.WaitRead
			case readParkWrite:
				return c.waitWrite()
			case readClose:
				return c.closed()
			}
			if c.inline && !c.fitsInline() {
				c.started = true
				return engine.ToWorker
			}
		}
		c.runHandler()
		if !c.finishRequest() {
			return c.closed()
		}
		if c.left {
			c.left = false // served by blocking, on the poller: on to a worker
			return engine.ToWorker
		}
		if c.blocked {
			return c.waitWrite() // see flushKept
		}
		if c.inline {
			if served++; served == maxInlineRequests && c.r < c.w {
				return engine.Again
			}
		}
	}
}

// closed is what run returns once the connection is done: Done, or, when
// an Inline run could not finish closing without waiting, ToWorker.
func (c *conn) closed() engine.Next {
	if c.closing != closeNone && c.inline {
		return engine.ToWorker
	}
	c.closing = closeNone
	return engine.Done
}

// end closes the connection, unless it was hijacked, gives its buffers
// back and stops tracking it. p is a recovered panic: nothing that comes
// from the network may panic the process, so a panic here is a bug,
// logged and answered by closing this one connection.
func (c *conn) end(p any) {
	if p != nil {
		c.server.logger().Error("strand: internal error serving connection",
			"remote", c.remoteAddr, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
	}
	switch {
	case c.released:
		// No one else may close fd: forgotten first, so that Shutdown no
		// longer sees it (see closeIdleConns).
		c.server.forgetConn(c)
		c.closeReleased()
		if p == nil {
			if c.x != nil {
				c.recycle()
			}
			c.releaseExchange()
			c.releaseBuffers()
		}
		return
	case !c.hijacked:
		c.rwc.Close()
		if p == nil {
			c.releaseExchange()
			c.releaseBuffers()
		}
	}
	c.server.forgetConn(c)
}

// handshake completes TLS on a TLS connection, bounded by the
// read-header timeout.
func (c *conn) handshake() bool {
	tc, ok := c.rwc.(*tls.Conn)
	if !ok {
		return true
	}
	_ = tc.SetDeadline(time.Now().Add(c.server.readHeaderTimeout()))
	if err := tc.Handshake(); err != nil {
		return false
	}
	_ = tc.SetDeadline(time.Time{})
	st := tc.ConnectionState()
	c.tlsState = &st
	return true
}

// Results of readRequest.
const (
	readOK        = iota // a request head was read: run the handler
	readClose            // the connection is done
	readPark             // idle with nothing buffered, and c.parking, or Inline with a partial head: return to the engine (idle.go)
	readParkWrite        // output waits for the socket to take it: Inline, or between requests (flushKept, inline.go)
)

// readRequest reads and parses the next request head, framing its body.
// It returns readClose when the connection is done: closed by the client,
// timed out, or answered with an error.
func (c *conn) readRequest() int {
	if c.x != nil {
		c.req.reset()
		c.x.parser.Reset()
	}
	s := c.server
	n := 0
	for {
		if c.r < c.w {
			var err error
			n, err = c.x.parser.Scan(c.rbuf[c.r:c.w])
			if err == nil {
				break
			}
			if err != http1.ErrNeedMore {
				c.replyParseError(err, c.rbuf[c.r:c.w])
				return readClose
			}
		}
		// Responses to pipelined requests wait in wbuf only while complete
		// requests remain to be served. Before blocking for more input, send
		// them: the client may wait for them before it completes the next
		// request, and a stray CRLF after a body (RFC 9112 §2.2) is not a
		// request at all.
		if err := c.flushKept(); err != nil {
			return readClose
		}
		if c.blocked {
			return readParkWrite // not another request in before they leave
		}
		switch {
		case c.r < c.w && c.headStart == 0:
			// ReadHeaderTimeout runs from the head's first byte, or for a
			// connection's first request from accept: a client that
			// connects and trickles gets one timeout in all, not two.
			headStart := time.Now()
			if c.requests == 0 {
				headStart = fromNanos(c.accepted)
			}
			c.headStart = headStart.UnixNano()
			c.setReadDeadline(deadlineAfter(headStart, s.readHeaderTimeout()), 0)
		case c.r == c.w && c.requests == 0:
			t := s.readHeaderTimeout()
			c.waitFor(time.Time{}, deadlineAfter(fromNanos(c.accepted), t), t)
		case c.r == c.w:
			c.state.Store(stateIdle)
			if s.shuttingDown() {
				return readClose
			}
			now, t := time.Now(), s.idleTimeout()
			c.waitFor(now, deadlineAfter(now, t), t)
		}
		var m int
		var err error
		if c.r == c.w {
			// Nothing buffered: wait holding no buffer (idle.go).
			m, err = c.readIdle()
			if err == errWouldBlock {
				return c.park()
			}
		} else {
			if !c.makeRoom() {
				c.replyParseError(&http1.Error{Status: StatusRequestHeaderFieldsTooLarge, Reason: "request header fields too large"}, c.rbuf[c.r:c.w])
				return readClose
			}
			if c.inline {
				m, err = c.readInline(c.rbuf[c.w:])
				if err == errWouldBlock {
					// The rest of the head waits in the engine, with the
					// buffer, until the head's deadline.
					c.parked = false
					c.waitUntil = nanos(deadlineAfter(fromNanos(c.headStart), s.readHeaderTimeout()))
					return readPark
				}
			} else {
				m, err = c.rwc.Read(c.rbuf[c.w:])
			}
		}
		c.w += m
		if m > 0 {
			c.state.Store(stateActive)
		}
		if err != nil && m == 0 {
			if c.parking && c.r == c.w && isTimeout(err) && c.readDeadline != c.waitUntil {
				return c.park() // lingered parkAfter: the engine takes the rest of the wait
			}
			if isTimeout(err) && c.r < c.w {
				c.replyParseError(errHeadTimeout, c.rbuf[c.r:c.w])
			}
			return readClose
		}
	}
	if !c.startRequest(n) {
		return readClose
	}
	return readOK
}

// makeRoom ensures rbuf has space after w: it rewinds an empty buffer,
// moves a partial head to the front, or grows the buffer up to the head
// size limit. It reports false when the head cannot fit.
func (c *conn) makeRoom() bool {
	if c.r == c.w {
		c.r, c.w = 0, 0
	}
	if c.w < len(c.rbuf) {
		return true
	}
	if c.r > 0 {
		c.w = copy(c.rbuf, c.rbuf[c.r:c.w])
		c.r = 0
		return true
	}
	limit := c.x.parser.Limits.MaxHeaderBytes + 2*c.x.parser.Limits.MaxRequestLine
	if len(c.rbuf) >= limit {
		return false
	}
	nb := make([]byte, min(2*len(c.rbuf), limit))
	copy(nb, c.rbuf[:c.w])
	c.rbuf = nb
	return true
}

// startRequest copies the n-byte head out of rbuf, parses it into c.req
// and sets up the body. It answers errors itself and returns false for them.
func (c *conn) startRequest(n int) bool {
	s := c.server
	c.acquireExchange()
	req := c.req
	req.raw = append(req.raw[:0], c.rbuf[c.r:c.r+n]...)
	c.r += n
	c.headStart = 0
	if err := http1.ParseHead(req.raw, &req.head, c.x.parser.Limits); err != nil {
		c.replyParseError(err, req.raw)
		return false
	}
	req.fill(&req.head)
	c.requests++
	c.resp.reset(req)
	c.x.body = nil
	c.x.bodyErr = nil
	c.x.respStart = len(c.x.wbuf)
	c.x.expect100, c.x.continueSent = req.head.Expect100, false
	c.closeAfter = req.Close || s.shuttingDown() ||
		s.MaxRequestsPerConn > 0 && c.requests >= s.MaxRequestsPerConn
	if req.ContentLength > s.maxBodyBytes() {
		// Refused before a byte of it is read (RFC 9110 §15.5.14); the
		// client may be sending it, so the connection closes.
		c.closeAfter = true
		c.resp.sendError(StatusRequestEntityTooLarge, "request body too large")
		c.closeConn(true)
		return false
	}
	if req.ContentLength != 0 {
		c.x.body = &body{c: c, req: req, chunked: req.head.Chunked,
			remaining: req.ContentLength, limit: s.maxBodyBytes()}
		req.Body = c.x.body
	} else {
		req.Body = noBody{}
	}
	return true
}

// runHandler calls the handler, recovering a panic.
func (c *conn) runHandler() {
	c.x.inHandler = true
	defer func() {
		c.x.inHandler = false
		if p := recover(); p != nil {
			c.handlerPanicked(p)
		}
	}()
	c.server.handler().ServeHTTP(c.resp, c.req)
}

// handlerPanicked logs a handler's panic and answers 500 when nothing has
// been committed; otherwise the response is cut short by closing.
func (c *conn) handlerPanicked(p any) {
	if p != ErrAbortHandler {
		c.server.logger().Error("strand: panic serving request",
			"remote", c.remoteAddr, "method", c.req.Method, "target", c.req.Target,
			"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
	}
	c.closeAfter = true
	if c.hijacked {
		return
	}
	if c.resp.committed || p == ErrAbortHandler {
		// Whatever of this response is still in wbuf is dropped, so that a
		// response that happens to look complete never reaches the client
		// as if it were; what was flushed already is cut short by closing.
		c.resp.err = errAborted
		if c.x.respStart <= len(c.x.wbuf) {
			c.x.wbuf = c.x.wbuf[:c.x.respStart]
		}
		return
	}
	c.resp.reset(c.req)
	c.resp.sendError(StatusInternalServerError, "internal server error")
}

var errAborted = errors.New("strand: handler aborted")

// errHeadTimeout answers a head that did not complete within
// ReadHeaderTimeout (RFC 9110 §15.5.9), whether a read timed out on a
// worker or the engine's wheel expired a parked partial head.
var errHeadTimeout = &http1.Error{Status: StatusRequestTimeout, Reason: "timed out reading the request head"}

// finishRequest completes the response and prepares the connection for
// the next request. It returns false when the connection must close.
func (c *conn) finishRequest() bool {
	if c.hijacked {
		// The connection is the handler's now, but the request still ends
		// with ServeHTTP: its context is cancelled, which also releases it
		// from the server's base context (it would stay there otherwise).
		c.recycle()
		return false
	}
	c.stopWatching()
	b := c.x.body
	if b != nil && b.err == nil && !c.willDrain(b) {
		// Decided before the head is written, so that it says "Connection:
		// close": a client waiting for 100 Continue then knows not to send
		// the body (RFC 9110 §10.1.1; net/http sends it otherwise), and no
		// client reuses a connection the server is about to close.
		c.closeAfter = true
	}
	if c.resp.err != errAborted {
		c.resp.finish()
	}
	if b != nil {
		if !c.closeAfter && !b.drain(c.server.maxDrainBytes()) {
			c.closeAfter = true
		}
		b.closed = true
	}
	c.recycle()
	if c.closeAfter || c.resp.err != nil {
		c.closeConn(c.r < c.w || c.x.body != nil && c.x.body.err == nil)
		return false
	}
	if c.r == c.w || len(c.x.wbuf) >= writeBufferLimit {
		// Nothing pipelined is waiting: send now. Otherwise the next
		// response joins this one in a single write.
		if err := c.flushKept(); err != nil {
			return false
		}
	}
	return true
}

// willDrain reports whether the unread rest of body b will be read and
// discarded after the handler, keeping the connection: not when the client
// waits for a 100 Continue that was never sent (it may never send the
// body), nor when more than MaxDrainBytes are declared to come.
func (c *conn) willDrain(b *body) bool {
	switch {
	case c.closeAfter, c.x.expect100 && !c.x.continueSent:
		return false
	case b.chunked:
		return true // its size is learnt by draining, up to the limit
	}
	return b.remaining <= c.server.maxDrainBytes()
}

// closeConn sends what is buffered and closes. When input may still be
// arriving (an unread body, a request refused mid-stream), it closes the
// write side first and reads for a moment, so that the client receives the
// response instead of a reset (RFC 9112 §9.6).
func (c *conn) closeConn(linger bool) {
	if err := c.flush(); err != nil {
		return
	}
	if c.inline {
		// Waiting for the output to leave, or lingering, is a worker's
		// job (run returns ToWorker, then Resume calls closeConn again).
		switch {
		case linger:
			c.closing = closeLinger
		case c.blocked:
			c.closing = closeFlush
		}
		return
	}
	tc, ok := c.rwc.(interface{ CloseWrite() error })
	if !ok || !linger {
		return
	}
	_ = tc.CloseWrite()
	_ = c.rwc.SetReadDeadline(time.Now().Add(lingerTimeout))
	_, _ = io.CopyN(io.Discard, c.rwc, maxLingerBytes)
}

// replyParseError answers a request that could not be parsed and marks
// the connection for closing: its framing is unknown. head is the refused
// head, as far as it came: the answer to one that begins "HEAD " has no
// content (RFC 9110 §9.3.2), whatever else in it was wrong.
func (c *conn) replyParseError(err error, head []byte) {
	status, reason := StatusBadRequest, "bad request"
	var pe *http1.Error
	if errors.As(err, &pe) {
		status, reason = pe.Status, pe.Reason
	}
	for len(head) >= 2 && head[0] == '\r' && head[1] == '\n' {
		head = head[2:] // empty lines before the request line (RFC 9112 §2.2)
	}
	isHead := bytes.HasPrefix(head, []byte("HEAD "))
	c.closeAfter = true
	c.acquireExchange()
	c.resp.reset(c.req)
	c.req.Method = "GET"
	if isHead {
		c.req.Method = "HEAD"
	}
	c.req.ProtoMinor = 1
	c.resp.sendError(status, reason)
	c.closeConn(true)
}

// sendContinue sends "100 Continue" the first time the handler reads a
// body whose client waits for it (RFC 9110 §10.1.1).
func (c *conn) sendContinue() {
	if c.x.expect100 && !c.x.continueSent && !c.resp.committed {
		c.x.continueSent = true
		c.x.wbuf = append(c.x.wbuf, "HTTP/1.1 100 Continue\r\n\r\n"...)
		_ = c.flush()
	}
}

// readBody reads body bytes from the socket into p, moving the read
// deadline to ReadTimeout from now.
func (c *conn) readBody(p []byte) (int, error) {
	if c.inline && !c.leaveInline() {
		return 0, io.ErrUnexpectedEOF
	}
	if t := c.server.readTimeout(); t > 0 {
		c.setReadDeadline(time.Now().Add(t), t)
	} else {
		c.setReadDeadline(time.Time{}, 0)
	}
	n, err := c.rwc.Read(p)
	if err != nil {
		c.closeAfter = true
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
	}
	return n, err
}

// setReadDeadline moves the read deadline to t, timeout from now; a zero
// timeout asks for t exactly. Otherwise a later deadline within
// slack(timeout) of the current one is left as it is: keep-alive traffic
// then costs one timer update a second, not one a request.
func (c *conn) setReadDeadline(t time.Time, timeout time.Duration) {
	n := nanos(t)
	if timeout > 0 && c.readDeadline != 0 && n >= c.readDeadline &&
		n-c.readDeadline < int64(slack(timeout)) {
		return
	}
	if n == c.readDeadline || c.rwc == nil { // released: the engine's wheel keeps time
		return
	}
	c.readDeadline = n
	_ = c.rwc.SetReadDeadline(t)
}

// nanos is t in nanoseconds since the Unix epoch, 0 for the zero time: the
// times a conn keeps take 8 bytes each this way, not a time.Time's 24, in
// a struct that every idle connection holds. fromNanos is the reverse.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// deadlineAfter is start+timeout, or no deadline for a negative timeout
// (disabled).
func deadlineAfter(start time.Time, timeout time.Duration) time.Time {
	if timeout < 0 {
		return time.Time{}
	}
	return start.Add(timeout)
}

// slack is how much earlier than asked a moved deadline may stay:
// deadlineSlack, or an eighth of a shorter timeout. A fixed second would
// never move the deadline of a sub-second timeout while bytes flow, failing
// a steady upload or download after one timeout in all; this way a timeout
// is never cut below seven eighths of itself.
func slack(timeout time.Duration) time.Duration { return min(deadlineSlack, timeout/8) }

// flush writes wbuf to the socket.
func (c *conn) flush() error {
	if c.x == nil || len(c.x.wbuf) == 0 {
		return nil
	}
	if c.inline {
		return c.flushNow()
	}
	c.armWriteDeadline()
	_, err := c.rwc.Write(c.x.wbuf)
	c.x.wbuf = c.x.wbuf[:0]
	c.blocked = false
	if err != nil {
		c.closeAfter = true
	}
	return err
}

// writeDirect writes wbuf and then p, with one system call when the
// connection supports vectored writes.
func (c *conn) writeDirect(p []byte) error {
	if c.inline {
		c.x.wbuf = append(c.x.wbuf, p...)
		return c.flushNow()
	}
	c.armWriteDeadline()
	bufs := net.Buffers{c.x.wbuf, p}
	_, err := bufs.WriteTo(c.rwc)
	c.x.wbuf = c.x.wbuf[:0]
	if err != nil {
		c.closeAfter = true
	}
	return err
}

// armWriteDeadline gives the coming write WriteTimeout to make progress.
func (c *conn) armWriteDeadline() {
	t := c.server.writeTimeout()
	if t <= 0 {
		return
	}
	d := time.Now().Add(t)
	n := d.UnixNano()
	if c.writeDeadln != 0 && n-c.writeDeadln < int64(slack(t)) {
		return
	}
	c.writeDeadln = n
	_ = c.rwc.SetWriteDeadline(d)
}

// recycle ends the request's lifetime: its context is cancelled and, in
// strand_debug builds, its memory poisoned.
func (c *conn) recycle() {
	if c.req.cancel != nil {
		c.req.cancel()
	}
	if debugPoison {
		poison(c.req.raw)
		poison(c.req.pathBuf)
	}
}

// bodyDone is called when the request body has been read to its end.
func (c *conn) bodyDone(r *Request) {
	if r.ctx != nil {
		c.startWatching()
	}
}

// watchClient arranges for r's context to be cancelled if the client goes
// away while the handler runs. It can only listen once the body has been
// read: until then the bytes on the wire are the handler's.
func (c *conn) watchClient(r *Request) {
	if c.x.body == nil || c.x.body.err == io.EOF {
		c.startWatching()
	}
}

// startWatching starts a background read. Whatever it reads (the next
// pipelined request, usually nothing) is kept; an error or EOF means the
// client is gone, and cancels the request's context.
func (c *conn) startWatching() {
	if c.x.bgActive || c.hijacked || c.r < c.w {
		return // bytes already buffered: the client was alive just now
	}
	if c.inline {
		return // on the poller nothing may wait: the handler promised not to
	}
	if !c.x.inHandler {
		// A body drained to its end after the handler returned: the
		// connection reads the next request itself, and a background read
		// started now would race it for the bytes.
		return
	}
	c.r, c.w = 0, 0
	c.x.bgActive = true
	c.x.bgAbort.Store(false)
	c.x.bgDone = make(chan struct{})
	cancel := c.req.cancel
	_ = c.rwc.SetReadDeadline(time.Time{})
	c.readDeadline = 0
	go func() {
		defer close(c.x.bgDone)
		c.x.bgN, c.x.bgErr = c.rwc.Read(c.rbuf)
		if c.x.bgErr != nil && !c.x.bgAbort.Load() && cancel != nil {
			cancel()
		}
	}()
}

// stopWatching ends the background read and takes over what it read.
func (c *conn) stopWatching() {
	if !c.x.bgActive {
		return
	}
	c.x.bgAbort.Store(true)
	_ = c.rwc.SetReadDeadline(aLongTimeAgo)
	<-c.x.bgDone
	c.x.bgActive = false
	c.w += c.x.bgN
	c.readDeadline = nanos(aLongTimeAgo)
	if c.x.bgErr != nil && !isTimeout(c.x.bgErr) {
		c.closeAfter = true
	}
}

var aLongTimeAgo = time.Unix(1, 0)

func isTimeout(err error) bool {
	return errors.Is(err, os.ErrDeadlineExceeded)
}

// hijack detaches the connection from the server.
func (c *conn) hijack() (net.Conn, *bufio.ReadWriter, error) {
	if c.inline {
		// The handler gets a net.Conn, and what is queued leaves first.
		if !c.leaveInline() {
			return nil, nil, ErrNotHijackable
		}
		if err := c.flush(); err != nil {
			return nil, nil, err
		}
	}
	c.stopWatching()
	c.hijacked = true
	if c.detach != nil {
		c.detach() // out of the epoll engine's interest list
	}
	c.server.forgetConn(c)
	_ = c.rwc.SetDeadline(time.Time{})
	hc := &hijackedConn{Conn: c.rwc, pending: c.rbuf[c.r:c.w]}
	c.rbuf, c.r, c.w = nil, 0, 0
	return hc, bufio.NewReadWriter(bufio.NewReader(hc), bufio.NewWriter(hc)), nil
}

// hijackedConn returns bytes the server had already read before reading
// from the connection.
type hijackedConn struct {
	net.Conn
	pending []byte
}

func (h *hijackedConn) Read(p []byte) (int, error) {
	if len(h.pending) > 0 {
		n := copy(p, h.pending)
		h.pending = h.pending[n:]
		return n, nil
	}
	return h.Conn.Read(p)
}
