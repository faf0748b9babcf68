package middleware

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/strandhttp/strand"
)

// LoggerOptions configures NewLogger. The zero value writes JSON lines to
// os.Stdout.
type LoggerOptions struct {
	// Logger receives the lines. When it is set, Output and Text are
	// ignored. Its handler is called directly, with context.Background()
	// (building the request's context would cost more than the line) and
	// without a source position.
	Logger *slog.Logger

	// Output is where lines go when Logger is nil; nil means os.Stdout.
	Output io.Writer

	// Text writes slog's key=value text format to Output instead of JSON.
	Text bool

	// CopyStrings gives each record storage of its own: the request's
	// strings (path, method, user agent, remote address, pattern, request
	// ID) and the attributes. The strings of a strand.Request alias memory
	// that the server reuses once the handler returns, and the attributes
	// are pooled, so a slog.Handler that keeps records after Handle returns
	// (an asynchronous or batching one) needs them copied; it costs up to
	// seven allocations a line. slog's own JSON and text handlers format
	// the record before Handle returns and do not need it.
	CopyStrings bool
}

func (o LoggerOptions) withDefaults() LoggerOptions {
	if o.Logger != nil {
		return o
	}
	out := o.Output
	if out == nil {
		out = os.Stdout
	}
	if o.Text {
		o.Logger = slog.New(slog.NewTextHandler(out, nil))
	} else {
		o.Logger = slog.New(slog.NewJSONHandler(out, nil))
	}
	return o
}

// Logger is NewLogger with the default options: JSON lines on os.Stdout.
func Logger(next strand.Handler) strand.Handler {
	return NewLogger(LoggerOptions{})(next)
}

// NewLogger returns middleware that logs one line per request, after the
// handler returns, with the message "request" and these attributes:
//
//	time        when the response was complete (slog's own time key)
//	level       ERROR for a 5xx status or a panic, WARN for 4xx, else INFO
//	request_id  the ID from RequestID (see RequestIDFrom), or ""
//	remote      the client's address, "IP:port"
//	method      the request method
//	path        the path as received, still percent-encoded; the query is
//	            left out, as it often carries credentials
//	pattern     the route pattern that matched (Request.Pattern, read after
//	            the handler, so a router inside the logger has set it)
//	status      the status sent (200 when the handler wrote nothing)
//	bytes       body bytes the handler wrote
//	duration    time spent in the handler (nanoseconds in JSON)
//	user_agent  the User-Agent field
//	panic       true, only when the handler panicked through the logger
//
// Put RequestID before Logger and Recoverer after it:
// strand.Chain(RequestID, Logger, Recoverer). A line costs no allocation
// with slog's JSON or text handler: the response writer wrapper and the
// attributes' storage are pooled.
func NewLogger(opts LoggerOptions) strand.Middleware {
	opts = opts.withDefaults()
	m := &loggerMiddleware{h: opts.Logger.Handler(), copyStrings: opts.CopyStrings}
	m.pool.New = func() any { return new(logState) }
	return func(next strand.Handler) strand.Handler {
		return &loggerHandler{m: m, next: next}
	}
}

// loggerMiddleware is what one NewLogger call shares between the handlers
// it wraps. h and copyStrings are immutable; pool holds *logState.
type loggerMiddleware struct {
	h           slog.Handler
	copyStrings bool
	pool        sync.Pool
}

type loggerHandler struct {
	m    *loggerMiddleware
	next strand.Handler
}

// logState is what a request needs while the logger serves it, pooled:
// the writer wrapper and the storage for the line's attributes.
type logState struct {
	ww    WrapWriter
	attrs [10]slog.Attr
}

func (h *loggerHandler) ServeHTTP(w strand.ResponseWriter, r *strand.Request) {
	start := time.Now()
	st := h.m.pool.Get().(*logState)
	st.ww.Reset(w)
	returned := false
	defer func() {
		if !returned { // the handler panicked; the panic goes on
			h.m.log(st, r, start, true)
		}
	}()
	h.next.ServeHTTP(&st.ww, r)
	returned = true
	h.m.log(st, r, start, false)
	st.ww.Reset(nil)
	clear(st.attrs[:])
	h.m.pool.Put(st)
}

// log writes the line for r. It calls the slog.Handler itself, as slog's
// documentation suggests for wrappers: Logger.LogAttrs would also walk the
// stack for a source position that would only ever name this file.
//
// The attributes go to the record as one group with an empty key, which
// every slog.Handler inlines (slog.Handler's rules; testing/slogtest checks
// it): the line is the same as with nine separate attributes, but the
// record holds one, inline, instead of allocating for the four beyond its
// five inline ones, and the group's storage is pooled. A handler that keeps
// records after Handle returns gets storage of its own (CopyStrings).
func (m *loggerMiddleware) log(st *logState, r *strand.Request, start time.Time, panicked bool) {
	ww := &st.ww
	status := ww.Status()
	level := levelFor(status)
	if panicked {
		if !ww.Written() {
			status = strand.StatusInternalServerError // what the server answers
		}
		level = slog.LevelError
	}
	ctx := context.Background()
	if !m.h.Enabled(ctx, level) {
		return
	}
	// time.Since reads only the monotonic clock, cheaper than time.Now;
	// the wall-clock end follows from the start.
	d := time.Since(start)
	end := start.Add(d)
	id, remote, method, path, pattern, ua := requestIDOf(ww, r), r.RemoteAddr, r.Method,
		r.RawPath, r.Pattern(), r.Header.Get("User-Agent")
	if path == "" {
		path = r.Target // authority form (CONNECT) has no path
	}
	attrs := st.attrs[:0]
	if m.copyStrings {
		id, remote, method = strings.Clone(id), strings.Clone(remote), strings.Clone(method)
		path, pattern, ua = strings.Clone(path), strings.Clone(pattern), strings.Clone(ua)
		attrs = make([]slog.Attr, 0, len(st.attrs))
	}
	attrs = append(attrs,
		slog.String("request_id", id),
		slog.String("remote", remote),
		slog.String("method", method),
		slog.String("path", path),
		slog.String("pattern", pattern),
		slog.Int("status", status),
		slog.Int64("bytes", ww.BytesWritten()),
		slog.Duration("duration", d),
		slog.String("user_agent", ua),
	)
	if panicked {
		attrs = append(attrs, slog.Bool("panic", true))
	}
	rec := slog.NewRecord(end, level, "request", 0)
	rec.AddAttrs(slog.Attr{Value: slog.GroupValue(attrs...)})
	_ = m.h.Handle(ctx, rec)
}

// levelFor maps a status class to a level.
func levelFor(status int) slog.Level {
	switch {
	case status >= 500:
		return slog.LevelError
	case status >= 400:
		return slog.LevelWarn
	}
	return slog.LevelInfo
}
