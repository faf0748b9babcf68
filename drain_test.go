package strand

import (
	"context"
	"net"
	"testing"
	"time"
)

// TestDrainDelayKeepsServing checks DrainDelay: from the moment Shutdown
// is called ShuttingDown reports true (readiness fails), new connections
// are still served until the delay ends, and refused after.
func TestDrainDelayKeepsServing(t *testing.T) {
	s := &Server{Handler: plaintext, DrainDelay: 400 * time.Millisecond}
	addr := serve(t, s)
	done := make(chan error, 1)
	go func() { done <- s.Shutdown(context.Background()) }()
	waitFor(t, "ShuttingDown", s.ShuttingDown)
	c := dialRaw(t, addr)
	c.send(t, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp := c.response(t, "GET"); resp.Status != 200 {
		t.Fatalf("request during the drain: %d; want 200", resp.Status)
	}
	if err := recv(t, done, "Shutdown"); err != nil {
		t.Fatalf("Shutdown = %v; want nil", err)
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatalf("dial after Shutdown succeeded; want refused")
	}
}

// TestDrainDelayBoundedByContext checks that Shutdown's context cuts the
// drain short.
func TestDrainDelayBoundedByContext(t *testing.T) {
	s := &Server{Handler: plaintext, DrainDelay: time.Hour}
	serve(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_ = s.Shutdown(ctx)
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Shutdown took %v with a 100ms context; want the drain cut short", d)
	}
}
