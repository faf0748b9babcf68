package strand

// Tests of what the engines promise beyond serving requests correctly
// (which the whole suite checks on both, see main_test.go): what an idle
// connection costs, that a slow reader cannot make the server buffer
// without bound, and that many connections are served at once.

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/strandhttp/strand/internal/engine"
)

// raiseFileLimit lifts the soft limit on open files to the hard one, or
// skips the test when that is below need.
func raiseFileLimit(t *testing.T, need uint64) {
	t.Helper()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Skipf("getrlimit: %v", err)
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
	if lim.Cur < need {
		t.Skipf("open file limit %d; the test needs %d", lim.Cur, need)
	}
}

func requireEpoll(t *testing.T) {
	t.Helper()
	if !engine.EpollSupported {
		t.Skip("the epoll engine needs Linux")
	}
}

// TestEngineUnknownRefused checks that Serve names the field and the
// choices for an engine it does not know.
func TestEngineUnknownRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	err = (&Server{Engine: "kqueue"}).Serve(ln)
	if err == nil || !strings.Contains(err.Error(), "Server.Engine") || !strings.Contains(err.Error(), EngineEpoll) {
		t.Fatalf("Serve with Engine \"kqueue\" = %v; want an error naming Server.Engine and the engines", err)
	}
}

// TestEpollIdleConnsHoldNoGoroutine opens 5,000 keep-alive connections to
// the epoll engine, one request each, and checks that once they are idle
// the server holds no goroutine for them.
func TestEpollIdleConnsHoldNoGoroutine(t *testing.T) {
	requireEpoll(t)
	if testing.Short() {
		t.Skip("opens 5,000 connections")
	}
	if testEngine() == EngineGoroutine {
		t.Skip("runs in the epoll passes of TestMain (workers, and Inline)")
	}
	const n = 5000
	raiseFileLimit(t, 2*n+200)
	base := runtime.NumGoroutine()
	s := &Server{Handler: hello}
	addr := serve(t, s)
	conns := make([]net.Conn, 0, n)
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	req := []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	buf := make([]byte, 512)
	for range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("dial after %d connections: %v", len(conns), err)
		}
		conns = append(conns, c)
		_ = c.SetDeadline(time.Now().Add(testTimeout))
		if _, err := c.Write(req); err != nil {
			t.Fatal(err)
		}
		if m, err := c.Read(buf); err != nil || !strings.HasSuffix(string(buf[:m]), "hello") {
			t.Fatalf("response %d: %q, %v; want it to end in hello", len(conns), buf[:m], err)
		}
	}
	if got := s.OpenConns(); got != n {
		t.Fatalf("OpenConns = %d; want %d", got, n)
	}
	// Parked pool workers (which exit after a while) do not count; a
	// goroutine in the connection's code does.
	var inConn int
	for deadline := time.Now().Add(testTimeout); ; time.Sleep(10 * time.Millisecond) {
		buf := make([]byte, 64<<20)
		buf = buf[:runtime.Stack(buf, true)]
		inConn = strings.Count(string(buf), "strand.(*conn).")
		if inConn < 100 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d idle connections: %d goroutines in connection code; want under 100", n, inConn)
		}
	}
	t.Logf("%d idle connections: %d goroutines above the baseline, %d stack frames in connection code",
		n, runtime.NumGoroutine()-base, inConn)
	// They are idle, not gone: each still answers.
	for i, c := range conns[:100] {
		if _, err := c.Write(req); err != nil {
			t.Fatal(err)
		}
		if m, err := c.Read(buf); err != nil || !strings.HasSuffix(string(buf[:m]), "hello") {
			t.Fatalf("second response on connection %d: %q, %v", i, buf[:m], err)
		}
	}
}

// releasedConns counts s's connections that the epoll engine has
// released (idle_linux.go): they have no net.Conn.
func releasedConns(s *Server) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for c := range s.conns {
		if c.rwc == nil {
			n++
		}
	}
	return n
}

