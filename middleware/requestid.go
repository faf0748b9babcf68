package middleware

// This file implements RequestID. The ID of a request lives in three
// places, each for a reader:
//
//   - the request's X-Request-Id field, rewritten to the ID in effect:
//     RequestIDFrom(r) reads it, at the cost of a scan of the header;
//   - the response's X-Request-Id field, for the client and for middleware
//     outside RequestID (Logger and Recoverer read it after the handler);
//   - the request's context, only when asked for (RequestIDOptions.Context
//     or ContextWithRequestID), because building a context costs more than
//     the rest of the stack together: Request.Context is built lazily, and
//     Request.WithContext copies the Request.
//
// So handlers and logs share one ID without any allocation but the ID
// string itself.

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/strandhttp/strand"
)

// RequestIDHeader is the field that carries a request's ID, in the request
// and in the response. It is written in canonical form, so that setting it
// costs no allocation.
const RequestIDHeader = "X-Request-Id"

// MaxRequestIDLength bounds an incoming request ID; a longer one is
// replaced.
const MaxRequestIDLength = 64

// RequestIDOptions configures NewRequestID. The zero value keeps valid
// incoming IDs and generates the others with the built-in generator.
type RequestIDOptions struct {
	// IgnoreIncoming makes the middleware generate an ID for every request,
	// ignoring the client's X-Request-Id. Set it when clients reach the
	// server directly rather than through a proxy you run: an incoming ID
	// is then chosen by the client, who may reuse another request's.
	IgnoreIncoming bool

	// Generate returns a new ID; it is called concurrently. nil means the
	// built-in generator: a random prefix drawn once per NewRequestID and a
	// counter ("h3k9x2m4q8wz-1042"), unique across processes with
	// overwhelming probability. An ID it returns that is not valid (see
	// RequestIDFrom) is replaced by a built-in one.
	Generate func() string

	// Context also stores the ID in the request's context, for code that
	// receives only a context.Context (RequestIDFromContext). It makes
	// every request build its context, with the goroutine that watches
	// for the client going away, and copy the Request: eight allocations
	// more per keep-alive request than without it, as measured on this
	// package's benchmark. Without it, a handler that needs such a context
	// builds it when it needs it, with
	// ContextWithRequestID(r.Context(), RequestIDFrom(r)).
	Context bool
}

func (o RequestIDOptions) withDefaults() RequestIDOptions {
	if o.Generate == nil {
		o.Generate = newIDGenerator().next
	}
	return o
}

// RequestID is NewRequestID with the default options: it keeps a valid
// incoming X-Request-Id and generates an ID for requests without one.
func RequestID(next strand.Handler) strand.Handler {
	return NewRequestID(RequestIDOptions{})(next)
}

// NewRequestID returns middleware that gives every request an ID: the
// client's X-Request-Id if it is valid (see RequestIDFrom) and not ignored,
// else a generated one. The ID is set on the request's and the response's
// X-Request-Id field, so that handlers (RequestIDFrom), Logger, Recoverer
// and the client all see the same one, and, with opts.Context, in the
// request's context.
//
// The ID is a string of its own, safe to keep after the handler returns,
// unlike the request's other strings. Keeping or making it costs one
// allocation per request.
func NewRequestID(opts RequestIDOptions) strand.Middleware {
	m := &requestIDMiddleware{opts: opts.withDefaults(), fallback: newIDGenerator()}
	m.custom = opts.Generate != nil
	return func(next strand.Handler) strand.Handler {
		return &requestIDHandler{m: m, next: next}
	}
}

// requestIDMiddleware is what one NewRequestID call shares between the
// handlers it wraps. Immutable after NewRequestID.
type requestIDMiddleware struct {
	opts     RequestIDOptions
	custom   bool         // opts.Generate was given: check what it returns
	fallback *idGenerator // for a custom generator's invalid IDs
}

type requestIDHandler struct {
	m    *requestIDMiddleware
	next strand.Handler
}

func (h *requestIDHandler) ServeHTTP(w strand.ResponseWriter, r *strand.Request) {
	m := h.m
	id := r.Header.Get(RequestIDHeader)
	if m.opts.IgnoreIncoming || !validRequestID(id) {
		id = m.opts.Generate()
		if m.custom && !validRequestID(id) {
			id = m.fallback.next()
		}
	} else {
		id = strings.Clone(id) // the header aliases memory recycled after the request
	}
	// The request's field first: with opts.Context, the copy made by
	// WithContext must share it.
	r.Header.Set(RequestIDHeader, id)
	w.Header().Set(RequestIDHeader, id)
	if m.opts.Context {
		r = r.WithContext(ContextWithRequestID(r.Context(), id))
	}
	h.next.ServeHTTP(w, r)
}

// RequestIDFrom returns r's ID: its X-Request-Id field, which RequestID
// sets, or "" when the field is missing or not valid. A valid ID has 1 to
// MaxRequestIDLength characters from [A-Za-z0-9._:-], enough for UUIDs,
// ULIDs and the IDs of common proxies, and nothing that could forge a log
// line or a header.
//
// Behind RequestID, the result is a string of its own, safe to keep.
// Without RequestID in the chain it is the client's own field, which (like
// every request string) is valid until the handler returns.
func RequestIDFrom(r *strand.Request) string {
	if id := r.Header.Get(RequestIDHeader); validRequestID(id) {
		return id
	}
	return ""
}

// requestIDOf returns the ID for the logs of middleware that runs around
// the handler: the response's field, which only RequestID sets, else the
// request's valid one.
func requestIDOf(w strand.ResponseWriter, r *strand.Request) string {
	if id := w.Header().Get(RequestIDHeader); id != "" {
		return id
	}
	return RequestIDFrom(r)
}

type requestIDKey struct{}

// ContextWithRequestID returns a copy of ctx carrying id, for
// RequestIDFromContext.
func ContextWithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestIDFromContext returns the request ID stored in ctx by RequestID
// (with RequestIDOptions.Context) or ContextWithRequestID, or "".
func RequestIDFromContext(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// validRequestID reports whether id may be used as a request ID.
func validRequestID(id string) bool {
	if len(id) == 0 || len(id) > MaxRequestIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == ':') {
			return false
		}
	}
	return true
}

// idGenerator makes IDs from a random prefix and a counter: one atomic
// add and one allocation (the string) per ID.
type idGenerator struct {
	prefix [13]byte      // 12 random base-32 digits and '-'; immutable
	n      atomic.Uint64 // IDs generated so far
}

// idAlphabet is Crockford's base 32: no I, L, O, U to misread.
const idAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"

func newIDGenerator() *idGenerator {
	var seed [8]byte
	_, _ = rand.Read(seed[:]) // never fails (crypto/rand documents it)
	v := binary.LittleEndian.Uint64(seed[:])
	g := new(idGenerator)
	for i := range 12 {
		g.prefix[i] = idAlphabet[v&31]
		v >>= 5
	}
	g.prefix[12] = '-'
	return g
}

func (g *idGenerator) next() string {
	var buf [len(g.prefix) + 20]byte
	b := append(buf[:0], g.prefix[:]...)
	b = strconv.AppendUint(b, g.n.Add(1), 10)
	return string(b)
}
