package middleware

import (
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/strandhttp/strand"
)

// recovererChains are the two ways Recoverer finds out whether the handler
// wrote: from the WrapWriter of a Logger just outside it, or from its own.
var recovererChains = []struct {
	name  string
	chain func(rec strand.Middleware) strand.Middleware
}{
	{"own writer", func(rec strand.Middleware) strand.Middleware { return strand.Chain(RequestID, rec) }},
	{"logger's writer", func(rec strand.Middleware) strand.Middleware {
		return strand.Chain(RequestID, NewLogger(LoggerOptions{Output: io.Discard}), rec)
	}},
}

// TestRecovererBeforeWrite: a panic before anything is written becomes a
// clean 500 that keeps the request ID and drops the handler's
// representation fields, and the connection stays usable.
func TestRecovererBeforeWrite(t *testing.T) {
	panics := []struct {
		name  string
		value func() any
		want  string // logged panic value
	}{
		{"string", func() any { return "boom" }, "boom"},
		{"error", func() any { return errors.New("bad state") }, "bad state"},
		{"nil", func() any { return nil }, "panic called with nil argument"},
	}
	for _, c := range recovererChains {
		for _, p := range panics {
			t.Run(c.name+"/"+p.name, func(t *testing.T) {
				var sink logSink
				rec := NewRecoverer(RecovererOptions{Logger: slog.New(slog.NewJSONHandler(&sink, nil))})
				h := c.chain(rec)(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
					if r.Path == "/ok" {
						_, _ = w.WriteString("fine")
						return
					}
					h := w.Header()
					h.Set("Content-Type", "application/json")
					h.Set("Content-Encoding", "gzip")
					h.Set("ETag", `"v1"`)
					h.Set("Cache-Control", "public, max-age=3600")
					h.Set("Access-Control-Allow-Origin", "*")
					panic(p.value())
				}))
				addr, _ := serveStrand(t, h)
				rc := dialWire(t, addr)
				rc.send(t, "GET /panic HTTP/1.1\r\nHost: a\r\n\r\n")
				resp, body, err := rc.read(t, "GET")
				if err != nil {
					t.Fatal(err)
				}
				if resp.StatusCode != 500 || body != "internal server error\n" {
					t.Errorf("got %d %q; want 500 %q", resp.StatusCode, body, "internal server error\n")
				}
				wantFields := map[string]string{
					"Content-Type":                "text/plain; charset=utf-8",
					"Content-Encoding":            "",
					"Etag":                        "",
					"Cache-Control":               "no-store",
					"Access-Control-Allow-Origin": "*",
				}
				for k, v := range wantFields {
					if got := resp.Header.Get(k); got != v {
						t.Errorf("%s: %q; want %q", k, got, v)
					}
				}
				id := resp.Header.Get("X-Request-Id")
				if id == "" {
					t.Error("X-Request-Id missing from the 500")
				}
				lines := jsonLines(t, sink.lines())
				if len(lines) != 1 {
					t.Fatalf("%d log lines; want 1", len(lines))
				}
				got := lines[0]
				if got["level"] != "ERROR" || got["request_id"] != id || got["panic"] != p.want ||
					got["path"] != "/panic" || got["response_started"] != false {
					t.Errorf("log line %v; want ERROR with request_id %q, panic %q, path /panic", got, id, p.want)
				}
				if stack, _ := got["stack"].(string); !strings.Contains(stack, "recoverer_test.go") {
					t.Errorf("logged stack %q; want the panicking frame in it", stack)
				}
				// The connection survives: the 500 was a complete response.
				rc.send(t, "GET /ok HTTP/1.1\r\nHost: a\r\n\r\n")
				if resp, body, err := rc.read(t, "GET"); err != nil || resp.StatusCode != 200 || body != "fine" {
					t.Errorf("next request on the connection: %v %q %v; want 200 %q", resp, body, err, "fine")
				}
			})
		}
	}
}

