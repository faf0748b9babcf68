package nethttp_test

// Tests of Handler: net/http handlers served by a real strand.Server and
// fetched with net/http's client (or raw bytes, for the request-target
// forms a client does not send).

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/http/pprof"
	"net/textproto"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/nethttp"
)

// describe writes the request as a net/http handler sees it, one field a
// line.
func describe(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, "method=%s uri=%s proto=%s %d.%d host=%s\n", r.Method, r.RequestURI, r.Proto, r.ProtoMajor, r.ProtoMinor, r.Host)
	fmt.Fprintf(w, "url: scheme=%s host=%s path=%s rawpath=%s query=%s escaped=%s\n",
		r.URL.Scheme, r.URL.Host, r.URL.Path, r.URL.RawPath, r.URL.RawQuery, r.URL.EscapedPath())
}

// TestHandlerRequestTarget checks the URL and RequestURI built from each
// request-target form (RFC 9112 §3.2) against what net/http's server makes
// of the same bytes.
func TestHandlerRequestTarget(t *testing.T) {
	tests := []struct {
		name, raw, want string
	}{
		{
			"origin-form",
			"GET /a/b?x=1&y=%20 HTTP/1.1\r\nHost: example.com\r\n\r\n",
			"method=GET uri=/a/b?x=1&y=%20 proto=HTTP/1.1 1.1 host=example.com\n" +
				"url: scheme= host= path=/a/b rawpath= query=x=1&y=%20 escaped=/a/b\n",
		},
		{
			"default escaping",
			"GET /a%20b HTTP/1.1\r\nHost: h\r\n\r\n",
			"method=GET uri=/a%20b proto=HTTP/1.1 1.1 host=h\n" +
				"url: scheme= host= path=/a b rawpath= query= escaped=/a%20b\n",
		},
		{
			"encoded slash keeps RawPath",
			"GET /a%2Fb HTTP/1.1\r\nHost: h\r\n\r\n",
			"method=GET uri=/a%2Fb proto=HTTP/1.1 1.1 host=h\n" +
				"url: scheme= host= path=/a/b rawpath=/a%2Fb query= escaped=/a%2Fb\n",
		},
		{
			"absolute-form",
			"GET http://example.com/p?q=1 HTTP/1.1\r\nHost: other\r\n\r\n",
			"method=GET uri=http://example.com/p?q=1 proto=HTTP/1.1 1.1 host=example.com\n" +
				"url: scheme=http host=example.com path=/p rawpath= query=q=1 escaped=/p\n",
		},
		{
			"asterisk-form",
			"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
			"method=OPTIONS uri=* proto=HTTP/1.1 1.1 host=h\n" +
				"url: scheme= host= path=* rawpath= query= escaped=*\n",
		},
		{
			"authority-form",
			"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
			"method=CONNECT uri=example.com:443 proto=HTTP/1.1 1.1 host=example.com:443\n" +
				"url: scheme= host=example.com:443 path= rawpath= query= escaped=\n",
		},
		{
			"HTTP/1.0",
			"GET / HTTP/1.0\r\nHost: h\r\n\r\n",
			"method=GET uri=/ proto=HTTP/1.0 1.0 host=h\n" +
				"url: scheme= host= path=/ rawpath= query= escaped=/\n",
		},
	}
	addr := serveStrand(t, nethttp.Handler(http.HandlerFunc(describe)))
	ref := serveHTTP(t, http.HandlerFunc(describe))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rawDo(t, addr, tt.raw)
			if got.status != 200 || got.body != tt.want {
				t.Errorf("%q: status %d, body\n%s\nwant 200,\n%s", tt.raw, got.status, got.body, tt.want)
			}
			if tt.name == "asterisk-form" {
				return // net/http's server answers OPTIONS * itself
			}
			if ref := rawDo(t, ref, tt.raw); ref.body != got.body {
				t.Errorf("%q: body\n%s\nnet/http's server says\n%s", tt.raw, got.body, ref.body)
			}
		})
	}
}

