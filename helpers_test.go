package strand

// Helpers shared by the end-to-end tests: a server started with a
// goroutine-leak check, a net/http client that is cleaned up, and a raw
// TCP client with a small HTTP/1.1 response reader of its own, so that
// tests can see the exact bytes the server sends (net/http's reader hides
// framing fields).

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/strandhttp/strand/internal/enginetest"
)

// testTimeout bounds every blocking step of a test, so that a bug fails
// the test instead of hanging the package.
const testTimeout = 10 * time.Second

// checkGoroutines is the goroutine-leak check of every end-to-end test:
// call it before starting the server (see enginetest.CheckGoroutines).
func checkGoroutines(t *testing.T) { enginetest.CheckGoroutines(t) }

// serve starts s on a loopback port with a goroutine-leak check and
// returns its address; the server is closed at cleanup.
func serve(t *testing.T, s *Server) string {
	t.Helper()
	checkGoroutines(t)
	if s.ErrorLog == nil {
		s.ErrorLog = slog.New(slog.DiscardHandler)
	}
	return startServer(t, s)
}

// serveAsync is serve for tests that need Serve's result: it is sent on
// the returned channel.
func serveAsync(t *testing.T, s *Server) (string, <-chan error) {
	t.Helper()
	checkGoroutines(t)
	useTestEngine(t, s)
	if s.ErrorLog == nil {
		s.ErrorLog = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		errc <- s.Serve(ln)
	}()
	t.Cleanup(func() {
		s.Close()
		<-done
	})
	return ln.Addr().String(), errc
}

// newClient returns a net/http client whose connections are closed at
// cleanup (before the server's, which was registered earlier).
func newClient(t *testing.T) (*http.Client, *http.Transport) {
	t.Helper()
	tr := &http.Transport{DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: testTimeout}, tr
}

// logBuffer is an io.Writer for a slog handler that tests can read while
// the server writes.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newLogger(b *logBuffer) *slog.Logger { return slog.New(slog.NewTextHandler(b, nil)) }

// rawConn is a client connection that speaks HTTP/1.1 by hand.
type rawConn struct {
	net.Conn
	br *bufio.Reader
}

// dialRaw connects to addr; the connection has an overall deadline and is
// closed at cleanup.
func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(testTimeout))
	return &rawConn{Conn: c, br: bufio.NewReader(c)}
}

func (c *rawConn) send(t *testing.T, s string) {
	t.Helper()
	if _, err := io.WriteString(c.Conn, s); err != nil {
		t.Fatalf("writing %.40q: %v", s, err)
	}
}

// response reads the next response, interim ones included; method is the
// request's, for the HEAD rule.
func (c *rawConn) response(t *testing.T, method string) *rawResponse {
	t.Helper()
	resp, err := readRawResponse(c.br, method)
	if err != nil {
		t.Fatalf("reading the response to %s: %v", method, err)
	}
	return resp
}

// expectClosed checks that the server closed the connection without
// sending anything more.
func (c *rawConn) expectClosed(t *testing.T) {
	t.Helper()
	b, err := io.ReadAll(c.br)
	if len(b) > 0 {
		t.Fatalf("read %q after the last response; want the connection closed", b)
	}
	if err != nil && !isReset(err) {
		t.Fatalf("waiting for the server to close: %v; want EOF", err)
	}
}

func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

func isTimeoutErr(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }

// rawResponse is a response as it came over the wire.
type rawResponse struct {
	Status  int
	Head    string   // status line and field lines, CRLFs included
	Fields  []string // "Name: value" lines, as sent
	Body    []byte
	Trailer []string
	Chunked bool
}

// Get returns the first value of the named field (case-insensitive), or "".
func (r *rawResponse) Get(name string) string {
	v, _ := r.Lookup(name)
	return v
}

