//go:build !race

package middleware

// Allocation budgets. Not built with -race: the race detector makes
// sync.Pool drop a quarter of what is put back, on purpose, so pooled
// writers would show up as allocations.

import (
	"io"
	"testing"

	"github.com/strandhttp/strand"
)

// TestStackAllocs holds the standard stack to its budget through a real
// server over a keep-alive connection, the server's own share being zero
// (TestKeepAliveGETAllocatesNothing in the root package). The issue allows
// two allocations per request; the stack makes one, the request ID string
// (the logger's writer wrapper and attribute storage are pooled).
func TestStackAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation test needs a warm server")
	}
	tests := []struct {
		name string
		h    strand.Handler
		max  float64
	}{
		{"none", benchPlaintext, 0},
		{"full", fullStack(benchPlaintext), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, _ := serveStrand(t, tt.h)
			rt := newKeepAliveRT(t, addr)
			if got := testing.AllocsPerRun(1000, func() { rt.exchange(t) }); got > tt.max {
				t.Errorf("keep-alive GET through the %s stack: %v allocations per request; want at most %v", tt.name, got, tt.max)
			}
		})
	}
}

// TestMiddlewareAllocs holds each middleware to its budget, in process:
// RequestID to one allocation (the ID), the others to none.
func TestMiddlewareAllocs(t *testing.T) {
	tests := []struct {
		name string
		mw   strand.Middleware
		max  float64
	}{
		{"RequestID", RequestID, 1},
		{"Logger", NewLogger(LoggerOptions{Output: io.Discard}), 0},
		{"Recoverer", Recoverer, 0},
		{"BodyLimit", BodyLimit(1 << 20), 0},
		{"Health", NewHealth(HealthOptions{}), 0},
	}
	for _, tt := range tests {
		h := tt.mw(benchPlaintext)
		r := stubRequest("GET", "/plaintext")
		w := new(stubWriter)
		got := testing.AllocsPerRun(1000, func() {
			r.Header.Del(RequestIDHeader)
			w.header.Reset()
			h.ServeHTTP(w, r)
		})
		if got > tt.max {
			t.Errorf("%s: %v allocations per request; want at most %v", tt.name, got, tt.max)
		}
	}
}
