package strand

import (
	"context"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestFailedBodyAnsweredWhenHandlerSilent guards against answering 200 for
// a request whose chunked body was malformed when the handler, seeing the
// read error, wrote nothing: the server answers with the codec's status.
func TestFailedBodyAnsweredWhenHandlerSilent(t *testing.T) {
	h := HandlerFunc(func(w ResponseWriter, r *Request) { _, _ = io.ReadAll(r.Body) })
	addr := serve(t, &Server{Handler: h})
	c := dialRaw(t, addr)
	c.send(t, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
	resp := c.response(t, "POST")
	if resp.Status != 400 || !resp.Close() || !strings.Contains(string(resp.Body), "chunk size") {
		t.Fatalf("got:\n%s%s\nwant 400 naming the chunk size, with Connection: close", resp.Head, resp.Body)
	}
}

// TestConnectResponseHasNoFraming checks RFC 9110 §9.3.6: a 2xx answer to
// CONNECT carries neither Content-Length nor Transfer-Encoding, and what
// the handler writes follows the head as tunnel bytes until the close.
func TestConnectResponseHasNoFraming(t *testing.T) {
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		w.WriteHeader(StatusOK)
		_, _ = w.WriteString("tunnel")
	})
	addr := serve(t, &Server{Handler: h})
	c := dialRaw(t, addr)
	c.send(t, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
	b, err := io.ReadAll(c.br)
	if err != nil {
		t.Fatal(err)
	}
	head, body, _ := strings.Cut(string(b), "\r\n\r\n")
	if strings.Contains(head, "Transfer-Encoding") || strings.Contains(head, "Content-Length") || body != "tunnel" {
		t.Fatalf("CONNECT answer = %q; want a 200 head without framing fields, then \"tunnel\"", b)
	}
}

// TestInterimResponseOmitsFraming checks that a 1xx carries no
// Content-Length even when the handler has already set one (RFC 9110 §8.6).
func TestInterimResponseOmitsFraming(t *testing.T) {
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		w.Header().Set("Content-Length", "2")
		w.Header().Set("Link", "</a.css>; rel=preload")
		w.WriteHeader(StatusEarlyHints)
		_, _ = w.WriteString("ok")
	})
	addr := serve(t, &Server{Handler: h})
	c := dialRaw(t, addr)
	c.send(t, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	interim := c.response(t, "GET")
	if interim.Status != 103 || interim.Has("Content-Length") || interim.Get("Link") == "" {
		t.Fatalf("interim response:\n%s\nwant 103 with Link and no Content-Length", interim.Head)
	}
	if final := c.response(t, "GET"); final.Status != 200 || string(final.Body) != "ok" {
		t.Fatalf("final response %d %q; want 200 \"ok\"", final.Status, final.Body)
	}
}

// TestTrailerFieldNotSentWithoutChunked checks that an HTTP/1.0 client,
// which gets no trailers, is not told to expect them.
func TestTrailerFieldNotSentWithoutChunked(t *testing.T) {
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		w.Header().Set("Trailer", "X-Sum")
		_, _ = w.WriteString("body")
		w.Header().Set("X-Sum", "1")
	})
	addr := serve(t, &Server{Handler: h})
	c := dialRaw(t, addr)
	c.send(t, "GET / HTTP/1.0\r\n\r\n")
	if resp := c.response(t, "GET"); resp.Has("Trailer") || string(resp.Body) != "body" {
		t.Fatalf("HTTP/1.0 response:\n%s\nwant no Trailer field and the body", resp.Head)
	}
}

// TestMaxConnsNeverExceeded opens connections concurrently against a cap
// of two: whatever the accept interleaving, at most two are served.
func TestMaxConnsNeverExceeded(t *testing.T) {
	release := make(chan struct{})
	h := HandlerFunc(func(w ResponseWriter, r *Request) { <-release })
	s := &Server{Handler: h, MaxConns: 2}
	addr := serve(t, s)
	defer close(release)
	var conns []*rawConn
	for range 6 {
		c := dialRaw(t, addr)
		c.send(t, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		conns = append(conns, c)
	}
	// Which two are served depends on the order in which their goroutines
	// reach the cap, not on the order of accept: read all six at once (the
	// served two answer nothing until release).
	var busy atomic.Int32
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Go(func() {
			_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
			if resp, err := readRawResponse(c.br, "GET"); err == nil && resp.Status == 503 {
				busy.Add(1)
			}
		})
	}
	wg.Wait()
	if busy.Load() != 4 || s.OpenConns() > 2 {
		t.Fatalf("%d of 6 connections got 503, %d open; want 4 and at most 2", busy.Load(), s.OpenConns())
	}
}

// TestFirstRequestHeadTimeoutCountsFromAccept guards against giving a
// trickling client a second ReadHeaderTimeout from its first byte.
func TestFirstRequestHeadTimeoutCountsFromAccept(t *testing.T) {
	addr := serve(t, &Server{Handler: plaintext, ReadHeaderTimeout: 600 * time.Millisecond})
	c := dialRaw(t, addr)
	start := time.Now()
	time.Sleep(500 * time.Millisecond)
	c.send(t, "GET / HTTP/1.1\r\n")
	resp := c.response(t, "GET")
	// Two timeouts would answer at 1.1 s.
	if elapsed := time.Since(start); resp.Status != 408 || elapsed > 1000*time.Millisecond {
		t.Fatalf("got %d after %v; want 408 within about 600ms of connecting", resp.Status, elapsed)
	}
}

