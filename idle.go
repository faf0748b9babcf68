package strand

// This file is how a connection waits between requests without holding
// memory it does not need.
//
// While a request is served, a conn holds a read buffer (rbuf) and an
// exchange: the Request, the response, the write buffer (x.wbuf) and the
// rest of the per-request state. Both come from the Server's pools. When
// the connection reaches the point where it waits for the next request
// with nothing buffered (no unread input, wbuf flushed), readIdle gives
// both back before it waits, and takes them again only once bytes have
// arrived. (A busy connection, one that lingers for its next request in
// place, keeps them for that wait, at most parkAfter: see readIdle.) A
// long-idle keep-alive connection is then the conn struct (256 bytes:
// what is left in it is what waiting needs), the runtime's state for its
// descriptor, and on the goroutine engine a goroutine with a small stack
// (see below); on the epoll engine, no goroutine, and after a while not
// even the runtime's state (idle_linux.go).
//
// Waiting without a buffer needs a read that can be started without one.
// On Unix, readIdle uses syscall.RawConn.Read: the callback (readRaw)
// takes a buffer from the pool and reads with read(2); on EAGAIN it puts
// the buffer back and returns false, so the runtime parks the goroutine
// until the descriptor is readable and calls it again. That is exactly as
// many system calls as a plain Read, and a warm pool allocates nothing.
// Deadlines and Close interrupt the wait as they interrupt a Read.
//
// A conn served as an engine.Session (c.parking) does not wait long on
// the goroutine that runs it: it returns readPark and the engine takes the
// wait over, the epoll engine by watching the descriptor in its epoll
// instance (no goroutine at all), the goroutine engine on a new goroutine
// whose stack is small (the one that ran the handler has a grown stack,
// which only a garbage collection would shrink). How long it waits first
// is waitFor's choice: a connection whose last request came soon after its
// wait began (c.lingering: a busy keep-alive client, wrk's for instance)
// waits up to parkAfter, so that a busy connection never pays the
// hand-offs of parking; any other (a new one, one whose client paused)
// parks at once if no byte is waiting. With c.probe set, readRaw does not
// wait: EAGAIN comes back as errWouldBlock.
//
// A connection whose net.Conn has no descriptor to read from directly,
// TLS above all (crypto/tls may hold decrypted bytes the socket no longer
// shows), waits by reading one byte into conn.one and takes the read
// buffer after it: tls.Conn keeps the rest of the record, so the next
// Read costs no system call. Parking one (the engines watch the
// descriptor beneath crypto/tls) first asks crypto/tls whether it holds
// bytes already: see readIdle.

import (
	"errors"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/strandhttp/strand/internal/bufpool"
	"github.com/strandhttp/strand/internal/http1"
)

// testHookPark, set by tests only, sees each connection as it parks, on
// the connection's goroutine.
var testHookPark atomic.Pointer[func(*conn)]

// errWouldBlock is readIdle's answer, in probe mode, when no byte is
// waiting.
var errWouldBlock = errors.New("strand: read would block")

// exchange is the per-request state of a connection, pooled by the Server
// and held by a conn from a request's first byte until it idles.
type exchange struct {
	request  Request
	response response
	wbuf     []byte       // output on its way to the socket (response.go)
	parser   http1.Parser // its Limits are set once, when the exchange is made
	body     *body        // the current request's body, nil when it has none
	bodyErr  error        // why the body failed, answered if the handler wrote nothing

	respStart    int  // where the current response begins in wbuf
	expect100    bool // the client waits for 100 Continue before sending the body
	continueSent bool
	inHandler    bool // ServeHTTP is running: client-gone detection may start

	// Client-gone detection while a handler runs (see watchClient).
	bgActive bool
	bgDone   chan struct{}
	bgN      int
	bgErr    error
	bgAbort  atomic.Bool

	scratch [512]byte // drain target for unread bodies
	copyBuf []byte    // for ReadFrom's copies; nil until needed
}

