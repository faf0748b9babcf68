package strand

import (
	"context"
	"net"
)

// listen opens the TCP listener of ListenAndServe[TLS], with SO_REUSEPORT
// when ReusePort is set.
func (s *Server) listen(addr string) (net.Listener, error) {
	var lc net.ListenConfig
	if s.ReusePort {
		lc.Control = reusePort
	}
	return lc.Listen(context.Background(), "tcp", addr)
}
