package router

// Helpers shared by the router's tests: an in-memory response recorder and
// requests built the way the server fills them in (the exported fields a
// router reads), and a real strand.Server on loopback for the tests that
// need the server's own behaviour (HEAD bodies, allocations).

import (
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/strandhttp/strand"
)

// recorder is a strand.ResponseWriter that keeps what the handler sent.
type recorder struct {
	header strand.Header
	code   int
	body   strings.Builder
}

func (w *recorder) Header() *strand.Header { return &w.header }

func (w *recorder) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *recorder) Write(p []byte) (int, error) {
	w.WriteHeader(strand.StatusOK)
	return w.body.Write(p)
}

func (w *recorder) WriteString(s string) (int, error) {
	w.WriteHeader(strand.StatusOK)
	return w.body.WriteString(s)
}

// status is the status the server would send: 200 when nothing was
// written.
func (w *recorder) status() int {
	if w.code == 0 {
		return strand.StatusOK
	}
	return w.code
}

// newRequest builds a request for an origin-form target, its path
// percent-decoded as the server decodes it.
func newRequest(tb testing.TB, method, target string) *strand.Request {
	tb.Helper()
	raw, query, _ := strings.Cut(target, "?")
	path, err := url.PathUnescape(raw)
	if err != nil {
		tb.Fatalf("newRequest(%q): %v", target, err)
	}
	return &strand.Request{Method: method, Target: target, Path: path, RawPath: raw, RawQuery: query}
}

// serve sends one request through h and returns the recording and the
// request, whose Pattern and path values the router has set.
func serve(tb testing.TB, h strand.Handler, method, target string) (*recorder, *strand.Request) {
	tb.Helper()
	w := new(recorder)
	req := newRequest(tb, method, target)
	h.ServeHTTP(w, req)
	return w, req
}

// echo answers with the matched pattern and the named path values:
// "/users/:id id=42".
func echo(names ...string) strand.HandlerFunc {
	return func(w strand.ResponseWriter, req *strand.Request) {
		_, _ = w.WriteString(req.Pattern())
		for _, n := range names {
			_, _ = w.WriteString(" " + n + "=" + req.PathValue(n))
		}
	}
}

// text answers with s.
func text(s string) strand.HandlerFunc {
	return func(w strand.ResponseWriter, _ *strand.Request) { _, _ = w.WriteString(s) }
}

// mustPanic runs f and returns the panic message it must raise.
func mustPanic(t *testing.T, name string, f func()) (msg string) {
	t.Helper()
	defer func() {
		v := recover()
		if v == nil {
			t.Errorf("%s: no panic; want one", name)
			return
		}
		s, ok := v.(string)
		if !ok {
			t.Errorf("%s: panic(%#v); want a string message", name, v)
		}
		msg = s
	}()
	f()
	return ""
}

// startServer serves h on a loopback port and closes the server at
// cleanup. It returns the address.
func startServer(tb testing.TB, h strand.Handler) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := &strand.Server{Handler: h}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Serve(ln)
	}()
	tb.Cleanup(func() {
		_ = s.Close()
		<-done
	})
	return ln.Addr().String()
}
