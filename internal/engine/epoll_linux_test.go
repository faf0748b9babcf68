//go:build linux

package engine

import (
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/strandhttp/strand/internal/netpoll"
)

// echoSession is a Session over a bare descriptor: each Resume echoes
// what is there to read and asks to be parked until deadline. Resumed
// Inline, it asks for a worker when it reads "work", and echoes that on
// the worker; modes records the mode of each Resume.
type echoSession struct {
	fd       int
	idle     time.Duration // the deadline of each park, from its start
	released atomic.Int32  // Release calls that gave a new descriptor
	expired  chan struct{}
	once     sync.Once
	modes    chan Mode
	pending  []byte // read Inline, to echo on a worker
	bare     bool   // counts as released from the start (see Released)
}

func (s *echoSession) FD() int { return s.fd }

func (s *echoSession) Resume(mode Mode) (Next, time.Time) {
	if mode == Accepted {
		return WaitRead, time.Now().Add(s.idle)
	}
	if s.modes != nil {
		s.modes <- mode
	}
	if len(s.pending) > 0 {
		_, _ = unix.Write(s.fd, s.pending)
		s.pending = nil
	}
	var buf [64]byte
	for {
		n, err := unix.Read(s.fd, buf[:])
		if n > 0 {
			if mode == Inline && string(buf[:n]) == "work" {
				s.pending = append(s.pending, buf[:n]...)
				return ToWorker, time.Time{}
			}
			_, _ = unix.Write(s.fd, buf[:n])
			continue
		}
		if err == unix.EAGAIN && mode != Drain {
			return WaitRead, time.Now().Add(s.idle)
		}
		s.Expire() // EOF, an error, or the engine stopped
		return Done, time.Time{}
	}
}

func (s *echoSession) Released() bool { return s.bare || s.released.Load() > 0 }

func (s *echoSession) Expire() {
	s.once.Do(func() {
		unix.Close(s.fd)
		close(s.expired)
	})
}

func (s *echoSession) Release() (int, bool) {
	fd, err := unix.Dup(s.fd)
	if err != nil {
		return 0, false
	}
	unix.Close(s.fd)
	s.fd = fd
	s.released.Add(1)
	return fd, true
}

func (s *echoSession) Wait() bool { return false }

// echoHandler opens echoSessions on the descriptors of accepted
// connections, and hands each to the test.
type echoHandler struct {
	idle     time.Duration
	sessions chan *echoSession
	modes    chan Mode // given to the sessions
	bare     bool      // likewise
}

func (h *echoHandler) ServeConn(c net.Conn) { c.Close() }

func (h *echoHandler) OpenSession(c net.Conn, opts SessionOptions) Session {
	defer c.Close()
	rc, err := c.(*net.TCPConn).SyscallConn()
	if err != nil {
		return nil
	}
	fd, err := netpoll.Dup(rc)
	if err != nil {
		return nil
	}
	s := &echoSession{fd: fd, idle: h.idle, expired: make(chan struct{}), modes: h.modes, bare: h.bare}
	h.sessions <- s
	return s
}

// serveEcho serves h with e on a loopback port until cleanup, and returns
// a connection to it.
func serveEcho(t *testing.T, e *Epoll, h *echoHandler) net.Conn {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- e.Serve(ln, h) }()
	t.Cleanup(func() {
		ln.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve = %v after the listener closed; want nil", err)
		}
	})
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	return c
}

// TestEpollReleaseAndExpire drives the epoll engine with sessions of its
// own: a parked session is released after ReleaseAfter (a new descriptor
// replaces its old one in the epoll instance), is resumed when bytes come
// to the new one, and expires at its deadline.
func TestEpollReleaseAndExpire(t *testing.T) {
	h := &echoHandler{idle: 700 * time.Millisecond, sessions: make(chan *echoSession, 1)}
	c := serveEcho(t, &Epoll{Pollers: 1, ParkAfter: -1, ReleaseAfter: time.Nanosecond}, h)
	var sess *echoSession
	select {
	case sess = <-h.sessions:
	case <-time.After(10 * time.Second):
		t.Fatal("no session opened")
	}
	echo := func(msg string) {
		t.Helper()
		if _, err := c.Write([]byte(msg)); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, len(msg))
		if _, err := c.Read(buf); err != nil || string(buf) != msg {
			t.Fatalf("echo of %q = %q, %v", msg, buf, err)
		}
	}
	echo("before")
	for deadline := time.Now().Add(5 * time.Second); sess.released.Load() == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the parked session was not released")
		}
	}
	echo("after release")
	start := time.Now()
	select {
	case <-sess.expired:
	case <-time.After(5 * time.Second):
		t.Fatal("the parked session did not expire")
	}
	if d := time.Since(start); d < 500*time.Millisecond {
		t.Errorf("expired %v after its last request; want its 700ms deadline", d)
	}
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("read after expiry succeeded; want the connection closed")
	}
}

// TestEpollInline drives an Inline engine: a session is resumed Inline
// from the start, goes to a worker (OnWorker) when it asks, and comes
// back Inline after that; an edge-triggered descriptor that is not
// re-armed still reports every request.
func TestEpollInline(t *testing.T) {
	h := &echoHandler{idle: 10 * time.Second, sessions: make(chan *echoSession, 1), modes: make(chan Mode, 100), bare: true}
	c := serveEcho(t, &Epoll{Pollers: 1, ParkAfter: -1, ReleaseAfter: -1, Inline: true}, h)
	// echo sends msg and reads it back, and returns the modes of the
	// Resumes since the last call: those that read msg (none if the
	// Resume that echoed the one before read it too) and the ones before.
	echo := func(msg string) []Mode {
		t.Helper()
		if _, err := c.Write([]byte(msg)); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, len(msg))
		if _, err := io.ReadFull(c, buf); err != nil || string(buf) != msg {
			t.Fatalf("echo of %q = %q, %v", msg, buf, err)
		}
		var modes []Mode
		for len(h.modes) > 0 {
			modes = append(modes, <-h.modes)
		}
		return modes
	}
	// A new plain TCP connection is parked as it is accepted, and served
	// Inline from its first bytes on.
	inline := 0
	for i := range 50 {
		for _, m := range echo(fmt.Sprint("inline ", i)) {
			if m != Inline {
				t.Fatalf("a parked connection was resumed %v; want Inline", m)
			}
			inline++
		}
	}
	if inline == 0 {
		t.Fatal("no Inline Resume in 50 echoes")
	}
	// The Resume that reads "work" is Inline (perhaps the one that echoed
	// the message before), and asks for a worker.
	if modes := echo("work"); len(modes) == 0 || modes[len(modes)-1] != OnWorker {
		t.Fatalf("a session that asked for a worker was resumed %v; want OnWorker last", modes)
	}
	time.Sleep(10 * time.Millisecond)
	if modes := echo("back"); len(modes) != 1 || modes[0] != Inline {
		t.Fatalf("after its worker parked it, the session was resumed %v; want Inline", modes)
	}
}
