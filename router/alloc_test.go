package router

import (
	"bytes"
	"net"
	"testing"

	"github.com/strandhttp/strand"
)

// allocRoutes is a tree with enough neighbours that a lookup walks
// static, parameter and backtracking steps.
func newAllocRouter() *Router {
	r := New()
	for _, p := range []string{
		"/", "/users", "/users/new", "/users/:user", "/users/:user/posts",
		"/users/:user/posts/new", "/users/:user/posts/:post/comments",
		"/files/*path",
	} {
		r.Get(p, echo())
	}
	r.Get("/users/:user/posts/:post", func(w strand.ResponseWriter, req *strand.Request) {
		_, _ = w.WriteString(req.PathValue("user"))
		_, _ = w.WriteString(" ")
		_, _ = w.WriteString(req.PathValue("post"))
	})
	return r
}

// TestLookupAllocatesNothing guards the lookup itself: parameter values
// live on a fixed array and slice the path.
func TestLookupAllocatesNothing(t *testing.T) {
	r := newAllocRouter()
	for _, path := range []string{"/users/42/posts/7", "/users/new/posts/7", "/files/a/b/c", "/users", "/nope/x"} {
		var l lookup
		n := testing.AllocsPerRun(1000, func() {
			l.n = 0
			l.match(&r.t.root, path)
		})
		if n != 0 {
			t.Errorf("match(%q): %v allocations; want 0", path, n)
		}
	}
}

// TestDispatchAllocatesNothing guards ServeHTTP on a match with
// parameters, with and without root middleware, once the request's
// parameter storage has grown (the server recycles requests, keeping it).
func TestDispatchAllocatesNothing(t *testing.T) {
	plain := newAllocRouter()
	wrapped := New()
	wrapped.Use(func(next strand.Handler) strand.Handler {
		return strand.HandlerFunc(func(w strand.ResponseWriter, req *strand.Request) { next.ServeHTTP(w, req) })
	})
	wrapped.Route("/users/:user", func(u *Router) {
		u.Get("/posts/:post", text("post"))
	})
	for name, r := range map[string]*Router{"plain": plain, "root middleware": wrapped} {
		req := newRequest(t, "GET", "/users/42/posts/7")
		w := &discard{}
		r.ServeHTTP(w, req)
		n := testing.AllocsPerRun(1000, func() { r.ServeHTTP(w, req) })
		if n != 0 {
			t.Errorf("%s: ServeHTTP(GET /users/42/posts/7): %v allocations; want 0", name, n)
		}
		if req.PathValue("user") != "42" || req.PathValue("post") != "7" {
			t.Errorf("%s: user, post = %q, %q; want 42, 7", name, req.PathValue("user"), req.PathValue("post"))
		}
	}
}

// discard is a ResponseWriter that keeps nothing.
type discard struct{ h strand.Header }

func (w *discard) Header() *strand.Header            { return &w.h }
func (w *discard) WriteHeader(int)                   {}
func (w *discard) Write(p []byte) (int, error)       { return len(p), nil }
func (w *discard) WriteString(s string) (int, error) { return len(s), nil }

// TestRoutedKeepAliveGETAllocatesNothing is the router's share of the
// server's zero-allocation hot path (see the root package's
// TestKeepAliveGETAllocatesNothing): a keep-alive GET routed to a pattern
// with two parameters, whose handler reads both and writes them, measured
// over a real socket with client and server in this process.
func TestRoutedKeepAliveGETAllocatesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation test needs a warm server")
	}
	if raceEnabled {
		t.Skip("the race detector makes the server's pools drop objects")
	}
	addr := startServer(t, newAllocRouter())
	rt := newRawTripper(t, addr, "GET /users/42/posts/7 HTTP/1.1\r\nHost: bench\r\nUser-Agent: strand-test\r\n\r\n", "42 7")
	for range 100 {
		rt.do(t) // warm up pools and buffers
	}
	if n := testing.AllocsPerRun(1000, func() { rt.do(t) }); n != 0 {
		t.Fatalf("keep-alive GET /users/42/posts/7: %v allocations per request; want 0", n)
	}
}

// BenchmarkRoutedKeepAlive is the end-to-end cost of a routed request
// with two parameters over loopback.
func BenchmarkRoutedKeepAlive(b *testing.B) {
	addr := startServer(b, newAllocRouter())
	rt := newRawTripper(b, addr, "GET /users/42/posts/7 HTTP/1.1\r\nHost: bench\r\nUser-Agent: strand-bench\r\n\r\n", "42 7")
	b.ReportAllocs()
	for b.Loop() {
		rt.do(b)
	}
}

// BenchmarkServeHTTP is the router alone: lookup, parameters and
// dispatch, with a recycled request as the server provides.
func BenchmarkServeHTTP(b *testing.B) {
	r := newAllocRouter()
	req := newRequest(b, "GET", "/users/42/posts/7")
	w := &discard{}
	r.ServeHTTP(w, req)
	b.ReportAllocs()
	for b.Loop() {
		r.ServeHTTP(w, req)
	}
}

// rawTripper sends one fixed request on a raw keep-alive connection and
// reads the fixed-size response, allocating nothing itself.
type rawTripper struct {
	c    net.Conn
	req  []byte
	resp []byte
	want int
}

func newRawTripper(tb testing.TB, addr, req, body string) *rawTripper {
	tb.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	rt := &rawTripper{c: c, req: []byte(req), resp: make([]byte, 4096)}
	// Learn the response length from a first exchange.
	if _, err := c.Write(rt.req); err != nil {
		tb.Fatal(err)
	}
	n, err := c.Read(rt.resp)
	if err != nil {
		tb.Fatal(err)
	}
	if !bytes.HasPrefix(rt.resp[:n], []byte("HTTP/1.1 200 ")) || !bytes.HasSuffix(rt.resp[:n], []byte("\r\n\r\n"+body)) {
		tb.Fatalf("first response = %q; want a 200 with body %q", rt.resp[:n], body)
	}
	rt.want = n
	return rt
}

func (rt *rawTripper) do(tb testing.TB) {
	if _, err := rt.c.Write(rt.req); err != nil {
		tb.Fatal(err)
	}
	for got := 0; got < rt.want; {
		n, err := rt.c.Read(rt.resp[got:rt.want])
		if err != nil {
			tb.Fatal(err)
		}
		got += n
	}
}
