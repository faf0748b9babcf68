package middleware

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/internal/enginetest"
)

// corsServer serves h on a loopback port until the test ends, and returns
// its base URL and a net/http client.
func corsServer(t *testing.T, h strand.Handler) (string, *http.Client) {
	t.Helper()
	enginetest.CheckGoroutines(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &strand.Server{Handler: h, ErrorLog: slog.New(slog.DiscardHandler), Engine: enginetest.Engine}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	tr := &http.Transport{}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-served; !errors.Is(err, strand.ErrServerClosed) {
			t.Errorf("Serve returned %v; want ErrServerClosed", err)
		}
	})
	return "http://" + ln.Addr().String(), &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

// corsFields are the response fields the table checks, every one of them
// on every response: a field the table does not name must be absent.
var corsFields = []string{
	"Access-Control-Allow-Origin",
	"Access-Control-Allow-Credentials",
	"Access-Control-Allow-Methods",
	"Access-Control-Allow-Headers",
	"Access-Control-Expose-Headers",
	"Access-Control-Max-Age",
	"Vary",
}

// corsCase is one request and the exact answer it must get.
type corsCase struct {
	name    string
	method  string
	request [][2]string       // request fields
	status  int               // want
	handler bool              // want the next handler to have run
	fields  map[string]string // want, Vary lines joined by ", "
}

// corsPreflight builds the request fields of a preflight.
func corsPreflight(origin, method, headers string) [][2]string {
	f := [][2]string{{"Origin", origin}, {"Access-Control-Request-Method", method}}
	if headers != "" {
		f = append(f, [2]string{"Access-Control-Request-Headers", headers})
	}
	return f
}

const corsPreflightVary = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"

// corsRun sends each case to a server running CORS(opts) and compares the
// status, whether the handler ran, and the exact CORS fields.
func corsRun(t *testing.T, opts CORSOptions, cases []corsCase) {
	t.Helper()
	h := CORS(opts)(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		w.Header().Set("X-Handler", "ran")
		_, _ = w.WriteString("ok")
	}))
	url, client := corsServer(t, h)
	for _, tt := range cases {
		req, err := http.NewRequest(tt.method, url+"/resource", nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range tt.request {
			req.Header.Add(f[0], f[1])
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status %d; want %d", tt.name, resp.StatusCode, tt.status)
		}
		if got := resp.Header.Get("X-Handler") == "ran"; got != tt.handler {
			t.Errorf("%s: handler ran: %v; want %v", tt.name, got, tt.handler)
		}
		for _, name := range corsFields {
			got := strings.Join(resp.Header.Values(name), ", ")
			if want := tt.fields[name]; got != want {
				t.Errorf("%s: %s: %q; want %q", tt.name, name, got, want)
			}
		}
	}
}

