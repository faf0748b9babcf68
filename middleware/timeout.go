package middleware

// This file implements Timeout. Why it does not run the handler on a
// goroutine of its own, as net/http's TimeoutHandler does (answering 503
// from the serving goroutine at the deadline while the late handler writes
// into a buffer nobody reads):
//
//   - a Strand Request is recycled when ServeHTTP returns: its strings, its
//     header and its body reader would change under a handler still running
//     after a 503 went out. Handing it a deep copy (Request.Clone) would
//     cost the copy on every request and still leave no body to read;
//   - the ResponseWriter belongs to the serving goroutine (see
//     strand.Handler); buffering everything instead would lose streaming,
//     Flush and Hijack.
//
// So the handler runs where it always does, on the serving goroutine, with
// a context that is cancelled at the deadline. The only other goroutine
// involved is the runtime timer that cancels the context; it touches
// nothing else. The timeoutWriter between the handler and the real writer
// decides, on the handler's goroutine, which response wins:
//
//   - the handler's, if it starts writing (WriteHeader with a final status,
//     Write, ReadFrom, Flush or Hijack) before the deadline; later writes
//     then pass through even after the deadline, since a response already
//     begun cannot turn into a 503;
//   - the 503, if the deadline has passed when the handler first writes
//     (or asks for the header), or when it returns without writing. The
//     503 is sent and flushed right then, and the handler's later writes
//     are discarded: they fail with ErrHandlerTimeout.
//
// The cost of this design: a handler that ignores its context and blocks
// past the deadline holds its 503 back until it writes or returns. Handlers
// must watch r.Context(), as they must under net/http too for the work to
// actually stop.

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/strandhttp/strand"
)

// ErrHandlerTimeout is returned by the ResponseWriter methods that Timeout
// gives a handler once its deadline has passed and the 503 has been sent.
var ErrHandlerTimeout = errors.New("middleware: handler timed out")

// timeoutBody is the 503's body.
const timeoutBody = "service unavailable: the request timed out\n"

// Timeout returns middleware that gives each request a deadline d from now:
// the handler's r.Context() is cancelled at the deadline, and the client
// gets 503 Service Unavailable if the handler has not started its response
// by then (see the file comment in timeout.go for how). A d of zero or less
// means no deadline: the middleware returns the handler unchanged.
//
// Timeout builds the request's context and copies the request
// (Request.WithContext), allocations a handler without a deadline does
// not pay.
func Timeout(d time.Duration) strand.Middleware {
	return func(next strand.Handler) strand.Handler {
		if d <= 0 {
			return next
		}
		return &timeoutHandler{next: next, d: d}
	}
}

type timeoutHandler struct {
	next strand.Handler
	d    time.Duration
}

func (h *timeoutHandler) ServeHTTP(w strand.ResponseWriter, r *strand.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), h.d)
	defer cancel()
	deadline, _ := ctx.Deadline() // earlier than ours if the parent's is
	tw := &timeoutWriter{deadline: deadline}
	tw.WrapWriter.Reset(w)
	h.next.ServeHTTP(tw, r.WithContext(ctx))
	if tw.undecided() && tw.expired() {
		tw.timeout()
	}
}

// timeoutWriter is the writer a handler under Timeout sees. It is used
// only on the handler's goroutine; the context's timer never touches it.
type timeoutWriter struct {
	WrapWriter
	deadline time.Time // the handler's context's; immutable
	timedOut bool      // the 503 was sent; discard the rest
	hijacked bool
	discard  strand.Header // what Header returns once timed out
}

// undecided reports whether neither response has started yet.
func (tw *timeoutWriter) undecided() bool { return !tw.timedOut && !tw.Written() && !tw.hijacked }

// expired reports whether the deadline has passed. It is asked only while
// the response is undecided, so a handler that answers in time reads the
// clock once or twice.
func (tw *timeoutWriter) expired() bool { return !time.Now().Before(tw.deadline) }

// proceed reports whether a write that starts or continues the handler's
// response may go through, sending the 503 instead when the deadline came
// first.
func (tw *timeoutWriter) proceed() bool {
	switch {
	case tw.timedOut:
		return false
	case !tw.undecided():
		return true
	case tw.expired():
		tw.timeout()
		return false
	}
	return true
}

// timeout sends the 503 and flushes it, so that header fields the handler
// sets later cannot join it.
func (tw *timeoutWriter) timeout() {
	tw.timedOut = true
	h := tw.WrapWriter.Header()
	prepareErrorHeader(h)
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(timeoutBody)))
	tw.WrapWriter.WriteHeader(strand.StatusServiceUnavailable)
	_, _ = tw.WrapWriter.WriteString(timeoutBody)
	_ = tw.WrapWriter.Flush()
}

// Header returns the response header, or a scratch one once the 503 has
// gone out. Asking for it after the deadline, before the response started,
// sends the 503: the fields the handler sets then are for a response that
// will not be sent.
func (tw *timeoutWriter) Header() *strand.Header {
	if tw.undecided() && tw.expired() {
		tw.timeout()
	}
	if tw.timedOut {
		return &tw.discard
	}
	return tw.WrapWriter.Header()
}

// WriteHeader passes interim (1xx) responses on until the deadline, and a
// final status if the handler's response wins.
func (tw *timeoutWriter) WriteHeader(code int) {
	if code < 200 && code != strand.StatusSwitchingProtocols {
		if !tw.timedOut {
			tw.WrapWriter.WriteHeader(code)
		}
		return
	}
	if tw.proceed() {
		tw.WrapWriter.WriteHeader(code)
	}
}

func (tw *timeoutWriter) Write(p []byte) (int, error) {
	if !tw.proceed() {
		return 0, ErrHandlerTimeout
	}
	return tw.WrapWriter.Write(p)
}

func (tw *timeoutWriter) WriteString(s string) (int, error) {
	if !tw.proceed() {
		return 0, ErrHandlerTimeout
	}
	return tw.WrapWriter.WriteString(s)
}

// Flush starts the handler's response, if it wins, and flushes it.
func (tw *timeoutWriter) Flush() error {
	if !tw.proceed() {
		return ErrHandlerTimeout
	}
	return tw.WrapWriter.Flush()
}

// ReadFrom copies src to the response (through the server's sendfile path
// when it can), if the handler's response wins. Without this override the
// embedded WrapWriter's ReadFrom would let io.Copy past the deadline.
func (tw *timeoutWriter) ReadFrom(src io.Reader) (int64, error) {
	if !tw.proceed() {
		return 0, ErrHandlerTimeout
	}
	return tw.WrapWriter.ReadFrom(src)
}

// Hijack hands the connection over, if the handler's response wins.
func (tw *timeoutWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if !tw.proceed() {
		return nil, nil, ErrHandlerTimeout
	}
	c, brw, err := strand.Hijack(tw.WrapWriter.ResponseWriter)
	if err == nil {
		tw.hijacked = true
	}
	return c, brw, err
}

var (
	_ strand.Flusher   = (*timeoutWriter)(nil)
	_ strand.Hijacker  = (*timeoutWriter)(nil)
	_ strand.Unwrapper = (*timeoutWriter)(nil)
	_ io.ReaderFrom    = (*timeoutWriter)(nil)
)
