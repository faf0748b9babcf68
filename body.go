package strand

// This file reads request bodies (RFC 9112 §6). A body is read from the
// connection's read buffer first (bytes that arrived with the head), then
// from the connection itself. Content-Length bodies stop at their length;
// chunked ones are decoded in place by http1.ChunkedDecoder, whose data
// comes back as slices of the read buffer and is copied once, into the
// caller's p.
//
// A body object is made per request that has one, never reused: a handler
// that (wrongly) keeps the Body past ServeHTTP gets ErrBodyReadAfterClose,
// not the next request's bytes.

import (
	"errors"
	"io"

	"github.com/strandhttp/strand/internal/ascii"
	"github.com/strandhttp/strand/internal/http1"
)

type body struct {
	c         *conn
	req       *Request
	chunked   bool
	remaining int64 // Content-Length bytes left to read
	read      int64 // bytes returned so far
	limit     int64 // Server.MaxBodyBytes
	dec       http1.ChunkedDecoder
	err       error // sticky: io.EOF at the end, or the failure
	closed    bool  // Close was called, or the handler returned
}

// noBody is the Body of requests without one.
type noBody struct{}

func (noBody) Read([]byte) (int, error) { return 0, io.EOF }
func (noBody) Close() error             { return nil }

func (b *body) Read(p []byte) (int, error) {
	if b.closed {
		return 0, ErrBodyReadAfterClose
	}
	if b.err != nil {
		return 0, b.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	b.c.sendContinue()
	if allowed := b.limit - b.read; allowed < int64(len(p)) {
		// One byte more than the limit allows: enough to tell a body
		// that ends at the limit from one that goes past it.
		p = p[:allowed+1]
	}
	var n int
	var err error
	if b.chunked {
		n, err = b.readChunked(p)
	} else {
		n, err = b.readLength(p)
	}
	if b.read+int64(n) > b.limit {
		// A read that would go past the limit returns none of its bytes,
		// end of body or not: a handler copying the body on (io.Copy)
		// has then written nothing of a refused body, and is answered
		// 413 for (response.finish) unless it answered itself.
		n, err = 0, ErrBodyTooLarge
	}
	b.read += int64(n)
	if err != nil {
		b.err = err
		b.finished()
	}
	return n, err
}

// readLength reads a Content-Length body: buffered bytes first, then the
// connection, straight into p when p is large.
func (b *body) readLength(p []byte) (int, error) {
	if b.remaining == 0 {
		return 0, io.EOF
	}
	c := b.c
	if int64(len(p)) > b.remaining {
		p = p[:b.remaining]
	}
	var n int
	if c.r < c.w {
		n = copy(p, c.rbuf[c.r:c.w])
		c.r += n
	} else {
		var err error
		n, err = c.readBody(p)
		if err != nil {
			return n, err
		}
	}
	b.remaining -= int64(n)
	if b.remaining == 0 {
		return n, io.EOF
	}
	return n, nil
}

// readChunked decodes buffered bytes into p, refilling the read buffer
// from the connection when it runs dry.
func (b *body) readChunked(p []byte) (int, error) {
	c := b.c
	for {
		if c.r < c.w {
			data, used, err := b.dec.Decode(c.rbuf[c.r:c.w], len(p))
			c.r += used
			if err != nil {
				c.closeAfter = true
				return 0, err
			}
			if b.dec.Done() {
				b.copyTrailers()
				n := copy(p, data)
				return n, io.EOF
			}
			if len(data) > 0 {
				return copy(p, data), nil
			}
			continue
		}
		c.r, c.w = 0, 0
		n, err := c.readBody(c.rbuf[:cap(c.rbuf)])
		c.w = n
		if err != nil && n == 0 {
			return 0, err
		}
	}
}

// copyTrailers moves the decoded trailer fields into Request.Trailer; they
// alias the decoder, which lives as long as the request.
func (b *body) copyTrailers() {
	for _, f := range b.dec.Trailers() {
		ascii.CanonicalInPlace(f.Name)
		b.req.Trailer.fields = append(b.req.Trailer.fields, field{str(f.Name), str(f.Value)})
	}
}

// finished runs once the body has ended, well or badly.
func (b *body) finished() {
	if errors.Is(b.err, io.EOF) {
		b.c.bodyDone(b.req)
		return
	}
	b.c.closeAfter = true
	b.c.x.bodyErr = b.err

}

func (b *body) Close() error {
	b.closed = true
	return nil
}

// drain reads and discards what is left of the body after the handler
// returned, so that the connection can serve its next request. It gives up,
// and the connection closes, beyond maxDrain bytes.
func (b *body) drain(maxDrain int64) bool {
	if b.err != nil {
		return errors.Is(b.err, io.EOF)
	}
	if !b.chunked && b.remaining > maxDrain {
		return false
	}
	b.closed = false
	b.limit = b.read + maxDrain
	scratch := b.c.x.scratch[:]
	for b.err == nil {
		_, _ = b.Read(scratch)
	}
	b.closed = true
	return errors.Is(b.err, io.EOF)
}