// TestCORSExactOrigins: a list of origins, methods and fields, no
// credentials.
func TestCORSExactOrigins(t *testing.T) {
	opts := CORSOptions{
		AllowedOrigins: []string{"https://app.example.com", "http://localhost:3000"},
		AllowedMethods: []string{"GET", "POST", "PUT", "DELETE"},
		AllowedHeaders: []string{"content-type", "Authorization", "X-Request-ID"},
		ExposedHeaders: []string{"X-Request-ID", "x-total-count"},
		MaxAge:         10 * time.Minute,
	}
	allowed := map[string]string{
		"Access-Control-Allow-Origin":  "https://app.example.com",
		"Access-Control-Allow-Methods": "GET, POST, PUT, DELETE",
		"Access-Control-Allow-Headers": "Content-Type, Authorization, X-Request-Id",
		"Access-Control-Max-Age":       "600",
		"Vary":                         corsPreflightVary,
	}
	refused := map[string]string{"Vary": corsPreflightVary}
	actual := map[string]string{
		"Access-Control-Allow-Origin":   "https://app.example.com",
		"Access-Control-Expose-Headers": "X-Request-Id, X-Total-Count",
		"Vary":                          "Origin",
	}
	varyOnly := map[string]string{"Vary": "Origin"}
	corsRun(t, opts, []corsCase{
		{"preflight", "OPTIONS", corsPreflight("https://app.example.com", "PUT", "content-type,x-request-id"),
			204, false, allowed},
		{"preflight, fields in any case", "OPTIONS", corsPreflight("https://app.example.com", "DELETE", "AUTHORIZATION, Content-Type"),
			204, false, allowed},
		{"preflight, no fields asked", "OPTIONS", corsPreflight("https://app.example.com", "GET", ""),
			204, false, allowed},
		{"preflight, second origin", "OPTIONS", corsPreflight("http://localhost:3000", "POST", "content-type"),
			204, false, map[string]string{
				"Access-Control-Allow-Origin":  "http://localhost:3000",
				"Access-Control-Allow-Methods": "GET, POST, PUT, DELETE",
				"Access-Control-Allow-Headers": "Content-Type, Authorization, X-Request-Id",
				"Access-Control-Max-Age":       "600",
				"Vary":                         corsPreflightVary,
			}},
		{"preflight, origin in capitals", "OPTIONS", corsPreflight("HTTPS://APP.EXAMPLE.COM", "PUT", ""),
			204, false, map[string]string{
				"Access-Control-Allow-Origin":  "HTTPS://APP.EXAMPLE.COM",
				"Access-Control-Allow-Methods": "GET, POST, PUT, DELETE",
				"Access-Control-Allow-Headers": "Content-Type, Authorization, X-Request-Id",
				"Access-Control-Max-Age":       "600",
				"Vary":                         corsPreflightVary,
			}},
		{"preflight, disallowed origin", "OPTIONS", corsPreflight("https://evil.example", "PUT", ""),
			403, false, refused},
		{"preflight, origin with a path", "OPTIONS", corsPreflight("https://app.example.com/", "PUT", ""),
			403, false, refused},
		{"preflight, sibling port", "OPTIONS", corsPreflight("http://localhost:3001", "PUT", ""),
			403, false, refused},
		{"preflight, disallowed method", "OPTIONS", corsPreflight("https://app.example.com", "PATCH", ""),
			403, false, refused},
		{"preflight, method case", "OPTIONS", corsPreflight("https://app.example.com", "put", ""),
			403, false, refused},
		{"preflight, disallowed field", "OPTIONS", corsPreflight("https://app.example.com", "PUT", "content-type,x-secret"),
			403, false, refused},
		{"preflight, empty origin", "OPTIONS", corsPreflight("", "PUT", ""),
			403, false, refused},
		{"preflight, null origin", "OPTIONS", corsPreflight("null", "PUT", ""),
			403, false, refused},
		{"OPTIONS without Access-Control-Request-Method", "OPTIONS",
			[][2]string{{"Origin", "https://app.example.com"}}, 200, true, actual},
		{"simple GET", "GET", [][2]string{{"Origin", "https://app.example.com"}}, 200, true, actual},
		{"POST", "POST", [][2]string{{"Origin", "https://app.example.com"}}, 200, true, actual},
		{"method not in the list", "PATCH", [][2]string{{"Origin", "https://app.example.com"}}, 200, true, actual},
		{"disallowed origin", "GET", [][2]string{{"Origin", "https://evil.example"}}, 200, true, varyOnly},
		{"no origin", "GET", nil, 200, true, varyOnly},
		{"preflight fields without OPTIONS", "GET", corsPreflight("https://evil.example", "PUT", ""),
			200, true, varyOnly},
	})
}

