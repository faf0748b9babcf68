package middleware

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/strandhttp/strand"
)

// chunkedBody frames body as chunks of at most size bytes.
func chunkedBody(body string, size int) string {
	var b strings.Builder
	for len(body) > 0 {
		n := min(size, len(body))
		fmt.Fprintf(&b, "%x\r\n%s\r\n", n, body[:n])
		body = body[n:]
	}
	b.WriteString("0\r\n\r\n")
	return b.String()
}

// TestBodyLimit sends declared and chunked bodies around the limit over a
// raw connection.
func TestBodyLimit(t *testing.T) {
	const limit = 10
	type readResult struct {
		n   int
		err error
	}
	tests := []struct {
		name     string
		request  string
		replyErr bool // the handler answers 400 itself when reading fails
		called   bool // want the handler called
		read     readResult
		status   int
		close    bool // want Connection: close
	}{
		{"declared, under", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
			false, true, readResult{5, nil}, 200, false},
		{"declared, at the limit", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789",
			false, true, readResult{10, nil}, 200, false},
		{"declared, over", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n0123456789A",
			false, false, readResult{}, 413, true},
		{"declared, over, waiting for 100 Continue", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n",
			false, false, readResult{}, 413, true},
		{"no body", "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
			false, true, readResult{0, nil}, 200, false},
		{"chunked, under", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + chunkedBody("hello", 2),
			false, true, readResult{5, nil}, 200, false},
		{"chunked, at the limit", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + chunkedBody("0123456789", 3),
			false, true, readResult{10, nil}, 200, false},
		{"chunked, over", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + chunkedBody("0123456789ABCDEF", 4),
			false, true, readResult{10, strand.ErrBodyTooLarge}, 413, true},
		{"chunked, over in one chunk", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + chunkedBody(strings.Repeat("x", 100), 100),
			false, true, readResult{10, strand.ErrBodyTooLarge}, 413, true},
		{"chunked, over, handler answers", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + chunkedBody("0123456789ABCDEF", 16),
			true, true, readResult{10, strand.ErrBodyTooLarge}, 400, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := make(chan readResult, 1)
			h := BodyLimit(limit)(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
				b, err := io.ReadAll(r.Body)
				got <- readResult{len(b), err}
				if err != nil && tt.replyErr {
					strand.Error(w, err.Error(), 400)
				}
			}))
			addr, _ := serveStrand(t, h)
			rc := dialWire(t, addr)
			rc.send(t, tt.request)
			resp, body, err := rc.read(t, strings.Fields(tt.request)[0])
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status {
				t.Errorf("status %d %q; want %d", resp.StatusCode, body, tt.status)
			}
			if resp.Close != tt.close {
				t.Errorf("connection closing: %v; want %v", resp.Close, tt.close)
			}
			select {
			case r := <-got:
				if !tt.called {
					t.Errorf("handler called (read %d, %v); want the body refused before it", r.n, r.err)
				} else if r.n != tt.read.n || !errors.Is(r.err, tt.read.err) {
					t.Errorf("handler read %d bytes, %v; want %d, %v", r.n, r.err, tt.read.n, tt.read.err)
				}
			default:
				if tt.called {
					t.Error("handler not called")
				}
			}
		})
	}
}

// TestLimitedBody reads bodies through the limit with reads of every
// size, and with a reader that returns its data and io.EOF together.
func TestLimitedBody(t *testing.T) {
	tests := []struct {
		body  string
		limit int64
		buf   int
		n     int
		err   error
	}{
		{"", 0, 8, 0, nil},
		{"a", 0, 8, 0, strand.ErrBodyTooLarge},
		{"abc", 3, 1, 3, nil},
		{"abc", 3, 64, 3, nil},
		{"abcd", 3, 1, 3, strand.ErrBodyTooLarge},
		{"abcd", 3, 2, 3, strand.ErrBodyTooLarge},
		{"abcd", 3, 64, 3, strand.ErrBodyTooLarge},
		{strings.Repeat("z", 1000), 999, 7, 999, strand.ErrBodyTooLarge},
	}
	for _, tt := range tests {
		for _, wrap := range []struct {
			name string
			r    func(io.Reader) io.Reader
		}{
			{"plain", func(r io.Reader) io.Reader { return r }},
			{"data+EOF", iotest.DataErrReader},
			{"one byte", iotest.OneByteReader},
		} {
			l := &limitedBody{rc: io.NopCloser(wrap.r(strings.NewReader(tt.body))), remaining: tt.limit}
			buf := make([]byte, tt.buf)
			var n int
			var err error
			for err == nil {
				var m int
				m, err = l.Read(buf)
				n += m
			}
			if err == io.EOF {
				err = nil
			}
			if n != tt.n || !errors.Is(err, tt.err) {
				t.Errorf("%s: reading %d bytes limited to %d with a %d-byte buffer: %d, %v; want %d, %v",
					wrap.name, len(tt.body), tt.limit, tt.buf, n, err, tt.n, tt.err)
			}
			if m, again := l.Read(buf); m != 0 || again == nil {
				t.Errorf("%s: Read after the end = %d, %v; want 0 and the same error", wrap.name, m, again)
			}
			if got := l.exceeded; got != (tt.err != nil) {
				t.Errorf("%s: exceeded = %v; want %v", wrap.name, got, tt.err != nil)
			}
		}
	}
	l := &limitedBody{rc: io.NopCloser(strings.NewReader("x")), remaining: 1}
	if n, err := l.Read(nil); n != 0 || err != nil {
		t.Errorf("Read(nil) = %d, %v; want 0, nil", n, err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// TestBodyLimitRestoresBody: middleware outside BodyLimit finds the
// request's own body after the handler, not the limited one.
func TestBodyLimitRestoresBody(t *testing.T) {
	r := stubRequest("POST", "/")
	orig := io.NopCloser(strings.NewReader("abc"))
	r.Body, r.ContentLength = orig, -1
	var inside io.ReadCloser
	h := BodyLimit(1)(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) { inside = r.Body }))
	w := new(stubWriter)
	h.ServeHTTP(w, r)
	if r.Body != orig {
		t.Errorf("Body after the handler = %T; want the original", r.Body)
	}
	if _, ok := inside.(*limitedBody); !ok {
		t.Errorf("handler's Body = %T; want *limitedBody", inside)
	}
	if w.status != 200 && w.status != 0 {
		t.Errorf("status %d; want none written (the body was never read)", w.status)
	}
}

func TestBodyLimitNegativePanics(t *testing.T) {
	defer func() {
		if p := recover(); p == nil || !strings.Contains(fmt.Sprint(p), "BodyLimit(-1)") {
			t.Errorf("BodyLimit(-1) panicked with %v; want a message naming it", p)
		}
	}()
	BodyLimit(-1)
}
