package strand

// End-to-end tests with Go's net/http client as the reference client.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// pseudoRandom returns n reproducible bytes that do not compress.
func pseudoRandom(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestNetHTTPMethods(t *testing.T) {
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			Error(w, err.Error(), StatusBadRequest)
			return
		}
		w.Header().Set("X-Method", r.Method)
		fmt.Fprintf(w, "%s %q", r.Path, body) // the same for GET and HEAD
	})
	addr := serve(t, &Server{Handler: h})
	client, _ := newClient(t)
	tests := []struct {
		method, body string
		wantBody     string
		wantLength   int64
	}{
		{"GET", "", `/x ""`, 5},
		{"HEAD", "", "", 5}, // the length a GET would have (RFC 9110 §9.3.2)
		{"POST", "payload", `/x "payload"`, 12},
		{"PUT", "p", `/x "p"`, 6},
		{"DELETE", "", `/x ""`, 5},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req, err := http.NewRequest(tt.method, "http://"+addr+"/x", body)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 200 || string(got) != tt.wantBody || resp.ContentLength != tt.wantLength {
				t.Errorf("%s: status %d, body %q, length %d; want 200, %q, %d",
					tt.method, resp.StatusCode, got, resp.ContentLength, tt.wantBody, tt.wantLength)
			}
			if got := resp.Header.Get("X-Method"); got != tt.method {
				t.Errorf("X-Method = %q; want %q", got, tt.method)
			}
		})
	}
}

// TestNetHTTPKeepAliveReuse checks that sequential requests share one
// connection (RFC 9112 §9.3: HTTP/1.1 connections persist by default).
func TestNetHTTPKeepAliveReuse(t *testing.T) {
	addr := serve(t, &Server{Handler: hello})
	client, _ := newClient(t)
	var reused []bool
	for range 4 {
		trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
			reused = append(reused, info.Reused)
		}}
		ctx := httptrace.WithClientTrace(context.Background(), trace)
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/", nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if got, want := fmt.Sprint(reused), "[false true true true]"; got != want {
		t.Fatalf("GotConnInfo.Reused per request = %s; want %s", got, want)
	}
}

// TestNetHTTPChunkedRequestBody sends a body of unknown length, which
// net/http frames as chunked, with trailers (RFC 9112 §7.1.2).
func TestNetHTTPChunkedRequestBody(t *testing.T) {
	type seen struct {
		length  int64
		sum     string
		trailer string
		before  string // the trailer before EOF: must be empty
	}
	seenc := make(chan seen, 1)
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		s := seen{length: r.ContentLength, before: r.Trailer.Get("X-Sum")}
		hash := sha256.New()
		if _, err := io.Copy(hash, r.Body); err != nil {
			Error(w, err.Error(), StatusBadRequest)
			return
		}
		s.sum = fmt.Sprintf("%x", hash.Sum(nil))
		s.trailer = strings.Clone(r.Trailer.Get("X-Sum"))
		seenc <- s
	})
	addr := serve(t, &Server{Handler: h})
	client, _ := newClient(t)
	data := pseudoRandom(300<<10, 1)
	want := fmt.Sprintf("%x", sha256.Sum256(data))
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", "http://"+addr+"/upload", pr)
	req.Trailer = http.Header{"X-Sum": nil}
	go func() {
		for chunk := range slicesChunk(data, 7000) {
			if _, err := pw.Write(chunk); err != nil {
				return
			}
		}
		req.Trailer.Set("X-Sum", want)
		pw.Close()
	}()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status = %d; want 200", resp.StatusCode)
	}
	got := recv(t, seenc, "the handler")
	if got.length != -1 || got.sum != want || got.trailer != want || got.before != "" {
		t.Fatalf("handler saw ContentLength %d, sum %s, trailer %q (before EOF %q); want -1, %s, %q, \"\"",
			got.length, got.sum, got.trailer, got.before, want, want)
	}
}

// slicesChunk yields b in pieces of at most n bytes.
func slicesChunk(b []byte, n int) func(func([]byte) bool) {
	return func(yield func([]byte) bool) {
		for len(b) > 0 {
			k := min(n, len(b))
			if !yield(b[:k]) {
				return
			}
			b = b[k:]
		}
	}
}

