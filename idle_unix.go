//go:build unix

package strand

import (
	"syscall"
)

// initRaw prepares raw reads when rwc exposes its file descriptor.
func (c *conn) initRaw() {
	sc, ok := c.rwc.(syscall.Conn)
	if !ok {
		return
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return
	}
	c.raw = rc
	if c.rawRead == nil {
		c.rawRead, c.rawWrite = c.readRaw, c.writeRaw
	}
}

// readRaw is the RawConn.Read callback of readIdle: see idle.go. It
// returns false only to wait for readability.
func (c *conn) readRaw(fd uintptr) bool {
	buf := c.server.pools.bufs.Get(initialReadBuffer)
	for {
		n, err := syscall.Read(int(fd), buf)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			c.server.pools.bufs.Put(buf)
			if c.probe {
				c.rawErr = int32(syscall.EAGAIN)
				return true
			}
			return false
		case err != nil:
			c.server.pools.bufs.Put(buf)
			c.rawErr = errnoOf(err)
			return true
		case n == 0:
			c.server.pools.bufs.Put(buf)
			return true // EOF
		}
		c.rbuf, c.rawN = buf, int32(n)
		return true
	}
}

// writeRaw is the RawConn.Write callback of writeNow (inline.go): one
// write(2) of wbuf, never a wait.
func (c *conn) writeRaw(fd uintptr) bool {
	for {
		n, err := syscall.Write(int(fd), c.x.wbuf)
		if err == syscall.EINTR {
			continue
		}
		c.rawN = int32(max(n, 0))
		if err != nil {
			c.rawErr = errnoOf(err)
		}
		return true
	}
}

// errnoOf is err's errno as conn.rawErr keeps it (4 bytes, not an
// Errno's 8: the conn struct stays in the 256-byte size class), EIO for an
// error that is not an Errno.
func errnoOf(err error) int32 {
	if e, ok := err.(syscall.Errno); ok && e != 0 {
		return int32(e)
	}
	return int32(syscall.EIO)
}
