package strand

// This file is how a connection waits between requests without holding
// memory it does not need.
//
// While a request is served, a conn holds a read buffer (rbuf), a write
// buffer (wbuf) and an exchange: the Request, the response and the small
// scratch space they use. All three come from the Server's pools. When the
// connection reaches the point where it waits for the next request with
// nothing buffered (no unread input, wbuf flushed), readIdle gives all
// three back before it waits, and takes a read buffer again only once
// bytes have arrived. A long-idle keep-alive connection is then a conn
// struct, its goroutine (parked, its stack shrunk by the garbage
// collector), and the runtime's file descriptor, and nothing else.
//
// Waiting without a buffer needs a read that can be started without one.
// On Unix, readIdle uses syscall.RawConn.Read: the callback (readRaw)
// takes a buffer from the pool and reads with read(2); on EAGAIN it puts
// the buffer back and returns false, so the runtime parks the goroutine
// until the descriptor is readable and calls it again. That is exactly as
// many system calls as a plain Read, and a warm pool allocates nothing.
// Deadlines and Close interrupt the wait as they interrupt a Read.
//
// With c.probe set (the epoll engine), readRaw does not wait: EAGAIN comes
// back as errWouldBlock, readRequest returns readPark, and the engine
// watches the descriptor itself, with no goroutine at all (see
// internal/engine/epoll_linux.go).
//
// A connection whose net.Conn has no descriptor to read from directly,
// TLS above all (crypto/tls may hold decrypted bytes the socket no longer
// shows), waits by reading one byte into conn.one and takes the read
// buffer after it: tls.Conn keeps the rest of the record, so the next
// Read costs no system call.

import (
	"errors"
	"sync"

	"github.com/strandhttp/strand/internal/bufpool"
)

// errWouldBlock is readIdle's answer, in probe mode, when no byte is
// waiting.
var errWouldBlock = errors.New("strand: read would block")

// exchange is the per-request state of a connection, pooled by the Server
// and held by a conn from a request's first byte until it idles.
type exchange struct {
	req     Request
	resp    response
	scratch [512]byte // drain target for unread bodies
	copyBuf []byte    // for ReadFrom's copies; nil until needed
}

// pools are the Server's recycled buffers and exchanges. The zero value is
// ready to use.
type pools struct {
	bufs      bufpool.Pool
	exchanges sync.Pool // *exchange
}

// acquireExchange gives c an exchange and a write buffer if it has none.
func (c *conn) acquireExchange() {
	if c.x != nil {
		return
	}
	x, _ := c.server.pools.exchanges.Get().(*exchange)
	if x == nil {
		x = new(exchange)
	}
	x.req.conn = c
	x.req.RemoteAddr = c.remoteAddr
	x.req.TLS = c.tlsState
	x.resp.c = c
	c.x, c.req, c.resp = x, &x.req, &x.resp
	if c.wbuf == nil {
		c.wbuf = c.server.pools.bufs.Get(c.wsize)[:0]
	}
}

// releaseExchange gives c's exchange back to the pool. The request has
// ended: its context is cancelled and nothing of it may be used any more.
func (c *conn) releaseExchange() {
	x := c.x
	if x == nil {
		return
	}
	c.x, c.req, c.resp = nil, nil, nil
	x.req.reset()
	x.req.conn, x.req.RemoteAddr, x.req.TLS = nil, "", nil
	x.resp.c, x.resp.req = nil, nil
	c.server.pools.exchanges.Put(x)
}

// releaseBuffers gives rbuf and wbuf back to the pool; both must hold
// nothing that is still needed. The next write buffer is taken at the size
// this one grew to (up to 32 KiB), so that a connection whose responses
// need a large one does not grow a small one again every request.
func (c *conn) releaseBuffers() {
	if c.rbuf != nil {
		c.server.pools.bufs.Put(c.rbuf)
		c.rbuf = nil
	}
	c.r, c.w = 0, 0
	if c.wbuf != nil {
		c.wsize = min(cap(c.wbuf), 32<<10)
		c.server.pools.bufs.Put(c.wbuf)
		c.wbuf = nil
	}
}

// readIdle waits for the first bytes of the next request holding no buffer
// and reads them into a fresh rbuf. It returns errWouldBlock instead of
// waiting when c.parking.
func (c *conn) readIdle() (int, error) {
	c.releaseExchange()
	c.releaseBuffers()
	if c.raw == nil {
		n, err := c.rwc.Read(c.one[:])
		if n > 0 {
			c.rbuf = c.server.pools.bufs.Get(initialReadBuffer)
			c.rbuf[0] = c.one[0]
		}
		return n, err
	}
	c.probe = c.parking
	c.rawN, c.rawErr = 0, nil
	if err := c.raw.Read(c.rawRead); err != nil {
		return 0, err
	}
	return c.rawN, c.rawErr
}