// getHello sends GET / on c and checks the answer.
func getHello(t *testing.T, c *rawConn, what string) {
	t.Helper()
	c.send(t, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if r := c.response(t, "GET"); r.Status != 200 || string(r.Body) != "hello" {
		t.Fatalf("%s: %d %q; want 200 hello", what, r.Status, r.Body)
	}
}

// TestEpollReleasedConnsServeAgain checks that connections the epoll
// engine released while they were parked answer their next requests, a
// pipelined pair among them.
func TestEpollReleasedConnsServeAgain(t *testing.T) {
	requireEpoll(t)
	if testEngine() != EngineEpoll {
		t.Skip("runs in the epoll pass of TestMain")
	}
	const n = 20
	s := &Server{Handler: hello, parkAfter: -1, releaseAfter: time.Nanosecond}
	addr := serve(t, s)
	conns := make([]*rawConn, n)
	for i := range conns {
		conns[i] = dialRaw(t, addr)
		getHello(t, conns[i], fmt.Sprintf("first request on connection %d", i))
	}
	waitFor(t, "every connection released", func() bool { return releasedConns(s) == n })
	for i, c := range conns {
		getHello(t, c, fmt.Sprintf("request on released connection %d", i))
	}
	waitFor(t, "every connection released again", func() bool { return releasedConns(s) == n })
	c := conns[0]
	c.send(t, "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
	for i := range 2 {
		if r := c.response(t, "GET"); r.Status != 200 || string(r.Body) != "hello" {
			t.Fatalf("pipelined response %d on a released connection: %d %q", i, r.Status, r.Body)
		}
	}
	if got := s.OpenConns(); got != n {
		t.Fatalf("OpenConns = %d; want %d", got, n)
	}
}

// TestEpollReleasedConnsTimeOutAndClose checks that released connections
// still end: at IdleTimeout, at Shutdown, and at Close for one that never
// sent a request.
func TestEpollReleasedConnsTimeOutAndClose(t *testing.T) {
	requireEpoll(t)
	if testEngine() != EngineEpoll {
		t.Skip("runs in the epoll pass of TestMain")
	}
	t.Run("IdleTimeout", func(t *testing.T) {
		s := &Server{Handler: hello, IdleTimeout: 600 * time.Millisecond, parkAfter: -1, releaseAfter: time.Nanosecond}
		addr := serve(t, s)
		c := dialRaw(t, addr)
		getHello(t, c, "first request")
		waitFor(t, "the connection released", func() bool { return releasedConns(s) == 1 })
		c.expectClosed(t)
		waitFor(t, "no open connection", func() bool { return s.OpenConns() == 0 })
	})
	t.Run("Shutdown", func(t *testing.T) {
		s := &Server{Handler: hello, parkAfter: -1, releaseAfter: time.Nanosecond}
		addr := serve(t, s)
		c := dialRaw(t, addr)
		getHello(t, c, "first request")
		waitFor(t, "the connection released", func() bool { return releasedConns(s) == 1 })
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		start := time.Now()
		if err := s.Shutdown(ctx); err != nil {
			t.Fatalf("Shutdown with a released idle connection = %v", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Shutdown took %v with a released idle connection; want it closed at once", d)
		}
		c.expectClosed(t)
	})
	t.Run("CloseNew", func(t *testing.T) {
		s := &Server{Handler: hello, parkAfter: -1, releaseAfter: time.Nanosecond}
		addr := serve(t, s)
		c := dialRaw(t, addr)
		waitFor(t, "the new connection released", func() bool { return releasedConns(s) == 1 })
		start := time.Now()
		s.Close()
		c.expectClosed(t)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("the released new connection closed %v after Close; want at once", d)
		}
	})
}

// TestGoroutineIdleConnsLeaveWorkers checks that on the goroutine engine
// an idle connection waits on a goroutine of its own (whose stack has not
// grown), not on the pool worker that ran its handler.
func TestGoroutineIdleConnsLeaveWorkers(t *testing.T) {
	if testEngine() != EngineGoroutine {
		t.Skip("runs in the goroutine pass of TestMain")
	}
	const n = 50
	s := &Server{Handler: hello}
	addr := serve(t, s)
	for i := range n {
		getHello(t, dialRaw(t, addr), fmt.Sprintf("request on connection %d", i))
	}
	var waiting, onWorker int
	waitFor(t, "every idle connection off its worker", func() bool {
		buf := make([]byte, 8<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		waiting = strings.Count(stacks, "engine.(*goroutineSessions).wait(")
		onWorker = strings.Count(stacks, "strand.(*conn).Resume(")
		return waiting == n && onWorker == 0
	})
}

// TestSlowReaderBounded runs a handler that streams without end to a
// client that never reads: the server must not buffer what the client
// does not take. Writes block once the socket buffers are full, and
// WriteTimeout then drops the client.
func TestSlowReaderBounded(t *testing.T) {
	var written atomic.Int64
	failed := make(chan error, 1)
	chunk := make([]byte, 64<<10)
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		for {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				failed <- err
				return
			}
		}
	})
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	addr := serve(t, &Server{Handler: h, WriteTimeout: 300 * time.Millisecond})
	c := dialRaw(t, addr)
	c.send(t, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
	err := recv(t, failed, "the handler's write to fail")
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if !isTimeoutErr(err) {
		t.Errorf("handler's write failed with %v; want a timeout", err)
	}
	// Loopback socket buffers take a few MiB; the server itself holds at
	// most a write buffer.
	if n := written.Load(); n > 64<<20 {
		t.Errorf("the handler wrote %d MiB to a client that read nothing; want the writes to block", n>>20)
	}
	if grew := int64(after.HeapInuse) - int64(before.HeapInuse); grew > 16<<20 {
		t.Errorf("heap grew by %d MiB; want the server's buffering bounded", grew>>20)
	}
}

// clientEnv makes the test binary a load client: see manyConnsClient.
const clientEnv = "STRAND_TEST_MANY_CONNS_CLIENT"

func init() {
	if v := os.Getenv(clientEnv); v != "" {
		addr, n, _ := strings.Cut(v, ",")
		count, _ := strconv.Atoi(n)
		if err := manyConnsClient(addr, count); err != nil {
			fmt.Println("FAIL", err)
			os.Exit(1)
		}
		fmt.Println("OK")
		os.Exit(0)
	}
}

// manyConnsClient opens count connections to addr, makes one request on
// each, then a second on each while all are open.
func manyConnsClient(addr string, count int) error {
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil && lim.Cur < lim.Max {
		lim.Cur = lim.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
	req := "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
	type cl struct {
		c  net.Conn
		br *bufio.Reader
	}
	conns := make([]cl, 0, count)
	defer func() {
		for _, c := range conns {
			c.c.Close()
		}
	}()
	for i := range count {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return fmt.Errorf("dial %d: %w", i, err)
		}
		_ = c.SetDeadline(time.Now().Add(30 * time.Second))
		conns = append(conns, cl{c, bufio.NewReaderSize(c, 256)})
		if _, err := io.WriteString(c, req); err != nil {
			return fmt.Errorf("request on %d: %w", i, err)
		}
	}
	for round := range 2 {
		for i, c := range conns {
			if round == 1 {
				if _, err := io.WriteString(c.c, req); err != nil {
					return fmt.Errorf("second request on %d: %w", i, err)
				}
			}
		}
		for i, c := range conns {
			resp, err := readRawResponse(c.br, "GET")
			if err != nil || resp.Status != 200 || string(resp.Body) != "hello" {
				return fmt.Errorf("response %d on connection %d: %v, %v", round+1, i, resp, err)
			}
		}
	}
	return nil
}

// TestTenThousandKeepAliveConns has a client process hold 10,000
// keep-alive connections to the server at once, each making two requests.
// The client is this test binary run again (clientEnv), so that the two
// sides' descriptors count against two processes' limits.
func TestTenThousandKeepAliveConns(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("10,000 connections: not under -short or -race")
	}
	const n = 10000
	raiseFileLimit(t, n+200)
	s := &Server{Handler: hello}
	addr := serve(t, s)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), clientEnv+"="+addr+","+strconv.Itoa(n))
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "OK") {
		t.Fatalf("client: %v\n%s", err, out)
	}
	t.Logf("%d connections, two requests each, in %v", n, time.Since(start).Round(time.Millisecond))
}

