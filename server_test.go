package strand

// Tests of the Server API: defaults, limits, panics, hijacking, the fields
// the server writes itself, and the listen functions.

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestZeroServer checks that a zero Server serves, and that a nil Handler
// answers 404.
func TestZeroServer(t *testing.T) {
	checkGoroutines(t)
	var s Server
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(ln) }()
	c := dialRaw(t, ln.Addr().String())
	c.send(t, "GET /anything HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp := c.response(t, "GET"); resp.Status != 404 || string(resp.Body) != "404 page not found\n" {
		t.Fatalf("got %d %q; want 404 \"404 page not found\\n\"", resp.Status, resp.Body)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	if err := recv(t, errc, "Serve"); !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Serve after Close = %v; want ErrServerClosed", err)
	}
	ln2, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Serve(ln2); !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Serve on a closed server = %v; want ErrServerClosed", err)
	}
	if _, err := ln2.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Accept on the listener given to a closed server = %v; want it closed", err)
	}
	if err := s.ListenAndServe(); !errors.Is(err, ErrServerClosed) {
		t.Fatalf("ListenAndServe on a closed server = %v; want ErrServerClosed", err)
	}
}

// failingListener fails every Accept with a permanent error.
type failingListener struct {
	net.Listener
	closed chan struct{}
}

var errAcceptBroken = errors.New("accept broken")

func (l *failingListener) Accept() (net.Conn, error) { return nil, errAcceptBroken }
func (l *failingListener) Close() error {
	select {
	case <-l.closed:
	default:
		close(l.closed)
	}
	return nil
}

// TestServeReturnsAcceptError checks that Serve returns an accept error
// that is not temporary, closing the listener as its documentation says.
func TestServeReturnsAcceptError(t *testing.T) {
	checkGoroutines(t)
	ln := &failingListener{closed: make(chan struct{})}
	s := &Server{Handler: hello}
	if err := s.Serve(ln); !errors.Is(err, errAcceptBroken) {
		t.Fatalf("Serve = %v; want the accept error", err)
	}
	select {
	case <-ln.closed:
	default:
		t.Fatalf("Serve returned without closing its listener")
	}
}

func TestListenAndServe(t *testing.T) {
	checkGoroutines(t)
	s := &Server{Addr: "127.0.0.1:0", Handler: hello}
	errc := make(chan error, 1)
	go func() { errc <- s.ListenAndServe() }()
	addr := listenAddr(t, s)
	c := dialRaw(t, addr)
	c.send(t, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp := c.response(t, "GET"); string(resp.Body) != "hello" {
		t.Fatalf("got %q; want hello", resp.Body)
	}
	s.Close()
	if err := recv(t, errc, "ListenAndServe"); !errors.Is(err, ErrServerClosed) {
		t.Fatalf("ListenAndServe after Close = %v; want ErrServerClosed", err)
	}
	if err := (&Server{Addr: "127.0.0.1:-1"}).ListenAndServe(); err == nil {
		t.Fatal("ListenAndServe on a bad address succeeded")
	}
}

// listenAddr waits for s to be listening and returns its address.
func listenAddr(t *testing.T, s *Server) string {
	t.Helper()
	var addr string
	waitFor(t, "the server to listen", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		for ln := range s.listeners {
			addr = (*ln).Addr().String()
		}
		return addr != ""
	})
	return addr
}

// writeCert writes a self-signed certificate for 127.0.0.1 and its key as
// PEM files, and returns their paths and a pool that trusts it.
func writeCert(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "strand test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, pool
}

