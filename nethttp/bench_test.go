package nethttp_test

// The cost of the adapters: each benchmark runs one handler written for
// one API natively and through the adapter, in process (the adapter's own
// cost) and over a loopback connection (what a client sees), with net/http's
// server as the reference.

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/nethttp"
)

// The same handler in both APIs.
var (
	helloStrand = strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteString("Hello, World!")
	})
	helloHTTP = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "Hello, World!")
	})
)

// discardStrand is a strand.ResponseWriter that keeps nothing.
type discardStrand struct{ h strand.Header }

func (d *discardStrand) Header() *strand.Header            { return &d.h }
func (d *discardStrand) WriteHeader(int)                   {}
func (d *discardStrand) Write(p []byte) (int, error)       { return len(p), nil }
func (d *discardStrand) WriteString(s string) (int, error) { return len(s), nil }
func (d *discardStrand) Flush() error                      { return nil }
func (d *discardStrand) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return nil, nil, strand.ErrNotSupported
}

// discardHTTP is an http.ResponseWriter that keeps nothing.
type discardHTTP struct{ h http.Header }

func (d *discardHTTP) Header() http.Header         { return d.h }
func (d *discardHTTP) WriteHeader(int)             {}
func (d *discardHTTP) Write(p []byte) (int, error) { return len(p), nil }

// strandRequest returns a request as a Strand server would give it, with
// the fields a browser sends.
func strandRequest() strand.Request {
	r := strand.Request{
		Method: "GET", Target: "/hello?x=1", Path: "/hello", RawPath: "/hello", RawQuery: "x=1",
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Host: "localhost:8080",
		Body: http.NoBody, RemoteAddr: "127.0.0.1:54321",
	}
	r.Header.Add("Host", "localhost:8080")
	r.Header.Add("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
	r.Header.Add("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	r.Header.Add("Accept-Encoding", "gzip, deflate, br, zstd")
	r.Header.Add("Accept-Language", "en-GB,en;q=0.5")
	return r
}

// BenchmarkAdapter measures both adapters against the native handler.
//
//   - Handler/*: a Strand server's view. "native" is helloStrand; "adapted"
//     is helloHTTP through Handler. The request is reset each time, so
//     the adapted run pays for the request context a real one would.
//   - FromStrand/*: a net/http server's view, the other way round.
//   - loopback/*: one keep-alive connection, one request at a time, to a
//     Strand server (native, adapted) and to net/http's server running
//     helloHTTP; the client reads a fixed-size response without allocating.
func BenchmarkAdapter(b *testing.B) {
	b.Run("Handler/native", func(b *testing.B) { benchStrand(b, helloStrand) })
	b.Run("Handler/adapted", func(b *testing.B) { benchStrand(b, nethttp.Handler(helloHTTP)) })
	b.Run("FromStrand/native", func(b *testing.B) { benchHTTP(b, helloHTTP) })
	b.Run("FromStrand/adapted", func(b *testing.B) { benchHTTP(b, nethttp.FromStrand(helloStrand)) })
	b.Run("loopback/strand-native", func(b *testing.B) { benchLoopback(b, strandServer(b, helloStrand)) })
	b.Run("loopback/strand-adapted", func(b *testing.B) { benchLoopback(b, strandServer(b, nethttp.Handler(helloHTTP))) })
	b.Run("loopback/net-http", func(b *testing.B) { benchLoopback(b, httpServer(b, helloHTTP)) })
}

func benchStrand(b *testing.B, h strand.Handler) {
	base := strandRequest()
	r := new(strand.Request)
	w := new(discardStrand)
	b.ReportAllocs()
	for b.Loop() {
		*r = base
		w.h.Reset()
		h.ServeHTTP(w, r)
	}
}

func benchHTTP(b *testing.B, h http.Handler) {
	req := httptest.NewRequest("GET", "http://localhost:8080/hello?x=1", nil)
	req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	req.Header.Set("Accept-Encoding", "gzip, deflate, br, zstd")
	req.Header.Set("Accept-Language", "en-GB,en;q=0.5")
	w := &discardHTTP{h: make(http.Header)}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, req)
	}
}

// strandServer serves h on a loopback port until the benchmark ends.
func strandServer(b *testing.B, h strand.Handler) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &strand.Server{Handler: h}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// httpServer serves h with net/http on a loopback port until the
// benchmark ends.
func httpServer(b *testing.B, h http.Handler) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// benchLoopback sends requests one at a time on one connection. The
// response's size is learnt from the first one (its Date field has a fixed
// width), so that the loop reads whole responses without parsing them.
func benchLoopback(b *testing.B, addr string) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	req := []byte("GET /hello?x=1 HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n")
	br := bufio.NewReader(conn)
	conn.Write(req)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		b.Fatal(err)
	}
	var head int
	for name, values := range resp.Header {
		for _, v := range values {
			head += len(name) + len(": ") + len(v) + len("\r\n")
		}
	}
	size := len(fmt.Sprintf("HTTP/1.1 %s\r\n", resp.Status)) + head + len("\r\n") + int(resp.ContentLength)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	buf := make([]byte, size)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := conn.Write(req); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(br, buf); err != nil {
			b.Fatal(err)
		}
	}
	if string(buf[len(buf)-13:]) != "Hello, World!" {
		b.Fatalf("the last response ends with %q; its size was misjudged", buf[len(buf)-20:])
	}
}
