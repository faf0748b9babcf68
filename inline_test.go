package strand

import (
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// onPoller reports whether the calling handler runs on a poller goroutine
// of the epoll engine (inline.go), not on a worker.
func onPoller() bool {
	buf := make([]byte, 64<<10)
	return strings.Contains(string(buf[:runtime.Stack(buf, false)]), "(*poller).runInline")
}

// inlineServer serves h, marked NonBlocking, on the epoll engine.
func inlineServer(t *testing.T, s *Server, h HandlerFunc) string {
	t.Helper()
	requireEpoll(t)
	s.Engine = EngineEpoll
	s.Handler = NonBlocking(h)
	return serve(t, s)
}

// TestInlineRunsOnPoller checks where NonBlocking handlers run: once a
// connection has parked, on the poller, but a request whose body is not
// all there yet on a worker; on the goroutine engine, never on a poller.
// (A new connection's first request runs on the worker that opened it if
// it came with the connection, on the poller if it came later.)
func TestInlineRunsOnPoller(t *testing.T) {
	var where atomic.Value
	h := func(w ResponseWriter, r *Request) {
		where.Store(onPoller())
		b, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("reading the body: %v", err)
		}
		_, _ = fmt.Fprintf(w, "%s %d", r.Path, len(b))
	}
	addr := inlineServer(t, &Server{}, h)
	c := dialRaw(t, addr)
	get := func(req, wantBody string, wantPoller any) {
		t.Helper()
		c.send(t, req)
		r := c.response(t, "GET")
		if r.Status != 200 || string(r.Body) != wantBody {
			t.Fatalf("%.30q: %d %q; want 200 %q", req, r.Status, r.Body, wantBody)
		}
		if got := where.Load().(bool); wantPoller != nil && got != wantPoller {
			t.Fatalf("%.30q: handler on the poller = %v; want %v", req, got, wantPoller)
		}
	}
	get("GET /1 HTTP/1.1\r\nHost: x\r\n\r\n", "/1 0", nil)
	time.Sleep(20 * time.Millisecond) // parked and released
	for i := range 20 {
		p := fmt.Sprint("/", i)
		get("GET "+p+" HTTP/1.1\r\nHost: x\r\n\r\n", p+" 0", true)
	}
	get("POST /all HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", "/all 5", true)

	// The body's second half comes later: the handler reads it on a worker.
	c.send(t, "POST /half HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello")
	time.Sleep(50 * time.Millisecond)
	get("world", "/half 10", false)
	get("POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", "/chunked 3", false)
	time.Sleep(20 * time.Millisecond)
	get("GET /again HTTP/1.1\r\nHost: x\r\n\r\n", "/again 0", true)

	// The mark changes nothing on the goroutine engine.
	s := &Server{Engine: EngineGoroutine, Handler: NonBlocking(HandlerFunc(h))}
	c = dialRaw(t, serve(t, s))
	for i := range 3 {
		get("GET /g HTTP/1.1\r\nHost: x\r\n\r\n", "/g 0", false)
		if i == 0 {
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// TestInlinePipelined sends 200 requests in one write: a poller serves
// them in turns of maxInlineRequests, in order.
func TestInlinePipelined(t *testing.T) {
	addr := inlineServer(t, &Server{}, func(w ResponseWriter, r *Request) {
		_, _ = io.WriteString(w, r.Path)
	})
	c := dialRaw(t, addr)
	getHelloish := func(p string) {
		c.send(t, "GET "+p+" HTTP/1.1\r\nHost: x\r\n\r\n")
		if r := c.response(t, "GET"); string(r.Body) != p {
			t.Fatalf("got %q; want %q", r.Body, p)
		}
	}
	getHelloish("/first")
	time.Sleep(20 * time.Millisecond)
	var b strings.Builder
	const n = 200
	for i := range n {
		fmt.Fprintf(&b, "GET /%d HTTP/1.1\r\nHost: x\r\n\r\n", i)
	}
	c.send(t, b.String())
	for i := range n {
		r := c.response(t, "GET")
		if want := fmt.Sprint("/", i); r.Status != 200 || string(r.Body) != want {
			t.Fatalf("response %d: %d %q; want 200 %q", i, r.Status, r.Body, want)
		}
	}
}

// TestInlineSlowReaderWaitsForWrite pipelines requests for large
// responses and reads none: the poller queues what the socket does not
// take, stops reading requests (backpressure), and holds no goroutine for
// the connection; once the client reads, every response arrives whole.
func TestInlineSlowReaderWaitsForWrite(t *testing.T) {
	slowReaderWaitsForWrite(t, true, strings.Repeat("0123456789abcdef", 8<<10), 400) // 128 KiB each
}

// TestWorkerSlowReaderWaitsForWrite is the same with a handler that may
// block, on the epoll engine's workers: between requests a worker does
// not wait for the slow reader either (flushKept), but gives the
// connection back to the engine, which waits for EPOLLOUT. (Responses
// that the handler streams past the write buffer block it, as they must:
// these are small enough to leave whole after it returns.)
func TestWorkerSlowReaderWaitsForWrite(t *testing.T) {
	slowReaderWaitsForWrite(t, false, strings.Repeat("0123456789abcdef", 512), 4000) // 8 KiB each
}

func slowReaderWaitsForWrite(t *testing.T, nonBlocking bool, body string, n int) {
	var served atomic.Int32
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		served.Add(1)
		_, _ = io.WriteString(w, body)
	})
	var addr string
	if nonBlocking {
		addr = inlineServer(t, &Server{}, h)
	} else {
		requireEpoll(t)
		addr = serve(t, &Server{Handler: h, Engine: EngineEpoll})
	}
	c := dialRaw(t, addr)
	c.send(t, "GET /first HTTP/1.1\r\nHost: x\r\n\r\n")
	if r := c.response(t, "GET"); string(r.Body) != body {
		t.Fatalf("first response: %d bytes; want %d", len(r.Body), len(body))
	}
	time.Sleep(20 * time.Millisecond)
	go func() { // more responses than loopback buffers hold
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "GET /%d HTTP/1.1\r\nHost: x\r\n\r\n", i)
		}
		_, _ = io.WriteString(c.Conn, b.String())
	}()
	// The count stops growing once the socket is full.
	var last int32 = -1
	waitFor(t, "the server to stop serving a client that does not read", func() bool {
		time.Sleep(100 * time.Millisecond)
		cur := served.Load()
		stopped := cur == last && cur > 1
		last = cur
		return stopped
	})
	if int(last) >= n+1 {
		t.Fatalf("served all %d requests to a client that read nothing; want backpressure", n)
	}
	buf := make([]byte, 1<<20)
	if st := string(buf[:runtime.Stack(buf, true)]); strings.Contains(st, "strand.(*conn).") {
		t.Errorf("a goroutine waits in connection code for a slow reader; want the wait parked in the engine:\n%s", st)
	}
	t.Logf("served %d of %d requests before the client read", last-1, n)
	for i := range n {
		r := c.response(t, "GET")
		if r.Status != 200 || string(r.Body) != body {
			t.Fatalf("response %d: %d, %d bytes; want 200, %d bytes", i, r.Status, len(r.Body), len(body))
		}
	}
}