func TestListenAndServeTLS(t *testing.T) {
	checkGoroutines(t)
	certFile, keyFile, pool := writeCert(t)
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		if r.TLS == nil || !r.TLS.HandshakeComplete {
			Error(w, "no TLS state", StatusInternalServerError)
			return
		}
		_, _ = w.WriteString("secure " + r.Proto)
	})
	s := &Server{Addr: "127.0.0.1:0", Handler: h}
	errc := make(chan error, 1)
	go func() { errc <- s.ListenAndServeTLS(certFile, keyFile) }()
	addr := listenAddr(t, s)

	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	client := &http.Client{Transport: tr, Timeout: testTimeout}
	resp, err := client.Get("https://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	tr.CloseIdleConnections()
	if resp.StatusCode != 200 || string(body) != "secure HTTP/1.1" {
		t.Fatalf("got %d %q; want 200 \"secure HTTP/1.1\"", resp.StatusCode, body)
	}

	// Plain text on the TLS port fails the handshake and is closed.
	c := dialRaw(t, addr)
	c.send(t, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if b, _ := io.ReadAll(c.br); strings.Contains(string(b), "HTTP/1.1 200") {
		t.Fatalf("plain HTTP on the TLS port was answered: %q", b)
	}

	s.Close()
	if err := recv(t, errc, "ListenAndServeTLS"); !errors.Is(err, ErrServerClosed) {
		t.Fatalf("ListenAndServeTLS after Close = %v; want ErrServerClosed", err)
	}
	if err := (&Server{Addr: "127.0.0.1:0"}).ListenAndServeTLS(filepath.Join(t.TempDir(), "missing"), keyFile); err == nil {
		t.Fatal("ListenAndServeTLS with a missing certificate succeeded")
	}
}

// TestMaxRequestsPerConn checks that the Nth request's response says
// "Connection: close" and the connection then closes, pipelined or not.
func TestMaxRequestsPerConn(t *testing.T) {
	addr := serve(t, &Server{Handler: hello, MaxRequestsPerConn: 3})
	c := dialRaw(t, addr)
	for i := range 3 {
		c.send(t, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		if resp := c.response(t, "GET"); resp.Close() != (i == 2) {
			t.Fatalf("response %d: Connection %q; want close only on the third", i+1, resp.Get("Connection"))
		}
	}
	c.expectClosed(t)

	p := dialRaw(t, addr)
	p.send(t, strings.Repeat("GET / HTTP/1.1\r\nHost: x\r\n\r\n", 5))
	for i := range 3 {
		if resp := p.response(t, "GET"); resp.Close() != (i == 2) {
			t.Fatalf("pipelined response %d: Connection %q; want close only on the third", i+1, resp.Get("Connection"))
		}
	}
	p.expectClosed(t)
}

// TestMaxConns checks that a connection beyond the cap is answered 503
// and closed, and that the cap frees up as connections close.
func TestMaxConns(t *testing.T) {
	s := &Server{Handler: hello, MaxConns: 2}
	addr := serve(t, s)
	get := func(c *rawConn) *rawResponse {
		t.Helper()
		c.send(t, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		return c.response(t, "GET")
	}
	c1, c2 := dialRaw(t, addr), dialRaw(t, addr)
	get(c1)
	get(c2)
	if got := s.OpenConns(); got != 2 {
		t.Fatalf("OpenConns = %d; want 2", got)
	}
	c3 := dialRaw(t, addr)
	resp := get(c3)
	if resp.Status != 503 || !resp.Close() || resp.Get("Retry-After") == "" {
		t.Fatalf("third connection got:\n%s\nwant 503 with Connection: close and Retry-After", resp.Head)
	}
	c3.expectClosed(t)
	c1.Close()
	waitFor(t, "a connection to be freed", func() bool { return s.OpenConns() == 1 })
	if resp := get(dialRaw(t, addr)); resp.Status != 200 {
		t.Fatalf("after a connection closed, got %d; want 200", resp.Status)
	}
}

// TestHandlerPanic checks that a panic before anything is sent is logged
// with its stack and answered 500, and that the server keeps serving.
func TestHandlerPanic(t *testing.T) {
	var log logBuffer
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		switch r.Path {
		case "/panic":
			w.Header().Set("X-Half-Done", "1") // must not leak into the 500
			_, _ = w.WriteString("partial")
			panic("boom")
		case "/badcode":
			w.WriteHeader(42)
		}
		_, _ = w.WriteString("fine")
	})
	addr := serve(t, &Server{Handler: h, ErrorLog: newLogger(&log)})
	for _, path := range []string{"/panic", "/badcode"} {
		c := dialRaw(t, addr)
		c.send(t, "GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n")
		resp := c.response(t, "GET")
		if resp.Status != 500 || !resp.Close() || resp.Has("X-Half-Done") || strings.Contains(string(resp.Body), "partial") {
			t.Fatalf("%s: got\n%s%q\nwant a clean 500 with Connection: close", path, resp.Head, resp.Body)
		}
		c.expectClosed(t)
	}
	if got := log.String(); !strings.Contains(got, "panic") || !strings.Contains(got, "boom") ||
		!strings.Contains(got, "invalid WriteHeader code") || !strings.Contains(got, "server_test.go") {
		t.Errorf("log:\n%s\nwant both panics with their values and stacks", got)
	}
	c := dialRaw(t, addr)
	c.send(t, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp := c.response(t, "GET"); string(resp.Body) != "fine" {
		t.Fatalf("after panics, got %q; want fine", resp.Body)
	}
}

// TestHandlerPanicAfterCommit checks that a panic once the head is out
// cuts the response short by closing the connection: the client must see
// an incomplete body, never a complete-looking one.
func TestHandlerPanicAfterCommit(t *testing.T) {
	var log logBuffer
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		_, _ = w.Write(make([]byte, 20<<10))
		_ = w.(Flusher).Flush()
		panic("late boom")
	})
	addr := serve(t, &Server{Handler: h, ErrorLog: newLogger(&log)})
	c := dialRaw(t, addr)
	c.send(t, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := readRawResponse(c.br, "GET")
	if err == nil {
		t.Fatalf("read a complete response (%d, %d bytes); want it cut short", resp.Status, len(resp.Body))
	}
	if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("reading the cut response: %v; want an unexpected EOF", err)
	}
	if got := log.String(); !strings.Contains(got, "late boom") {
		t.Errorf("log:\n%s\nwant the panic", got)
	}
}

