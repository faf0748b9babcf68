package strand

// End-to-end tests over raw TCP connections: the exact bytes of framing,
// pipelining, persistence, protocol errors, timeouts and misbehaving
// clients.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// countingConn counts the reads that returned data.
type countingConn struct {
	net.Conn
	reads int
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.reads++
	}
	return n, err
}

// TestPipelining sends many requests in one write (RFC 9112 §9.3.2) and
// checks that the responses come back in order, written together rather
// than one write per response.
func TestPipelining(t *testing.T) {
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s", r.Path, body)
	})
	addr := serve(t, &Server{Handler: h})
	c := dialRaw(t, addr)
	cc := &countingConn{Conn: c.Conn}
	c.br.Reset(cc)
	const n = 16
	var reqs strings.Builder
	for i := range n {
		if i%4 == 3 { // some with bodies, which must not be mistaken for heads
			fmt.Fprintf(&reqs, "POST /%d HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nb%02d", i, i)
			continue
		}
		fmt.Fprintf(&reqs, "GET /%d HTTP/1.1\r\nHost: x\r\n\r\n", i)
	}
	c.send(t, reqs.String())
	_ = c.SetReadDeadline(time.Now().Add(testTimeout)) // one deadline for all
	for i := range n {
		resp := c.response(t, "GET")
		want := fmt.Sprintf("/%d ", i)
		if i%4 == 3 {
			want += fmt.Sprintf("b%02d", i)
		}
		if resp.Status != 200 || string(resp.Body) != want || resp.Close() {
			t.Fatalf("response %d: %d %q (close %v); want 200 %q, kept alive", i, resp.Status, resp.Body, resp.Close(), want)
		}
	}
	if cc.reads >= n/2 {
		t.Errorf("%d responses took %d reads; want them batched into a few writes", n, cc.reads)
	}
}

// TestPipelinedResponseNotHeldForIncompleteRequest guards against holding a
// finished response back while the next request is incomplete: the client
// may be waiting for it before sending more, and an old client's stray
// CRLF after a body (RFC 9112 §2.2) must not delay the answer either.
func TestPipelinedResponseNotHeldForIncompleteRequest(t *testing.T) {
	tests := []struct{ name, first, rest string }{
		{"partial next head", "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\n", "Host: x\r\n\r\n"},
		{"CRLF after body", "POST /1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi\r\n", "GET /2 HTTP/1.1\r\nHost: x\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := HandlerFunc(func(w ResponseWriter, r *Request) { _, _ = w.WriteString(r.Path) })
			// A header timeout far beyond the test's: the response must
			// not wait for it.
			addr := serve(t, &Server{Handler: h, ReadHeaderTimeout: time.Minute})
			c := dialRaw(t, addr)
			c.send(t, tt.first)
			if resp := c.response(t, "GET"); string(resp.Body) != "/1" {
				t.Fatalf("first response body = %q; want /1", resp.Body)
			}
			c.send(t, tt.rest)
			if resp := c.response(t, "GET"); string(resp.Body) != "/2" {
				t.Fatalf("second response body = %q; want /2", resp.Body)
			}
		})
	}
}

