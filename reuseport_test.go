//go:build linux

package strand

import (
	"errors"
	"net"
	"net/http"
	"testing"
	"time"
)

// TestReusePortSharesAPort checks Server.ReusePort: two servers listen on
// one port at once (SO_REUSEPORT), and without it the second one fails
// with "address in use".
func TestReusePortSharesAPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	start := func(s *Server) <-chan error {
		errc := make(chan error, 1)
		go func() { errc <- s.ListenAndServe() }()
		return errc
	}
	a := &Server{Addr: addr, ReusePort: true, Handler: plaintext}
	b := &Server{Addr: addr, ReusePort: true, Handler: plaintext}
	errA, errB := start(a), start(b)
	defer func() {
		a.Close()
		b.Close()
		<-errA
		<-errB
	}()
	// Both listen: a request is answered, and neither Serve has failed.
	deadline := time.Now().Add(5 * time.Second)
	for {
		select {
		case err := <-errA:
			t.Fatalf("first server: %v", err)
		case err := <-errB:
			t.Fatalf("second server with ReusePort: %v; want both listening", err)
		default:
		}
		resp, err := http.Get("http://" + addr + "/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no answer on %s: %v", addr, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	c := &Server{Addr: addr, Handler: plaintext}
	if err := c.ListenAndServe(); err == nil || errors.Is(err, ErrServerClosed) {
		t.Fatalf("third server without ReusePort: %v; want address in use", err)
	}
}