// TestAbortHandler checks that panicking with ErrAbortHandler closes the
// connection without a response and without logging.
func TestAbortHandler(t *testing.T) {
	var log logBuffer
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		_, _ = w.WriteString("never sent")
		panic(ErrAbortHandler)
	})
	addr := serve(t, &Server{Handler: h, ErrorLog: newLogger(&log)})
	c := dialRaw(t, addr)
	c.send(t, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	c.expectClosed(t)
	if got := log.String(); got != "" {
		t.Errorf("log = %q; want nothing for ErrAbortHandler", got)
	}
}

// TestHijack checks that a hijacking handler owns the connection: it
// reads the bytes the client sent right after the head (already in the
// server's buffer) and later ones, writes raw bytes, and the server
// forgets the connection and refuses further use of the ResponseWriter.
func TestHijack(t *testing.T) {
	type result struct {
		writeErr, rehijackErr error
		ctx                   context.Context
		err                   error
	}
	results := make(chan result, 1)
	var s *Server
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		res := result{ctx: r.Context()}
		defer func() { results <- res }()
		conn, brw, err := w.(Hijacker).Hijack()
		if err != nil {
			res.err = err
			return
		}
		_, res.writeErr = w.Write([]byte("x"))
		_, _, res.rehijackErr = w.(Hijacker).Hijack()
		w.WriteHeader(500) // ignored
		// The handler may keep the connection after returning.
		go func() {
			defer conn.Close()
			for _, reply := range []string{"PONG\n", "BYE\n"} {
				if _, err := brw.ReadString('\n'); err != nil {
					return
				}
				_, _ = brw.WriteString(reply)
				_ = brw.Flush()
			}
		}()
	})
	s = &Server{Handler: h}
	addr := serve(t, s)
	c := dialRaw(t, addr)
	c.send(t, "GET /hijack HTTP/1.1\r\nHost: x\r\n\r\nPING\n")
	res := recv(t, results, "the handler")
	if res.err != nil {
		t.Fatalf("Hijack: %v", res.err)
	}
	if !errors.Is(res.writeErr, ErrHijacked) || !errors.Is(res.rehijackErr, ErrHijacked) {
		t.Errorf("after Hijack, Write = %v and Hijack = %v; want ErrHijacked", res.writeErr, res.rehijackErr)
	}
	if line, err := c.br.ReadString('\n'); line != "PONG\n" {
		t.Fatalf("read %q, %v; want PONG", line, err)
	}
	c.send(t, "MORE\n")
	if line, err := c.br.ReadString('\n'); line != "BYE\n" {
		t.Fatalf("read %q, %v; want BYE", line, err)
	}
	c.expectClosed(t)
	if got := s.OpenConns(); got != 0 {
		t.Errorf("OpenConns after a hijack = %d; want 0", got)
	}
	// RFC-independent, but documented: the request's context ends when
	// ServeHTTP returns, hijacked or not.
	select {
	case <-res.ctx.Done():
	case <-time.After(testTimeout):
		t.Errorf("the hijacked request's context was never cancelled")
	}
}

