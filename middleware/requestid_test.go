package middleware

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/strandhttp/strand"
)

func TestValidRequestID(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"", false},
		{"a", true},
		{"123e4567-e89b-12d3-a456-426614174000", true}, // UUID
		{"01ARZ3NDEKTSV4RRFFQ69G5FAV", true},           // ULID
		{"Root:1.5e1b_4c-x", true},
		{strings.Repeat("a", MaxRequestIDLength), true},
		{strings.Repeat("a", MaxRequestIDLength+1), false},
		{"a b", false},
		{"a\r\nX-Evil: 1", false},
		{"a\x00", false},
		{"a/b", false},
		{"a=b", false},
		{"\"quoted\"", false},
		{"caf\u00e9", false},
	}
	for _, tt := range tests {
		if got := validRequestID(tt.id); got != tt.want {
			t.Errorf("validRequestID(%q) = %v; want %v", tt.id, got, tt.want)
		}
	}
}

// generatedID matches the built-in generator's IDs.
var generatedID = regexp.MustCompile(`^[0-9a-hjkmnp-tv-z]{12}-[1-9][0-9]*$`)

// TestRequestID checks, over a real server, which ID a request gets and
// that the handler and the client see the same one.
func TestRequestID(t *testing.T) {
	long := strings.Repeat("x", MaxRequestIDLength+1)
	tests := []struct {
		name     string
		opts     RequestIDOptions
		incoming string // "" sends none
		keep     bool   // want the incoming ID back, else a generated one
	}{
		{"none", RequestIDOptions{}, "", false},
		{"valid kept", RequestIDOptions{}, "req-42.a_b:c", true},
		{"uuid kept", RequestIDOptions{}, "123e4567-e89b-12d3-a456-426614174000", true},
		{"bad charset replaced", RequestIDOptions{}, "a b<script>", false},
		{"too long replaced", RequestIDOptions{}, long, false},
		{"ignored", RequestIDOptions{IgnoreIncoming: true}, "req-42", false},
		{"context, kept", RequestIDOptions{Context: true}, "req-43", true},
		{"context, generated", RequestIDOptions{Context: true}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			type seen struct{ fromReq, fromCtx, reqHeader string }
			got := make(chan seen, 1)
			h := NewRequestID(tt.opts)(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
				got <- seen{RequestIDFrom(r), RequestIDFromContext(r.Context()), r.Header.Get(RequestIDHeader)}
			}))
			addr, _ := serveStrand(t, h)
			req := stackReq(t, "GET", "http://"+addr+"/", nil)
			if tt.incoming != "" {
				req.Header.Set("X-Request-ID", tt.incoming)
			}
			resp, _ := stackFetch(t, stackClient(t), req)
			id := resp.Header.Get("X-Request-Id")
			if tt.keep && id != tt.incoming {
				t.Errorf("response X-Request-Id = %q; want the incoming %q", id, tt.incoming)
			}
			if !tt.keep && !generatedID.MatchString(id) {
				t.Errorf("response X-Request-Id = %q; want a generated ID", id)
			}
			s := <-got
			if s.fromReq != id || s.reqHeader != id {
				t.Errorf("handler saw RequestIDFrom = %q, request field %q; want the response's %q", s.fromReq, s.reqHeader, id)
			}
			wantCtx := ""
			if tt.opts.Context {
				wantCtx = id
			}
			if s.fromCtx != wantCtx {
				t.Errorf("RequestIDFromContext(r.Context()) = %q; want %q", s.fromCtx, wantCtx)
			}
		})
	}
}

// TestRequestIDUnique generates IDs from concurrent requests on two
// middleware instances: no ID may repeat, and each instance has its own
// prefix.
func TestRequestIDUnique(t *testing.T) {
	const workers, each = 8, 500
	a, b := NewRequestID(RequestIDOptions{}), NewRequestID(RequestIDOptions{})
	var mu sync.Mutex
	ids := make(map[string]bool)
	prefixes := make(map[string]bool)
	record := strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		id := RequestIDFrom(r)
		mu.Lock()
		defer mu.Unlock()
		if ids[id] {
			t.Errorf("ID %q generated twice", id)
		}
		ids[id] = true
		prefixes[id[:strings.IndexByte(id, '-')]] = true
	})
	ha, hb := a(record), b(record)
	var wg sync.WaitGroup
	for i := range workers {
		h := ha
		if i%2 == 1 {
			h = hb
		}
		wg.Go(func() {
			for range each {
				h.ServeHTTP(new(stubWriter), stubRequest("GET", "/"))
			}
		})
	}
	wg.Wait()
	if len(ids) != workers*each {
		t.Errorf("%d distinct IDs; want %d", len(ids), workers*each)
	}
	if len(prefixes) != 2 {
		t.Errorf("prefixes %v; want one for each of the two instances", prefixes)
	}
}

func TestRequestIDGenerate(t *testing.T) {
	tests := []struct {
		name     string
		generate func() string
		want     *regexp.Regexp
	}{
		{"custom", func() string { return "custom-1" }, regexp.MustCompile(`^custom-1$`)},
		{"invalid falls back", func() string { return "not valid!" }, generatedID},
		{"empty falls back", func() string { return "" }, generatedID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewRequestID(RequestIDOptions{Generate: tt.generate})(benchPlaintext)
			w := new(stubWriter)
			h.ServeHTTP(w, stubRequest("GET", "/"))
			if got := w.header.Get(RequestIDHeader); !tt.want.MatchString(got) {
				t.Errorf("X-Request-Id = %q; want a match for %s", got, tt.want)
			}
		})
	}
}

// TestRequestIDOutlivesRequest guards the ID's lifetime: unlike the
// request's other strings, it must not change once the request's memory is
// reused for the next request on the connection.
func TestRequestIDOutlivesRequest(t *testing.T) {
	kept := make(chan string, 2)
	h := RequestID(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		kept <- RequestIDFrom(r)
	}))
	addr, _ := serveStrand(t, h)
	rc := dialWire(t, addr)
	rc.send(t, "GET / HTTP/1.1\r\nHost: a\r\nX-Request-Id: first-id-1\r\n\r\n")
	if _, _, err := rc.read(t, "GET"); err != nil {
		t.Fatal(err)
	}
	rc.send(t, "GET / HTTP/1.1\r\nHost: a\r\nX-Request-Id: other-id-2\r\n\r\n")
	if _, _, err := rc.read(t, "GET"); err != nil {
		t.Fatal(err)
	}
	if got := <-kept; got != "first-id-1" {
		t.Errorf("first request's ID read after the second = %q; want %q", got, "first-id-1")
	}
}

func TestRequestIDFromContext(t *testing.T) {
	tests := []struct {
		name string
		ctx  context.Context
		want string
	}{
		{"background", context.Background(), ""},
		{"set", ContextWithRequestID(context.Background(), "abc"), "abc"},
		{"wrong type", context.WithValue(context.Background(), requestIDKey{}, 42), ""},
	}
	for _, tt := range tests {
		if got := RequestIDFromContext(tt.ctx); got != tt.want {
			t.Errorf("RequestIDFromContext(%s) = %q; want %q", tt.name, got, tt.want)
		}
	}
}

func BenchmarkRequestIDGenerate(b *testing.B) {
	g := newIDGenerator()
	b.ReportAllocs()
	for b.Loop() {
		_ = g.next()
	}
}
