package middleware

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/strandhttp/strand"
)

// TestHealth runs probes through the middleware form on a real server.
func TestHealth(t *testing.T) {
	var ready atomic.Bool
	ready.Store(true)
	passed := strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		_, _ = w.WriteString("app")
	})
	h := NewHealth(HealthOptions{Ready: ready.Load})(passed)
	addr, _ := serveStrand(t, h)
	c := stackClient(t)
	tests := []struct {
		name     string
		method   string
		path     string
		notReady bool
		status   int
		body     string
		allow    string
	}{
		{"liveness", "GET", "/health", false, 200, "ok\n", ""},
		{"liveness HEAD", "HEAD", "/health", false, 200, "", ""},
		{"liveness while not ready", "GET", "/health", true, 200, "ok\n", ""},
		{"liveness POST", "POST", "/health", false, 405, "method not allowed\n", "GET, HEAD"},
		{"readiness", "GET", "/ready", false, 200, "ok\n", ""},
		{"readiness HEAD", "HEAD", "/ready", false, 200, "", ""},
		{"not ready", "GET", "/ready", true, 503, "not ready\n", ""},
		{"not ready HEAD", "HEAD", "/ready", true, 503, "", ""},
		{"readiness DELETE", "DELETE", "/ready", false, 405, "method not allowed\n", "GET, HEAD"},
		{"other path", "GET", "/health/x", false, 200, "app", ""},
		{"root", "GET", "/", false, 200, "app", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ready.Store(!tt.notReady)
			resp, body := stackFetch(t, c, stackReq(t, tt.method, "http://"+addr+tt.path, nil))
			if resp.StatusCode != tt.status || body != tt.body {
				t.Errorf("%s %s: %d %q; want %d %q", tt.method, tt.path, resp.StatusCode, body, tt.status, tt.body)
			}
			if got := resp.Header.Get("Allow"); got != tt.allow {
				t.Errorf("Allow: %q; want %q", got, tt.allow)
			}
			wantCache := "no-store"
			if tt.body == "app" {
				wantCache = ""
			}
			if got := resp.Header.Get("Cache-Control"); got != wantCache {
				t.Errorf("Cache-Control: %q; want %q", got, wantCache)
			}
		})
	}
}

func TestHealthPaths(t *testing.T) {
	h := NewHealth(HealthOptions{LivenessPath: "/livez", ReadinessPath: "/readyz", Ready: func() bool { return false }})(
		strand.NotFoundHandler())
	for _, tt := range []struct {
		path   string
		status int
	}{{"/livez", 200}, {"/readyz", 503}, {"/health", 404}, {"/ready", 404}} {
		w := new(stubWriter)
		h.ServeHTTP(w, stubRequest("GET", tt.path))
		if w.status == 0 {
			w.status = 200
		}
		if w.status != tt.status {
			t.Errorf("GET %s: %d; want %d", tt.path, w.status, tt.status)
		}
	}
}

func TestHealthHandlers(t *testing.T) {
	tests := []struct {
		name   string
		h      strand.Handler
		status int
	}{
		{"Health", Health(), 200},
		{"Ready(nil)", Ready(nil), 200},
		{"Ready(true)", Ready(func() bool { return true }), 200},
		{"Ready(false)", Ready(func() bool { return false }), 503},
	}
	for _, tt := range tests {
		w := new(stubWriter)
		tt.h.ServeHTTP(w, stubRequest("GET", "/"))
		if w.status == 0 {
			w.status = 200
		}
		if w.status != tt.status {
			t.Errorf("%s: %d; want %d", tt.name, w.status, tt.status)
		}
	}
}

// TestReadyShuttingDown wires readiness to the server's own state: ready
// while it serves, not ready once Shutdown has been called. (Strand's
// Shutdown closes the listeners at that same moment and closes each
// connection after its request in flight, so a prober sees the 503 only on
// a connection that sends a request in that window; the check is called
// directly here, as the middleware would.)
func TestReadyShuttingDown(t *testing.T) {
	var srv *strand.Server
	h := NewHealth(HealthOptions{Ready: func() bool { return !srv.ShuttingDown() }})(strand.NotFoundHandler())
	addr, s := serveStrand(t, h)
	srv = s
	resp, body := stackFetch(t, stackClient(t), stackReq(t, "GET", "http://"+addr+"/ready", nil))
	if resp.StatusCode != 200 || body != "ok\n" {
		t.Fatalf("readiness while serving: %d %q; want 200 %q", resp.StatusCode, body, "ok\n")
	}
	ctx, cancel := context.WithTimeout(context.Background(), stackTimeout)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	w := new(stubWriter)
	h.ServeHTTP(w, stubRequest("GET", "/ready"))
	if w.status != 503 {
		t.Errorf("readiness after Shutdown: %d; want 503", w.status)
	}
}

// TestReadyDrainFlag is the pattern Ready's documentation recommends: a
// flag flipped at the stop signal fails readiness while the server still
// accepts connections, so that probers see 503 before Shutdown.
func TestReadyDrainFlag(t *testing.T) {
	var draining atomic.Bool
	h := NewHealth(HealthOptions{Ready: func() bool { return !draining.Load() }})(strand.NotFoundHandler())
	addr, _ := serveStrand(t, h)
	c := stackClient(t)
	for _, tt := range []struct {
		drain  bool
		status int
	}{{false, 200}, {true, 503}} {
		draining.Store(tt.drain)
		if resp, _ := stackFetch(t, c, stackReq(t, "GET", "http://"+addr+"/ready", nil)); resp.StatusCode != tt.status {
			t.Errorf("draining %v: readiness %d; want %d", tt.drain, resp.StatusCode, tt.status)
		}
	}
}