// TestHijackAfterSwitchingProtocols checks the upgrade sequence of RFC 9110
// §15.2.2: WriteHeader(101) then Hijack sends the 101 head, without
// framing fields, before the handler's own bytes.
func TestHijackAfterSwitchingProtocols(t *testing.T) {
	hijackErr := make(chan error, 1)
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		w.Header().Set("Upgrade", "echo")
		w.Header().Set("Connection", "Upgrade")
		w.WriteHeader(StatusSwitchingProtocols)
		conn, brw, err := w.(Hijacker).Hijack()
		hijackErr <- err
		if err != nil {
			return
		}
		defer conn.Close()
		_, _ = brw.WriteString("now speaking echo\n")
		_ = brw.Flush()
	})
	addr := serve(t, &Server{Handler: h})
	c := dialRaw(t, addr)
	c.send(t, "GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
	if err := recv(t, hijackErr, "the handler"); err != nil {
		t.Fatalf("Hijack: %v", err)
	}
	resp := c.response(t, "GET")
	if resp.Status != 101 || resp.Get("Upgrade") != "echo" || resp.Close() ||
		resp.Has("Content-Length") || resp.Has("Transfer-Encoding") {
		t.Fatalf("got:\n%s\nwant 101 with Upgrade: echo and no framing fields", resp.Head)
	}
	if line, _ := c.br.ReadString('\n'); line != "now speaking echo\n" {
		t.Fatalf("after the 101, read %q; want the handler's bytes", line)
	}
}

// TestHijackRefused checks that a response already under way cannot be
// hijacked.
func TestHijackRefused(t *testing.T) {
	errc := make(chan error, 1)
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		_, _ = w.WriteString("started")
		_, _, err := w.(Hijacker).Hijack()
		errc <- err
	})
	addr := serve(t, &Server{Handler: h})
	c := dialRaw(t, addr)
	c.send(t, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp := c.response(t, "GET"); string(resp.Body) != "started" {
		t.Fatalf("got %q; want started", resp.Body)
	}
	if err := recv(t, errc, "the handler"); !errors.Is(err, ErrNotHijackable) {
		t.Fatalf("Hijack after Write = %v; want ErrNotHijackable", err)
	}
}

// TestInterimResponses checks 1xx responses sent by WriteHeader (RFC 9110
// §15.2): sent at once with the current fields, possibly repeated, before
// the final one; never to an HTTP/1.0 client.
func TestInterimResponses(t *testing.T) {
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		w.Header().Set("Link", "</style.css>; rel=preload")
		w.WriteHeader(StatusEarlyHints)
		w.WriteHeader(StatusEarlyHints)
		w.Header().Del("Link")
		_, _ = w.WriteString("final")
	})
	addr := serve(t, &Server{Handler: h})
	c := dialRaw(t, addr)
	c.send(t, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	for i := range 2 {
		if resp := c.response(t, "GET"); resp.Status != 103 || resp.Get("Link") == "" {
			t.Fatalf("interim %d:\n%s\nwant 103 with Link", i, resp.Head)
		}
	}
	if resp := c.response(t, "GET"); resp.Status != 200 || string(resp.Body) != "final" || resp.Has("Link") {
		t.Fatalf("final:\n%s%q\nwant 200 final without Link", resp.Head, resp.Body)
	}
	old := dialRaw(t, addr)
	old.send(t, "GET / HTTP/1.0\r\n\r\n")
	if resp := old.response(t, "GET"); resp.Status != 200 {
		t.Fatalf("HTTP/1.0 client got %d first; want the final 200 only", resp.Status)
	}
}

// TestDateField checks that every response carries a Date in IMF-fixdate
// (RFC 9110 §6.6.1, §5.6.7), exactly once even if the handler set one.
func TestDateField(t *testing.T) {
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		if r.Path == "/own" {
			w.Header().Set("Date", "Sun, 06 Nov 1994 08:49:37 GMT")
		}
	})
	addr := serve(t, &Server{Handler: h})
	c := dialRaw(t, addr)
	for _, path := range []string{"/", "/own"} {
		before := time.Now().Add(-time.Second).Truncate(time.Second)
		c.send(t, "GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n")
		resp := c.response(t, "GET")
		after := time.Now()
		date := resp.Get("Date")
		got, err := time.Parse(http.TimeFormat, date)
		if err != nil || resp.Count("Date") != 1 || len(date) != len(http.TimeFormat) {
			t.Fatalf("%s: %d Date fields, first %q (%v); want one IMF-fixdate", path, resp.Count("Date"), date, err)
		}
		if path == "/" && (got.Before(before) || got.After(after)) {
			t.Errorf("Date = %v; want the time of the response, between %v and %v", got, before, after)
		}
		if path == "/own" && date != "Sun, 06 Nov 1994 08:49:37 GMT" {
			t.Errorf("Date = %q; want the handler's", date)
		}
	}
}

