//go:build !linux

package netpoll

import (
	"net"
	"syscall"
)

// Dup returns ErrUnsupported.
func Dup(rc syscall.RawConn) (int, error) { return -1, ErrUnsupported }

// Conn returns ErrUnsupported.
func Conn(fd int) (net.Conn, error) { return nil, ErrUnsupported }
