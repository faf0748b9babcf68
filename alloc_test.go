package strand

import (
	"bytes"
	"net"
	"testing"
)

// plaintext is the benchmark handler: a fixed body with a content type.
var plaintext = HandlerFunc(func(w ResponseWriter, r *Request) {
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.WriteString("Hello, World!")
})

// startServer serves h on a loopback port and closes it at cleanup.
func startServer(t testing.TB, s *Server) string {
	t.Helper()
	useTestEngine(t, s)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Serve(ln)
	}()
	t.Cleanup(func() {
		s.Close()
		<-done
	})
	return ln.Addr().String()
}

// roundTripper sends one fixed request on a raw connection and reads the
// fixed-size response, allocating nothing itself.
type roundTripper struct {
	c    net.Conn
	req  []byte
	resp []byte
	want int
}

func (rt *roundTripper) do(tb testing.TB) {
	if _, err := rt.c.Write(rt.req); err != nil {
		tb.Fatal(err)
	}
	got := 0
	for got < rt.want {
		n, err := rt.c.Read(rt.resp[got:rt.want])
		if err != nil {
			tb.Fatal(err)
		}
		got += n
	}
}

func newRoundTripper(tb testing.TB, addr string, req string) *roundTripper {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	rt := &roundTripper{c: c, req: []byte(req), resp: make([]byte, 4096)}
	// Learn the response length from a first exchange.
	if _, err := c.Write(rt.req); err != nil {
		tb.Fatal(err)
	}
	n, err := c.Read(rt.resp)
	if err != nil {
		tb.Fatal(err)
	}
	if !bytes.HasSuffix(rt.resp[:n], []byte("Hello, World!")) {
		tb.Fatalf("first response = %q; want it to end in the body", rt.resp[:n])
	}
	rt.want = n
	return rt
}

// TestKeepAliveGETAllocatesNothing guards the zero-allocation hot path: a
// keep-alive GET answered by a handler that sets a header and writes a
// body, measured over a real socket (client and server in this process).
func TestKeepAliveGETAllocatesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation test needs a warm server")
	}
	if raceEnabled {
		// Under -race, sync.Pool drops a quarter of what is put into it, so
		// pooled buffers and exchanges are made again at random. `make
		// unit` runs this test once more without -race.
		t.Skip("allocation counts are meaningless under the race detector")
	}
	s := &Server{Handler: plaintext}
	addr := startServer(t, s)
	rt := newRoundTripper(t, addr, "GET /plaintext HTTP/1.1\r\nHost: bench\r\nUser-Agent: strand-test\r\nAccept: */*\r\n\r\n")
	for range 100 {
		rt.do(t) // warm up pools and buffers
	}
	if n := testing.AllocsPerRun(1000, func() { rt.do(t) }); n != 0 {
		t.Fatalf("keep-alive GET /plaintext: %v allocations per request; want 0", n)
	}
}

func BenchmarkKeepAlivePlaintext(b *testing.B) {
	s := &Server{Handler: plaintext}
	addr := startServer(b, s)
	rt := newRoundTripper(b, addr, "GET /plaintext HTTP/1.1\r\nHost: bench\r\nUser-Agent: strand-bench\r\nAccept: */*\r\n\r\n")
	b.ReportAllocs()
	for b.Loop() {
		rt.do(b)
	}
}