// TestNetHTTPLargeBodies moves megabytes both ways on one connection and
// compares checksums: an upload echoed back while it is read, and a
// download written in uneven pieces.
func TestNetHTTPLargeBodies(t *testing.T) {
	download := pseudoRandom(3<<20+17, 2)
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		switch r.Path {
		case "/echo":
			if _, err := io.Copy(w, r.Body); err != nil {
				panic(ErrAbortHandler)
			}
		case "/download":
			for b := download; len(b) > 0; {
				k := min(len(b), 1+len(b)%40000)
				_, _ = w.Write(b[:k])
				b = b[k:]
			}
		}
	})
	addr := serve(t, &Server{Handler: h})
	client, _ := newClient(t)
	upload := pseudoRandom(5<<20+3, 3)
	tests := []struct {
		name, method, path string
		body               []byte
		want               []byte
	}{
		{"echo with length", "POST", "/echo", upload, upload},
		{"download", "GET", "/download", nil, download},
		{"echo chunked", "POST", "/echo", upload[:1<<20], upload[:1<<20]},
	}
	for _, tt := range tests {
		var body io.Reader
		if tt.body != nil {
			body = bytes.NewReader(tt.body)
			if strings.Contains(tt.name, "chunked") {
				body = io.MultiReader(body) // hides the length
			}
		}
		req, _ := http.NewRequest(tt.method, "http://"+addr+tt.path, body)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		hash := sha256.New()
		n, err := io.Copy(hash, resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("%s: reading the body: %v", tt.name, err)
		}
		if got, want := fmt.Sprintf("%x", hash.Sum(nil)), fmt.Sprintf("%x", sha256.Sum256(tt.want)); got != want {
			t.Errorf("%s: %d bytes with sha256 %s; want %d bytes with %s", tt.name, n, got, len(tt.want), want)
		}
	}
}

// TestNetHTTPResponseTrailers checks trailers announced in the Trailer
// field and set after the body (RFC 9110 §6.5), sent in a chunked response.
func TestNetHTTPResponseTrailers(t *testing.T) {
	for _, size := range []int{10, 100 << 10} { // held back, then streamed
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			h := HandlerFunc(func(w ResponseWriter, r *Request) {
				w.Header().Set("Trailer", "X-Sum, X-Count")
				data := pseudoRandom(size, 4)
				_, _ = w.Write(data)
				w.Header().Set("X-Sum", fmt.Sprintf("%x", sha256.Sum256(data)))
				w.Header().Set("X-Count", strconv.Itoa(len(data)))
			})
			addr := serve(t, &Server{Handler: h})
			client, _ := newClient(t)
			resp, err := client.Get("http://" + addr + "/")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := resp.Trailer.Get("X-Sum"), fmt.Sprintf("%x", sha256.Sum256(body)); got != want {
				t.Errorf("trailer X-Sum = %q; want %q", got, want)
			}
			if got, want := resp.Trailer.Get("X-Count"), strconv.Itoa(size); got != want || len(body) != size {
				t.Errorf("trailer X-Count = %q, body %d bytes; want %q", got, len(body), want)
			}
			if got := resp.Header.Get("X-Sum"); got != "" {
				t.Errorf("X-Sum in the head = %q; want it only in the trailer", got)
			}
			if resp.ContentLength != -1 {
				t.Errorf("ContentLength = %d; want -1 (chunked, to carry trailers)", resp.ContentLength)
			}
		})
	}
}

// countingReader records whether a request body was ever read.
type countingReader struct {
	r     io.Reader
	reads atomic.Int32
}

func (c *countingReader) Read(p []byte) (int, error) {
	c.reads.Add(1)
	return c.r.Read(p)
}

// TestNetHTTPExpectContinue checks RFC 9110 §10.1.1: the server sends 100
// Continue only when the handler reads the body; a handler that answers
// without reading gets its answer to the client, which never sends the
// body, and the connection is then closed (announced in the response).
func TestNetHTTPExpectContinue(t *testing.T) {
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		if r.Path == "/reject" {
			Error(w, "no thanks", StatusForbidden)
			return
		}
		b, _ := io.ReadAll(r.Body)
		_, _ = w.Write(b)
	})
	addr := serve(t, &Server{Handler: h})
	client, tr := newClient(t)
	// A long timeout: the client must wait for the server's decision.
	tr.ExpectContinueTimeout = testTimeout
	tests := []struct {
		path         string
		wantStatus   int
		wantContinue bool
		wantRead     bool
	}{
		{"/read", 200, true, true},
		{"/reject", 403, false, false},
	}
	for _, tt := range tests {
		var got100 atomic.Bool
		trace := &httptrace.ClientTrace{Got100Continue: func() { got100.Store(true) }}
		body := &countingReader{r: strings.NewReader("the body")}
		ctx := httptrace.WithClientTrace(context.Background(), trace)
		req, _ := http.NewRequestWithContext(ctx, "POST", "http://"+addr+tt.path, body)
		req.ContentLength = 8
		req.Header.Set("Expect", "100-continue")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tt.path, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.wantStatus || got100.Load() != tt.wantContinue || body.reads.Load() > 0 != tt.wantRead {
			t.Errorf("%s: status %d, got 100 %v, body read %v; want %d, %v, %v", tt.path,
				resp.StatusCode, got100.Load(), body.reads.Load() > 0, tt.wantStatus, tt.wantContinue, tt.wantRead)
		}
		if tt.wantRead && string(b) != "the body" {
			t.Errorf("%s: echoed %q; want %q", tt.path, b, "the body")
		}
		if !tt.wantRead && !resp.Close {
			t.Errorf("%s: response without Connection: close; the server does not read the body it refused", tt.path)
		}
	}
}