// TestCORSCredentials: credentials never go with "*".
func TestCORSCredentials(t *testing.T) {
	t.Run("exact", func(t *testing.T) {
		corsRun(t, CORSOptions{
			AllowedOrigins:   []string{"https://app.example.com", "null"},
			AllowedHeaders:   []string{"Authorization"},
			ExposedHeaders:   []string{"*", "ETag"},
			AllowCredentials: true,
			MaxAge:           -1,
		}, []corsCase{
			{"preflight", "OPTIONS", corsPreflight("https://app.example.com", "POST", "authorization"),
				204, false, map[string]string{
					"Access-Control-Allow-Origin":      "https://app.example.com",
					"Access-Control-Allow-Credentials": "true",
					"Access-Control-Allow-Methods":     "GET, HEAD, POST",
					"Access-Control-Allow-Headers":     "Authorization",
					"Access-Control-Max-Age":           "0",
					"Vary":                             corsPreflightVary,
				}},
			{"preflight, null listed", "OPTIONS", corsPreflight("null", "GET", ""),
				204, false, map[string]string{
					"Access-Control-Allow-Origin":      "null",
					"Access-Control-Allow-Credentials": "true",
					"Access-Control-Allow-Methods":     "GET, HEAD, POST",
					"Access-Control-Allow-Headers":     "Authorization",
					"Access-Control-Max-Age":           "0",
					"Vary":                             corsPreflightVary,
				}},
			{"preflight, default methods", "OPTIONS", corsPreflight("https://app.example.com", "PUT", ""),
				403, false, map[string]string{"Vary": corsPreflightVary}},
			{"GET", "GET", [][2]string{{"Origin", "https://app.example.com"}, {"Cookie", "session=1"}},
				200, true, map[string]string{
					"Access-Control-Allow-Origin":      "https://app.example.com",
					"Access-Control-Allow-Credentials": "true",
					"Access-Control-Expose-Headers":    "*, Etag",
					"Vary":                             "Origin",
				}},
			{"GET, disallowed", "GET", [][2]string{{"Origin", "https://evil.example"}},
				200, true, map[string]string{"Vary": "Origin"}},
		})
	})
	t.Run("wildcard", func(t *testing.T) {
		corsRun(t, CORSOptions{AllowedOrigins: []string{"*"}, AllowCredentials: true}, []corsCase{
			{"preflight echoes the origin", "OPTIONS", corsPreflight("https://any.example", "HEAD", ""),
				204, false, map[string]string{
					"Access-Control-Allow-Origin":      "https://any.example",
					"Access-Control-Allow-Credentials": "true",
					"Access-Control-Allow-Methods":     "GET, HEAD, POST",
					"Vary":                             corsPreflightVary,
				}},
			{"GET echoes the origin", "GET", [][2]string{{"Origin", "https://any.example"}},
				200, true, map[string]string{
					"Access-Control-Allow-Origin":      "https://any.example",
					"Access-Control-Allow-Credentials": "true",
					"Vary":                             "Origin",
				}},
			{"null is not admitted by *", "GET", [][2]string{{"Origin", "null"}},
				200, true, map[string]string{"Vary": "Origin"}},
			{"preflight from null", "OPTIONS", corsPreflight("null", "GET", ""),
				403, false, map[string]string{"Vary": corsPreflightVary}},
		})
	})
}

// TestCORSZeroValue: every origin gets "*", and the answer does not vary
// by origin.
func TestCORSZeroValue(t *testing.T) {
	star := map[string]string{"Access-Control-Allow-Origin": "*"}
	corsRun(t, CORSOptions{}, []corsCase{
		{"GET", "GET", [][2]string{{"Origin", "https://any.example"}}, 200, true, star},
		{"null", "GET", [][2]string{{"Origin", "null"}}, 200, true, star},
		{"no origin", "GET", nil, 200, true, nil},
		{"preflight", "OPTIONS", corsPreflight("https://any.example", "POST", ""),
			204, false, map[string]string{
				"Access-Control-Allow-Origin":  "*",
				"Access-Control-Allow-Methods": "GET, HEAD, POST",
				"Vary":                         corsPreflightVary,
			}},
		{"preflight, a field", "OPTIONS", corsPreflight("https://any.example", "POST", "content-type"),
			403, false, map[string]string{"Vary": corsPreflightVary}},
		{"preflight, DELETE", "OPTIONS", corsPreflight("https://any.example", "DELETE", ""),
			403, false, map[string]string{"Vary": corsPreflightVary}},
	})
}