// pools are the Server's recycled buffers and exchanges. The zero value is
// ready to use.
type pools struct {
	bufs      bufpool.Pool
	exchanges sync.Pool // *exchange
}

// acquireExchange gives c an exchange, its parser reset, and a write
// buffer, if it has none.
func (c *conn) acquireExchange() {
	if c.x != nil {
		return
	}
	x, _ := c.server.pools.exchanges.Get().(*exchange)
	if x == nil {
		x = new(exchange)
		x.parser.Limits = c.server.limits()
	}
	x.parser.Reset()
	x.request.conn = c
	x.request.RemoteAddr = c.remoteAddr
	x.request.TLS = c.tlsState
	x.response.c = c
	x.wbuf = c.server.pools.bufs.Get(int(c.wsize))[:0]
	c.x, c.req, c.resp = x, &x.request, &x.response
}

// releaseExchange gives c's exchange and write buffer back to the pools;
// the write buffer must hold nothing that is still needed. The request
// has ended: its context is cancelled and nothing of it may be used any
// more. The next write buffer is taken at the size this one grew to (up
// to 32 KiB), so that a connection whose responses need a large one does
// not grow a small one again every request.
func (c *conn) releaseExchange() {
	x := c.x
	if x == nil {
		return
	}
	c.x, c.req, c.resp = nil, nil, nil
	c.wsize = int32(min(cap(x.wbuf), 32<<10))
	c.server.pools.bufs.Put(x.wbuf)
	x.wbuf = nil
	x.body, x.bodyErr = nil, nil
	x.request.reset()
	x.request.conn, x.request.RemoteAddr, x.request.TLS = nil, "", nil
	x.response.c, x.response.req = nil, nil
	c.server.pools.exchanges.Put(x)
}

// releaseBuffers gives rbuf back to the pool; it must hold nothing that is
// still needed.
func (c *conn) releaseBuffers() {
	if c.rbuf != nil {
		c.server.pools.bufs.Put(c.rbuf)
		c.rbuf = nil
	}
	c.r, c.w = 0, 0
}

// readIdle waits for the first bytes of the next request holding no buffer
// and reads them into a fresh rbuf. It returns errWouldBlock instead of
// waiting when c.probe (see waitFor).
//
// A lingering connection (see waitFor) is the exception: it waits for
// parkAfter at most, and its next request most often comes within
// microseconds, so it keeps its buffers and exchange for the wait, as
// between pipelined requests, rather than give them back to the pools and
// take them again for every request. It gives them back if the wait ends
// without a byte: then it parks, or closes, holding nothing.
func (c *conn) readIdle() (int, error) {
	if c.lingering && !c.probe && !c.inline && !c.released && c.raw != nil && c.rbuf != nil && c.x != nil {
		c.r, c.w = 0, 0
		n, err := c.rwc.Read(c.rbuf)
		if n > 0 {
			return n, nil
		}
		c.releaseExchange()
		c.releaseBuffers()
		return 0, err
	}
	c.releaseExchange()
	c.releaseBuffers()
	if c.inline {
		if c.drained {
			return 0, errWouldBlock // see readInline
		}
		buf := c.server.pools.bufs.Get(initialReadBuffer)
		n, err := c.readInline(buf)
		if n == 0 {
			c.server.pools.bufs.Put(buf)
			return 0, err
		}
		c.rbuf = buf
		c.acquireExchange()
		return n, nil
	}
	if c.raw == nil {
		// TLS. A probe asks crypto/tls for what it holds already (bytes
		// of a record it has read, decrypted or not) without a look at
		// the socket: a read deadline in the past fails the socket's
		// read before it is tried, and crypto/tls takes a timeout as
		// temporary, its state intact. A session that the engine resumed
		// has bytes on the socket: it reads them.
		probe := c.probe && !c.reported
		c.reported = false
		if probe {
			c.readDeadline = nanos(aLongTimeAgo)
			_ = c.rwc.SetReadDeadline(aLongTimeAgo)
		}
		n, err := c.rwc.Read(c.one[:])
		if n > 0 {
			c.rbuf = c.server.pools.bufs.Get(initialReadBuffer)
			c.rbuf[0] = c.one[0]
			c.acquireExchange()
			return n, nil
		}
		if probe && isTimeout(err) {
			return 0, errWouldBlock
		}
		return n, err
	}
	c.rawN, c.rawErr = 0, 0
	if err := c.raw.Read(c.rawRead); err != nil {
		return 0, err
	}
	switch {
	case c.rawN > 0:
		c.acquireExchange()
		return int(c.rawN), nil
	case c.rawErr == 0:
		return 0, io.EOF
	case c.rawErrno() == syscall.EAGAIN:
		return 0, errWouldBlock
	}
	return 0, os.NewSyscallError("read", c.rawErrno())
}