// TestPersistence checks RFC 9112 §9.3: HTTP/1.1 persists unless told to
// close; HTTP/1.0 closes unless asked to keep alive.
func TestPersistence(t *testing.T) {
	tests := []struct {
		name       string
		req        string
		wantConn   string // the Connection field of the response
		wantClosed bool
	}{
		{"1.1 default", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", "", false},
		{"1.1 close", "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "close", true},
		{"1.1 close in a list", "GET / HTTP/1.1\r\nHost: x\r\nConnection: foo, Close\r\n\r\n", "close", true},
		{"1.0 default", "GET / HTTP/1.0\r\n\r\n", "close", true},
		{"1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "keep-alive", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := serve(t, &Server{Handler: hello})
			c := dialRaw(t, addr)
			for i := range 2 {
				c.send(t, tt.req)
				resp := c.response(t, "GET")
				if resp.Status != 200 || string(resp.Body) != "hello" || resp.Get("Connection") != tt.wantConn {
					t.Fatalf("response %d: %d %q, Connection %q; want 200 hello, %q",
						i, resp.Status, resp.Body, resp.Get("Connection"), tt.wantConn)
				}
				if tt.wantClosed {
					c.expectClosed(t)
					return
				}
			}
		})
	}
}

// TestHTTP10StreamedBodyEndsWithClose checks RFC 9112 §6.3 rule 8: an
// HTTP/1.0 client cannot take chunked coding, so a body of unknown length
// is delimited by closing the connection.
func TestHTTP10StreamedBodyEndsWithClose(t *testing.T) {
	body := strings.Repeat("0123456789", 2000)
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		_, _ = w.WriteString(body[:10000])
		_ = w.(Flusher).Flush()
		_, _ = w.WriteString(body[10000:])
	})
	addr := serve(t, &Server{Handler: h})
	c := dialRaw(t, addr)
	c.send(t, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
	resp := c.response(t, "GET")
	if resp.Has("Content-Length") || resp.Has("Transfer-Encoding") || !resp.Close() {
		t.Errorf("head:\n%s\nwant no Content-Length, no Transfer-Encoding, Connection: close", resp.Head)
	}
	if string(resp.Body) != body {
		t.Errorf("body of %d bytes; want %d bytes", len(resp.Body), len(body))
	}
}

// Has reports whether the named field is present.
func (r *rawResponse) Has(name string) bool {
	_, ok := r.Lookup(name)
	return ok
}

