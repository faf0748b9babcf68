package strand

// Tests of Shutdown and Close.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// TestShutdownGraceful checks the graceful path: Shutdown stops accepting,
// closes idle connections at once, lets requests in flight finish with
// their full responses, and returns nil once they have; Serve returns
// ErrServerClosed.
func TestShutdownGraceful(t *testing.T) {
	skipInline(t, "may not wait for each other")
	const inflight = 3
	release := make(chan struct{})
	entered := make(chan struct{}, inflight)
	body := strings.Repeat("s", 50000)
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		if r.Path == "/block" {
			entered <- struct{}{}
			select {
			case <-release:
			case <-time.After(testTimeout):
				return
			}
		}
		_, _ = w.WriteString(body)
	})
	s := &Server{Handler: h}
	addr, served := serveAsync(t, s)

	idle := dialRaw(t, addr)
	idle.send(t, "GET /fast HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp := idle.response(t, "GET"); resp.Status != 200 {
		t.Fatalf("idle connection's request: %d; want 200", resp.Status)
	}
	// Connected before Shutdown, request sent after it began: a new
	// connection gets a grace period to send its first request.
	late := dialRaw(t, addr)
	waitFor(t, "the late connection to be accepted", func() bool { return s.OpenConns() == 2 })

	type result struct {
		resp *rawResponse
		err  error
	}
	results := make(chan result, inflight)
	for range inflight {
		c := dialRaw(t, addr)
		go func() {
			if _, err := c.Write([]byte("GET /block HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
				results <- result{err: err}
				return
			}
			resp, err := readRawResponse(c.br, "GET")
			results <- result{resp, err}
		}()
	}
	for range inflight {
		recv(t, entered, "the handlers to start")
	}

	shutdownErr := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		shutdownErr <- s.Shutdown(ctx)
	}()

	idle.expectClosed(t)
	late.send(t, "GET /fast HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp := late.response(t, "GET"); resp.Status != 200 || !resp.Close() {
		t.Fatalf("request on a connection made before Shutdown:\n%s\nwant 200 with Connection: close", resp.Head)
	}
	late.expectClosed(t)
	// The listener was closed before the idle connections.
	if c, err := net.Dial("tcp", addr); err == nil {
		_ = c.SetDeadline(time.Now().Add(testTimeout))
		fmt.Fprint(c, "GET /fast HTTP/1.1\r\nHost: x\r\n\r\n")
		if resp, err := readRawResponse(bufio.NewReader(c), "GET"); err == nil {
			t.Errorf("a connection made during Shutdown was answered %d; want it refused", resp.Status)
		}
		c.Close()
	}
	select {
	case err := <-shutdownErr:
		t.Fatalf("Shutdown returned %v while requests were in flight", err)
	case r := <-results:
		t.Fatalf("a blocked request finished early: %v", r.err)
	default:
	}

	close(release)
	for range inflight {
		r := recv(t, results, "an in-flight response")
		if r.err != nil {
			t.Fatalf("in-flight request: %v", r.err)
		}
		if r.resp.Status != 200 || string(r.resp.Body) != body || !r.resp.Close() {
			t.Errorf("in-flight response: %d with %d bytes, close %v; want 200 with %d bytes and Connection: close",
				r.resp.Status, len(r.resp.Body), r.resp.Close(), len(body))
		}
	}
	if err := recv(t, shutdownErr, "Shutdown"); err != nil {
		t.Fatalf("Shutdown = %v; want nil", err)
	}
	if err := recv(t, served, "Serve"); !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Serve = %v; want ErrServerClosed", err)
	}
	if got := s.OpenConns(); got != 0 {
		t.Errorf("OpenConns after Shutdown = %d; want 0", got)
	}
}

// TestShutdownForced checks the forced paths: when Shutdown's context ends
// first, or on Close, connections are closed and the contexts of blocked
// requests are cancelled. The request has an unread body, so only the
// server's cancellation, not client-gone detection, can end its context.
func TestShutdownForced(t *testing.T) {
	tests := []struct {
		name    string
		stop    func(*Server) error
		wantErr error
	}{
		{"Shutdown deadline", func(s *Server) error {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			return s.Shutdown(ctx)
		}, context.DeadlineExceeded},
		{"Close", (*Server).Close, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entered := make(chan struct{})
			ctxErr := make(chan error, 1)
			h := HandlerFunc(func(w ResponseWriter, r *Request) {
				ctx := r.Context()
				close(entered)
				select {
				case <-ctx.Done():
					ctxErr <- ctx.Err()
				case <-time.After(testTimeout):
					ctxErr <- errors.New("never cancelled")
				}
			})
			s := &Server{Handler: h}
			addr, served := serveAsync(t, s)
			c := dialRaw(t, addr)
			c.send(t, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n")
			recv(t, entered, "the handler")
			if err := tt.stop(s); !errors.Is(err, tt.wantErr) {
				t.Fatalf("%s = %v; want %v", tt.name, err, tt.wantErr)
			}
			if err := recv(t, ctxErr, "the handler's context"); !errors.Is(err, context.Canceled) {
				t.Fatalf("blocked request's context: %v; want context.Canceled", err)
			}
			if err := recv(t, served, "Serve"); !errors.Is(err, ErrServerClosed) {
				t.Fatalf("Serve = %v; want ErrServerClosed", err)
			}
			c.expectClosed(t)
		})
	}
}

// TestShutdownIdleServer checks that Shutdown with nothing to wait for
// returns at once, and that a second Shutdown is harmless.
func TestShutdownIdleServer(t *testing.T) {
	s := &Server{Handler: hello}
	_, served := serveAsync(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	for i := range 2 {
		if err := s.Shutdown(ctx); err != nil {
			t.Fatalf("Shutdown %d = %v; want nil", i+1, err)
		}
	}
	if err := recv(t, served, "Serve"); !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Serve = %v; want ErrServerClosed", err)
	}
}