// TestHandlerRequestFields checks the header, body and connection fields
// of the http.Request.
func TestHandlerRequestFields(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		_, hostInHeader := r.Header["Host"]
		fmt.Fprintf(w, "x=%q host-in-header=%v length=%d te=%q body=%q remote-ip-ok=%v nobody=%v tls=%v pattern=%q",
			r.Header.Values("X-Multi"), hostInHeader, r.ContentLength, r.TransferEncoding, body,
			strings.HasPrefix(r.RemoteAddr, "127.0.0.1:"), r.Body == http.NoBody, r.TLS != nil, r.Pattern)
	})
	withPattern := strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		r.SetPattern("/echo/:x")
		nethttp.Handler(h).ServeHTTP(w, r)
	})
	addr := "http://" + serveStrand(t, withPattern)
	c := newClient(t)
	tests := []struct {
		name string
		body io.Reader // nil, a *strings.Reader (length known) or unknown length
		want string
	}{
		{"no body", nil,
			`x=["a" "b"] host-in-header=false length=0 te=[] body="" remote-ip-ok=true nobody=true tls=false pattern="/echo/:x"`},
		{"Content-Length", strings.NewReader("hello"),
			`x=["a" "b"] host-in-header=false length=5 te=[] body="hello" remote-ip-ok=true nobody=false tls=false pattern="/echo/:x"`},
		{"chunked", io.MultiReader(strings.NewReader("hel"), strings.NewReader("lo")),
			`x=["a" "b"] host-in-header=false length=-1 te=["chunked"] body="hello" remote-ip-ok=true nobody=false tls=false pattern="/echo/:x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest("POST", addr+"/echo/1", tt.body)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Add("X-Multi", "a")
			req.Header.Add("X-Multi", "b")
			got := do(t, c, req)
			if got.status != 200 || got.body != tt.want {
				t.Errorf("POST %s: %d %s; want 200 %s", tt.name, got.status, got.body, tt.want)
			}
		})
	}
}

// TestHandlerRequestTrailer checks that the trailer of a chunked request
// body is announced before the body is read and filled in at its end
// (RFC 9112 §7.1.2), in the http.Request's Trailer map.
func TestHandlerRequestTrailer(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		before := fmt.Sprint(r.Trailer)
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "before=%s body=%s after=%s", before, body, r.Trailer)
	})
	addr := serveStrand(t, nethttp.Handler(h))
	raw := "POST / HTTP/1.1\r\nHost: h\r\nTrailer: X-Sum\r\nTransfer-Encoding: chunked\r\n\r\n" +
		"3\r\nabc\r\n0\r\nX-Sum: 42\r\n\r\n"
	got := rawDo(t, addr, raw)
	want := "before=map[X-Sum:[]] body=abc after=map[X-Sum:[42]]"
	if got.body != want {
		t.Errorf("body %q; want %q", got.body, want)
	}
}

// TestHandlerResponse checks status, header fields and body as net/http
// handlers set them, including fields set on the strand.ResponseWriter by
// a middleware before the handler ran, and Content-Type sniffing.
func TestHandlerResponse(t *testing.T) {
	tests := []struct {
		name       string
		h          http.HandlerFunc
		wantStatus int
		wantHeader map[string][]string // nil slice: the field must be absent
		wantBody   string
	}{
		{
			"explicit status and fields",
			func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				w.Header().Add("X-Multi", "1")
				w.Header().Add("X-Multi", "2")
				w.WriteHeader(201)
				w.Header().Set("X-Late", "ignored") // after WriteHeader, as in net/http
				io.WriteString(w, "made")
			},
			201, map[string][]string{"Content-Type": {"text/plain"}, "X-Multi": {"1", "2"}, "X-Late": nil,
				"X-Outer": {"kept"}, "Content-Length": {"4"}},
			"made",
		},
		{
			"sniffed HTML",
			func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html><body>hi")) },
			200, map[string][]string{"Content-Type": {"text/html; charset=utf-8"}},
			"<html><body>hi",
		},
		{
			"sniffed after WriteHeader, through WriteString",
			func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(202)
				io.WriteString(w, "plain words")
			},
			202, map[string][]string{"Content-Type": {"text/plain; charset=utf-8"}},
			"plain words",
		},
		{
			"sniffing turned off with nil",
			func(w http.ResponseWriter, r *http.Request) {
				w.Header()["Content-Type"] = nil
				w.Write([]byte("<html>"))
			},
			200, map[string][]string{"Content-Type": nil},
			"<html>",
		},
		{
			"no sniffing under Content-Encoding",
			func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Encoding", "x-custom")
				w.Write([]byte("<html>"))
			},
			200, map[string][]string{"Content-Type": nil, "Content-Encoding": {"x-custom"}},
			"<html>",
		},
		{
			"middleware field overridden and deleted",
			func(w http.ResponseWriter, r *http.Request) {
				if got := w.Header().Get("X-Outer"); got != "kept" {
					panic("the map does not start with the middleware's fields: " + got)
				}
				w.Header().Set("X-Outer", "replaced")
				w.Header().Del("X-Gone")
			},
			200, map[string][]string{"X-Outer": {"replaced"}, "X-Gone": nil, "Content-Length": {"0"}},
			"",
		},
		{
			"no content",
			func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) },
			204, map[string][]string{"Content-Type": nil, "Content-Length": nil},
			"",
		},
		{
			"http.Error",
			func(w http.ResponseWriter, r *http.Request) { http.Error(w, "nope", 404) },
			404, map[string][]string{"Content-Type": {"text/plain; charset=utf-8"}, "X-Content-Type-Options": {"nosniff"}},
			"nope\n",
		},
		{
			"second WriteHeader ignored",
			func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(418)
				w.WriteHeader(500)
			},
			418, nil, "",
		},
		{
			"Write after a body-less status",
			func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(304)
				if _, err := w.Write([]byte("x")); !errors.Is(err, http.ErrBodyNotAllowed) {
					panic(fmt.Sprintf("Write after 304: %v; want http.ErrBodyNotAllowed", err))
				}
			},
			304, nil, "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outer := strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
				w.Header().Set("X-Outer", "kept")
				w.Header().Set("X-Gone", "soon")
				nethttp.Handler(tt.h).ServeHTTP(w, r)
			})
			addr := serveStrand(t, outer)
			got := get(t, newClient(t), "http://"+addr+"/")
			if got.status != tt.wantStatus || got.body != tt.wantBody {
				t.Errorf("status %d, body %q; want %d, %q", got.status, got.body, tt.wantStatus, tt.wantBody)
			}
			for name, want := range tt.wantHeader {
				if got := got.header[name]; fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s = %q; want %q", name, got, want)
				}
			}
		})
	}
}

// TestHandlerInterim checks that a 1xx status is sent at once with the
// fields set so far (RFC 9110 §15.2), before the final response.
func TestHandlerInterim(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</style.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		w.Header().Del("Link")
		io.WriteString(w, "final")
	})
	addr := serveStrand(t, nethttp.Handler(h))
	var interim []string
	trace := &httptrace.ClientTrace{Got1xxResponse: func(code int, header textproto.MIMEHeader) error {
		interim = append(interim, fmt.Sprintf("%d %s", code, header.Get("Link")))
		return nil
	}}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "GET", "http://"+addr+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	got := do(t, newClient(t), req)
	want := []string{"103 </style.css>; rel=preload"}
	if fmt.Sprint(interim) != fmt.Sprint(want) || got.status != 200 || got.body != "final" || got.header.Get("Link") != "" {
		t.Errorf("interim %q, final %d %q, Link %q; want %q, 200 \"final\", no Link",
			interim, got.status, got.body, got.header.Get("Link"), want)
	}
}

// TestHandlerTrailers checks response trailers both ways net/http offers:
// announced in the Trailer field, and named with http.TrailerPrefix.
func TestHandlerTrailers(t *testing.T) {
	tests := []struct {
		name string
		h    http.HandlerFunc
		want http.Header
	}{
		{
			"announced",
			func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Trailer", "X-Sum, X-Count")
				w.WriteHeader(200)
				io.WriteString(w, "body")
				w.Header().Set("X-Sum", "abc")
				w.Header().Add("X-Count", "1")
				w.Header().Add("X-Count", "2")
			},
			http.Header{"X-Sum": {"abc"}, "X-Count": {"1, 2"}},
		},
		{
			"announced, streamed",
			func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Trailer", "X-Sum")
				io.WriteString(w, "body")
				w.(http.Flusher).Flush()
				w.Header().Set("X-Sum", "abc")
			},
			http.Header{"X-Sum": {"abc"}},
		},
		{
			"prefixed",
			func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "body")
				w.Header().Set(http.TrailerPrefix+"X-Sum", "abc")
			},
			http.Header{"X-Sum": {"abc"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := serveStrand(t, nethttp.Handler(tt.h))
			got := get(t, newClient(t), "http://"+addr+"/")
			if got.body != "body" || fmt.Sprint(got.trailer) != fmt.Sprint(tt.want) {
				t.Errorf("body %q, trailer %v; want \"body\", %v", got.body, got.trailer, tt.want)
			}
		})
	}
}

// TestHandlerFlush checks that a flushed part of the body reaches the
// client while the handler still runs, through http.Flusher and through
// http.ResponseController.
func TestHandlerFlush(t *testing.T) {
	tests := []struct {
		name  string
		flush func(http.ResponseWriter) error
	}{
		{"Flusher", func(w http.ResponseWriter) error { w.(http.Flusher).Flush(); return nil }},
		{"ResponseController", func(w http.ResponseWriter) error { return http.NewResponseController(w).Flush() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			release := make(chan struct{})
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/event-stream")
				io.WriteString(w, "data: one\n\n")
				if err := tt.flush(w); err != nil {
					panic(err)
				}
				<-release
				io.WriteString(w, "data: two\n\n")
			})
			addr := serveStrand(t, nethttp.Handler(h))
			resp, err := newClient(t).Get("http://" + addr + "/")
			if err != nil {
				close(release)
				t.Fatal(err)
			}
			defer resp.Body.Close()
			first := make([]byte, len("data: one\n\n"))
			_, err = io.ReadFull(resp.Body, first)
			close(release)
			if err != nil || string(first) != "data: one\n\n" {
				t.Fatalf("first event %q, %v; want %q before the handler goes on", first, err, "data: one\n\n")
			}
			rest, err := io.ReadAll(resp.Body)
			if err != nil || string(rest) != "data: two\n\n" || resp.TransferEncoding[0] != "chunked" {
				t.Errorf("rest %q, %v, framing %q; want %q, chunked", rest, err, resp.TransferEncoding, "data: two\n\n")
			}
		})
	}
}

// TestHandlerHijack checks that a net/http handler can take over the
// connection after a 101 (the WebSocket way) or without a response, and
// that the ResponseWriter refuses to be used afterwards.
func TestHandlerHijack(t *testing.T) {
	tests := []struct {
		name   string
		status int // sent with WriteHeader before hijacking; 0 for none
		hijack func(http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error)
		// what the client reads: the head, if any, then the echo
		wantPrefix, wantIn string
	}{
		{"Hijacker", 0, func(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error) {
			return w.(http.Hijacker).Hijack()
		}, "raw\n", ""},
		{"ResponseController after 101", 101, func(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error) {
			return http.NewResponseController(w).Hijack()
		}, "HTTP/1.1 101 Switching Protocols\r\n", "\r\nUpgrade: echo\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := make(chan string, 1)
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.status != 0 {
					w.Header().Set("Connection", "Upgrade")
					w.Header().Set("Upgrade", "echo")
					w.WriteHeader(tt.status)
				}
				conn, brw, err := tt.hijack(w)
				if err != nil {
					errs <- fmt.Sprintf("Hijack: %v", err)
					return
				}
				defer conn.Close()
				line, _ := brw.ReadString('\n') // sent by the client right after the head
				brw.WriteString(line)
				brw.Flush()
				var problems []string
				if _, err := w.Write([]byte("x")); err != http.ErrHijacked {
					problems = append(problems, fmt.Sprintf("Write after Hijack: %v; want http.ErrHijacked", err))
				}
				if _, _, err := w.(http.Hijacker).Hijack(); err != http.ErrHijacked {
					problems = append(problems, fmt.Sprintf("second Hijack: %v; want http.ErrHijacked", err))
				}
				if err := http.NewResponseController(w).Flush(); err != http.ErrHijacked {
					problems = append(problems, fmt.Sprintf("Flush after Hijack: %v; want http.ErrHijacked", err))
				}
				errs <- strings.Join(problems, "; ")
			})
			addr := serveStrand(t, nethttp.Handler(h))
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(testTimeout))
			io.WriteString(conn, "GET / HTTP/1.1\r\nHost: h\r\n\r\nraw\n")
			got, err := io.ReadAll(conn)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(got), tt.wantPrefix) || !strings.Contains(string(got), tt.wantIn) ||
				tt.status != 0 && !strings.HasSuffix(string(got), "\r\n\r\nraw\n") || tt.status == 0 && string(got) != "raw\n" {
				t.Errorf("the client read %q; want it to start with %q, hold %q and end with the echo",
					got, tt.wantPrefix, tt.wantIn)
			}
			if problems := <-errs; problems != "" {
				t.Error(problems)
			}
		})
	}
}

// TestHandlerResponseController checks what http.ResponseController
// reports for what Strand leaves to the server.
func TestHandlerResponseController(t *testing.T) {
	got := make(chan string, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		got <- fmt.Sprint(
			errors.Is(rc.SetReadDeadline(time.Now()), http.ErrNotSupported),
			errors.Is(rc.SetWriteDeadline(time.Now()), http.ErrNotSupported),
			errors.Is(rc.EnableFullDuplex(), http.ErrNotSupported))
	})
	addr := serveStrand(t, nethttp.Handler(h))
	get(t, newClient(t), "http://"+addr+"/")
	if g, want := <-got, "true true true"; g != want {
		t.Errorf("SetReadDeadline, SetWriteDeadline, EnableFullDuplex are ErrNotSupported: %s; want %s", g, want)
	}
}

// TestHandlerContext checks that the http.Request's context is the
// strand.Request's: values put there by Strand middleware are visible,
// and it is cancelled when the client goes away.
func TestHandlerContext(t *testing.T) {
	type key struct{}
	started, done := make(chan struct{}), make(chan string, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, _ := r.Context().Value(key{}).(string)
		close(started)
		select {
		case <-r.Context().Done():
			done <- "value " + v + ", cancelled"
		case <-time.After(testTimeout):
			done <- "value " + v + ", not cancelled"
		}
	})
	outer := strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		nethttp.Handler(h).ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), key{}, "set")))
	})
	addr := serveStrand(t, outer)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(conn, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	<-started
	conn.Close()
	if got, want := <-done, "value set, cancelled"; got != want {
		t.Errorf("handler saw %q; want %q", got, want)
	}
}

// TestHandlerPanic checks that a panic is answered 500 and logged, and
// that http.ErrAbortHandler aborts the response without a log line, as
// strand.ErrAbortHandler does.
func TestHandlerPanic(t *testing.T) {
	tests := []struct {
		name      string
		value     any
		wantError bool // the client sees no response
		wantLog   bool
	}{
		{"panic", "boom", false, true},
		{"ErrAbortHandler", http.ErrAbortHandler, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var logged bytes.Buffer
			l := slog.New(slog.NewTextHandler(lockedWriter{&mu, &logged}, nil))
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic(tt.value) })
			addr := serveStrandLog(t, nethttp.Handler(h), l)
			resp, err := newClient(t).Get("http://" + addr + "/")
			if err == nil {
				resp.Body.Close()
			}
			if gotError := err != nil; gotError != tt.wantError || !tt.wantError && resp.StatusCode != 500 {
				t.Errorf("Get: %v, %v; want an error: %v, else 500", resp, err, tt.wantError)
			}
			mu.Lock()
			defer mu.Unlock()
			if gotLog := strings.Contains(logged.String(), "panic"); gotLog != tt.wantLog {
				t.Errorf("log %q; want a panic logged: %v", logged.String(), tt.wantLog)
			}
		})
	}
}

// lockedWriter serialises writes to a buffer the test reads.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestHandlerPprof serves net/http/pprof's handlers on Strand.
func TestHandlerPprof(t *testing.T) {
	mux := strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		switch r.Path {
		case "/debug/pprof/cmdline":
			nethttp.Handler(http.HandlerFunc(pprof.Cmdline)).ServeHTTP(w, r)
		default:
			nethttp.Handler(http.HandlerFunc(pprof.Index)).ServeHTTP(w, r)
		}
	})
	addr := "http://" + serveStrand(t, mux)
	c := newClient(t)
	tests := []struct {
		path, wantType, wantIn string
	}{
		{"/debug/pprof/", "text/html; charset=utf-8", "goroutine"},
		{"/debug/pprof/goroutine?debug=1", "text/plain; charset=utf-8", "goroutine profile:"},
		{"/debug/pprof/cmdline", "text/plain; charset=utf-8", strings.Join(os.Args, "\x00")},
	}
	for _, tt := range tests {
		got := get(t, c, addr+tt.path)
		if got.status != 200 || got.header.Get("Content-Type") != tt.wantType || !strings.Contains(got.body, tt.wantIn) {
			t.Errorf("GET %s: %d %q, body %.80q; want 200 %q and %q in the body",
				tt.path, got.status, got.header.Get("Content-Type"), got.body, tt.wantType, tt.wantIn)
		}
	}
}

// TestHandlerPromhttp serves a Prometheus registry through promhttp on
// Strand, plain and gzip-compressed.
func TestHandlerPromhttp(t *testing.T) {
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "test_events_total", Help: "Events."})
	reg.MustRegister(c)
	c.Add(3)
	addr := "http://" + serveStrand(t, nethttp.Handler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))
	client := newClient(t)
	const want = "# HELP test_events_total Events.\n# TYPE test_events_total counter\ntest_events_total 3\n"
	for _, encoding := range []string{"identity", "gzip"} {
		req, err := http.NewRequest("GET", addr+"/metrics", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept-Encoding", encoding)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if encoding == "gzip" {
			body, err = gunzip(body)
		}
		if err != nil || string(body) != want || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
			t.Errorf("%s: %v, %q, body %q; want %q", encoding, err, resp.Header.Get("Content-Type"), body, want)
		}
		if got := resp.Header.Get("Content-Encoding"); got != map[string]string{"gzip": "gzip"}[encoding] {
			t.Errorf("%s: Content-Encoding %q", encoding, got)
		}
	}
}

// TestHandlerStringsOwned guards the copy Handler makes: a net/http
// handler may keep a request's strings after it returns, while Strand
// reuses their memory for the next request on the connection. (Run with
// -tags strand_debug, the server also poisons that memory.)
func TestHandlerStringsOwned(t *testing.T) {
	kept := make(chan string, 2)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kept <- strings.Join([]string{r.Method, r.RequestURI, r.URL.Path, r.URL.RawQuery, r.Host, r.Header.Get("X-Id")}, " ")
	})
	addr := serveStrand(t, nethttp.Handler(h))
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(testTimeout))
	br := bufio.NewReader(conn)
	var got []string
	for _, c := range []string{"a", "b"} {
		n := strings.Repeat(c, 4)
		io.WriteString(conn, "MKCOL /"+n+"?q="+n+" HTTP/1.1\r\nHost: "+n+"\r\nX-Id: "+n+"\r\n\r\n")
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		got = append(got, <-kept)
	}
	want := []string{"MKCOL /aaaa?q=aaaa /aaaa q=aaaa aaaa aaaa", "MKCOL /bbbb?q=bbbb /bbbb q=bbbb bbbb bbbb"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("strings kept from two requests on one connection: %q; want %q", got, want)
	}
}