// TestRecovererAfterWrite: once the handler has written, no 500 may
// follow; the connection is cut instead, and the panic still logged.
func TestRecovererAfterWrite(t *testing.T) {
	writes := []struct {
		name  string
		write func(w strand.ResponseWriter)
		head  bool // the head reached the client before the cut
	}{
		{"status only", func(w strand.ResponseWriter) { w.WriteHeader(202) }, false},
		{"body, buffered", func(w strand.ResponseWriter) { _, _ = w.WriteString("partial") }, false},
		{"flushed head", func(w strand.ResponseWriter) { _ = strand.Flush(w) }, true},
		{"flushed body", func(w strand.ResponseWriter) {
			_, _ = w.WriteString("partial")
			_ = strand.Flush(w)
		}, true},
	}
	for _, c := range recovererChains {
		for _, wr := range writes {
			t.Run(c.name+"/"+wr.name, func(t *testing.T) {
				var sink logSink
				rec := NewRecoverer(RecovererOptions{Logger: slog.New(slog.NewJSONHandler(&sink, nil))})
				h := c.chain(rec)(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
					wr.write(w)
					panic("late")
				}))
				addr, _ := serveStrand(t, h)
				rc := dialWire(t, addr)
				rc.send(t, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
				resp, body, err := rc.read(t, "GET")
				switch {
				case !wr.head && err == nil:
					t.Errorf("got a response %d %q; want the connection closed without one", resp.StatusCode, body)
				case wr.head && err == nil:
					t.Errorf("got a complete response %d %q; want it cut short", resp.StatusCode, body)
				case wr.head && resp == nil:
					t.Errorf("got no response (%v); want the flushed head", err)
				case wr.head && resp.StatusCode != 200:
					t.Errorf("status %d; want the flushed 200, not a 500", resp.StatusCode)
				}
				if strings.Contains(body, "internal server error") {
					t.Errorf("body %q; want no 500 message after the handler wrote", body)
				}
				lines := jsonLines(t, sink.lines())
				if len(lines) != 1 || lines[0]["panic"] != "late" || lines[0]["response_started"] != true {
					t.Errorf("log lines %v; want one for the panic, response_started true", lines)
				}
			})
		}
	}
}

// TestRecovererAbortHandler: strand.ErrAbortHandler goes through without
// a log line, and the server closes the connection.
func TestRecovererAbortHandler(t *testing.T) {
	var sink logSink
	rec := NewRecoverer(RecovererOptions{Logger: slog.New(slog.NewJSONHandler(&sink, nil))})
	h := rec(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		panic(strand.ErrAbortHandler)
	}))
	addr, _ := serveStrand(t, h)
	rc := dialWire(t, addr)
	rc.send(t, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	if resp, _, err := rc.read(t, "GET"); err == nil {
		t.Errorf("got a %d response; want the connection closed", resp.StatusCode)
	}
	if got := sink.String(); got != "" {
		t.Errorf("logged %q; want nothing for ErrAbortHandler", got)
	}
}

// TestRecovererInProcess covers the writer bookkeeping without a server:
// the pooled writer is returned after a normal request and a recovered
// one alike.
func TestRecovererInProcess(t *testing.T) {
	h := NewRecoverer(RecovererOptions{Logger: slog.New(slog.DiscardHandler)})(strand.HandlerFunc(
		func(w strand.ResponseWriter, r *strand.Request) {
			if r.Path == "/panic" {
				panic("x")
			}
			w.WriteHeader(204)
		}))
	for _, tt := range []struct {
		path string
		want int
	}{{"/", 204}, {"/panic", 500}, {"/", 204}} {
		w := new(stubWriter)
		h.ServeHTTP(w, stubRequest("GET", tt.path))
		if w.status != tt.want {
			t.Errorf("GET %s: status %d; want %d", tt.path, w.status, tt.want)
		}
	}
}

func TestRecovererDefaults(t *testing.T) {
	if got := (RecovererOptions{}).withDefaults().Logger; got != slog.Default() {
		t.Errorf("default Logger = %v; want slog.Default()", got)
	}
	h := Recoverer(benchPlaintext)
	w := new(stubWriter)
	h.ServeHTTP(w, stubRequest("GET", "/"))
	if w.n != len("Hello, World!") {
		t.Errorf("wrote %d bytes; want the handler's %d", w.n, len("Hello, World!"))
	}
}
