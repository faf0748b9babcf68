package strand

import (
	"bufio"
	"net"
)

// Unwrapper is implemented by ResponseWriter wrappers (middleware that
// records or transforms a response), so that the capabilities of the
// writer beneath, Flusher and Hijacker, stay reachable through any number
// of wrappers.
type Unwrapper interface {
	Unwrap() ResponseWriter
}

// Flush sends what has been written so far to the client, using the first
// writer in w's chain of wrappers that implements Flusher. It returns
// ErrNotSupported when none does.
func Flush(w ResponseWriter) error {
	for {
		if f, ok := w.(Flusher); ok {
			return f.Flush()
		}
		u, ok := w.(Unwrapper)
		if !ok {
			return ErrNotSupported
		}
		w = u.Unwrap()
	}
}

// Hijack takes over the connection through the first writer in w's chain
// of wrappers that implements Hijacker; see Hijacker.
func Hijack(w ResponseWriter) (net.Conn, *bufio.ReadWriter, error) {
	for {
		if h, ok := w.(Hijacker); ok {
			return h.Hijack()
		}
		u, ok := w.(Unwrapper)
		if !ok {
			return nil, nil, ErrNotSupported
		}
		w = u.Unwrap()
	}
}

// ShuttingDown reports whether Shutdown or Close has been called: from
// that moment a readiness check should fail, so that load balancers stop
// sending new requests; with DrainDelay, the server keeps serving them
// meanwhile.
func (s *Server) ShuttingDown() bool { return s.draining.Load() || s.shuttingDown() }