// TestEpollMaxWorkers runs blocking handlers on five connections with
// MaxWorkers 2: two run at once, the other requests wait for them, and
// all are answered.
func TestEpollMaxWorkers(t *testing.T) {
	requireEpoll(t)
	var running, peak atomic.Int32
	release := make(chan struct{})
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		n := running.Add(1)
		defer running.Add(-1)
		for old := peak.Load(); n > old && !peak.CompareAndSwap(old, n); old = peak.Load() {
		}
		<-release
		_, _ = w.WriteString("done")
	})
	addr := serve(t, &Server{Handler: h, Engine: EngineEpoll, MaxWorkers: 2})
	const n = 5
	results := make(chan error, n)
	for range n {
		go func() {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				results <- err
				return
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(testTimeout))
			if _, err := c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
				results <- err
				return
			}
			resp, err := readRawResponse(bufio.NewReader(c), "GET")
			if err == nil && (resp.Status != 200 || string(resp.Body) != "done") {
				err = fmt.Errorf("%d %q; want 200 done", resp.Status, resp.Body)
			}
			results <- err
		}()
	}
	waitFor(t, "two handlers to run", func() bool { return running.Load() == 2 })
	time.Sleep(50 * time.Millisecond) // room for a wrongly started third
	if got := running.Load(); got != 2 {
		t.Fatalf("%d handlers running with MaxWorkers 2", got)
	}
	close(release)
	for range n {
		if err := recv(t, results, "a response"); err != nil {
			t.Fatal(err)
		}
	}
	if got := peak.Load(); got != 2 {
		t.Fatalf("at most %d handlers ran at once; want 2", got)
	}
}
