package middleware

// The cost of the standard stack, strand.Chain(RequestID, Logger,
// Recoverer), measured two ways: through a real strand.Server over a
// keep-alive loopback connection (what a request really costs; the
// difference between Full and None is the stack), and in process, where
// the socket's noise does not hide it. The helpers at the top are shared by
// this package's other tests of RequestID, Logger, Recoverer, Timeout,
// BodyLimit and Health.

import (
	"bufio"
	"bytes"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/strandhttp/strand"
)

// stackTimeout bounds every blocking step of these tests.
const stackTimeout = 10 * time.Second

// serveStrand serves h with a strand.Server on a loopback port and returns
// the address and the server, which is closed at cleanup. Server errors are
// discarded: the tests look at what clients get.
func serveStrand(tb testing.TB, h strand.Handler) (string, *strand.Server) {
	tb.Helper()
	srv := &strand.Server{Handler: h, ErrorLog: slog.New(slog.DiscardHandler)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	tb.Cleanup(func() {
		srv.Close()
		<-done
	})
	return ln.Addr().String(), srv
}

// stackClient returns a net/http client whose idle connections are closed
// at cleanup.
func stackClient(tb testing.TB) *http.Client {
	tb.Helper()
	tr := &http.Transport{DisableCompression: true}
	tb.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: stackTimeout}
}

// stackFetch sends req with c and returns the response with its body read.
func stackFetch(t *testing.T, c *http.Client, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", req.Method, req.URL, err)
	}
	return resp, string(b)
}

// stackReq builds a request for stackFetch, failing the test on a bad URL.
func stackReq(t *testing.T, method, url string, body io.Reader, header ...string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return req
}

// wireConn is a keep-alive TCP connection speaking HTTP/1.1 by hand, for
// tests that need exact bytes: chunked uploads, pipelining, cut responses.
type wireConn struct {
	c  net.Conn
	br *bufio.Reader
}

func dialWire(t *testing.T, addr string) *wireConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(stackTimeout))
	return &wireConn{c: c, br: bufio.NewReader(c)}
}

func (rc *wireConn) send(t *testing.T, s string) {
	t.Helper()
	if _, err := io.WriteString(rc.c, s); err != nil {
		t.Fatalf("writing %.40q: %v", s, err)
	}
}

// read reads one response to a request with the given method; its body
// is read, and err is what reading it returned (io.ErrUnexpectedEOF for a
// response cut short).
func (rc *wireConn) read(t *testing.T, method string) (resp *http.Response, body string, err error) {
	t.Helper()
	resp, err = http.ReadResponse(rc.br, &http.Request{Method: method})
	if err != nil {
		return nil, "", err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b), err
}

// logSink is an io.Writer that tests can read while servers write to it.
type logSink struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *logSink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// lines returns the complete lines written so far.
func (s *logSink) lines() []string {
	out := strings.Split(s.String(), "\n")
	return out[:len(out)-1]
}

// benchPlaintext is the benchmark handler of the root package's
// allocation test: a content type and a short body.
var benchPlaintext = strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.WriteString("Hello, World!")
})

// fullStack is the stack the issue sets a budget for: request ID, logger
// to a discarding JSON sink, recoverer.
func fullStack(h strand.Handler) strand.Handler {
	return strand.Chain(
		RequestID,
		NewLogger(LoggerOptions{Output: io.Discard}),
		Recoverer,
	)(h)
}

// keepAliveRT sends one fixed request on a raw connection and reads the
// response, allocating nothing itself (the approach of the root package's
// alloc_test.go). A response ends with benchBody, which nothing before it
// contains; its length varies with the digits of generated request IDs.
type keepAliveRT struct {
	c    net.Conn
	req  []byte
	resp []byte
}

const (
	benchRequest = "GET /plaintext HTTP/1.1\r\nHost: bench\r\nUser-Agent: strand-bench\r\nAccept: */*\r\n\r\n"
	benchBody    = "Hello, World!"
)

func newKeepAliveRT(tb testing.TB, addr string) *keepAliveRT {
	tb.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	rt := &keepAliveRT{c: c, req: []byte(benchRequest), resp: make([]byte, 4096)}
	for range 100 {
		rt.exchange(tb) // warm up pools and buffers
	}
	return rt
}

func (rt *keepAliveRT) exchange(tb testing.TB) {
	if _, err := rt.c.Write(rt.req); err != nil {
		tb.Fatal(err)
	}
	got := 0
	for {
		n, err := rt.c.Read(rt.resp[got:])
		if err != nil {
			tb.Fatal(err)
		}
		got += n
		if got >= len(benchBody) && string(rt.resp[got-len(benchBody):got]) == benchBody {
			return
		}
		if got == len(rt.resp) {
			tb.Fatalf("response %.200q... does not end in %q", rt.resp, benchBody)
		}
	}
}

func benchmarkStack(b *testing.B, h strand.Handler) {
	addr, _ := serveStrand(b, h)
	rt := newKeepAliveRT(b, addr)
	b.ReportAllocs()
	for b.Loop() {
		rt.exchange(b)
	}
}

func BenchmarkStack_None(b *testing.B) { benchmarkStack(b, benchPlaintext) }
func BenchmarkStack_Full(b *testing.B) { benchmarkStack(b, fullStack(benchPlaintext)) }

// stubWriter is the least a strand.ResponseWriter can be, for measuring
// middleware in process, without the server and the socket.
type stubWriter struct {
	header strand.Header
	status int
	n      int
}

func (w *stubWriter) Header() *strand.Header { return &w.header }
func (w *stubWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *stubWriter) Write(p []byte) (int, error)       { w.n += len(p); return len(p), nil }
func (w *stubWriter) WriteString(s string) (int, error) { w.n += len(s); return len(s), nil }

// stubRequest builds a request in process, as the server would
// fill it.
func stubRequest(method, target string) *strand.Request {
	r := &strand.Request{
		Method: method, Target: target, Path: target, RawPath: target,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Host: "bench",
		Body: io.NopCloser(strings.NewReader("")), RemoteAddr: "127.0.0.1:40000",
	}
	r.Header.Set("Host", "bench")
	r.Header.Set("User-Agent", "strand-bench")
	r.Header.Set("Accept", "*/*")
	return r
}

// benchmarkInProcess serves one reused request and writer, reset as the
// server resets them between requests.
func benchmarkInProcess(b *testing.B, h strand.Handler) {
	r := stubRequest("GET", "/plaintext")
	w := new(stubWriter)
	b.ReportAllocs()
	for b.Loop() {
		r.Header.Del(RequestIDHeader)
		w.header.Reset()
		w.status, w.n = 0, 0
		h.ServeHTTP(w, r)
	}
}

func BenchmarkStackInProcess_None(b *testing.B) { benchmarkInProcess(b, benchPlaintext) }
func BenchmarkStackInProcess_Full(b *testing.B) { benchmarkInProcess(b, fullStack(benchPlaintext)) }

// BenchmarkStackInProcess_Parts splits the full stack's cost.
func BenchmarkStackInProcess_Parts(b *testing.B) {
	parts := []struct {
		name string
		mw   strand.Middleware
	}{
		{"RequestID", RequestID},
		{"Logger", NewLogger(LoggerOptions{Output: io.Discard})},
		{"Recoverer", Recoverer},
		{"RequestIDContext", NewRequestID(RequestIDOptions{Context: true})},
	}
	for _, p := range parts {
		b.Run(p.name, func(b *testing.B) { benchmarkInProcess(b, p.mw(benchPlaintext)) })
	}
}
