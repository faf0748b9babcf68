package cli

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the server and the test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// startRun runs the command in the background and waits until it answers.
func startRun(t *testing.T, args ...string) (addr string, stdout *syncBuffer, stop func() int) {
	t.Helper()
	addr = freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	code := make(chan int, 1)
	go func() { code <- Run(ctx, append([]string{"--addr", addr}, args...), stdout, stderr) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("server did not start: stderr %q", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return addr, stdout, func() int { cancel(); return <-code }
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	return getWith(t, http.DefaultClient, url)
}

// getWith is get with client: a TLS client, one without keep-alive.
func getWith(t *testing.T, client *http.Client, url string) (*http.Response, string) {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestRunServesWelcomePageAndHealth(t *testing.T) {
	addr, stdout, stop := startRun(t)
	resp, body := get(t, "http://"+addr+"/")
	if resp.StatusCode != 200 || !strings.Contains(body, "Strand is running") {
		t.Errorf("GET / = %d %q; want 200 and the welcome page", resp.StatusCode, body[:min(len(body), 80)])
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("GET / Content-Type = %q; want text/html; charset=utf-8", ct)
	}
	resp, body = get(t, "http://"+addr+"/health")
	if resp.StatusCode != 200 || body != "ok\n" {
		t.Errorf("GET /health = %d %q; want 200 \"ok\\n\"", resp.StatusCode, body)
	}
	resp, _ = get(t, "http://"+addr+"/missing")
	if resp.StatusCode != 404 {
		t.Errorf("GET /missing = %d; want 404", resp.StatusCode)
	}
	req, _ := http.NewRequest("DELETE", "http://"+addr+"/health", nil)
	dresp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	dresp.Body.Close()
	if dresp.StatusCode != 405 || dresp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("DELETE /health = %d Allow %q; want 405 Allow \"GET, HEAD\"", dresp.StatusCode, dresp.Header.Get("Allow"))
	}
	if code := stop(); code != 0 {
		t.Errorf("exit code after cancel = %d; want 0", code)
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if !strings.Contains(lines[0], `"msg":"strand serving"`) || !strings.Contains(lines[0], addr) {
		t.Errorf("first log line = %q; want the start line with the address", lines[0])
	}
}

func TestRunShutdownLetsRequestsFinish(t *testing.T) {
	addr, _, stop := startRun(t)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Half a request is in flight when the signal comes; finishing it
	// must still get an answer.
	if _, err := io.WriteString(c, "GET /health HTTP/1.1\r\nHost: x\r\n"); err != nil {
		t.Fatal(err)
	}
	// Let the server accept the connection first: one still in the
	// listen backlog when Shutdown closes the listener is reset by the
	// kernel (about one run in ten under -race without this pause).
	time.Sleep(20 * time.Millisecond)
	done := make(chan int, 1)
	go func() { done <- stop() }()
	time.Sleep(50 * time.Millisecond)
	if _, err := io.WriteString(c, "\r\n"); err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(c)
	if !bytes.HasPrefix(b, []byte("HTTP/1.1 200 OK\r\n")) || !bytes.Contains(b, []byte("Connection: close")) {
		t.Errorf("in-flight response = %q; want 200 with Connection: close", b)
	}
	if code := <-done; code != 0 {
		t.Errorf("exit code = %d; want 0", code)
	}
}

func TestRunPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), []string{"--addr", ln.Addr().String()}, &stdout, &stderr)
	if code != 1 {
		t.Errorf("exit code = %d; want 1", code)
	}
	msg := stderr.String()
	if strings.Count(msg, "\n") != 1 || !strings.Contains(msg, "address already in use") || strings.Contains(msg, "goroutine") {
		t.Errorf("stderr = %q; want one line saying the address is in use", msg)
	}
}

func TestRunUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"--no-such-flag"}, 2},
		{[]string{"extra"}, 2},
		{[]string{"-h"}, 0},
	} {
		var stdout, stderr bytes.Buffer
		if code := Run(context.Background(), tc.args, &stdout, &stderr); code != tc.code {
			t.Errorf("Run(%q) = %d; want %d (stderr %q)", tc.args, code, tc.code, stderr.String())
		}
		if !strings.Contains(stderr.String(), "usage: strand") {
			t.Errorf("Run(%q) stderr = %q; want the usage", tc.args, stderr.String())
		}
	}
}

// TestDefaultSiteStack checks the middleware of the built-in site: the
// welcome page compressed in each coding asked for, request IDs, one JSON
// log line per request, and the probes and metrics endpoints.
func TestDefaultSiteStack(t *testing.T) {
	addr, stdout, stop := startRun(t)
	defer stop()
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	for _, coding := range []string{"gzip", "br", "zstd"} {
		req, _ := http.NewRequest("GET", "http://"+addr+"/", nil)
		req.Header.Set("Accept-Encoding", coding)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if got := resp.Header.Get("Content-Encoding"); got != coding {
			t.Errorf("GET / with Accept-Encoding %s: Content-Encoding %q; want %q", coding, got, coding)
		}
		if resp.Header.Get("X-Request-Id") == "" {
			t.Errorf("GET /: no X-Request-ID")
		}
	}
	for path, want := range map[string]string{
		"/ready":   "ok\n",
		"/metrics": "strand_http_requests_total",
	} {
		resp, body := get(t, "http://"+addr+path)
		if resp.StatusCode != 200 || !strings.Contains(body, want) {
			t.Errorf("GET %s = %d %.60q; want 200 containing %q", path, resp.StatusCode, body, want)
		}
	}
	if out := stdout.String(); !strings.Contains(out, `"msg":"request"`) || !strings.Contains(out, `"request_id":"`) {
		t.Errorf("log %q: want a JSON line per request with its request_id", out)
	}
}

// TestDrainDelay checks --drain-delay: after the stop signal the server
// keeps answering, with /ready failing so that a load balancer moves away,
// until the delay ends.
func TestDrainDelay(t *testing.T) {
	addr, _, stop := startRun(t, "--drain-delay", "600ms")
	done := make(chan int, 1)
	go func() { done <- stop() }()
	deadline := time.Now().Add(2 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/ready")
		if err != nil {
			t.Fatalf("GET /ready during the drain: %v; want an answer", err)
		}
		resp.Body.Close()
		if resp.StatusCode == 503 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /ready = %d after the stop signal; want 503", resp.StatusCode)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if resp, body := get(t, "http://"+addr+"/health"); resp.StatusCode != 200 || body != "ok\n" {
		t.Errorf("GET /health during the drain = %d %q; want 200 ok", resp.StatusCode, body)
	}
	if code := <-done; code != 0 {
		t.Errorf("exit code = %d; want 0", code)
	}
}
