//go:build linux

package strand

// Releasing a parked connection (engine.Session.Release): the epoll engine
// asks a connection parked for a while to give up its net.Conn. Most of
// what a parked connection costs is the Go runtime's state for its
// descriptor (the poll descriptor with its two deadline timers, about 550
// bytes, and the net.Conn and its addresses, about 300), and all of it
// goes with the net.Conn: the conn keeps a duplicate of the descriptor
// (fd, released set), which the engine watches instead. When bytes
// arrive, Resume makes a net.Conn of the descriptor again (reattach)
// before serving. Only a *net.TCPConn is released: a net.Conn of another
// kind could not be made again from its descriptor.
//
// While released, rwc is nil, and the descriptor belongs to the conn
// alone: Shutdown and Close leave it to the engine, which serves a parked
// connection to its end once its listener is closed, and end closes it
// only after forgetConn, so that no one else may still look at it.

import (
	"io"
	"net"
	"os"
	"syscall"

	"github.com/strandhttp/strand/internal/netpoll"
)

// Release implements engine.Session.
func (c *conn) Release() (fd int, ok bool) {
	if _, isTCP := c.rwc.(*net.TCPConn); !isTCP || c.raw == nil {
		return 0, false
	}
	fd, err := netpoll.Dup(c.raw)
	if err != nil {
		return 0, false
	}
	s := c.server
	s.mu.Lock()
	rwc := c.rwc
	c.rwc, c.raw, c.fd, c.released = nil, nil, int32(fd), true
	s.mu.Unlock()
	rwc.Close()
	// The new net.Conn will have no deadline.
	c.readDeadline, c.writeDeadln = 0, 0
	return fd, true
}

// releaseSelf is Release done by the connection as it parks: its
// descriptor leaves the engine's interest list first, if a park put it
// there, since the duplicate would share the entry.
func (c *conn) releaseSelf() {
	if c.detach != nil {
		c.detach()
	}
	_, _ = c.Release()
}

// reattach makes a net.Conn of a released connection's descriptor again.
// It reports false when it could not: the connection is to end.
func (c *conn) reattach() bool {
	if c.detach != nil {
		// Out of the engine's interest list before fd closes: the new
		// net.Conn's descriptor is a duplicate, which shares its entry.
		c.detach()
	}
	rwc, err := netpoll.Conn(int(c.fd)) // closes fd
	if err != nil {
		c.fd = -1 // closed; still released, for end
		return false
	}
	s := c.server
	s.mu.Lock()
	c.rwc, c.released = rwc, false
	forced := s.forced
	s.mu.Unlock()
	if forced {
		rwc.Close() // Close ran while it was released, and skipped it
	}
	c.initRaw()
	return c.raw != nil && c.lookupFD()
}

// closeReleased closes a released connection's descriptor.
func (c *conn) closeReleased() {
	if c.fd >= 0 {
		_ = syscall.Close(int(c.fd))
	}
}

// readFD reads from a released connection's descriptor without waiting:
// errWouldBlock when it has nothing (inline.go).
func (c *conn) readFD(p []byte) (int, error) {
	for {
		n, err := syscall.Read(int(c.fd), p)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return 0, errWouldBlock
		case err != nil:
			return 0, os.NewSyscallError("read", err)
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

// writeFD writes to a released connection's descriptor what it takes
// without waiting: errWouldBlock when it takes no more.
func (c *conn) writeFD(p []byte) (int, error) {
	for {
		n, err := syscall.Write(int(c.fd), p)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return max(n, 0), errWouldBlock
		case err != nil:
			return 0, os.NewSyscallError("write", err)
		}
		if n < len(p) {
			return n, errWouldBlock // the send buffer is full
		}
		return n, nil
	}
}