// TestHeaderInjection checks that a handler copying client input into a
// field cannot split the response: CR, LF and NUL in values become spaces
// and names that are not tokens are dropped.
func TestHeaderInjection(t *testing.T) {
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		w.Header().Set("X-Echo", "a\r\nSet-Cookie: evil=1\r\n\r\n<html>")
		w.Header().Set("X-Nul", "a\x00b")
		w.Header().Set("Bad\r\nName", "v")
		w.Header().Set("Trailer", "X-Late")
		_, _ = w.WriteString("body")
		w.Header().Set("X-Late", "1\r\nSet-Cookie: late=1")
	})
	addr := serve(t, &Server{Handler: h})
	c := dialRaw(t, addr)
	c.send(t, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	resp := c.response(t, "GET")
	if resp.Has("Set-Cookie") || strings.Contains(resp.Head, "Bad") || string(resp.Body) != "body" {
		t.Fatalf("response split:\n%s%q", resp.Head, resp.Body)
	}
	if got, want := resp.Get("X-Echo"), "a  Set-Cookie: evil=1    <html>"; got != want {
		t.Errorf("X-Echo = %q; want %q", got, want)
	}
	if got, want := resp.Get("X-Nul"), "a b"; got != want {
		t.Errorf("X-Nul = %q; want %q", got, want)
	}
	if got, want := strings.Join(resp.Trailer, "|"), "X-Late: 1  Set-Cookie: late=1"; got != want {
		t.Errorf("trailer = %q; want %q", got, want)
	}
	// The connection is still in step: the next response parses.
	c.send(t, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp := c.response(t, "GET"); resp.Status != 200 {
		t.Fatalf("next response: %d; want 200", resp.Status)
	}
}

// TestHandlerHeaderFraming checks that framing is the server's: fields a
// handler sets for Content-Length (when malformed) and Transfer-Encoding
// are not sent, and a handler's "Connection: close" closes the connection.
func TestHandlerHeaderFraming(t *testing.T) {
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		w.Header().Set("Transfer-Encoding", "gzip")
		w.Header().Set("Content-Length", "not a number")
		if r.Path == "/close" {
			w.Header().Set("Connection", "close")
		}
		_, _ = w.WriteString("abc")
	})
	addr := serve(t, &Server{Handler: h})
	c := dialRaw(t, addr)
	c.send(t, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	resp := c.response(t, "GET")
	if resp.Has("Transfer-Encoding") || resp.Get("Content-Length") != "3" || string(resp.Body) != "abc" {
		t.Fatalf("got:\n%s%q\nwant Content-Length: 3 only", resp.Head, resp.Body)
	}
	c.send(t, "GET /close HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp := c.response(t, "GET"); !resp.Close() || resp.Count("Connection") != 1 {
		t.Fatalf("got:\n%s\nwant one Connection: close", resp.Head)
	}
	c.expectClosed(t)
}

// TestBodyReadAfterClose checks that a closed body refuses reads.
func TestBodyReadAfterClose(t *testing.T) {
	errc := make(chan error, 1)
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		_ = r.Body.Close()
		_, err := r.Body.Read(make([]byte, 1))
		errc <- err
	})
	addr := serve(t, &Server{Handler: h})
	c := dialRaw(t, addr)
	c.send(t, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
	if resp := c.response(t, "POST"); resp.Status != 200 {
		t.Fatalf("status %d; want 200", resp.Status)
	}
	if err := recv(t, errc, "the handler"); !errors.Is(err, ErrBodyReadAfterClose) {
		t.Fatalf("Read after Close = %v; want ErrBodyReadAfterClose", err)
	}
}

// TestNoBodyReader checks the Body of a request without one.
func TestNoBodyReader(t *testing.T) {
	type seen struct {
		n      int
		err    error
		length int64
	}
	seenc := make(chan seen, 1)
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		n, err := r.Body.Read(make([]byte, 8))
		seenc <- seen{n, err, r.ContentLength}
		_ = r.Body.Close()
	})
	addr := serve(t, &Server{Handler: h})
	c := dialRaw(t, addr)
	c.send(t, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	c.response(t, "GET")
	if got := recv(t, seenc, "the handler"); got.n != 0 || got.err != io.EOF || got.length != 0 {
		t.Fatalf("Body.Read = %d, %v with ContentLength %d; want 0, EOF, 0", got.n, got.err, got.length)
	}
}
