package strand

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"
)

// serveTLS serves s over TLS on a loopback port, on the engine under
// test, and returns a client connection factory trusting its certificate.
func serveTLS(t *testing.T, s *Server) func() *rawConn {
	t.Helper()
	checkGoroutines(t)
	useTestEngine(t, s)
	if s.ErrorLog == nil {
		s.ErrorLog = slog.New(slog.DiscardHandler)
	}
	certFile, keyFile, pool := writeCert(t)
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Serve(tls.NewListener(ln, cfg))
	}()
	t.Cleanup(func() {
		s.Close()
		<-done
	})
	addr := ln.Addr().String()
	return func() *rawConn {
		t.Helper()
		c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		_ = c.SetDeadline(time.Now().Add(testTimeout))
		return &rawConn{Conn: c, br: bufio.NewReader(c)}
	}
}

// TestTLSKeepAlive serves keep-alive requests over TLS with pauses
// between them (the connection parks, on engines that park, and resumes),
// pipelined requests in one TLS record and in several records of one
// write, and a request split across records with a pause inside.
func TestTLSKeepAlive(t *testing.T) {
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		if r.TLS == nil {
			Error(w, "no TLS state", StatusInternalServerError)
			return
		}
		b, _ := io.ReadAll(r.Body)
		_, _ = fmt.Fprintf(w, "%s %d", r.Path, len(b))
	})
	dial := serveTLS(t, &Server{Handler: h})
	c := dial()
	expect := func(want string) {
		t.Helper()
		r := c.response(t, "GET")
		if r.Status != 200 || string(r.Body) != want {
			t.Fatalf("%d %q; want 200 %q", r.Status, r.Body, want)
		}
	}
	for i := range 5 {
		c.send(t, fmt.Sprintf("GET /%d HTTP/1.1\r\nHost: x\r\n\r\n", i))
		expect(fmt.Sprintf("/%d 0", i))
		time.Sleep(30 * time.Millisecond)
	}
	// One record, three requests.
	c.send(t, "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\n\r\n")
	expect("/a 0")
	expect("/b 0")
	expect("/c 0")
	time.Sleep(30 * time.Millisecond)
	// Three records back to back: crypto/tls on the server may read them
	// in one go, and hold the later ones while the first is served.
	for _, p := range []string{"/x", "/y", "/z"} {
		c.send(t, "GET "+p+" HTTP/1.1\r\nHost: x\r\n\r\n")
	}
	expect("/x 0")
	expect("/y 0")
	expect("/z 0")
	time.Sleep(30 * time.Millisecond)
	// A request and its body in pieces, with pauses.
	c.send(t, "POST /post HTTP/1.1\r\nHo")
	time.Sleep(30 * time.Millisecond)
	c.send(t, "st: x\r\nContent-Length: 6\r\n\r\nabc")
	time.Sleep(30 * time.Millisecond)
	c.send(t, "def")
	expect("/post 6")
	time.Sleep(30 * time.Millisecond)
	c.send(t, "GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	expect("/last 0")
	c.expectClosed(t)
}

// TestTLSIdleConnsHoldNoGoroutine checks that on the epoll engine idle
// TLS keep-alive connections are parked like others: no goroutine in
// connection code, and they answer again.
func TestTLSIdleConnsHoldNoGoroutine(t *testing.T) {
	requireEpoll(t)
	if testEngine() == EngineGoroutine {
		t.Skip("the goroutine engine holds a small goroutine per idle connection")
	}
	dial := serveTLS(t, &Server{Handler: hello})
	const n = 50
	conns := make([]*rawConn, n)
	for i := range conns {
		conns[i] = dial()
		getHello(t, conns[i], "first request")
	}
	waitFor(t, "no goroutine in connection code", func() bool {
		buf := make([]byte, 1<<20)
		return !strings.Contains(string(buf[:runtime.Stack(buf, true)]), "strand.(*conn).")
	})
	for i, c := range conns {
		getHello(t, c, fmt.Sprint("connection ", i, " after parking"))
	}
}

// TestTLSIdleTimeout: a parked TLS connection is closed at IdleTimeout.
func TestTLSIdleTimeout(t *testing.T) {
	s := &Server{Handler: hello, IdleTimeout: 200 * time.Millisecond}
	dial := serveTLS(t, s)
	c := dial()
	getHello(t, c, "first request")
	start := time.Now()
	if _, err := c.br.ReadByte(); err == nil {
		t.Fatal("read a byte from an idle connection; want it closed")
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("closed after %v; want IdleTimeout (200ms)", d)
	}
	waitFor(t, "the connection to be forgotten", func() bool { return s.OpenConns() == 0 })
}
