package strand

import (
	"io"
	"net"
	"os"
)

// ReadFrom copies src into the response body. When the body's length is
// declared (a Content-Length set by the handler, as a file server does),
// the connection is plain TCP and src is a file (or a LimitedReader over
// one), the head is sent and the file handed to the kernel: the
// connection's ReadFrom uses sendfile(2), and the bytes never pass through
// user memory. Otherwise it copies through Write.
//
// io.Copy(w, f) with a bare *os.File does not get here with the file: since
// Go 1.22 io.Copy prefers the file's WriteTo, which hands ReadFrom a wrapper
// it cannot see through. Copy io.LimitReader(f, n), or call ReadFrom.
func (w *response) ReadFrom(src io.Reader) (int64, error) {
	if w.c.hijacked {
		return 0, ErrHijacked
	}
	if w.status == 0 {
		w.WriteHeader(StatusOK)
	}
	tcp, isTCP := w.c.rwc.(*net.TCPConn)
	file, limit := fileSource(src)
	if !isTCP || file == nil || w.noBody || w.declared < 0 || w.err != nil {
		return io.CopyBuffer(writerOnly{w}, src, w.c.copyBuffer())
	}
	remaining := w.declared - w.written
	if limit >= 0 {
		remaining = min(remaining, limit)
	}
	w.commit(false)
	if w.err = w.c.flush(); w.err != nil {
		return 0, w.err
	}
	// The file goes out in pieces, each given WriteTimeout to make
	// progress: WriteTimeout bounds each write, and one deadline for the
	// whole file would drop a client that reads steadily but needs longer
	// than WriteTimeout for all of it.
	var n int64
	var err error
	piece := &io.LimitedReader{R: file}
	for n < remaining && err == nil {
		w.c.armWriteDeadline()
		piece.N = min(remaining-n, sendfilePiece)
		var k int64
		k, err = tcp.ReadFrom(piece)
		n += k
		if k == 0 {
			break // the file ended before the declared length
		}
	}
	w.written += n
	w.c.server.zeroCopyBytes.Add(n)
	if lr, ok := src.(*io.LimitedReader); ok {
		lr.N -= n
	}
	if err != nil {
		w.err = err
		w.c.closeAfter = true
	}
	return n, err
}

// sendfilePiece is the most ReadFrom hands to the kernel under one write
// deadline.
const sendfilePiece = 4 << 20

// fileSource returns the file under src and the limit on what may be read
// from it (-1 for none), or nil when src is not a file.
func fileSource(src io.Reader) (*os.File, int64) {
	switch s := src.(type) {
	case *os.File:
		return s, -1
	case *io.LimitedReader:
		if f, ok := s.R.(*os.File); ok {
			return f, s.N
		}
	}
	return nil, -1
}

// copyBuffer returns the connection's buffer for copies through Write,
// made on first use: io.Copy would allocate 32 KiB a call.
func (c *conn) copyBuffer() []byte {
	if c.x.copyBuf == nil {
		c.x.copyBuf = make([]byte, 16<<10)
	}
	return c.x.copyBuf
}

// writerOnly hides ReadFrom, so that io.Copy falls back to Write.
type writerOnly struct{ io.Writer }

// ServerStats are counters of a running server.
type ServerStats struct {
	OpenConns     int   // connections being served
	ZeroCopyBytes int64 // body bytes handed to the kernel from files (sendfile)
}

// Stats returns the server's counters.
func (s *Server) Stats() ServerStats {
	return ServerStats{OpenConns: s.OpenConns(), ZeroCopyBytes: s.zeroCopyBytes.Load()}
}
