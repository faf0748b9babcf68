package strand

// A Handler responds to an HTTP request.
//
// ServeHTTP writes the response head and body to w and returns when the
// response is complete. The Request and everything reachable from it (its
// Header strings, Body, Path) belong to the server and are recycled once
// ServeHTTP returns: a handler that keeps any of them must copy them first
// (Request.Clone). Reading the body, writing to w and returning must happen
// on the goroutine ServeHTTP runs on, or be finished before it returns.
//
// A panic in ServeHTTP is recovered by the server: it logs the panic with a
// stack trace and answers 500 if nothing was sent yet, else closes the
// connection so the client sees a truncated response, never a complete-looking
// wrong one.
type Handler interface {
	ServeHTTP(w ResponseWriter, r *Request)
}

// HandlerFunc adapts an ordinary function to a Handler.
type HandlerFunc func(ResponseWriter, *Request)

// ServeHTTP calls f(w, r).
func (f HandlerFunc) ServeHTTP(w ResponseWriter, r *Request) { f(w, r) }

// Middleware wraps a Handler with behaviour before and after it.
type Middleware func(Handler) Handler

// Chain composes middleware so that the first one listed is the outermost:
// Chain(a, b)(h) serves a(b(h)). Build the chain once, at setup.
func Chain(m ...Middleware) Middleware {
	return func(h Handler) Handler {
		for i := len(m) - 1; i >= 0; i-- {
			h = m[i](h)
		}
		return h
	}
}

// Error replies with the status code and msg as a plain-text body. The
// handler should not write anything else afterwards.
func Error(w ResponseWriter, msg string, code int) {
	h := w.Header()
	h.Del("Content-Length")
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(msg + "\n"))
}

// NotFound replies 404 Not Found.
func NotFound(w ResponseWriter, _ *Request) { Error(w, "404 page not found", StatusNotFound) }

// NotFoundHandler returns a handler that replies 404 to every request.
func NotFoundHandler() Handler { return HandlerFunc(NotFound) }