// TestInlineSlowReaderTimesOut: a client that never reads is dropped at
// WriteTimeout, by the engine's wheel.
func TestInlineSlowReaderTimesOut(t *testing.T) {
	slowReaderTimesOut(t, true, strings.Repeat("x", 100<<10), 200)
}

// TestWorkerSlowReaderTimesOut is the same for a connection parked by a
// worker with a finished response queued (flushKept).
func TestWorkerSlowReaderTimesOut(t *testing.T) {
	slowReaderTimesOut(t, false, strings.Repeat("x", 8<<10), 4000)
}

func slowReaderTimesOut(t *testing.T, nonBlocking bool, body string, n int) {
	h := HandlerFunc(func(w ResponseWriter, r *Request) { _, _ = io.WriteString(w, body) })
	s := &Server{WriteTimeout: 300 * time.Millisecond}
	var addr string
	if nonBlocking {
		addr = inlineServer(t, s, h)
	} else {
		requireEpoll(t)
		s.Handler, s.Engine = h, EngineEpoll
		addr = serve(t, s)
	}
	c := dialRaw(t, addr)
	c.send(t, "GET /first HTTP/1.1\r\nHost: x\r\n\r\n")
	c.response(t, "GET")
	time.Sleep(20 * time.Millisecond)
	var b strings.Builder
	for range n {
		b.WriteString("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	}
	go func() { _, _ = io.WriteString(c.Conn, b.String()) }()
	time.Sleep(time.Second)
	// Read everything that was sent: the stream must end (closed), before
	// the test's own deadline, with fewer than n responses.
	got := 0
	for {
		if _, err := readRawResponse(c.br, "GET"); err != nil {
			break
		}
		got++
	}
	if got >= n {
		t.Fatalf("all %d responses arrived; want the connection dropped at WriteTimeout", got)
	}
	waitFor(t, "the connection to be forgotten", func() bool { return s.OpenConns() == 0 })
}

// TestInlinePartialHead sends a head in two parts: the first waits in the
// engine with its buffer (no goroutine), the second completes it; a head
// that never completes is answered 408 at ReadHeaderTimeout.
func TestInlinePartialHead(t *testing.T) {
	addr := inlineServer(t, &Server{ReadHeaderTimeout: 500 * time.Millisecond}, func(w ResponseWriter, r *Request) {
		_, _ = io.WriteString(w, "hello")
	})
	c := dialRaw(t, addr)
	getHello(t, c, "first request")
	time.Sleep(20 * time.Millisecond)
	c.send(t, "GET / HTTP/1.1\r\nHo")
	time.Sleep(100 * time.Millisecond)
	buf := make([]byte, 1<<20)
	if st := string(buf[:runtime.Stack(buf, true)]); strings.Contains(st, "strand.(*conn).") {
		t.Errorf("a goroutine waits in connection code for a partial head; want it parked:\n%s", st)
	}
	c.send(t, "st: x\r\n\r\n")
	if r := c.response(t, "GET"); r.Status != 200 || string(r.Body) != "hello" {
		t.Fatalf("split head: %d %q; want 200 hello", r.Status, r.Body)
	}
	time.Sleep(20 * time.Millisecond)
	start := time.Now()
	c.send(t, "GET / HTTP/1.1\r\nHost")
	r := c.response(t, "GET")
	if r.Status != StatusRequestTimeout {
		t.Fatalf("head never completed: %d; want 408", r.Status)
	}
	if d := time.Since(start); d < 400*time.Millisecond {
		t.Fatalf("408 after %v; want ReadHeaderTimeout (500ms) from the head's first byte", d)
	}
	c.expectClosed(t)
}

// TestInlineLeavesPollerToBlock runs handlers that break the promise: one
// streams more than maxInlineQueue to a client that reads slowly, one
// hijacks. Both work, off the poller, and the connection serves on.
func TestInlineLeavesPollerToBlock(t *testing.T) {
	big := strings.Repeat("z", 8<<20)
	addr := inlineServer(t, &Server{}, func(w ResponseWriter, r *Request) {
		switch r.Path {
		case "/big":
			for i := 0; i < len(big); i += 1 << 20 {
				if _, err := io.WriteString(w, big[i:i+1<<20]); err != nil {
					return
				}
			}
		case "/hijack":
			conn, brw, err := w.(Hijacker).Hijack()
			if err != nil {
				t.Errorf("Hijack: %v", err)
				return
			}
			go func() {
				defer conn.Close()
				_, _ = brw.WriteString("hijacked " + strconv.FormatBool(onPoller()))
				_ = brw.Flush()
			}()
		default:
			_, _ = io.WriteString(w, "hello")
		}
	})
	c := dialRaw(t, addr)
	getHello(t, c, "first request")
	time.Sleep(20 * time.Millisecond)
	c.send(t, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
	time.Sleep(200 * time.Millisecond) // the socket fills; the handler must block
	if r := c.response(t, "GET"); r.Status != 200 || len(r.Body) != len(big) {
		t.Fatalf("/big: %d, %d bytes; want 200, %d", r.Status, len(r.Body), len(big))
	}
	getHello(t, c, "after /big")
	time.Sleep(20 * time.Millisecond)
	getHello(t, c, "after /big, parked")
	c.send(t, "GET /hijack HTTP/1.1\r\nHost: x\r\n\r\n")
	b, err := io.ReadAll(c.br)
	if err != nil || string(b) != "hijacked false" {
		t.Fatalf("hijacked connection: %q, %v; want \"hijacked false\"", b, err)
	}
}