// TestCORSOriginFunc: a predicate, with any method and any field.
func TestCORSOriginFunc(t *testing.T) {
	opts := CORSOptions{
		AllowedOrigins: []string{"https://fixed.example"},
		AllowOriginFunc: func(origin string) bool {
			return strings.HasPrefix(origin, "https://") && strings.HasSuffix(origin, ".example.org")
		},
		AllowedMethods: []string{"*"},
		AllowedHeaders: []string{"*"},
	}
	corsRun(t, opts, []corsCase{
		{"preflight echoes method and fields", "OPTIONS",
			corsPreflight("https://a.example.org", "PURGE", "x-one,x-two"),
			204, false, map[string]string{
				"Access-Control-Allow-Origin":  "https://a.example.org",
				"Access-Control-Allow-Methods": "PURGE",
				"Access-Control-Allow-Headers": "x-one,x-two",
				"Vary":                         corsPreflightVary,
			}},
		{"preflight, no fields asked", "OPTIONS", corsPreflight("https://fixed.example", "PUT", ""),
			204, false, map[string]string{
				"Access-Control-Allow-Origin":  "https://fixed.example",
				"Access-Control-Allow-Methods": "PUT",
				"Vary":                         corsPreflightVary,
			}},
		{"preflight, predicate says no", "OPTIONS", corsPreflight("http://a.example.org", "GET", ""),
			403, false, map[string]string{"Vary": corsPreflightVary}},
		{"preflight, method not a token", "OPTIONS", corsPreflight("https://a.example.org", "G T", ""),
			403, false, map[string]string{"Vary": corsPreflightVary}},
		{"preflight, field not a token", "OPTIONS", corsPreflight("https://a.example.org", "GET", "x-one,x(two)"),
			403, false, map[string]string{"Vary": corsPreflightVary}},
		{"GET", "GET", [][2]string{{"Origin", "https://b.example.org"}},
			200, true, map[string]string{"Access-Control-Allow-Origin": "https://b.example.org", "Vary": "Origin"}},
		{"GET, no", "GET", [][2]string{{"Origin", "https://example.org.evil"}},
			200, true, map[string]string{"Vary": "Origin"}},
	})
}

// TestCORSVaryOnce guards against a second Vary: Origin when the
// middleware is applied twice or the field is already there.
func TestCORSVaryOnce(t *testing.T) {
	mw := CORS(CORSOptions{AllowedOrigins: []string{"https://app.example.com"}})
	h := mw(mw(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {})))
	w := &corsRecorder{}
	r := &strand.Request{Method: "GET"}
	r.Header.Set("Origin", "https://app.example.com")
	h.ServeHTTP(w, r)
	if got := w.h.Values("Vary"); len(got) != 1 || got[0] != "Origin" {
		t.Errorf("Vary after CORS twice: %q; want [Origin]", got)
	}
}

// corsRecorder is an in-memory ResponseWriter for allocation counts.
type corsRecorder struct {
	h    strand.Header
	code int
}

func (w *corsRecorder) Header() *strand.Header { return &w.h }
func (w *corsRecorder) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}
func (w *corsRecorder) Write(p []byte) (int, error)       { return len(p), nil }
func (w *corsRecorder) WriteString(s string) (int, error) { return len(s), nil }

