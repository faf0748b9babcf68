package strand

import (
	"io"
	"net"
	"syscall"
)

// ReadFrom copies src into the response body. When the body's length is
// declared (a Content-Length set by the handler, as a file server does),
// the connection is plain TCP and src is a file (or a LimitedReader over
// one), the head is sent and the file handed to the kernel: the
// connection's ReadFrom uses sendfile(2), and the bytes never pass through
// user memory. Otherwise it copies through Write.
//
// io.Copy(w, f) with a bare *os.File gets here with os's wrapper of the
// file (io.Copy prefers the file's WriteTo, which calls ReadFrom), which
// has the file's SyscallConn: it goes by sendfile too.
func (w *response) ReadFrom(src io.Reader) (int64, error) {
	if w.c.hijacked {
		return 0, ErrHijacked
	}
	file, limit := fileSource(src)
	if file == nil {
		// Not a file: copied through Write, which commits the status at
		// the first byte. Committing it here would answer 200 for a
		// request body that fails before its first byte (io.Copy(w,
		// r.Body) with a malformed chunked body), which finish answers
		// with the failure's status instead.
		return io.CopyBuffer(writerOnly{w}, src, w.c.copyBuffer())
	}
	if w.status == 0 {
		w.WriteHeader(StatusOK)
	}
	if w.c.inline && !w.c.leaveInline() {
		// A file is read from the disk: off the poller (inline.go), and by
		// sendfile, which needs the net.Conn.
		return 0, errAborted
	}
	tcp, isTCP := w.c.rwc.(*net.TCPConn)
	if !isTCP || w.noBody || w.declared < 0 || w.err != nil {
		return io.CopyBuffer(writerOnly{w}, src, w.c.copyBuffer())
	}
	remaining := w.declared - w.written
	if limit >= 0 {
		remaining = min(remaining, limit)
	}
	w.commit(false)
	if w.err = w.c.flushHead(tcp, remaining > 0); w.err != nil {
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

// flushHead writes wbuf (the head, and body bytes written before the
// file) ahead of a file. With more, a file follows at once, and the kernel
// is told so (MSG_MORE, on Linux): the head waits in the socket for the
// file's first bytes, and a small file leaves in one segment with its
// head, not in a second one after it. sendfile(2) pushes what it sends
// when it ends; if it fails, or the file is short, the connection closes,
// which pushes what is waiting too.
func (c *conn) flushHead(tcp *net.TCPConn, more bool) error {
	if !more || c.x == nil || len(c.x.wbuf) == 0 {
		return c.flush()
	}
	c.armWriteDeadline()
	err := sendMore(tcp, c.x.wbuf)
	c.x.wbuf = c.x.wbuf[:0]
	if err != nil {
		c.closeAfter = true
	}
	return err
}

// fileSource returns the file under src and the limit on what may be read
// from it (-1 for none), or nil when src is not a file. A file is what can
// give its descriptor: an *os.File, os's wrapper of one (what io.Copy hands
// a ReaderFrom when the file has WriteTo), or another type with a
// SyscallConn, as net's sendfile takes them; a descriptor sendfile(2)
// cannot read from (a pipe, a socket) makes the connection's ReadFrom copy
// instead.
func fileSource(src io.Reader) (io.Reader, int64) {
	switch s := src.(type) {
	case syscall.Conn:
		return src, -1
	case *io.LimitedReader:
		if _, ok := s.R.(syscall.Conn); ok {
			return s.R, s.N
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