// TestProtocolErrors checks that every request the codec refuses gets the
// status its error carries, a short plain-text body, "Connection: close",
// and then the connection closed (RFC 9112 §9.6): after a framing error
// the rest of the stream cannot be trusted.
func TestProtocolErrors(t *testing.T) {
	manyFields := "GET / HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("X-A: 1\r\n", 8) + "\r\n"
	tests := []struct {
		name   string
		limit  func(*Server) // sets a limit; nil for the defaults
		req    string
		status int
	}{
		{"CL and TE", nil, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
		{"conflicting CL", nil, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello", 400},
		{"bare LF", nil, "GET / HTTP/1.1\nHost: x\n\n", 400},
		{"bare LF after the request line", nil, "GET / HTTP/1.1\r\nHost: x\n\r\n", 400},
		{"obs-fold", nil, "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n 2\r\n\r\n", 400},
		{"missing Host", nil, "GET / HTTP/1.1\r\n\r\n", 400},
		{"binary garbage", nil, "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 400},
		{"long target", func(s *Server) { s.MaxRequestLineBytes = 256 }, "GET /" + strings.Repeat("a", 300) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414},
		{"long target, default limit", nil, "GET /" + strings.Repeat("a", 9<<10) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414},
		{"big head", func(s *Server) { s.MaxHeaderBytes = 1024 }, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("b", 2000) + "\r\n\r\n", 431},
		{"big head, default limit", nil, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("b", 40<<10) + "\r\n\r\n", 431},
		{"too many fields", func(s *Server) { s.MaxHeaderCount = 5 }, manyFields, 431},
		{"unknown transfer coding", nil, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
		{"TE not ending in chunked", nil, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 400},
		{"HTTP/2.0", nil, "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505},
		{"unknown expectation", nil, "GET / HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n", 417},
		{"big Content-Length", func(s *Server) { s.MaxBodyBytes = 1000 }, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n", 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var called atomic.Bool
			s := &Server{Handler: HandlerFunc(func(w ResponseWriter, r *Request) { called.Store(true) })}
			if tt.limit != nil {
				tt.limit(s)
			}
			addr := serve(t, s)
			c := dialRaw(t, addr)
			c.send(t, tt.req)
			resp := c.response(t, "GET")
			if resp.Status != tt.status || !resp.Close() {
				t.Fatalf("got:\n%s\nwant status %d with Connection: close", resp.Head, tt.status)
			}
			if len(resp.Body) == 0 || len(resp.Body) > 100 || !strings.HasSuffix(string(resp.Body), "\n") ||
				!strings.HasPrefix(resp.Get("Content-Type"), "text/plain") {
				t.Errorf("body %q of type %q; want a short line of plain text", resp.Body, resp.Get("Content-Type"))
			}
			c.expectClosed(t)
			if called.Load() {
				t.Errorf("the handler was called for a refused request")
			}
		})
	}
}

// TestTooLargeContentLengthRefusedBeforeBody checks RFC 9110 §15.5.14: a
// declared length over MaxBodyBytes is answered 413 as soon as the head is
// in, with no 100 Continue, while the client has sent none of the body.
func TestTooLargeContentLengthRefusedBeforeBody(t *testing.T) {
	addr := serve(t, &Server{Handler: hello, MaxBodyBytes: 1 << 10})
	for _, expect := range []string{"", "Expect: 100-continue\r\n"} {
		c := dialRaw(t, addr)
		c.send(t, "PUT /f HTTP/1.1\r\nHost: x\r\n"+expect+"Content-Length: 1048576\r\n\r\n")
		if resp := c.response(t, "PUT"); resp.Status != 413 || !resp.Close() {
			t.Fatalf("with %q, got:\n%s\nwant 413 with Connection: close", expect, resp.Head)
		}
		c.expectClosed(t)
	}
}

// TestChunkedBodyOverLimit checks that a chunked body growing past
// MaxBodyBytes fails the handler's Read with ErrBodyTooLarge and, as the
// handler then wrote nothing, is answered 413.
func TestChunkedBodyOverLimit(t *testing.T) {
	readErr := make(chan error, 1)
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		_, err := io.ReadAll(r.Body)
		readErr <- err
	})
	addr := serve(t, &Server{Handler: h, MaxBodyBytes: 1000})
	c := dialRaw(t, addr)
	chunk := fmt.Sprintf("1f4\r\n%s\r\n", strings.Repeat("z", 500))
	c.send(t, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"+chunk+chunk+chunk+"0\r\n\r\n")
	resp := c.response(t, "POST")
	if resp.Status != 413 || !resp.Close() {
		t.Fatalf("got:\n%s\nwant 413 with Connection: close", resp.Head)
	}
	if err := recv(t, readErr, "the handler"); !errors.Is(err, ErrBodyTooLarge) {
		t.Errorf("handler's ReadAll = %v; want ErrBodyTooLarge", err)
	}
	c.expectClosed(t)
}

// TestMalformedChunkedBody checks that a chunked body the decoder refuses
// fails the handler's Read and closes the connection after the response.
func TestMalformedChunkedBody(t *testing.T) {
	readErr := make(chan error, 1)
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		_, err := io.ReadAll(r.Body)
		readErr <- err
		if err != nil {
			Error(w, "bad body", StatusBadRequest)
		}
	})
	addr := serve(t, &Server{Handler: h})
	c := dialRaw(t, addr)
	c.send(t, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXX\r\n0\r\n\r\n")
	if resp := c.response(t, "POST"); resp.Status != 400 || !resp.Close() {
		t.Fatalf("got:\n%s\nwant 400 with Connection: close", resp.Head)
	}
	if err := recv(t, readErr, "the handler"); err == nil {
		t.Errorf("reading a malformed chunked body succeeded; want an error")
	}
	c.expectClosed(t)
}

// TestCopiedBodyErrorAnswered checks the handler most echo endpoints are,
// io.Copy(w, r.Body) with its error ignored: io.Copy hands the body to the
// response's ReadFrom, which must not commit a 200 before a byte has come,
// so that a body refused before its first byte gets the codec's answer
// (400 for malformed chunked framing, 413 over MaxBodyBytes), not an empty
// 200.
func TestCopiedBodyErrorAnswered(t *testing.T) {
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = io.Copy(w, r.Body)
	})
	addr := serve(t, &Server{Handler: h, MaxBodyBytes: 1000})
	for _, tc := range []struct {
		name, body string
		status     int
	}{
		{"size with 0x", "0x3\r\nabc\r\n0\r\n\r\n", 400},
		{"bare LF after the size", "3\nabc\n0\n\n", 400},
		{"size not hex", "g\r\n", 400},
		{"over MaxBodyBytes", "7d0\r\n" + strings.Repeat("z", 2000) + "\r\n0\r\n\r\n", 413},
	} {
		c := dialRaw(t, addr)
		c.send(t, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"+tc.body)
		if resp := c.response(t, "POST"); resp.Status != tc.status || !resp.Close() {
			t.Errorf("%s: got:\n%s\nwant %d with Connection: close", tc.name, resp.Head, tc.status)
		}
		c.expectClosed(t)
	}
	// A body that fails after some of it was copied cannot be answered
	// again: the 200 is out, the connection closes with the body short.
	c := dialRaw(t, addr)
	c.send(t, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n")
	if resp := c.response(t, "POST"); resp.Status != 200 || !resp.Close() {
		t.Errorf("failing midway: got:\n%s\nwant 200 with Connection: close", resp.Head)
	}
	c.expectClosed(t)
}

// TestBodyLimitInOneRead checks MaxBodyBytes against a read that takes a
// whole chunked body, last chunk included, at once: the limit holds for
// the read that would end the body too, and none of the bytes past it (nor
// before it, in that read) reach the handler.
func TestBodyLimitInOneRead(t *testing.T) {
	type result struct {
		n   int
		err error
	}
	got := make(chan result, 1)
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		n, err := r.Body.Read(make([]byte, 8192))
		got <- result{n, err}
	})
	addr := serve(t, &Server{Handler: h, MaxBodyBytes: 1000})
	c := dialRaw(t, addr)
	c.send(t, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n7d0\r\n"+strings.Repeat("z", 2000)+"\r\n0\r\n\r\n")
	if resp := c.response(t, "POST"); resp.Status != 413 || !resp.Close() {
		t.Fatalf("got:\n%s\nwant 413 with Connection: close", resp.Head)
	}
	if r := recv(t, got, "the handler"); r.n != 0 || !errors.Is(r.err, ErrBodyTooLarge) {
		t.Errorf("Read = %d, %v; want 0, ErrBodyTooLarge", r.n, r.err)
	}
	c.expectClosed(t)
}

// TestUnreadBody checks what happens to a body the handler leaves: a small
// one is drained and the connection serves the next request; one larger
// than the drain limit closes the connection, and the response says so.
// The body arrives only after the handler returned, so draining reads the
// socket. Handlers that asked for the request's context are a case of
// their own: draining must not leave a read running in the background.
func TestUnreadBody(t *testing.T) {
	for _, useContext := range []bool{false, true} {
		t.Run(fmt.Sprintf("context=%v", useContext), func(t *testing.T) {
			returned := make(chan struct{}, 2)
			h := HandlerFunc(func(w ResponseWriter, r *Request) {
				if useContext {
					_ = r.Context()
				}
				_, _ = w.WriteString(r.Path)
				returned <- struct{}{}
			})
			addr := serve(t, &Server{Handler: h})

			c := dialRaw(t, addr)
			// Repeated: the background read this guards against lost the
			// next request only when it won the race for the socket.
			for i := range 10 {
				c.send(t, "POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n")
				recv(t, returned, "the handler")
				c.send(t, "0123456789")
				if resp := c.response(t, "POST"); string(resp.Body) != "/small" || resp.Close() {
					t.Fatalf("small body %d: %q, close %v; want /small, kept alive", i, resp.Body, resp.Close())
				}
			}
			c.send(t, "GET /next HTTP/1.1\r\nHost: x\r\n\r\n")
			if resp := c.response(t, "GET"); string(resp.Body) != "/next" {
				t.Fatalf("after a drained body: %q; want /next", resp.Body)
			}
			recv(t, returned, "the handler")

			c = dialRaw(t, addr)
			c.send(t, "POST /huge HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n"+strings.Repeat("h", 64<<10))
			if resp := c.response(t, "POST"); string(resp.Body) != "/huge" || !resp.Close() {
				t.Fatalf("huge body: %q, close %v; want /huge with Connection: close", resp.Body, resp.Close())
			}
			c.expectClosed(t)
			recv(t, returned, "the handler")
		})
	}
}

// TestSlowClientHead sends a head one byte at a time, well within the
// header timeout: it must be served.
func TestSlowClientHead(t *testing.T) {
	addr := serve(t, &Server{Handler: hello, ReadHeaderTimeout: testTimeout})
	c := dialRaw(t, addr)
	for _, b := range []byte("GET /slow HTTP/1.1\r\nHost: x\r\nX-A: b\r\n\r\n") {
		c.send(t, string(b))
		time.Sleep(200 * time.Microsecond) // separate segments, not synchronisation
	}
	if resp := c.response(t, "GET"); resp.Status != 200 || string(resp.Body) != "hello" {
		t.Fatalf("got %d %q; want 200 hello", resp.Status, resp.Body)
	}
}

// TestReadHeaderTimeout checks that a head that does not complete in time
// is answered 408 (RFC 9110 §15.5.9) and a connection that sent nothing is
// closed silently.
func TestReadHeaderTimeout(t *testing.T) {
	addr := serve(t, &Server{Handler: hello, ReadHeaderTimeout: 50 * time.Millisecond})
	c := dialRaw(t, addr)
	c.send(t, "GET / HTTP/1.1\r\nHost: x\r\n")
	if resp := c.response(t, "GET"); resp.Status != 408 || !resp.Close() {
		t.Fatalf("got:\n%s\nwant 408 with Connection: close", resp.Head)
	}
	c.expectClosed(t)

	silent := dialRaw(t, addr)
	silent.expectClosed(t)
}

// TestIdleTimeout checks that a keep-alive connection is closed once it has
// waited IdleTimeout for its next request.
func TestIdleTimeout(t *testing.T) {
	s := &Server{Handler: hello, IdleTimeout: 50 * time.Millisecond}
	addr := serve(t, s)
	c := dialRaw(t, addr)
	c.send(t, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp := c.response(t, "GET"); resp.Status != 200 || resp.Close() {
		t.Fatalf("got:\n%s\nwant 200, kept alive", resp.Head)
	}
	c.expectClosed(t)
	waitFor(t, "the connection to be forgotten", func() bool { return s.OpenConns() == 0 })
}

// TestHalfClosedClient checks that a client that shuts down its write side
// after the request (as `nc -N` does) still gets the response.
func TestHalfClosedClient(t *testing.T) {
	for _, useContext := range []bool{false, true} {
		t.Run(fmt.Sprintf("context=%v", useContext), func(t *testing.T) {
			h := HandlerFunc(func(w ResponseWriter, r *Request) {
				if useContext {
					_ = r.Context()
				}
				_, _ = w.WriteString(strings.Repeat("y", 20000))
			})
			addr := serve(t, &Server{Handler: h})
			c := dialRaw(t, addr)
			c.send(t, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
			if err := c.Conn.(*net.TCPConn).CloseWrite(); err != nil {
				t.Fatal(err)
			}
			if resp := c.response(t, "GET"); resp.Status != 200 || len(resp.Body) != 20000 {
				t.Fatalf("got %d with %d bytes; want 200 with 20000", resp.Status, len(resp.Body))
			}
			c.expectClosed(t)
		})
	}
}

// TestClientResetMidBody resets the connection (RST, by closing with a zero
// linger) while the handler reads the body: its Read fails, and the server
// goes on serving without leaking the connection's goroutine.
func TestClientResetMidBody(t *testing.T) {
	started := make(chan struct{})
	readErr := make(chan error, 1)
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		if r.Path != "/upload" {
			_, _ = w.WriteString("alive")
			return
		}
		buf := make([]byte, 1024)
		_, err := r.Body.Read(buf)
		close(started)
		for err == nil {
			_, err = r.Body.Read(buf)
		}
		readErr <- err
	})
	s := &Server{Handler: h}
	addr := serve(t, s)
	c := dialRaw(t, addr)
	c.send(t, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n"+strings.Repeat("u", 10000))
	recv(t, started, "the handler")
	tc := c.Conn.(*net.TCPConn)
	_ = tc.SetLinger(0)
	tc.Close()
	if err := recv(t, readErr, "the handler's Read"); err == nil || err == io.EOF {
		t.Fatalf("Body.Read after a reset = %v; want an error", err)
	}
	next := dialRaw(t, addr)
	next.send(t, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp := next.response(t, "GET"); string(resp.Body) != "alive" {
		t.Fatalf("after a reset, got %q; want alive", resp.Body)
	}
	next.Close()
	waitFor(t, "both connections to be forgotten", func() bool { return s.OpenConns() == 0 })
}

// TestContextCancelledWhenClientLeaves checks that a long handler learns,
// through its request's context, that the client closed the connection.
func TestContextCancelledWhenClientLeaves(t *testing.T) {
	skipInline(t, "are not told when the client leaves")
	tests := []struct{ name, req string }{
		{"no body", "GET / HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"body read", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			waiting := make(chan struct{})
			ctxErr := make(chan error, 1)
			h := HandlerFunc(func(w ResponseWriter, r *Request) {
				_, _ = io.ReadAll(r.Body)
				ctx := r.Context()
				close(waiting)
				select {
				case <-ctx.Done():
					ctxErr <- ctx.Err()
				case <-time.After(testTimeout):
					ctxErr <- errors.New("not cancelled")
				}
			})
			addr := serve(t, &Server{Handler: h})
			c := dialRaw(t, addr)
			c.send(t, tt.req)
			recv(t, waiting, "the handler")
			c.Close()
			if err := recv(t, ctxErr, "the handler's context"); !errors.Is(err, context.Canceled) {
				t.Fatalf("request context: %v; want context.Canceled", err)
			}
		})
	}
}

// TestContextCancelledAfterHandler checks that a request's context ends
// when ServeHTTP returns, on a connection that goes on serving.
func TestContextCancelledAfterHandler(t *testing.T) {
	ctxs := make(chan context.Context, 2)
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		ctx := r.Context()
		if err := ctx.Err(); err != nil {
			Error(w, err.Error(), StatusInternalServerError)
			return
		}
		ctxs <- ctx
		_, _ = w.WriteString("ok")
	})
	addr := serve(t, &Server{Handler: h})
	c := dialRaw(t, addr)
	for i := range 2 {
		c.send(t, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		if resp := c.response(t, "GET"); resp.Status != 200 {
			t.Fatalf("request %d: status %d, %q; want 200", i, resp.Status, resp.Body)
		}
		ctx := recv(t, ctxs, "the handler")
		if err := ctx.Err(); !errors.Is(err, context.Canceled) {
			t.Fatalf("request %d: context after the handler: %v; want context.Canceled", i, err)
		}
	}
}

// TestExpectContinueRaw checks the bytes of RFC 9110 §10.1.1: "100
// Continue" goes out only once the handler reads the body, never to an
// HTTP/1.0 client (which must ignore the expectation), and a handler that
// answers without reading gets its response out with Connection: close,
// the body never sent.
func TestExpectContinueRaw(t *testing.T) {
	reading := make(chan struct{}, 1)
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		if r.Path == "/reject" {
			Error(w, "unauthorized", StatusUnauthorized)
			return
		}
		reading <- struct{}{}
		b, _ := io.ReadAll(r.Body)
		_, _ = w.Write(b)
	})
	addr := serve(t, &Server{Handler: h})

	c := dialRaw(t, addr)
	c.send(t, "PUT /read HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
	recv(t, reading, "the handler")
	if resp := c.response(t, "PUT"); resp.Status != 100 {
		t.Fatalf("first response:\n%s\nwant 100 Continue", resp.Head)
	}
	c.send(t, "body")
	if resp := c.response(t, "PUT"); resp.Status != 200 || string(resp.Body) != "body" || resp.Close() {
		t.Fatalf("final response:\n%s%q\nwant 200 body, kept alive", resp.Head, resp.Body)
	}

	c = dialRaw(t, addr)
	c.send(t, "PUT /reject HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
	if resp := c.response(t, "PUT"); resp.Status != 401 || !resp.Close() {
		t.Fatalf("response to a refused upload:\n%s\nwant 401 with Connection: close and no 100", resp.Head)
	}
	c.expectClosed(t)

	c = dialRaw(t, addr)
	c.send(t, "PUT /read HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\nbody")
	recv(t, reading, "the handler")
	if resp := c.response(t, "PUT"); resp.Status != 200 || string(resp.Body) != "body" {
		t.Fatalf("HTTP/1.0 response:\n%s%q\nwant 200 body, without an interim 100", resp.Head, resp.Body)
	}
}
