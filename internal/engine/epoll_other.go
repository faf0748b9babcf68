//go:build !linux

package engine

import (
	"net"

	"github.com/strandhttp/strand/internal/netpoll"
)

// Serve fails: epoll exists on Linux only.
func (e *Epoll) Serve(ln net.Listener, h ConnHandler) error { return netpoll.ErrUnsupported }
