package nethttp_test

// Helpers shared by the tests: real servers of both kinds on loopback
// ports with a goroutine-leak check, a net/http client cleaned up at the
// end, and a raw connection for request-targets a client will not send.

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/internal/enginetest"
)

// testTimeout bounds every blocking step, so that a bug fails a test
// instead of hanging the package.
const testTimeout = 10 * time.Second

// checkGoroutines fails the test if goroutines started during it are still
// running at cleanup (enginetest.CheckGoroutines; a test with two servers
// is checked once, from before the first). The serve helpers call it
// before starting a server, so that its cleanup runs last.
func checkGoroutines(t *testing.T) { enginetest.CheckGoroutines(t) }

// serveStrand serves h with a strand.Server on a loopback port and returns
// its address ("127.0.0.1:port"). The server is closed at cleanup.
func serveStrand(t *testing.T, h strand.Handler) string {
	t.Helper()
	return serveStrandLog(t, h, slog.New(slog.DiscardHandler))
}

// serveStrandLog is serveStrand with the server's error log going to l.
func serveStrandLog(t *testing.T, h strand.Handler, l *slog.Logger) string {
	t.Helper()
	checkGoroutines(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &strand.Server{Handler: h, ErrorLog: l, Engine: enginetest.Engine}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; err != strand.ErrServerClosed {
			t.Errorf("Serve: %v; want %v", err, strand.ErrServerClosed)
		}
	})
	return ln.Addr().String()
}

// serveHTTP serves h with a net/http server on a loopback port and returns
// its address. The server is closed at cleanup.
func serveHTTP(t *testing.T, h http.Handler) string {
	t.Helper()
	checkGoroutines(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ErrorLog: log.New(io.Discard, "", 0)}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; err != http.ErrServerClosed {
			t.Errorf("Serve: %v; want %v", err, http.ErrServerClosed)
		}
	})
	return ln.Addr().String()
}

// newClient returns a client of its own whose connections are closed at
// cleanup (before the servers', registered earlier, are).
func newClient(t *testing.T) *http.Client {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: testTimeout}
}

// result is what a test looks at in a response.
type result struct {
	status  int
	header  http.Header
	body    string
	trailer http.Header
}

// do sends req with c and reads the whole response.
func do(t *testing.T, c *http.Client, req *http.Request) result {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", req.Method, req.URL, err)
	}
	return result{resp.StatusCode, resp.Header, string(body), resp.Trailer}
}

// get fetches url with c.
func get(t *testing.T, c *http.Client, url string) result {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, c, req)
}

// rawDo sends raw, a whole request, on a new connection to addr and reads
// the response to it.
func rawDo(t *testing.T, addr, raw string) result {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(testTimeout))
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	method, _, _ := strings.Cut(raw, " ")
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: method})
	if err != nil {
		t.Fatalf("reading the response to %q: %v", raw, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the response to %q: %v", raw, err)
	}
	return result{resp.StatusCode, resp.Header, string(body), resp.Trailer}
}

// gunzip decompresses a gzip stream.
func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}
