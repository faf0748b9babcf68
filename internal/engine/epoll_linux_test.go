//go:build linux

package engine

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/strandhttp/strand/internal/netpoll"
)

// echoSession is a Session over a bare descriptor: each Resume echoes
// what is there to read and asks to be parked until deadline.
type echoSession struct {
	fd       int
	idle     time.Duration // the deadline of each park, from its start
	released atomic.Int32  // Release calls that gave a new descriptor
	expired  chan struct{}
	once     sync.Once
}

func (s *echoSession) FD() int { return s.fd }

func (s *echoSession) Resume(mayPark bool) (bool, time.Time) {
	var buf [64]byte
	for {
		n, err := unix.Read(s.fd, buf[:])
		if n > 0 {
			_, _ = unix.Write(s.fd, buf[:n])
			continue
		}
		if err == unix.EAGAIN && mayPark {
			return true, time.Now().Add(s.idle)
		}
		s.Expire() // EOF, an error, or the engine stopped
		return false, time.Time{}
	}
}

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
	s := &echoSession{fd: fd, idle: h.idle, expired: make(chan struct{})}
	h.sessions <- s
	return s
}

// TestEpollReleaseAndExpire drives the epoll engine with sessions of its
// own: a parked session is released after ReleaseAfter (a new descriptor
// replaces its old one in the epoll instance), is resumed when bytes come
// to the new one, and expires at its deadline.
func TestEpollReleaseAndExpire(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &echoHandler{idle: 700 * time.Millisecond, sessions: make(chan *echoSession, 1)}
	e := &Epoll{Pollers: 1, ParkAfter: -1, ReleaseAfter: time.Nanosecond}
	done := make(chan error, 1)
	go func() { done <- e.Serve(ln, h) }()
	defer func() {
		ln.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve = %v after the listener closed; want nil", err)
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
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
