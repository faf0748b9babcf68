package nethttp_test

// Tests of FromStrand: Strand handlers served by a real net/http server,
// and both adapters stacked.

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/nethttp"
)

// describeStrand writes the request as a Strand handler sees it.
func describeStrand(w strand.ResponseWriter, r *strand.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		strand.Error(w, err.Error(), 400)
		return
	}
	var fields []string
	for name, value := range r.Header.All() {
		if name == "Host" || strings.HasPrefix(name, "X-") || name == "Transfer-Encoding" {
			fields = append(fields, name+": "+value)
		}
	}
	fmt.Fprintf(w, "%s %s path=%s rawpath=%s query=%s %s %d.%d host=%s length=%d body=%q trailer=%q pattern=%q fields=%q",
		r.Method, r.Target, r.Path, r.RawPath, r.RawQuery, r.Proto, r.ProtoMajor, r.ProtoMinor, r.Host,
		r.ContentLength, body, r.Trailer.Get("X-Sum"), r.Pattern(), fields)
}

// TestFromStrandRequest checks the strand.Request built from net/http's,
// for raw requests sent to a net/http server.
func TestFromStrandRequest(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/p/{rest...}", nethttp.FromStrand(strand.HandlerFunc(describeStrand)))
	addr := serveHTTP(t, mux)
	tests := []struct {
		name, raw, want string
	}{
		{
			"escaped path and query",
			"GET /p/a%2Fb%20c?x=1 HTTP/1.1\r\nHost: example.com\r\nX-A: 1\r\nX-A: 2\r\n\r\n",
			`GET /p/a%2Fb%20c?x=1 path=/p/a/b c rawpath=/p/a%2Fb%20c query=x=1 HTTP/1.1 1.1 host=example.com ` +
				`length=0 body="" trailer="" pattern="/p/{rest...}" fields=["Host: example.com" "X-A: 1" "X-A: 2"]`,
		},
		{
			"chunked body with trailer",
			"POST /p/ HTTP/1.1\r\nHost: h\r\nTrailer: X-Sum\r\nTransfer-Encoding: chunked\r\n\r\n" +
				"3\r\nabc\r\n0\r\nX-Sum: 42\r\n\r\n",
			`POST /p/ path=/p/ rawpath=/p/ query= HTTP/1.1 1.1 host=h ` +
				`length=-1 body="abc" trailer="42" pattern="/p/{rest...}" fields=["Host: h" "Transfer-Encoding: chunked"]`,
		},
		{
			"HTTP/1.0 with a length",
			"POST /p/x HTTP/1.0\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi",
			`POST /p/x path=/p/x rawpath=/p/x query= HTTP/1.0 1.0 host=h ` +
				`length=2 body="hi" trailer="" pattern="/p/{rest...}" fields=["Host: h"]`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rawDo(t, addr, tt.raw)
			if got.status != 200 || got.body != tt.want {
				t.Errorf("%q:\n got %d %s\nwant 200 %s", tt.raw, got.status, got.body, tt.want)
			}
		})
	}
}

// TestFromStrandResponse checks that a Strand handler's response keeps
// Strand's rules under net/http: no Content-Type sniffing, header changes
// after WriteHeader ignored, trailers announced in the Trailer field.
func TestFromStrandResponse(t *testing.T) {
	tests := []struct {
		name        string
		h           strand.HandlerFunc
		wantStatus  int
		wantHeader  map[string][]string // nil slice: the field must be absent
		wantBody    string
		wantTrailer map[string][]string
	}{
		{
			"fields and status",
			func(w strand.ResponseWriter, r *strand.Request) {
				w.Header().Set("Content-Type", "text/plain")
				w.Header().Add("X-Multi", "1")
				w.Header().Add("X-Multi", "2")
				w.WriteHeader(201)
				w.Header().Set("X-Late", "ignored")
				w.WriteString("made")
			},
			201, map[string][]string{"Content-Type": {"text/plain"}, "X-Multi": {"1", "2"}, "X-Late": nil,
				"X-Outer": {"kept"}, "Content-Length": {"4"}},
			"made", nil,
		},
		{
			"never sniffed",
			func(w strand.ResponseWriter, r *strand.Request) { w.Write([]byte("<html>")) },
			200, map[string][]string{"Content-Type": nil}, "<html>", nil,
		},
		{
			"middleware field replaced",
			func(w strand.ResponseWriter, r *strand.Request) {
				w.Header().Set("X-Outer", "replaced")
			},
			200, map[string][]string{"X-Outer": {"replaced"}}, "", nil,
		},
		{
			"trailer",
			func(w strand.ResponseWriter, r *strand.Request) {
				w.Header().Set("Trailer", "X-Sum")
				w.Header().Set("X-Sum", "not in the head")
				w.WriteString("body")
				if err := strand.Flush(w); err != nil {
					panic(err)
				}
				w.Header().Set("X-Sum", "abc")
			},
			200, map[string][]string{"X-Sum": nil}, "body", map[string][]string{"X-Sum": {"abc"}},
		},
		{
			"strand.Error",
			func(w strand.ResponseWriter, r *strand.Request) { strand.Error(w, "gone", 410) },
			410, map[string][]string{"Content-Type": {"text/plain; charset=utf-8"}}, "gone\n", nil,
		},
		{
			"Write refused after 204",
			func(w strand.ResponseWriter, r *strand.Request) {
				w.WriteHeader(204)
				if _, err := w.Write([]byte("x")); !errors.Is(err, strand.ErrBodyNotAllowed) {
					panic(fmt.Sprintf("Write after 204: %v; want strand.ErrBodyNotAllowed", err))
				}
			},
			204, nil, "", nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Outer", "kept")
				nethttp.FromStrand(tt.h).ServeHTTP(w, r)
			})
			addr := serveHTTP(t, outer)
			got := get(t, newClient(t), "http://"+addr+"/")
			if got.status != tt.wantStatus || got.body != tt.wantBody {
				t.Errorf("status %d, body %q; want %d, %q", got.status, got.body, tt.wantStatus, tt.wantBody)
			}
			for name, want := range tt.wantHeader {
				if got := got.header[name]; fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s = %q; want %q", name, got, want)
				}
			}
			for name, want := range tt.wantTrailer {
				if got := got.trailer[name]; fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("trailer %s = %q; want %q", name, got, want)
				}
			}
		})
	}
}

