package middleware

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"

	"github.com/strandhttp/strand"
)

// RecovererOptions configures NewRecoverer. The zero value logs through
// slog.Default().
type RecovererOptions struct {
	// Logger receives one ERROR record per panic, with the request ID and
	// the stack; nil means slog.Default().
	Logger *slog.Logger
}

func (o RecovererOptions) withDefaults() RecovererOptions {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Recoverer is NewRecoverer with the default options.
func Recoverer(next strand.Handler) strand.Handler {
	return NewRecoverer(RecovererOptions{})(next)
}

// NewRecoverer returns middleware that turns a handler's panic into a
// 500 Internal Server Error. The panic is logged with the request ID (see
// RequestID), method, path, remote address, panic value and stack trace.
//
// A 500 is written only while the handler has written nothing: no final
// status, no body byte, no Flush. Once it has, part of a response may be on
// the wire and a 500 cannot replace it, so the middleware logs the panic
// and panics again with strand.ErrAbortHandler: the server then closes the
// connection without logging again, and the client sees a truncated
// response, never a complete-looking wrong one.
//
// A panic with strand.ErrAbortHandler itself is passed on untouched, and
// not logged: it is how a handler asks for exactly that.
//
// The 500 keeps the header fields set before it (X-Request-Id, CORS) but
// drops those that describe the handler's unsent body (Content-Encoding,
// ETag, ...), and says Cache-Control: no-store.
//
// Recoverer costs nothing per request when its writer is the WrapWriter of
// a Logger just outside it, as in strand.Chain(RequestID, Logger,
// Recoverer); else it wraps the writer in a pooled WrapWriter.
func NewRecoverer(opts RecovererOptions) strand.Middleware {
	opts = opts.withDefaults()
	m := &recovererMiddleware{log: opts.Logger}
	m.pool.New = func() any { return new(WrapWriter) }
	return func(next strand.Handler) strand.Handler {
		return &recovererHandler{m: m, next: next}
	}
}

// recovererMiddleware is what one NewRecoverer call shares between the
// handlers it wraps. log is immutable; pool holds *WrapWriter.
type recovererMiddleware struct {
	log  *slog.Logger
	pool sync.Pool
}

type recovererHandler struct {
	m    *recovererMiddleware
	next strand.Handler
}

func (h *recovererHandler) ServeHTTP(w strand.ResponseWriter, r *strand.Request) {
	// A *WrapWriter given to us saw everything written before this
	// middleware ran and will see everything the handler writes: it
	// answers "written?" as well as one of our own.
	ww, shared := w.(*WrapWriter)
	if !shared {
		ww = h.m.pool.Get().(*WrapWriter)
		ww.Reset(w)
	}
	defer func() {
		if p := recover(); p != nil {
			h.m.recovered(p, ww, r)
		}
	}()
	h.next.ServeHTTP(ww, r)
	if !shared {
		ww.Reset(nil)
		h.m.pool.Put(ww)
	}
}

// recovered handles the panic p of the handler for r, which wrote through
// ww. It panics again when the response can no longer be replaced.
func (m *recovererMiddleware) recovered(p any, ww *WrapWriter, r *strand.Request) {
	if p == strand.ErrAbortHandler {
		panic(p)
	}
	m.log.LogAttrs(context.Background(), slog.LevelError, "panic serving request",
		slog.String("request_id", requestIDOf(ww, r)),
		slog.String("method", r.Method),
		slog.String("path", r.RawPath),
		slog.String("remote", r.RemoteAddr),
		slog.String("panic", fmt.Sprint(p)),
		slog.Bool("response_started", ww.Written()),
		slog.String("stack", string(debug.Stack())),
	)
	if ww.Written() {
		panic(strand.ErrAbortHandler)
	}
	prepareErrorHeader(ww.Header())
	strand.Error(ww, "internal server error", strand.StatusInternalServerError)
}

// prepareErrorHeader readies a header for an error response replacing
// the handler's: fields about the body the handler meant to send go, the
// others (request ID, CORS, Vary) stay, and the error must not be stored by
// a cache (RFC 9111 §5.2.2.5), whatever the handler had allowed.
func prepareErrorHeader(h *strand.Header) {
	for _, name := range [...]string{
		"Content-Encoding", "Content-Range", "Content-Disposition", "Content-Language",
		"Content-Location", "Etag", "Last-Modified", "Trailer", "Accept-Ranges",
	} {
		h.Del(name)
	}
	h.Set("Cache-Control", "no-store")
}
