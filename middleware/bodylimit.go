package middleware

import (
	"io"
	"strconv"

	"github.com/strandhttp/strand"
)

// BodyLimit returns middleware that caps request bodies at n bytes, for
// the routes it wraps (strand.Server.MaxBodyBytes caps them all):
//
//   - a body whose declared Content-Length exceeds n is refused before a
//     byte of it is read: 413 Content Too Large (RFC 9110 §15.5.14), the
//     handler is not called, and the connection closes after the response,
//     since the client may be sending the body anyway (a client that
//     waits for 100 Continue is never asked for it);
//   - a chunked body, whose size is unknown in advance, is read up to n
//     bytes; the Read that would go past n returns strand.ErrBodyTooLarge.
//     If the handler then writes nothing, the middleware answers 413 and
//     closes the connection, as the server does for its own limit.
//
// BodyLimit can only lower the server's limit: a body over
// Server.MaxBodyBytes fails first, with the server's 413. n must not be
// negative; zero refuses every non-empty body. Declared bodies cost
// nothing extra; a chunked one costs one allocation.
func BodyLimit(n int64) strand.Middleware {
	if n < 0 {
		panic("middleware: BodyLimit(" + strconv.FormatInt(n, 10) + "): negative limit")
	}
	return func(next strand.Handler) strand.Handler {
		return &bodyLimitHandler{next: next, n: n}
	}
}

type bodyLimitHandler struct {
	next strand.Handler
	n    int64
}

func (h *bodyLimitHandler) ServeHTTP(w strand.ResponseWriter, r *strand.Request) {
	switch {
	case r.ContentLength > h.n:
		bodyTooLarge(w)
		return
	case r.ContentLength >= 0:
		// The server ends a declared body at its length.
		h.next.ServeHTTP(w, r)
		return
	}
	st := &chunkedLimit{body: limitedBody{rc: r.Body, remaining: h.n}}
	st.ww.Reset(w)
	orig := r.Body
	r.Body = &st.body
	defer func() { r.Body = orig }()
	h.next.ServeHTTP(&st.ww, r)
	if st.body.exceeded && !st.ww.Written() {
		bodyTooLarge(w)
	}
}

// chunkedLimit is the per-request state for a chunked body, in one
// allocation.
type chunkedLimit struct {
	ww   WrapWriter
	body limitedBody
}

// bodyTooLarge answers 413 and has the server close the connection: the
// rest of the body is still on its way and not worth reading.
func bodyTooLarge(w strand.ResponseWriter) {
	w.Header().Set("Connection", "close")
	strand.Error(w, "request body too large", strand.StatusRequestEntityTooLarge)
}

// limitedBody reads at most remaining more bytes from rc, then fails with
// strand.ErrBodyTooLarge if the body goes on.
type limitedBody struct {
	rc        io.ReadCloser
	remaining int64
	err       error // sticky
	exceeded  bool
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	// Ask for one byte more than allowed, to tell a body that ends at the
	// limit from one that goes past it.
	if int64(len(p)) > l.remaining+1 {
		p = p[:l.remaining+1]
	}
	n, err := l.rc.Read(p)
	if int64(n) <= l.remaining {
		l.remaining -= int64(n)
		if err != nil {
			l.err = err
		}
		return n, err
	}
	n = int(l.remaining)
	l.remaining = 0
	l.exceeded = true
	l.err = strand.ErrBodyTooLarge
	return n, l.err
}

func (l *limitedBody) Close() error { return l.rc.Close() }