// Lookup returns the first value of the named field and whether it is present.
func (r *rawResponse) Lookup(name string) (string, bool) {
	for _, f := range r.Fields {
		n, v, _ := strings.Cut(f, ":")
		if strings.EqualFold(n, name) {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// Count returns how many field lines have the name.
func (r *rawResponse) Count(name string) int {
	n := 0
	for _, f := range r.Fields {
		if k, _, _ := strings.Cut(f, ":"); strings.EqualFold(k, name) {
			n++
		}
	}
	return n
}

// Close reports whether the response announces the connection's closing.
func (r *rawResponse) Close() bool {
	for _, f := range r.Fields {
		if k, v, _ := strings.Cut(f, ":"); strings.EqualFold(k, "Connection") &&
			strings.Contains(strings.ToLower(v), "close") {
			return true
		}
	}
	return false
}

// readRawResponse reads one response: head, then the body framed as RFC
// 9112 §6.3 says (no body for HEAD, 1xx, 204, 304; chunked; length; or
// up to EOF).
func readRawResponse(br *bufio.Reader, method string) (*rawResponse, error) {
	var head strings.Builder
	line, err := br.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("status line: %w", err)
	}
	head.WriteString(line)
	parts := strings.SplitN(strings.TrimRight(line, "\r\n"), " ", 3)
	if len(parts) < 2 || parts[0] != "HTTP/1.1" || !strings.HasSuffix(line, "\r\n") {
		return nil, fmt.Errorf("malformed status line %q", line)
	}
	r := &rawResponse{}
	if r.Status, err = strconv.Atoi(parts[1]); err != nil {
		return nil, fmt.Errorf("status line %q: %v", line, err)
	}
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("field line: %w", err)
		}
		head.WriteString(line)
		if !strings.HasSuffix(line, "\r\n") {
			return nil, fmt.Errorf("field line %q without CRLF", line)
		}
		if line == "\r\n" {
			break
		}
		r.Fields = append(r.Fields, strings.TrimSuffix(line, "\r\n"))
	}
	r.Head = head.String()
	if method == "HEAD" || r.Status < 200 || r.Status == 204 || r.Status == 304 {
		return r, nil
	}
	if te := r.Get("Transfer-Encoding"); te != "" {
		if te != "chunked" {
			return nil, fmt.Errorf("unexpected Transfer-Encoding %q", te)
		}
		r.Chunked = true
		return r, r.readChunked(br)
	}
	if cl, ok := r.Lookup("Content-Length"); ok {
		n, err := strconv.Atoi(cl)
		if err != nil {
			return nil, fmt.Errorf("Content-Length %q: %v", cl, err)
		}
		r.Body = make([]byte, n)
		if _, err := io.ReadFull(br, r.Body); err != nil {
			return nil, fmt.Errorf("body of %d bytes: %w", n, err)
		}
		return r, nil
	}
	r.Body, err = io.ReadAll(br)
	return r, err
}

func (r *rawResponse) readChunked(br *bufio.Reader) error {
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return fmt.Errorf("chunk size: %w", err)
		}
		n, err := strconv.ParseInt(strings.TrimRight(line, "\r\n"), 16, 64)
		if err != nil || !strings.HasSuffix(line, "\r\n") {
			return fmt.Errorf("chunk size line %q", line)
		}
		if n == 0 {
			break
		}
		chunk := make([]byte, n+2)
		if _, err := io.ReadFull(br, chunk); err != nil {
			return fmt.Errorf("chunk of %d bytes: %w", n, err)
		}
		if string(chunk[n:]) != "\r\n" {
			return fmt.Errorf("chunk data not followed by CRLF: %q", chunk[n:])
		}
		r.Body = append(r.Body, chunk[:n]...)
	}
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return fmt.Errorf("trailer: %w", err)
		}
		if line == "\r\n" {
			return nil
		}
		r.Trailer = append(r.Trailer, strings.TrimSuffix(line, "\r\n"))
	}
}

// waitFor polls cond until it holds, failing the test at the deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// recv receives from ch, failing the test after testTimeout.
func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(testTimeout):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// hello answers every request with a short fixed body.
var hello = HandlerFunc(func(w ResponseWriter, r *Request) {
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.WriteString("hello")
})
