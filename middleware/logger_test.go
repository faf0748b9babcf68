package middleware

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/strandhttp/strand"
)

// jsonLines parses JSON log lines, failing on any that is not JSON.
func jsonLines(t *testing.T, lines []string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range lines {
		m := make(map[string]any)
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

// TestLogger checks the line written for requests answered with each
// status class, over a real server, with RequestID outside the logger.
func TestLogger(t *testing.T) {
	tests := []struct {
		name    string
		target  string
		status  int // written by the handler; 0 writes nothing
		body    string
		pattern string
		level   string
		want    int // logged status
	}{
		{"ok", "/users/42?token=secret", 200, "hello", "/users/:id", "INFO", 200},
		{"nothing written", "/empty", 0, "", "", "INFO", 200},
		{"redirect", "/old", 301, "", "/old", "INFO", 301},
		{"not found", "/missing", 404, "no such thing\n", "", "WARN", 404},
		{"server error", "/boom", 503, "down\n", "/boom", "ERROR", 503},
		{"encoded path", "/a%20b", 200, "x", "", "INFO", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sink logSink
			h := strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
				r.SetPattern(tt.pattern) // as a router inside the logger would
				if tt.status != 0 {
					w.WriteHeader(tt.status)
				}
				_, _ = w.WriteString(tt.body)
			})
			addr, _ := serveStrand(t, strand.Chain(RequestID, NewLogger(LoggerOptions{Output: &sink}))(h))
			req := stackReq(t, "GET", "http://"+addr+tt.target, nil, "User-Agent", "logger-test/1.0")
			resp, _ := stackFetch(t, stackClient(t), req)
			lines := jsonLines(t, sink.lines())
			if len(lines) != 1 {
				t.Fatalf("%d log lines; want 1: %q", len(lines), sink.lines())
			}
			got := lines[0]
			wantPath, _, _ := strings.Cut(tt.target, "?")
			want := map[string]any{
				"level":      tt.level,
				"msg":        "request",
				"request_id": resp.Header.Get("X-Request-Id"),
				"method":     "GET",
				"path":       wantPath,
				"pattern":    tt.pattern,
				"status":     float64(tt.want),
				"bytes":      float64(len(tt.body)),
				"user_agent": "logger-test/1.0",
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s = %#v; want %#v (line %v)", k, got[k], v, got)
				}
			}
			if remote, _ := got["remote"].(string); !strings.HasPrefix(remote, "127.0.0.1:") {
				t.Errorf("remote = %#v; want 127.0.0.1:port", got["remote"])
			}
			if d, ok := got["duration"].(float64); !ok || d <= 0 {
				t.Errorf("duration = %#v; want a positive number of nanoseconds", got["duration"])
			}
			if _, ok := got["time"].(string); !ok {
				t.Errorf("time = %#v; want a timestamp", got["time"])
			}
			if _, ok := got["panic"]; ok {
				t.Errorf("panic = %#v; want no panic attribute", got["panic"])
			}
			if strings.Contains(sink.String(), "secret") {
				t.Errorf("the query reached the log: %s", sink.String())
			}
		})
	}
}

// TestLoggerSharesRequestID checks that the logged ID is the one the
// client and the handler see, with RequestID inside or outside the logger,
// and with or without the ID in the context.
func TestLoggerSharesRequestID(t *testing.T) {
	tests := []struct {
		name  string
		chain func(log strand.Middleware) strand.Middleware
	}{
		{"RequestID outside", func(log strand.Middleware) strand.Middleware { return strand.Chain(RequestID, log) }},
		{"RequestID inside", func(log strand.Middleware) strand.Middleware { return strand.Chain(log, RequestID) }},
		{"inside, context", func(log strand.Middleware) strand.Middleware {
			return strand.Chain(log, NewRequestID(RequestIDOptions{Context: true}))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sink logSink
			seen := make(chan string, 1)
			h := tt.chain(NewLogger(LoggerOptions{Output: &sink}))(strand.HandlerFunc(
				func(w strand.ResponseWriter, r *strand.Request) { seen <- RequestIDFrom(r) }))
			addr, _ := serveStrand(t, h)
			resp, _ := stackFetch(t, stackClient(t), stackReq(t, "GET", "http://"+addr+"/", nil))
			id := resp.Header.Get("X-Request-Id")
			lines := jsonLines(t, sink.lines())
			if len(lines) != 1 {
				t.Fatalf("%d log lines; want 1", len(lines))
			}
			if got, handler := lines[0]["request_id"], <-seen; got != id || handler != id {
				t.Errorf("logged request_id %q, handler's %q; want the response's %q", got, handler, id)
			}
		})
	}
}

