package strand

// Benchmarks, each with a net/http twin doing the same work over the same
// raw client, so that `benchstat` compares the servers and nothing else.

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// exchanger sends a fixed request (or a pipelined batch of them) on one
// connection and reads back the fixed-size responses, allocating nothing.
type exchanger struct {
	c    net.Conn
	req  []byte
	buf  []byte
	want int
}

// byteCounter counts the bytes read through it.
type byteCounter struct {
	r io.Reader
	n int
}

func (c *byteCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// newExchanger dials addr and learns the size of the responses to req,
// which holds `responses` requests, from a first exchange.
func newExchanger(tb testing.TB, addr, req string, responses int) *exchanger {
	tb.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	if _, err := io.WriteString(c, req); err != nil {
		tb.Fatal(err)
	}
	counter := &byteCounter{r: c}
	br := bufio.NewReader(counter)
	for i := range responses {
		resp, err := readRawResponse(br, "GET")
		if err != nil {
			tb.Fatalf("learning response %d: %v", i, err)
		}
		if resp.Status != 200 {
			tb.Fatalf("learning response %d: status %d", i, resp.Status)
		}
	}
	if br.Buffered() != 0 {
		tb.Fatalf("%d bytes beyond the %d responses", br.Buffered(), responses)
	}
	return &exchanger{c: c, req: []byte(req), buf: make([]byte, counter.n), want: counter.n}
}

func (e *exchanger) do(tb testing.TB) {
	if _, err := e.c.Write(e.req); err != nil {
		tb.Fatal(err)
	}
	if _, err := io.ReadFull(e.c, e.buf[:e.want]); err != nil {
		tb.Fatal(err)
	}
}

// startNetHTTP serves h with net/http on a loopback port until cleanup.
func startNetHTTP(tb testing.TB, h http.Handler) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	tb.Cleanup(func() {
		srv.Close()
		<-done
	})
	return ln.Addr().String()
}

const plaintextRequest = "GET /plaintext HTTP/1.1\r\nHost: bench\r\nUser-Agent: strand-bench\r\nAccept: */*\r\n\r\n"

var netHTTPPlaintext = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	_, _ = io.WriteString(w, "Hello, World!")
})

func BenchmarkNetHTTPKeepAlivePlaintext(b *testing.B) {
	ex := newExchanger(b, startNetHTTP(b, netHTTPPlaintext), plaintextRequest, 1)
	b.ReportAllocs()
	for b.Loop() {
		ex.do(b)
	}
}

// BenchmarkPipelined16 sends 16 GETs in one write, as pipelining load
// generators do, and reads the 16 responses.
func BenchmarkPipelined16(b *testing.B) {
	addr := startServer(b, &Server{Handler: plaintext})
	ex := newExchanger(b, addr, strings.Repeat(plaintextRequest, 16), 16)
	b.ReportAllocs()
	for b.Loop() {
		ex.do(b)
	}
}

func BenchmarkNetHTTPPipelined16(b *testing.B) {
	ex := newExchanger(b, startNetHTTP(b, netHTTPPlaintext), strings.Repeat(plaintextRequest, 16), 16)
	b.ReportAllocs()
	for b.Loop() {
		ex.do(b)
	}
}

// echoRequest is a POST of 1 KiB.
var echoRequest = "POST /echo HTTP/1.1\r\nHost: bench\r\nContent-Type: application/octet-stream\r\nContent-Length: 1024\r\n\r\n" +
	string(bytes.Repeat([]byte("0123456789abcdef"), 64))

// BenchmarkEcho1K posts 1 KiB that the handler copies back.
func BenchmarkEcho1K(b *testing.B) {
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = io.Copy(w, r.Body)
	})
	addr := startServer(b, &Server{Handler: h})
	ex := newExchanger(b, addr, echoRequest, 1)
	b.ReportAllocs()
	for b.Loop() {
		ex.do(b)
	}
}

func BenchmarkNetHTTPEcho1K(b *testing.B) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = io.Copy(w, r.Body)
	})
	ex := newExchanger(b, startNetHTTP(b, h), echoRequest, 1)
	b.ReportAllocs()
	for b.Loop() {
		ex.do(b)
	}
}
