//go:build linux

package netpoll

import (
	"fmt"
	"net"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// Dup returns a close-on-exec duplicate of the descriptor behind rc, so
// that the net.Conn rc belongs to can be closed, and the Go runtime's state
// for it freed, while its socket stays open.
func Dup(rc syscall.RawConn) (int, error) {
	var fd int
	var err error
	if cerr := rc.Control(func(s uintptr) {
		fd, err = unix.FcntlInt(s, unix.F_DUPFD_CLOEXEC, 0)
	}); cerr != nil {
		return -1, cerr
	}
	if err != nil {
		return -1, fmt.Errorf("dup: %w", err)
	}
	return fd, nil
}

// Conn makes a net.Conn of socket descriptor fd, and closes fd: the
// net.Conn has a duplicate of its own (net.FileConn is the only way to
// make one). fd is closed on failure too.
func Conn(fd int) (net.Conn, error) {
	// Blocking for the moment, so that os.NewFile does not register it with
	// the runtime's poller only to unregister it at Close; FileConn makes
	// its duplicate non-blocking again (the flag is the socket's, shared).
	_ = unix.SetNonblock(fd, false)
	f := os.NewFile(uintptr(fd), "")
	c, err := net.FileConn(f)
	f.Close()
	return c, err
}
