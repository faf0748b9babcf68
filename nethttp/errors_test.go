package nethttp_test

// Tests of how each adapter reports the other side's errors and refusals,
// so that code written for one API recognises them with errors.Is.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/textproto"
	"testing"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/nethttp"
)

// plainStrand is a strand.ResponseWriter with neither Flush nor Hijack.
type plainStrand struct{ h strand.Header }

func (p *plainStrand) Header() *strand.Header            { return &p.h }
func (p *plainStrand) WriteHeader(int)                   {}
func (p *plainStrand) Write(b []byte) (int, error)       { return len(b), nil }
func (p *plainStrand) WriteString(s string) (int, error) { return len(s), nil }

// plainHTTP is an http.ResponseWriter with neither Flush nor Hijack.
type plainHTTP struct{ h http.Header }

func (p *plainHTTP) Header() http.Header         { return p.h }
func (p *plainHTTP) WriteHeader(int)             {}
func (p *plainHTTP) Write(b []byte) (int, error) { return len(b), nil }

// TestHandlerNotSupported checks that Flush and Hijack report
// http.ErrNotSupported when the strand.ResponseWriter cannot do them.
func TestHandlerNotSupported(t *testing.T) {
	var got string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		_, _, herr := rc.Hijack()
		got = fmt.Sprint(errors.Is(rc.Flush(), http.ErrNotSupported), errors.Is(herr, http.ErrNotSupported))
	})
	r := &strand.Request{Method: "GET", Target: "/", Path: "/", RawPath: "/", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Body: http.NoBody}
	nethttp.Handler(h).ServeHTTP(&plainStrand{}, r)
	if want := "true true"; got != want {
		t.Errorf("Flush, Hijack are http.ErrNotSupported: %s; want %s", got, want)
	}
}

// TestFromStrandNotSupported checks that strand.Flush and strand.Hijack
// report strand.ErrNotSupported when the http.ResponseWriter cannot do
// them.
func TestFromStrandNotSupported(t *testing.T) {
	var got string
	h := strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		_, _, herr := strand.Hijack(w)
		got = fmt.Sprint(errors.Is(strand.Flush(w), strand.ErrNotSupported), errors.Is(herr, strand.ErrNotSupported))
	})
	nethttp.FromStrand(h).ServeHTTP(&plainHTTP{h: http.Header{}}, httptest.NewRequest("GET", "/", nil))
	if want := "true true"; got != want {
		t.Errorf("Flush, Hijack are strand.ErrNotSupported: %s; want %s", got, want)
	}
}

// TestContentLengthExceeded checks that writing past a declared
// Content-Length fails with the handler's own API's error, both ways.
func TestContentLengthExceeded(t *testing.T) {
	got := make(chan error, 1)
	hh := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "2")
		_, err := io.WriteString(w, "hello")
		got <- err
	})
	sh := strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		w.Header().Set("Content-Length", "2")
		_, err := w.WriteString("hello")
		got <- err
	})
	tests := []struct {
		name string
		addr string
		want error
	}{
		{"Handler", serveStrand(t, nethttp.Handler(hh)), http.ErrContentLength},
		{"FromStrand", serveHTTP(t, nethttp.FromStrand(sh)), strand.ErrContentLength},
	}
	c := newClient(t)
	for _, tt := range tests {
		if resp, err := c.Get("http://" + tt.addr + "/"); err == nil {
			resp.Body.Close()
		}
		if err := <-got; err != tt.want {
			t.Errorf("%s: writing 5 bytes after Content-Length: 2: %v; want %v", tt.name, err, tt.want)
		}
	}
}

// TestInvalidStatus checks that both adapters panic on a status code out
// of 100-999, as both servers do.
func TestInvalidStatus(t *testing.T) {
	tests := []struct {
		name  string
		serve func()
	}{
		{"Handler", func() {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(1000) })
			nethttp.Handler(h).ServeHTTP(&plainStrand{}, &strand.Request{Method: "GET", Body: http.NoBody})
		}},
		{"FromStrand", func() {
			h := strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) { w.WriteHeader(99) })
			nethttp.FromStrand(h).ServeHTTP(&plainHTTP{h: http.Header{}}, httptest.NewRequest("GET", "/", nil))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if p := recover(); p == nil {
					t.Errorf("%s: no panic on an invalid status", tt.name)
				}
			}()
			tt.serve()
		})
	}
}

// TestFromStrandInterim checks a 1xx response from a Strand handler
// under net/http (RFC 9110 §15.2).
func TestFromStrandInterim(t *testing.T) {
	h := strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		w.Header().Set("Link", "</a.css>; rel=preload")
		w.WriteHeader(strand.StatusEarlyHints)
		w.Header().Del("Link")
		w.WriteString("final")
	})
	addr := serveHTTP(t, nethttp.FromStrand(h))
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
	want := []string{"103 </a.css>; rel=preload"}
	if fmt.Sprint(interim) != fmt.Sprint(want) || got.status != 200 || got.body != "final" || got.header.Get("Link") != "" {
		t.Errorf("interim %q, final %d %q, Link %q; want %q, 200 \"final\", no Link",
			interim, got.status, got.body, got.header.Get("Link"), want)
	}
}