// TestNegativeIdleTimeoutDisables checks that a negative IdleTimeout keeps
// an idle connection open instead of closing it at once.
func TestNegativeIdleTimeoutDisables(t *testing.T) {
	addr := serve(t, &Server{Handler: plaintext, IdleTimeout: -1})
	c := dialRaw(t, addr)
	for i := range 2 {
		c.send(t, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		if resp := c.response(t, "GET"); resp.Status != 200 {
			t.Fatalf("request %d: status %d; want 200", i, resp.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestPanicDropsBufferedResponse checks that a handler that wrote a whole
// declared body and then panicked does not get that response delivered as
// if it were complete: it is dropped and the connection closed.
func TestPanicDropsBufferedResponse(t *testing.T) {
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		w.Header().Set("Content-Length", "5")
		_ = Flush(w) // commits the head: the 500 is no longer possible
		_, _ = w.WriteString("hello")
		panic("after the body")
	})
	addr := serve(t, &Server{Handler: h, ErrorLog: newLogger(&logBuffer{})})
	c := dialRaw(t, addr)
	c.send(t, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	b, _ := io.ReadAll(c.br)
	if strings.Contains(string(b), "hello") {
		t.Fatalf("client received %q; want the body written before the panic dropped", b)
	}
}

// TestRouteMatchVisibleThroughContextCopies guards against a router's
// pattern and path values, set on a WithContext copy, being invisible to
// middleware that holds the original request (metrics, logging).
func TestRouteMatchVisibleThroughContextCopies(t *testing.T) {
	type key struct{}
	seen := make(chan string, 1)
	router := HandlerFunc(func(w ResponseWriter, r *Request) {
		r.SetPattern("/users/:id")
		r.SetPathValue("id", "42")
	})
	outer := HandlerFunc(func(w ResponseWriter, r *Request) {
		inner := r.WithContext(context.WithValue(r.Context(), key{}, 1))
		router.ServeHTTP(w, inner.WithContext(inner.Context()))
		var pairs []string
		for k, v := range r.PathValues() {
			pairs = append(pairs, k+"="+v)
		}
		seen <- r.Pattern() + " " + r.PathValue("id") + " " + strings.Join(pairs, ",")
	})
	addr := serve(t, &Server{Handler: outer})
	c := dialRaw(t, addr)
	c.send(t, "GET /users/42 HTTP/1.1\r\nHost: x\r\n\r\n")
	c.response(t, "GET")
	if got, want := recv(t, seen, "the handler"), "/users/:id 42 id=42"; got != want {
		t.Fatalf("outer middleware sees %q; want %q", got, want)
	}
}

// TestRefusedHeadRequestHasNoContent checks RFC 9110 §9.3.2 for the
// server's own error answers: a request whose line begins "HEAD " gets its
// 4xx with the Content-Length of the message and no content, whatever
// else was wrong with it, so that nothing follows the head but the close.
func TestRefusedHeadRequestHasNoContent(t *testing.T) {
	addr := serve(t, &Server{Handler: HandlerFunc(func(w ResponseWriter, r *Request) {})})
	for _, tc := range []struct {
		name, req string
		status    int
	}{
		{"no Host", "HEAD / HTTP/1.1\r\n\r\n", 400},
		{"bad field", "HEAD / HTTP/1.1\r\nHost: a\r\nX : y\r\n\r\n", 400},
		{"after empty lines", "\r\n\r\nHEAD / HTTP/1.1\r\n\r\n", 400},
		{"target too long", "HEAD /" + strings.Repeat("a", DefaultMaxRequestLine) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414},
		{"body too large", "HEAD / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999\r\n\r\n", 413},
	} {
		c := dialRaw(t, addr)
		c.send(t, tc.req)
		resp := c.response(t, "HEAD")
		if resp.Status != tc.status || resp.Get("Content-Length") == "" || !resp.Close() {
			t.Errorf("%s: got:\n%s\nwant %d with Content-Length and Connection: close", tc.name, resp.Head, tc.status)
		}
		// Nothing after the head: the next read finds the close.
		c.expectClosed(t)
	}
}

// TestLingeringConnParksEmptyHanded checks that a busy connection, which
// keeps its buffers while it waits in place for its next request (see
// readIdle), gives them back before it parks once the wait has lasted
// parkAfter: every connection parks holding nothing.
func TestLingeringConnParksEmptyHanded(t *testing.T) {
	skipInline(t, "served on the pollers, a connection never lingers")
	var parks, holding atomic.Int32
	hook := func(c *conn) {
		parks.Add(1)
		if c.rbuf != nil || c.x != nil {
			holding.Add(1)
		}
	}
	testHookPark.Store(&hook)
	t.Cleanup(func() { testHookPark.Store(nil) }) // after the server's close, registered later
	addr := serve(t, &Server{Handler: HandlerFunc(func(w ResponseWriter, r *Request) { _, _ = w.WriteString("ok") })})
	c := dialRaw(t, addr)
	for round := range 2 {
		for range 5 { // back to back: the connection lingers
			c.send(t, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
			if resp := c.response(t, "GET"); resp.Status != 200 {
				t.Fatalf("round %d: status %d", round, resp.Status)
			}
		}
		before := parks.Load()
		waitFor(t, "the connection to park after lingering", func() bool { return parks.Load() > before })
	}
	if n := holding.Load(); n != 0 {
		t.Errorf("%d of %d parks held a buffer or an exchange; want none", n, parks.Load())
	}
}