func TestLoggerOptions(t *testing.T) {
	var sink logSink
	tests := []struct {
		name   string
		opts   LoggerOptions
		status int
		want   string // substring of the line; "" wants no line
	}{
		{"text", LoggerOptions{Output: &sink, Text: true}, 200, "level=INFO msg=request request_id="},
		{"logger", LoggerOptions{Logger: slog.New(slog.NewTextHandler(&sink, nil)).With("app", "x"), Output: io.Discard}, 200, "msg=request app=x request_id="},
		{"level filtered", LoggerOptions{Logger: slog.New(slog.NewJSONHandler(&sink, &slog.HandlerOptions{Level: slog.LevelWarn}))}, 200, ""},
		{"level passes", LoggerOptions{Logger: slog.New(slog.NewJSONHandler(&sink, &slog.HandlerOptions{Level: slog.LevelWarn}))}, 404, `"level":"WARN"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink.mu.Lock()
			sink.buf.Reset()
			sink.mu.Unlock()
			h := NewLogger(tt.opts)(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
				w.WriteHeader(tt.status)
			}))
			h.ServeHTTP(new(stubWriter), stubRequest("GET", "/x"))
			got := sink.String()
			switch {
			case tt.want == "" && got != "":
				t.Errorf("logged %q; want nothing", got)
			case !strings.Contains(got, tt.want):
				t.Errorf("logged %q; want it to contain %q", got, tt.want)
			}
		})
	}
}

func TestLevelFor(t *testing.T) {
	tests := []struct {
		status int
		want   slog.Level
	}{
		{100, slog.LevelInfo}, {200, slog.LevelInfo}, {304, slog.LevelInfo}, {399, slog.LevelInfo},
		{400, slog.LevelWarn}, {499, slog.LevelWarn}, {500, slog.LevelError}, {599, slog.LevelError},
	}
	for _, tt := range tests {
		if got := levelFor(tt.status); got != tt.want {
			t.Errorf("levelFor(%d) = %v; want %v", tt.status, got, tt.want)
		}
	}
}

// TestLoggerPanic checks that a panic passing through the logger (no
// Recoverer inside it) is still logged, at ERROR, and still reaches the
// server, which answers 500.
func TestLoggerPanic(t *testing.T) {
	var sink logSink
	h := NewLogger(LoggerOptions{Output: &sink})(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		panic("boom")
	}))
	addr, _ := serveStrand(t, h)
	resp, _ := stackFetch(t, stackClient(t), stackReq(t, "GET", "http://"+addr+"/p", nil))
	if resp.StatusCode != 500 {
		t.Errorf("status %d; want the server's 500", resp.StatusCode)
	}
	lines := jsonLines(t, sink.lines())
	if len(lines) != 1 {
		t.Fatalf("%d log lines; want 1", len(lines))
	}
	if got := lines[0]; got["level"] != "ERROR" || got["status"] != 500.0 || got["panic"] != true {
		t.Errorf("line %v; want level ERROR, status 500, panic true", got)
	}
}

// keepingHandler is a slog.Handler that keeps records and formats them
// later, as an asynchronous handler does.
type keepingHandler struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (h *keepingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *keepingHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *keepingHandler) WithGroup(string) slog.Handler            { return h }
func (h *keepingHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.recs = append(h.recs, r.Clone())
	return nil
}

func (h *keepingHandler) attr(i int, key string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var v string
	var find func(a slog.Attr) bool
	find = func(a slog.Attr) bool {
		switch {
		case a.Key == "" && a.Value.Kind() == slog.KindGroup: // inlined, as slog.Handler's rules say
			for _, aa := range a.Value.Group() {
				find(aa)
			}
		case a.Key == key:
			v = a.Value.String()
		}
		return true
	}
	h.recs[i].Attrs(find)
	return v
}

// TestLoggerCopyStrings guards CopyStrings: the record of a first request
// must keep its path and user agent once a second request on the same
// connection has reused the request's memory.
func TestLoggerCopyStrings(t *testing.T) {
	kh := new(keepingHandler)
	h := NewLogger(LoggerOptions{Logger: slog.New(kh), CopyStrings: true})(benchPlaintext)
	addr, _ := serveStrand(t, h)
	rc := dialWire(t, addr)
	for _, p := range []string{"/first", "/other"} {
		rc.send(t, "GET "+p+" HTTP/1.1\r\nHost: a\r\nUser-Agent: agent"+p+"\r\n\r\n")
		if _, _, err := rc.read(t, "GET"); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := kh.attr(0, "path"), "/first"; got != want {
		t.Errorf("first record's path = %q; want %q", got, want)
	}
	if got, want := kh.attr(0, "user_agent"), "agent/first"; got != want {
		t.Errorf("first record's user_agent = %q; want %q", got, want)
	}
}

func TestLoggerDefaults(t *testing.T) {
	o := (LoggerOptions{}).withDefaults()
	if _, ok := o.Logger.Handler().(*slog.JSONHandler); !ok {
		t.Errorf("default handler %T; want *slog.JSONHandler", o.Logger.Handler())
	}
	if _, ok := Logger(benchPlaintext).(*loggerHandler); !ok {
		t.Error("Logger did not wrap the handler")
	}
}

// TestLoggerAuthorityForm logs the target of a CONNECT request, which has
// no path.
func TestLoggerAuthorityForm(t *testing.T) {
	var sink logSink
	h := NewLogger(LoggerOptions{Output: &sink})(benchPlaintext)
	r := stubRequest("CONNECT", "")
	r.Target = "example.com:443"
	h.ServeHTTP(new(stubWriter), r)
	lines := jsonLines(t, sink.lines())
	if len(lines) != 1 || lines[0]["path"] != "example.com:443" {
		t.Errorf("lines %v; want one with path example.com:443", lines)
	}
}
