package strand

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// TestReadTimeoutAllowsSteadyUpload checks the documented meaning of
// ReadTimeout: it bounds each read, not the whole body, so an upload that
// keeps making progress may take longer than ReadTimeout in all. It guards
// against deadlines that stop moving when the timeout is below the
// deadline-update slack.
func TestReadTimeoutAllowsSteadyUpload(t *testing.T) {
	const pieces, piece = 60, 100 // 60 steps of 20 ms: 1.2 s in all
	type result struct {
		n   int64
		err error
	}
	results := make(chan result, 1)
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		n, err := io.Copy(io.Discard, r.Body)
		results <- result{n, err}
		fmt.Fprint(w, n)
	})
	// The timeout is a second, the steps 20 ms: a scheduling stall of up
	// to 7/8 s is tolerated, and the upload still outlasts the timeout, so
	// that a deadline that stops moving is caught.
	const timeout = time.Second
	addr := serve(t, &Server{Handler: h, ReadTimeout: timeout})
	c := dialRaw(t, addr)
	c.send(t, fmt.Sprintf("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", pieces*piece))
	start := time.Now()
	for range pieces {
		c.send(t, strings.Repeat("p", piece))
		time.Sleep(timeout / 50) // steady progress, far inside the timeout
	}
	if time.Since(start) < timeout {
		t.Fatalf("the upload took less than ReadTimeout: the test proves nothing")
	}
	if res := recv(t, results, "the handler"); res.err != nil || res.n != pieces*piece {
		t.Fatalf("handler read %d bytes, %v; want %d bytes", res.n, res.err, pieces*piece)
	}
	if resp := c.response(t, "POST"); resp.Status != 200 {
		t.Fatalf("status %d; want 200", resp.Status)
	}
}

// TestReadTimeoutStalledUpload checks that a body that stops arriving
// fails the handler's Read once ReadTimeout has passed.
func TestReadTimeoutStalledUpload(t *testing.T) {
	readErr := make(chan error, 1)
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		_, err := io.ReadAll(r.Body)
		readErr <- err
	})
	addr := serve(t, &Server{Handler: h, ReadTimeout: 50 * time.Millisecond})
	c := dialRaw(t, addr)
	c.send(t, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly some")
	if err := recv(t, readErr, "the handler"); !isTimeoutErr(err) {
		t.Fatalf("Read of a stalled body = %v; want a deadline error", err)
	}
	if resp := c.response(t, "POST"); !resp.Close() {
		t.Fatalf("got:\n%s\nwant Connection: close after a failed body", resp.Head)
	}
	c.expectClosed(t)
}
