// Package strandtest helps test Strand handlers: a Request built without
// a server, a ResponseRecorder that keeps what a handler writes, and a
// real Server on a loopback port for end-to-end tests.
package strandtest

import (
	"bytes"
	"io"
	"net"
	"testing"

	"github.com/strandhttp/strand"
)

// NewRequest returns a Request for method and target, with body (nil for
// none); see strand.NewRequest. It panics on a malformed method or target:
// in a test, that is the test's mistake.
func NewRequest(method, target string, body io.Reader) *strand.Request {
	r, err := strand.NewRequest(method, target, body)
	if err != nil {
		panic("strandtest: NewRequest(" + method + ", " + target + "): " + err.Error())
	}
	return r
}

// ResponseRecorder is a strand.ResponseWriter that records the response.
// The zero value is ready; NewRecorder also returns one.
type ResponseRecorder struct {
	// Code is the status sent: the first final code given to WriteHeader,
	// or 200 once the body has been written or flushed; 0 before that.
	Code int
	// Body holds what was written.
	Body bytes.Buffer
	// Flushed reports whether Flush was called.
	Flushed bool
	// Interim lists the 1xx codes sent before the final one.
	Interim []int

	header   strand.Header
	snapshot *strand.Header // the header at the moment the status was fixed
}

// NewRecorder returns an empty ResponseRecorder.
func NewRecorder() *ResponseRecorder { return &ResponseRecorder{} }

// Header returns the header the handler fills in.
func (rr *ResponseRecorder) Header() *strand.Header { return &rr.header }

// WriteHeader records the status: 1xx codes (but 101) as interim ones,
// the first other code as final.
func (rr *ResponseRecorder) WriteHeader(code int) {
	if rr.Code != 0 {
		return
	}
	if code < 200 && code != strand.StatusSwitchingProtocols {
		rr.Interim = append(rr.Interim, code)
		return
	}
	rr.Code = code
	h := rr.header.Clone()
	rr.snapshot = &h
}

// Write records body bytes, sending 200 first if no status was sent.
func (rr *ResponseRecorder) Write(p []byte) (int, error) {
	rr.WriteHeader(strand.StatusOK)
	return rr.Body.Write(p)
}

// WriteString records body bytes.
func (rr *ResponseRecorder) WriteString(s string) (int, error) {
	rr.WriteHeader(strand.StatusOK)
	return rr.Body.WriteString(s)
}

// Flush records that the handler flushed.
func (rr *ResponseRecorder) Flush() error {
	rr.WriteHeader(strand.StatusOK)
	rr.Flushed = true
	return nil
}

// Result returns the header as it was when the status was sent (the
// current header if none was), as a client would see it.
func (rr *ResponseRecorder) Result() *strand.Header {
	if rr.snapshot != nil {
		return rr.snapshot
	}
	return &rr.header
}

var _ strand.Flusher = (*ResponseRecorder)(nil)

// Server is a strand.Server running on a loopback port for a test.
type Server struct {
	// URL is "http://127.0.0.1:port", without a trailing slash.
	URL string
	// Addr is the listener's address, "127.0.0.1:port".
	Addr string
	// Server is the running server; its fields must not be changed.
	Server *strand.Server

	done chan error
}

// Start serves h (with the settings of srv, which may be nil) on a free
// loopback port until the test ends; it then closes the server and
// reports an unexpected Serve error.
func Start(tb testing.TB, h strand.Handler, srv *strand.Server) *Server {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("strandtest: listening on loopback: %v", err)
	}
	if srv == nil {
		srv = &strand.Server{}
	}
	srv.Handler = h
	s := &Server{URL: "http://" + ln.Addr().String(), Addr: ln.Addr().String(), Server: srv, done: make(chan error, 1)}
	go func() { s.done <- srv.Serve(ln) }()
	tb.Cleanup(func() {
		srv.Close()
		if err := <-s.done; err != nil && err != strand.ErrServerClosed {
			tb.Errorf("strandtest: Serve: %v", err)
		}
	})
	return s
}