// TestCORSAllocs holds the budget: no allocation per request, on the
// simple path and for preflights alike.
func TestCORSAllocs(t *testing.T) {
	h := CORS(CORSOptions{
		AllowedOrigins:   []string{"https://app.example.com"},
		AllowedMethods:   []string{"GET", "PUT"},
		AllowedHeaders:   []string{"Content-Type", "Authorization"},
		ExposedHeaders:   []string{"X-Request-ID"},
		AllowCredentials: true,
		MaxAge:           time.Hour,
	})(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {}))
	tests := []struct {
		name   string
		method string
		fields [][2]string
	}{
		{"simple", "GET", [][2]string{{"Origin", "https://app.example.com"}}},
		{"disallowed", "GET", [][2]string{{"Origin", "https://evil.example"}}},
		{"no origin", "GET", nil},
		{"preflight", "OPTIONS", corsPreflight("https://app.example.com", "PUT", "content-type, authorization")},
		{"refused preflight", "OPTIONS", corsPreflight("https://app.example.com", "PUT", "x-other")},
	}
	for _, tt := range tests {
		r := &strand.Request{Method: tt.method}
		for _, f := range tt.fields {
			r.Header.Add(f[0], f[1])
		}
		w := &corsRecorder{}
		allocs := testing.AllocsPerRun(100, func() {
			w.h.Reset()
			w.code = 0
			h.ServeHTTP(w, r)
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per request; want 0", tt.name, allocs)
		}
	}
}

func TestCORSOptionsPanic(t *testing.T) {
	tests := []struct {
		name string
		opts CORSOptions
		want string // part of the panic message
	}{
		{"trailing slash", CORSOptions{AllowedOrigins: []string{"https://app.example.com/"}}, `"https://app.example.com/"`},
		{"no scheme", CORSOptions{AllowedOrigins: []string{"app.example.com"}}, `"app.example.com"`},
		{"pattern", CORSOptions{AllowedOrigins: []string{"https://*.example.com"}}, "AllowOriginFunc"},
		{"query", CORSOptions{AllowedOrigins: []string{"https://a.example?x"}}, `"https://a.example?x"`},
		{"user", CORSOptions{AllowedOrigins: []string{"https://u@a.example"}}, `"https://u@a.example"`},
		{"method", CORSOptions{AllowedMethods: []string{"GET POST"}}, `"GET POST"`},
		{"header", CORSOptions{AllowedHeaders: []string{"X-A, X-B"}}, `"X-A, X-B"`},
		{"exposed", CORSOptions{ExposedHeaders: []string{""}}, `""`},
	}
	for _, tt := range tests {
		func() {
			defer func() {
				msg := fmt.Sprint(recover())
				if !strings.Contains(msg, tt.want) || !strings.HasPrefix(msg, "middleware: CORS ") {
					t.Errorf("%s: panic %q; want one naming %s", tt.name, msg, tt.want)
				}
			}()
			CORS(tt.opts)
		}()
	}
}

// BenchmarkCORS measures the simple path and a preflight in memory.
func BenchmarkCORS(b *testing.B) {
	h := CORS(CORSOptions{
		AllowedOrigins: []string{"https://app.example.com", "https://admin.example.com"},
		AllowedMethods: []string{"GET", "POST", "PUT"},
		AllowedHeaders: []string{"Content-Type", "Authorization"},
		ExposedHeaders: []string{"X-Request-ID"},
		MaxAge:         time.Hour,
	})(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {}))
	for _, bb := range []struct {
		name   string
		method string
		fields [][2]string
	}{
		{"simple", "GET", [][2]string{{"Origin", "https://app.example.com"}}},
		{"preflight", "OPTIONS", corsPreflight("https://app.example.com", "PUT", "content-type")},
	} {
		b.Run(bb.name, func(b *testing.B) {
			r := &strand.Request{Method: bb.method}
			for _, f := range bb.fields {
				r.Header.Add(f[0], f[1])
			}
			w := &corsRecorder{}
			b.ReportAllocs()
			for b.Loop() {
				w.h.Reset()
				h.ServeHTTP(w, r)
			}
		})
	}
}