// TestNetHTTPFlushStreams checks that Flush sends server-sent events while
// the handler runs: the client reads the first event before the handler
// is allowed to write the second.
func TestNetHTTPFlushStreams(t *testing.T) {
	next := make(chan struct{})
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := range 3 {
			fmt.Fprintf(w, "data: event %d\n\n", i)
			if err := w.(Flusher).Flush(); err != nil {
				return
			}
			select {
			case <-next:
			case <-time.After(testTimeout):
				return
			}
		}
	})
	addr := serve(t, &Server{Handler: h})
	client, _ := newClient(t)
	resp, err := client.Get("http://" + addr + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if got := resp.Header.Get("Content-Type"); got != "text/event-stream" {
		t.Errorf("Content-Type = %q; want text/event-stream", got)
	}
	buf := make([]byte, 64)
	for i := range 3 {
		want := fmt.Sprintf("data: event %d\n\n", i)
		if _, err := io.ReadFull(resp.Body, buf[:len(want)]); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		if got := string(buf[:len(want)]); got != want {
			t.Fatalf("event %d = %q; want %q", i, got, want)
		}
		next <- struct{}{} // only now may the handler go on
	}
	if rest, err := io.ReadAll(resp.Body); err != nil || len(rest) != 0 {
		t.Fatalf("after the events: %q, %v; want the end of the body", rest, err)
	}
}

// TestNetHTTPNoBodyStatuses checks RFC 9110 §8.6 and §6.4.1: 204 and 304
// carry no body and no Content-Length; HEAD gets the Content-Length of
// GET and no body.
func TestNetHTTPNoBodyStatuses(t *testing.T) {
	writeErr := make(chan error, 1)
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		switch r.Path {
		case "/204":
			w.WriteHeader(StatusNoContent)
			_, err := w.Write([]byte("dropped"))
			writeErr <- err
		case "/304":
			w.WriteHeader(StatusNotModified)
		default:
			_, _ = w.WriteString("thirteen byte")
		}
	})
	addr := serve(t, &Server{Handler: h})
	tests := []struct {
		method, path string
		status       int
		length       string // "" for no field
	}{
		{"GET", "/204", 204, ""},
		{"GET", "/304", 304, ""},
		{"HEAD", "/", 200, "13"},
		{"GET", "/", 200, "13"},
	}
	c := dialRaw(t, addr)
	for _, tt := range tests {
		c.send(t, tt.method+" "+tt.path+" HTTP/1.1\r\nHost: x\r\n\r\n")
		resp := c.response(t, tt.method)
		cl, _ := resp.Lookup("Content-Length")
		if resp.Status != tt.status || cl != tt.length || resp.Get("Transfer-Encoding") != "" {
			t.Errorf("%s %s: status %d, Content-Length %q, Transfer-Encoding %q; want %d, %q, none",
				tt.method, tt.path, resp.Status, cl, resp.Get("Transfer-Encoding"), tt.status, tt.length)
		}
		if tt.path == "/204" {
			if err := recv(t, writeErr, "the 204 handler"); !errors.Is(err, ErrBodyNotAllowed) {
				t.Errorf("Write after 204 = %v; want ErrBodyNotAllowed", err)
			}
		}
	}
	// The GET last in the table proves that no stray body bytes followed
	// the bodiless responses: they would have been read as its head.
}

// TestNetHTTPDeclaredContentLength checks the handler's Content-Length:
// honoured, over-writing refused with ErrContentLength, and a short body
// ends the connection so the client sees the truncation.
func TestNetHTTPDeclaredContentLength(t *testing.T) {
	writeErr := make(chan error, 1)
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		big := bytes.Repeat([]byte("x"), 20<<10)
		switch r.Path {
		case "/exact":
			w.Header().Set("Content-Length", "20480")
			_, _ = w.Write(big[:10<<10])
			_, _ = w.Write(big[:10<<10])
		case "/over":
			w.Header().Set("Content-Length", "5")
			_, _ = w.WriteString("hello")
			_, err := w.WriteString("!")
			writeErr <- err
		case "/short":
			w.Header().Set("Content-Length", "10")
			_, _ = w.WriteString("hello")
		}
	})
	addr := serve(t, &Server{Handler: h})
	client, _ := newClient(t)
	get := func(path string) (*http.Response, []byte, error) {
		resp, err := client.Get("http://" + addr + path)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp, b, err
	}
	resp, body, err := get("/exact")
	if err != nil || resp.ContentLength != 20480 || len(body) != 20480 {
		t.Errorf("/exact: %v, length %d, %d bytes; want 20480 and 20480", err, resp.ContentLength, len(body))
	}
	resp, body, err = get("/over")
	if err != nil || resp.ContentLength != 5 || string(body) != "hello" {
		t.Errorf("/over: %v, length %d, %q; want 5, hello", err, resp.ContentLength, body)
	}
	if err := recv(t, writeErr, "the handler"); !errors.Is(err, ErrContentLength) {
		t.Errorf("writing past Content-Length: %v; want ErrContentLength", err)
	}
	if _, body, err = get("/short"); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("/short: %q, %v; want io.ErrUnexpectedEOF", body, err)
	}
}
