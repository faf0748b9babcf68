package strand

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestStatusText(t *testing.T) {
	tests := []struct {
		code int
		want string
	}{
		{100, "Continue"},
		{101, "Switching Protocols"},
		{200, "OK"},
		{204, "No Content"},
		{304, "Not Modified"},
		{404, "Not Found"},
		{413, "Content Too Large"},     // RFC 9110's name, not RFC 7231's
		{422, "Unprocessable Content"}, // likewise
		{431, "Request Header Fields Too Large"},
		{418, "I'm a teapot"},
		{505, "HTTP Version Not Supported"},
		{511, "Network Authentication Required"},
		{0, ""},
		{299, ""},
		{600, ""},
	}
	for _, tt := range tests {
		if got := StatusText(tt.code); got != tt.want {
			t.Errorf("StatusText(%d) = %q; want %q", tt.code, got, tt.want)
		}
	}
}

// TestStatusLinesMatchStatusText checks the precomputed status lines
// against StatusText for every code, and the line built for codes without
// a registered reason.
func TestStatusLinesMatchStatusText(t *testing.T) {
	for code := 100; code <= 999; code++ {
		got := string(appendStatusLine(nil, code))
		want := fmt.Sprintf("HTTP/1.1 %d %s\r\n", code, StatusText(code))
		if got != want {
			t.Errorf("status line for %d = %q; want %q", code, got, want)
		}
		if line, ok := statusLine(code); ok != (StatusText(code) != "") || ok && line != want {
			t.Errorf("statusLine(%d) = %q, %v; want %q", code, line, ok, want)
		}
	}
}

// TestChainOrder checks that the first middleware listed is the outermost.
func TestChainOrder(t *testing.T) {
	var trace []string
	mark := func(name string) Middleware {
		return func(next Handler) Handler {
			return HandlerFunc(func(w ResponseWriter, r *Request) {
				trace = append(trace, name+">")
				next.ServeHTTP(w, r)
				trace = append(trace, "<"+name)
			})
		}
	}
	h := Chain(mark("a"), mark("b"), mark("c"))(HandlerFunc(func(w ResponseWriter, r *Request) {
		trace = append(trace, "h")
	}))
	h.ServeHTTP(nil, &Request{})
	if got, want := strings.Join(trace, " "), "a> b> c> h <c <b <a"; got != want {
		t.Fatalf("Chain(a, b, c) ran %q; want %q", got, want)
	}
	trace = nil
	Chain()(HandlerFunc(func(ResponseWriter, *Request) { trace = append(trace, "h") })).ServeHTTP(nil, &Request{})
	if got := strings.Join(trace, " "); got != "h" {
		t.Fatalf("Chain() ran %q; want just the handler", got)
	}
}

// TestError checks Error's response, including that it drops a
// Content-Length the handler had set for the body it meant to send.
func TestError(t *testing.T) {
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		w.Header().Set("Content-Length", "1000")
		w.Header().Set("Content-Type", "application/json")
		Error(w, "teapot refuses", StatusTeapot)
	})
	addr := serve(t, &Server{Handler: h})
	c := dialRaw(t, addr)
	c.send(t, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	resp := c.response(t, "GET")
	if resp.Status != 418 || string(resp.Body) != "teapot refuses\n" ||
		resp.Get("Content-Type") != "text/plain; charset=utf-8" || resp.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("got:\n%s%q\nwant 418 with the message as plain text", resp.Head, resp.Body)
	}
}

// wrapper is a middleware's ResponseWriter: it hides the server's
// writer's other interfaces and exposes it with Unwrap.
type wrapper struct {
	ResponseWriter
}

func (w wrapper) Unwrap() ResponseWriter { return w.ResponseWriter }

// bare is a ResponseWriter with no optional interface and no Unwrap.
type bare struct{ ResponseWriter }

// TestFlushAndHijackThroughWrappers checks the package Flush and Hijack
// helpers: they reach the server's writer through Unwrap, and report
// ErrNotSupported for a writer that offers neither.
func TestFlushAndHijackThroughWrappers(t *testing.T) {
	type result struct{ flushErr, bareFlushErr, bareHijackErr, hijackErr error }
	results := make(chan result, 1)
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		var res result
		defer func() { results <- res }()
		ww := wrapper{wrapper{w}}
		if r.Path == "/flush" {
			_, _ = ww.Write([]byte("early"))
			res.flushErr = Flush(ww)
			res.bareFlushErr = Flush(bare{w})
			_, _, res.bareHijackErr = Hijack(bare{w})
			return
		}
		conn, brw, err := Hijack(ww)
		res.hijackErr = err
		if err == nil {
			_, _ = brw.WriteString("raw\n")
			_ = brw.Flush()
			conn.Close()
		}
	})
	addr := serve(t, &Server{Handler: h})
	c := dialRaw(t, addr)
	c.send(t, "GET /flush HTTP/1.1\r\nHost: x\r\n\r\n")
	// The flushed head and chunk arrive before the handler returns.
	line, err := c.br.ReadString('\n')
	if line != "HTTP/1.1 200 OK\r\n" {
		t.Fatalf("after Flush, read %q, %v; want the status line", line, err)
	}
	res := recv(t, results, "the handler")
	if res.flushErr != nil || !errors.Is(res.bareFlushErr, ErrNotSupported) || !errors.Is(res.bareHijackErr, ErrNotSupported) {
		t.Fatalf("Flush through wrappers = %v, Flush/Hijack of a bare writer = %v, %v; want nil, ErrNotSupported, ErrNotSupported",
			res.flushErr, res.bareFlushErr, res.bareHijackErr)
	}
	c2 := dialRaw(t, addr)
	c2.send(t, "GET /hijack HTTP/1.1\r\nHost: x\r\n\r\n")
	if line, _ := c2.br.ReadString('\n'); line != "raw\n" {
		t.Fatalf("after Hijack through wrappers, read %q; want raw", line)
	}
	if res := recv(t, results, "the handler"); res.hijackErr != nil {
		t.Fatalf("Hijack through wrappers: %v", res.hijackErr)
	}
}

// TestShuttingDownAndStats checks the readiness flag and the counters.
func TestShuttingDownAndStats(t *testing.T) {
	s := &Server{Handler: hello}
	addr := serve(t, s)
	if s.ShuttingDown() {
		t.Fatal("ShuttingDown before Close = true")
	}
	c := dialRaw(t, addr)
	c.send(t, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	c.response(t, "GET")
	if st := s.Stats(); st.OpenConns != 1 || st.ZeroCopyBytes != 0 {
		t.Fatalf("Stats = %+v; want one open connection, no zero-copy bytes", st)
	}
	s.Close()
	if !s.ShuttingDown() {
		t.Fatal("ShuttingDown after Close = false")
	}
}

func TestTimeFormat(t *testing.T) {
	d := time.Date(1994, 11, 6, 8, 49, 37, 0, time.UTC) // RFC 9110 §5.6.7's example
	if got, want := d.Format(TimeFormat), "Sun, 06 Nov 1994 08:49:37 GMT"; got != want {
		t.Fatalf("Format(TimeFormat) = %q; want %q", got, want)
	}
}