// TestFromStrandFlushHijack checks strand.Flush and strand.Hijack on the
// writer FromStrand gives, under a net/http server.
func TestFromStrandFlushHijack(t *testing.T) {
	release := make(chan struct{})
	h := strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		switch r.Path {
		case "/stream":
			w.WriteString("one;")
			if err := strand.Flush(w); err != nil {
				panic(err)
			}
			<-release
			w.WriteString("two")
		case "/hijack":
			conn, brw, err := strand.Hijack(w)
			if err != nil {
				panic(err)
			}
			defer conn.Close()
			brw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nraw ok")
			brw.Flush()
			if _, err := w.WriteString("x"); err != strand.ErrHijacked {
				panic(fmt.Sprintf("Write after Hijack: %v; want strand.ErrHijacked", err))
			}
		}
	})
	addr := "http://" + serveHTTP(t, nethttp.FromStrand(h))
	c := newClient(t)

	resp, err := c.Get(addr + "/stream")
	if err != nil {
		close(release)
		t.Fatal(err)
	}
	first := make([]byte, 4)
	_, err = io.ReadFull(resp.Body, first)
	close(release)
	rest, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(first) != "one;" || string(rest) != "two" {
		t.Errorf("stream: %q, %v, then %q; want \"one;\" before the handler goes on, then \"two\"", first, err, rest)
	}

	if got := get(t, c, addr+"/hijack"); got.status != 200 || got.body != "raw ok" {
		t.Errorf("hijack: %d %q; want 200 \"raw ok\"", got.status, got.body)
	}
}

// comparable is a strand.Handler and an http.Handler that can be compared.
type comparable struct{ name string }

func (comparable) ServeHTTP(http.ResponseWriter, *http.Request) {}

type comparableStrand struct{ name string }

func (comparableStrand) ServeHTTP(strand.ResponseWriter, *strand.Request) {}

// TestAdaptersUnwrap checks that adapting twice gives the handler back
// instead of stacking two adapters.
func TestAdaptersUnwrap(t *testing.T) {
	hh := comparable{"http"}
	if got := nethttp.FromStrand(nethttp.Handler(hh)); got != http.Handler(hh) {
		t.Errorf("FromStrand(Handler(h)) = %#v; want h, %#v", got, hh)
	}
	sh := comparableStrand{"strand"}
	if got := nethttp.Handler(nethttp.FromStrand(sh)); got != strand.Handler(sh) {
		t.Errorf("Handler(FromStrand(h)) = %#v; want h, %#v", got, sh)
	}
}

// TestAdaptersStacked runs a Strand handler under a net/http middleware
// (http.StripPrefix) under a Strand server: both adapters on one request.
func TestAdaptersStacked(t *testing.T) {
	inner := strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Inner", r.Header.Get("X-In"))
		fmt.Fprintf(w, "%s %s %s %q", r.Method, r.Path, r.Target, body)
	})
	h := nethttp.Handler(http.StripPrefix("/api", nethttp.FromStrand(inner)))
	addr := serveStrand(t, h)
	req, err := http.NewRequest("PUT", "http://"+addr+"/api/items/7?v=2", strings.NewReader("data"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-In", "through")
	got := do(t, newClient(t), req)
	want := `PUT /items/7 /api/items/7?v=2 "data"`
	if got.status != 200 || got.body != want || got.header.Get("X-Inner") != "through" {
		t.Errorf("%d %q, X-Inner %q; want 200 %q, \"through\"", got.status, got.body, got.header.Get("X-Inner"), want)
	}
}

// TestFromStrandAbort checks that strand.ErrAbortHandler aborts a
// response under net/http.
func TestFromStrandAbort(t *testing.T) {
	h := strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		w.WriteString("partial")
		strand.Flush(w)
		panic(strand.ErrAbortHandler)
	})
	addr := serveHTTP(t, nethttp.FromStrand(h))
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(testTimeout))
	io.WriteString(conn, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	got, err := io.ReadAll(conn)
	if err != nil || strings.HasSuffix(string(got), "0\r\n\r\n") || !strings.Contains(string(got), "partial") {
		t.Errorf("read %q, %v; want the flushed part, then the connection closed without the last chunk", got, err)
	}
}