// rawErrno is the errno readRaw or writeRaw kept, 0 for none.
func (c *conn) rawErrno() syscall.Errno { return syscall.Errno(c.rawErr) }

// waitFor prepares a wait for the next request with nothing buffered: it
// must end by until (zero: never), timeout after it began; now is the
// time, if the caller has it (zero otherwise). It sets the read deadline
// and c.probe.
//
// A parking connection (see the top of this file) probes when it is not
// lingering, and when the engine resumed it: bytes are waiting then, and
// the wait is the one that began before it parked. A lingering one waits
// for parkAfter at most, and any deadline from parkAfter/2 to parkAfter
// away will do for that: a busy connection moves it once every few
// requests, not each time. A lingering wait that times out is told from
// one whose time is up by its deadline: readDeadline is waitUntil only in
// the second case.
func (c *conn) waitFor(now, until time.Time, timeout time.Duration) {
	c.probe = false
	if c.inline {
		// On the poller nothing waits (inline.go): the wait is the
		// engine's, which enforces waitUntil; one resumed goes on.
		if !c.parked {
			c.waitUntil = nanos(until)
		}
		c.parked = false
		return
	}
	if !c.parking {
		c.parked = false
		c.waitUntil = nanos(until)
		c.setReadDeadline(until, timeout)
		return
	}
	if now.IsZero() {
		now = time.Now()
	}
	n := now.UnixNano()
	if c.parked {
		c.parked = false
		c.resumed(n)
		c.probe, c.reported = true, true
		if c.readDeadline != 0 && c.readDeadline < n { // a lingering wait's, passed
			c.setReadDeadline(fromNanos(c.waitUntil), 0)
		}
		return
	}
	c.idleSince, c.waitUntil = n, nanos(until)
	if !c.lingering {
		c.probe = true
		c.setReadDeadline(until, timeout)
		return
	}
	d := now.Add(c.parkAfter)
	if !until.IsZero() && !until.After(d) {
		c.setReadDeadline(until, 0)
		return
	}
	if cur := c.readDeadline; cur > n+int64(c.parkAfter/2) && cur <= d.UnixNano() {
		return
	}
	c.setReadDeadline(d, 0)
}

// resumed records that the parked wait that began at idleSince ended at
// now (see nanos) with bytes to read: the connection lingers next time if
// they came within parkAfter.
func (c *conn) resumed(now int64) {
	c.lingering = c.requests > 0 && now-c.idleSince < int64(c.parkAfter)
}

// park ends run with readPark: the engine takes the wait over. A
// connection that goes quiet after its first request is released at once
// (see idle_linux.go), where the engine allows it: a client that paused
// there most often keeps the connection idle for long (a preconnect, a
// pooled connection), and one that does not pays for its net.Conn once,
// on its second request, as a busy connection lingers from then on.
//
// A connection the engine resumes Inline is always released as it parks:
// that is the only way it is served there (see inline.go).
func (c *conn) park() int {
	if h := testHookPark.Load(); h != nil {
		(*h)(c)
	}
	c.parked = true
	if !c.released && (c.inlineOK || c.mayRelease && c.requests == 1 && !c.lingering) {
		c.releaseSelf()
	}
	return readPark
}
