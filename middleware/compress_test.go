package middleware

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/internal/enginetest"
)

// compressServer serves h on a loopback port until the test ends, and
// returns its base URL and a net/http client that leaves bodies encoded.
func compressServer(t *testing.T, h strand.Handler) (string, *http.Client) {
	t.Helper()
	enginetest.CheckGoroutines(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &strand.Server{Handler: h, ErrorLog: slog.New(slog.DiscardHandler), Engine: enginetest.Engine}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	tr := &http.Transport{DisableCompression: true}
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

// compressFetch sends a request and returns the response with its body
// read, still encoded.
func compressFetch(t *testing.T, c *http.Client, method, url, acceptEncoding string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, url, err)
	}
	return resp, body
}

// compressDecoder returns a reader decoding r with Go's decoder for the
// coding. "deflate" is the zlib format (RFC 9110 §8.4.1.2), so
// compress/zlib reads it; compress/flate alone would read its inner
// stream only.
func compressDecoder(t *testing.T, coding string, r io.Reader) io.ReadCloser {
	t.Helper()
	switch coding {
	case "gzip":
		zr, err := gzip.NewReader(r)
		if err != nil {
			t.Fatalf("gzip header: %v", err)
		}
		return zr
	case "deflate":
		zr, err := zlib.NewReader(r)
		if err != nil {
			t.Fatalf("zlib header: %v", err)
		}
		return zr
	case "br":
		return io.NopCloser(brotli.NewReader(r))
	case "zstd":
		zr, err := zstd.NewReader(r)
		if err != nil {
			t.Fatal(err)
		}
		return zr.IOReadCloser()
	}
	t.Fatalf("no decoder for %q", coding)
	return nil
}

func compressDecode(t *testing.T, coding string, body []byte) []byte {
	t.Helper()
	zr := compressDecoder(t, coding, bytes.NewReader(body))
	defer zr.Close()
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("decoding %s: %v", coding, err)
	}
	return out
}

// compressJSON returns a JSON array of n bytes, the kind of body an API
// sends.
func compressJSON(n int) []byte {
	b := []byte{'['}
	for i := 0; ; i++ {
		rec := fmt.Appendf(nil, `{"id":%d,"name":"user %d","email":"user%d@example.com","active":%t,"score":%d},`,
			i, i, i, i%3 == 0, i*7919%1000)
		if len(b)+len(rec)+1 > n {
			break
		}
		b = append(b, rec...)
	}
	if b[len(b)-1] == ',' {
		b = b[:len(b)-1]
	}
	b = append(b, ']')
	for len(b) < n {
		b = append(b, ' ')
	}
	return b
}

var compressCodingNames = []string{"zstd", "br", "gzip", "deflate"}

// TestCompressRoundTrip checks every coding over a real connection with
// Go's decoders: bodies at the threshold, large ones, many small writes,
// and the fields a compressed response must (not) carry.
func TestCompressRoundTrip(t *testing.T) {
	bodies := map[string][]byte{
		"/min":   compressJSON(DefaultCompressMinSize),
		"/large": compressJSON(300 << 10), // past the server's buffers: chunked
		"/many":  compressJSON(64 << 10),
	}
	h := Compress(CompressOptions{})(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		body := bodies[r.Path]
		hd := w.Header()
		hd.Set("Content-Type", "application/json")
		hd.Set("Content-Length", strconv.Itoa(len(body)))
		hd.Set("ETag", `"v1"`)
		hd.Set("Accept-Ranges", "bytes")
		if r.Path == "/many" {
			for len(body) > 0 {
				n := min(len(body), 100)
				if _, err := w.WriteString(string(body[:n])); err != nil {
					t.Errorf("WriteString: %v", err)
					return
				}
				body = body[n:]
			}
			return
		}
		if _, err := w.Write(body); err != nil {
			t.Errorf("Write: %v", err)
		}
	}))
	url, client := compressServer(t, h)
	for _, coding := range compressCodingNames {
		for path, want := range bodies {
			for range 3 { // the second and third use pooled encoders
				resp, raw := compressFetch(t, client, "GET", url+path, coding)
				if got := resp.Header.Get("Content-Encoding"); got != coding {
					t.Fatalf("%s %s: Content-Encoding %q; want %q", coding, path, got, coding)
				}
				if got := resp.Header.Values("Vary"); len(got) != 1 || got[0] != "Accept-Encoding" {
					t.Errorf("%s %s: Vary %q; want [Accept-Encoding]", coding, path, got)
				}
				// The handler's Content-Length counted uncompressed bytes; the
				// server may send its own, exact for the compressed body.
				if cl := resp.Header.Get("Content-Length"); cl != "" && cl != strconv.Itoa(len(raw)) {
					t.Errorf("%s %s: Content-Length %s for %d compressed bytes", coding, path, cl, len(raw))
				}
				if got := resp.Header.Get("ETag"); got != `W/"v1"` {
					t.Errorf("%s %s: ETag %q; want %q", coding, path, got, `W/"v1"`)
				}
				if got := resp.Header.Get("Accept-Ranges"); got != "" {
					t.Errorf("%s %s: Accept-Ranges %q; want none", coding, path, got)
				}
				if len(raw) >= len(want) {
					t.Errorf("%s %s: %d compressed bytes for %d", coding, path, len(raw), len(want))
				}
				if got := compressDecode(t, coding, raw); !bytes.Equal(got, want) {
					t.Fatalf("%s %s: decoded %d bytes differ from the %d sent", coding, path, len(got), len(want))
				}
			}
		}
	}
}

// TestCompressLevels checks that every level produces valid streams.
func TestCompressLevels(t *testing.T) {
	body := compressJSON(32 << 10)
	for _, level := range []CompressLevel{CompressDefault, CompressFastest, CompressBest} {
		h := Compress(CompressOptions{Level: level})(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(body)
		}))
		url, client := compressServer(t, h)
		for _, coding := range compressCodingNames {
			resp, raw := compressFetch(t, client, "GET", url, coding)
			if got := resp.Header.Get("Content-Encoding"); got != coding {
				t.Fatalf("level %d: Content-Encoding %q; want %q", level, got, coding)
			}
			if got := compressDecode(t, coding, raw); !bytes.Equal(got, body) {
				t.Errorf("level %d, %s: decoded body differs", level, coding)
			}
		}
	}
}

// curlFeatures returns curl's path and its feature list, or skips.
func curlFeatures(t *testing.T) (string, string) {
	t.Helper()
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl not installed")
	}
	out, err := exec.Command(curl, "-V").Output()
	if err != nil {
		t.Skipf("curl -V: %v", err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, "Features:"); ok {
			return curl, " " + strings.TrimSpace(rest) + " "
		}
	}
	return curl, ""
}

// TestCompressCurl decodes every coding with curl's decoders, for those
// this curl was built with.
func TestCompressCurl(t *testing.T) {
	curl, features := curlFeatures(t)
	need := map[string]string{"gzip": "libz", "deflate": "libz", "br": "brotli", "zstd": "zstd"}
	body := compressJSON(40 << 10)
	h := Compress(CompressOptions{})(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(body)
	}))
	url, _ := compressServer(t, h)
	dir := t.TempDir()
	for _, coding := range compressCodingNames {
		t.Run(coding, func(t *testing.T) {
			if !strings.Contains(features, " "+need[coding]+" ") {
				t.Skipf("curl built without %s", need[coding])
			}
			headers, out := filepath.Join(dir, coding+".head"), filepath.Join(dir, coding+".body")
			// --compressed turns curl's decoding on; the explicit field makes
			// it ask for this one coding only.
			cmd := exec.Command(curl, "-sS", "--compressed", "--max-time", "10",
				"-H", "Accept-Encoding: "+coding, "-D", headers, "-o", out, url)
			if msg, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("curl: %v\n%s", err, msg)
			}
			head, err := os.ReadFile(headers)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(strings.ToLower(string(head)), "\ncontent-encoding: "+coding+"\r\n") {
				t.Fatalf("curl saw no Content-Encoding: %s in\n%s", coding, head)
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, body) {
				t.Errorf("curl decoded %d bytes that differ from the %d sent", len(got), len(body))
			}
		})
	}
}

// compressScenario is a response a test handler sends.
type compressScenario struct {
	status int
	fields [][2]string // response fields, in order
	size   int         // body bytes
	early  bool        // send 103 Early Hints first
}

// TestCompressWhen is the table of what gets compressed: the request (path
// to a scenario, method, Accept-Encoding) against the Content-Encoding,
// Vary and Content-Length of the answer.
func TestCompressWhen(t *testing.T) {
	const big, small = 4 << 10, 100
	json := [2]string{"Content-Type", "application/json"}
	scenarios := map[string]compressScenario{
		"/json":        {200, [][2]string{json}, big, false},
		"/small":       {200, [][2]string{json}, small, false},
		"/edge":        {200, [][2]string{json}, DefaultCompressMinSize - 1, false},
		"/declared":    {200, [][2]string{json, {"Content-Length", strconv.Itoa(big)}}, big, false},
		"/png":         {200, [][2]string{{"Content-Type", "image/png"}}, big, false},
		"/untyped":     {200, nil, big, false},
		"/encoded":     {200, [][2]string{json, {"Content-Encoding", "gzip"}}, big, false},
		"/partial":     {206, [][2]string{json, {"Content-Range", "bytes 0-4095/10000"}}, big, false},
		"/range":       {200, [][2]string{json, {"Content-Range", "bytes 0-4095/4096"}}, big, false},
		"/notransform": {200, [][2]string{json, {"Cache-Control", "public, no-transform"}}, big, false},
		"/nocontent":   {204, [][2]string{json}, 0, false},
		"/notmodified": {304, [][2]string{json, {"ETag", `"x"`}}, 0, false},
		"/notfound":    {404, [][2]string{{"Content-Type", "text/html"}}, big, false},
		"/vary":        {200, [][2]string{json, {"Vary", "Origin"}}, big, false},
		"/varyae":      {200, [][2]string{json, {"Vary", "accept-encoding"}}, big, false},
		"/varystar":    {200, [][2]string{json, {"Vary", "*"}}, big, false},
		"/svg":         {200, [][2]string{{"Content-Type", "image/svg+xml"}}, big, false},
		"/early":       {200, [][2]string{json}, big, true},
		"/weak":        {200, [][2]string{json, {"ETag", `W/"x"`}}, big, false},
	}
	h := Compress(CompressOptions{})(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		sc := scenarios[r.Path]
		if sc.early {
			w.Header().Set("Link", "</style.css>; rel=preload")
			w.WriteHeader(strand.StatusEarlyHints)
		}
		for _, f := range sc.fields {
			w.Header().Set(f[0], f[1])
		}
		w.WriteHeader(sc.status)
		if sc.size > 0 {
			_, _ = w.Write(bytes.Repeat([]byte("a"), sc.size))
		}
	}))
	url, client := compressServer(t, h)
	tests := []struct {
		path, method, accept string
		wantEncoding         string
		wantVary             string // Vary lines joined by "|"
		wantLength           int    // -1: no Content-Length
		wantETag             string
	}{
		{"/json", "GET", "gzip", "gzip", "Accept-Encoding", -2, ""},
		{"/json", "GET", "", "", "Accept-Encoding", big, ""},
		{"/json", "GET", "identity", "", "Accept-Encoding", big, ""},
		{"/json", "GET", "compress, identity;q=0", "", "Accept-Encoding", big, ""},
		{"/json", "GET", "gzip;q=0, br;q=0.5", "br", "Accept-Encoding", -2, ""},
		{"/json", "GET", "gzip;q=0.5, identity", "", "Accept-Encoding", big, ""},
		// A weight outside the qvalue grammar refuses the coding it is on,
		// which "*" then does not cover (RFC 9110 §12.5.3).
		{"/json", "GET", "*, zstd;q=2", "br", "Accept-Encoding", -2, ""},
		{"/json", "HEAD", "gzip", "", "Accept-Encoding", big, ""},
		{"/small", "GET", "gzip", "", "Accept-Encoding", small, ""},
		{"/edge", "GET", "gzip", "", "Accept-Encoding", DefaultCompressMinSize - 1, ""},
		{"/declared", "GET", "zstd", "zstd", "Accept-Encoding", -2, ""},
		{"/png", "GET", "gzip", "", "", big, ""},
		{"/untyped", "GET", "gzip", "", "", big, ""},
		{"/encoded", "GET", "gzip", "gzip", "", big, ""}, // the handler's own coding, untouched
		{"/partial", "GET", "gzip", "", "", big, ""},
		{"/range", "GET", "gzip", "", "", big, ""},
		{"/notransform", "GET", "gzip", "", "", big, ""},
		{"/nocontent", "GET", "gzip", "", "", -1, ""},
		{"/notmodified", "GET", "gzip", "", "", -1, `"x"`},
		{"/notfound", "GET", "br", "br", "Accept-Encoding", -2, ""},
		{"/vary", "GET", "gzip", "gzip", "Origin|Accept-Encoding", -2, ""},
		{"/varyae", "GET", "gzip", "gzip", "accept-encoding", -2, ""},
		{"/varystar", "GET", "gzip", "gzip", "*", -2, ""},
		{"/svg", "GET", "deflate", "deflate", "Accept-Encoding", -2, ""},
		{"/early", "GET", "gzip", "gzip", "Accept-Encoding", -2, ""},
		{"/weak", "GET", "gzip", "gzip", "Accept-Encoding", -2, `W/"x"`},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%s %s, Accept-Encoding: %q", tt.method, tt.path, tt.accept)
		resp, raw := compressFetch(t, client, tt.method, url+tt.path, tt.accept)
		if got := resp.Header.Get("Content-Encoding"); got != tt.wantEncoding {
			t.Errorf("%s: Content-Encoding %q; want %q", name, got, tt.wantEncoding)
		}
		if got := strings.Join(resp.Header.Values("Vary"), "|"); got != tt.wantVary {
			t.Errorf("%s: Vary %q; want %q", name, got, tt.wantVary)
		}
		if got := resp.Header.Get("ETag"); got != tt.wantETag {
			t.Errorf("%s: ETag %q; want %q", name, got, tt.wantETag)
		}
		cl, hasCL := resp.Header["Content-Length"]
		switch {
		case tt.wantLength == -2: // compressed: absent, or the compressed size
			if hasCL && cl[0] != strconv.Itoa(len(raw)) {
				t.Errorf("%s: Content-Length %s for %d compressed bytes", name, cl[0], len(raw))
			}
		case tt.wantLength == -1:
			if hasCL && cl[0] != "0" {
				t.Errorf("%s: Content-Length %s; want none", name, cl)
			}
		default:
			if !hasCL || cl[0] != strconv.Itoa(tt.wantLength) {
				t.Errorf("%s: Content-Length %v; want %d", name, cl, tt.wantLength)
			}
		}
		if tt.wantEncoding != "" && tt.path != "/encoded" {
			if got := compressDecode(t, tt.wantEncoding, raw); len(got) != scenarios[tt.path].size {
				t.Errorf("%s: decoded %d bytes; want %d", name, len(got), scenarios[tt.path].size)
			}
		} else if tt.method != "HEAD" && len(raw) != scenarios[tt.path].size {
			t.Errorf("%s: %d body bytes; want %d", name, len(raw), scenarios[tt.path].size)
		}
	}
}

// TestCompressStream checks that Flush reaches the client through the
// encoder: the first server-sent event arrives, decoded, while the
// handler still waits for it to be seen.
func TestCompressStream(t *testing.T) {
	for _, coding := range compressCodingNames {
		t.Run(coding, func(t *testing.T) {
			seen := make(chan struct{})
			h := Compress(CompressOptions{})(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
				w.Header().Set("Content-Type", "text/event-stream")
				w.Header().Set("Cache-Control", "no-cache")
				if _, err := w.WriteString("data: one\n\n"); err != nil {
					t.Errorf("WriteString: %v", err)
				}
				if err := strand.Flush(w); err != nil {
					t.Errorf("Flush: %v", err)
				}
				select {
				case <-seen:
				case <-time.After(10 * time.Second):
					t.Errorf("the client did not receive the first event before the handler ended")
				}
				_, _ = w.WriteString("data: two\n\n")
			}))
			url, client := compressServer(t, h)
			release := sync.OnceFunc(func() { close(seen) })
			defer release() // on failure too, so that the server can shut down
			req, _ := http.NewRequest("GET", url, nil)
			req.Header.Set("Accept-Encoding", coding)
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if got := resp.Header.Get("Content-Encoding"); got != coding {
				t.Fatalf("Content-Encoding %q; want %q", got, coding)
			}
			zr := compressDecoder(t, coding, resp.Body)
			defer zr.Close()
			br := bufio.NewReader(zr)
			var first string
			for !strings.HasSuffix(first, "\n\n") {
				line, err := br.ReadString('\n')
				if err != nil {
					t.Fatalf("reading the first event: %v (got %q)", err, first+line)
				}
				first += line
			}
			release()
			if first != "data: one\n\n" {
				t.Errorf("first event %q; want %q", first, "data: one\n\n")
			}
			rest, err := io.ReadAll(br)
			if err != nil || string(rest) != "data: two\n\n" {
				t.Errorf("rest of the stream %q, %v; want %q, nil", rest, err, "data: two\n\n")
			}
		})
	}
}

// TestCompressFlushEmpty guards against an empty compressed body that a
// decoder cannot read: a stream flushed before any byte, then ended.
func TestCompressFlushEmpty(t *testing.T) {
	h := Compress(CompressOptions{})(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_ = strand.Flush(w)
	}))
	url, client := compressServer(t, h)
	for _, coding := range compressCodingNames {
		resp, raw := compressFetch(t, client, "GET", url, coding)
		if got := resp.Header.Get("Content-Encoding"); got != coding {
			t.Fatalf("Content-Encoding %q; want %q", got, coding)
		}
		if got := compressDecode(t, coding, raw); len(got) != 0 {
			t.Errorf("%s: decoded %q; want nothing", coding, got)
		}
	}
}

// TestCompressHijack checks that Hijack reaches the server through the
// wrapper, and is refused once body bytes are held back.
func TestCompressHijack(t *testing.T) {
	h := Compress(CompressOptions{})(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		w.Header().Set("Content-Type", "text/plain")
		if r.Path == "/late" {
			_, _ = w.WriteString("held back")
			if _, _, err := strand.Hijack(w); !errors.Is(err, strand.ErrNotHijackable) {
				t.Errorf("Hijack after Write: %v; want ErrNotHijackable", err)
			}
			return
		}
		conn, rw, err := strand.Hijack(w)
		if err != nil {
			t.Errorf("Hijack: %v", err)
			return
		}
		defer conn.Close()
		_, _ = rw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhijacked")
		_ = rw.Flush()
	}))
	url, client := compressServer(t, h)
	if _, body := compressFetch(t, client, "GET", url+"/", "gzip"); string(body) != "hijacked" {
		t.Errorf("hijacked response body %q; want %q", body, "hijacked")
	}
	if _, body := compressFetch(t, client, "GET", url+"/late", "gzip"); string(body) != "held back" {
		t.Errorf("body %q; want %q", body, "held back")
	}
}

// TestCompressConcurrent shares one middleware, and its pools, between
// many clients at once (run with -race).
func TestCompressConcurrent(t *testing.T) {
	body := compressJSON(20 << 10)
	h := Compress(CompressOptions{})(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		w.Header().Set("Content-Type", "application/json")
		for i := 0; i < len(body); i += 4096 {
			_, _ = w.Write(body[i:min(i+4096, len(body))])
		}
	}))
	url, client := compressServer(t, h)
	var wg sync.WaitGroup
	for i := range 16 {
		coding := compressCodingNames[i%len(compressCodingNames)]
		wg.Go(func() {
			for range 5 {
				req, _ := http.NewRequest("GET", url, nil)
				req.Header.Set("Accept-Encoding", coding)
				resp, err := client.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				raw, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil {
					t.Error(err)
					return
				}
				zr := compressDecoder(t, coding, bytes.NewReader(raw))
				got, err := io.ReadAll(zr)
				zr.Close()
				if err != nil || !bytes.Equal(got, body) {
					t.Errorf("%s: decoded %d bytes, %v; want the %d sent", coding, len(got), err, len(body))
				}
			}
		})
	}
	wg.Wait()
}

// compressRecorder is an in-memory ResponseWriter for allocation tests
// and benchmarks, where a socket would dominate.
type compressRecorder struct {
	header  strand.Header
	code    int
	body    bytes.Buffer
	flushes int
}

func (w *compressRecorder) Header() *strand.Header { return &w.header }
func (w *compressRecorder) WriteHeader(code int) {
	if w.code == 0 && code >= 200 {
		w.code = code
	}
}
func (w *compressRecorder) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = strand.StatusOK
	}
	return w.body.Write(p)
}
func (w *compressRecorder) WriteString(s string) (int, error) { return w.Write([]byte(s)) }
func (w *compressRecorder) Flush() error                      { w.flushes++; return nil }

func (w *compressRecorder) reset() {
	w.header.Reset()
	w.code, w.flushes = 0, 0
	w.body.Reset()
}

// TestCompressDeclaredLength guards the Content-Length check the server
// can no longer make once the field is removed.
func TestCompressDeclaredLength(t *testing.T) {
	var gotErr error
	h := Compress(CompressOptions{})(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Length", "2000")
		_, _ = w.Write(make([]byte, 1500))
		_, gotErr = w.Write(make([]byte, 501))
	}))
	rec := &compressRecorder{}
	req := &strand.Request{Method: "GET"}
	req.Header.Set("Accept-Encoding", "gzip")
	h.ServeHTTP(rec, req)
	if !errors.Is(gotErr, strand.ErrContentLength) {
		t.Errorf("writing past the declared Content-Length: %v; want ErrContentLength", gotErr)
	}
	if got := rec.header.Get("Content-Encoding"); got != "gzip" {
		t.Errorf("Content-Encoding %q; want gzip", got)
	}
}

// TestCompressFlushUnsupported checks that Flush reports a writer chain
// that cannot flush, after flushing the encoder.
func TestCompressFlushUnsupported(t *testing.T) {
	var gotErr error
	h := Compress(CompressOptions{})(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.WriteString("x")
		gotErr = strand.Flush(w)
	}))
	req := &strand.Request{Method: "GET"}
	req.Header.Set("Accept-Encoding", "zstd")
	h.ServeHTTP(&compressNoFlush{}, req)
	if !errors.Is(gotErr, strand.ErrNotSupported) {
		t.Errorf("Flush over a writer without Flush: %v; want ErrNotSupported", gotErr)
	}
}

type compressNoFlush struct{ h strand.Header }

func (w *compressNoFlush) Header() *strand.Header            { return &w.h }
func (w *compressNoFlush) WriteHeader(int)                   {}
func (w *compressNoFlush) Write(p []byte) (int, error)       { return len(p), nil }
func (w *compressNoFlush) WriteString(s string) (int, error) { return len(s), nil }

func TestCompressMediaTypes(t *testing.T) {
	def := compileMediaPatterns(defaultCompressTypes[:])
	custom := compileMediaPatterns([]string{"Application/X-Custom", "video/*", "*/*+Proto"})
	tests := []struct {
		patterns    []mediaPattern
		contentType string
		want        bool
	}{
		{def, "text/html; charset=utf-8", true},
		{def, "TEXT/PLAIN", true},
		{def, "text/event-stream", true},
		{def, "application/json", true},
		{def, " application/json ;charset=utf-8", true},
		{def, "application/problem+json", true},
		{def, "application/vnd.api+json", true},
		{def, "image/svg+xml", true},
		{def, "application/atom+XML", true},
		{def, "application/javascript", true},
		{def, "application/wasm", true},
		{def, "image/png", false},
		{def, "image/webp", false},
		{def, "font/woff2", false},
		{def, "application/octet-stream", false},
		{def, "application/zip", false},
		{def, "application/jsonx", false},
		{def, "application/+json", false},
		{def, "+json", false},
		{def, "text", false},
		{def, "", false},
		{custom, "application/x-custom", true},
		{custom, "video/mp4", true},
		{custom, "application/x-thing+proto", true},
		{custom, "text/html", false},
	}
	for _, tt := range tests {
		if got := matchMediaType(tt.patterns, tt.contentType); got != tt.want {
			t.Errorf("matchMediaType(%q) = %v; want %v", tt.contentType, got, tt.want)
		}
	}
}

func TestCompressOptionsPanic(t *testing.T) {
	tests := []struct {
		name string
		opts CompressOptions
		want string // part of the panic message
	}{
		{"unknown coding", CompressOptions{Encodings: []string{"gzip", "lzma"}}, `"lzma"`},
		{"identity", CompressOptions{Encodings: []string{"identity"}}, `"identity"`},
		{"twice", CompressOptions{Encodings: []string{"gzip", "x-gzip"}}, "twice"},
		{"negative MinSize", CompressOptions{MinSize: -1}, "MinSize"},
		{"level", CompressOptions{Level: 7}, "Level"},
		{"type without subtype", CompressOptions{ContentTypes: []string{"text"}}, `"text"`},
		{"subtype under any type", CompressOptions{ContentTypes: []string{"*/json"}}, `"*/json"`},
		{"space", CompressOptions{ContentTypes: []string{"text/ html"}}, `"text/ html"`},
	}
	for _, tt := range tests {
		func() {
			defer func() {
				msg := fmt.Sprint(recover())
				if !strings.Contains(msg, tt.want) || !strings.HasPrefix(msg, "middleware: ") {
					t.Errorf("%s: panic %q; want one naming %s", tt.name, msg, tt.want)
				}
			}()
			Compress(tt.opts)
		}()
	}
}

// TestCompressOptionsEncodings checks that the configured order decides
// ties and that codings left out are never used.
func TestCompressOptionsEncodings(t *testing.T) {
	h := Compress(CompressOptions{Encodings: []string{"gzip", "br"}, MinSize: 1})(
		strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = w.WriteString("hello")
		}))
	tests := []struct{ accept, want string }{
		{"gzip, deflate, br, zstd", "gzip"},
		{"br, zstd", "br"},
		{"zstd", ""},
		{"zstd, deflate", ""},
	}
	for _, tt := range tests {
		rec := &compressRecorder{}
		req := &strand.Request{Method: "GET"}
		req.Header.Set("Accept-Encoding", tt.accept)
		h.ServeHTTP(rec, req)
		if got := rec.header.Get("Content-Encoding"); got != tt.want {
			t.Errorf("Accept-Encoding: %q: Content-Encoding %q; want %q", tt.accept, got, tt.want)
		}
		if tt.want != "" {
			if got := compressDecode(t, tt.want, rec.body.Bytes()); string(got) != "hello" {
				t.Errorf("Accept-Encoding: %q: decoded %q; want %q", tt.accept, got, "hello")
			}
		}
	}
}

// compressRaceEnabled reports whether the race detector is on: it makes
// sync.Pool drop items at random, so allocation counts mean nothing.
func compressRaceEnabled() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// TestCompressAllocs holds the allocation budget: nothing on a response
// passed through, nothing once the pools are warm on a compressed one.
func TestCompressAllocs(t *testing.T) {
	if compressRaceEnabled() {
		t.Skip("the race detector makes sync.Pool drop items")
	}
	small := []byte(`{"ok":true}`)
	body := compressJSON(16 << 10)
	tests := []struct {
		accept string
		body   []byte
		budget float64
	}{
		{"", body, 0},
		{"gzip", small, 0},
		{"gzip", body, 0},
		{"deflate", body, 0},
		{"zstd", body, 0},
		{"br", body, 0},
	}
	for _, tt := range tests {
		h := Compress(CompressOptions{})(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(tt.body)
		}))
		rec := &compressRecorder{}
		rec.body.Grow(64 << 10)
		req := &strand.Request{Method: "GET"}
		if tt.accept != "" {
			req.Header.Set("Accept-Encoding", tt.accept)
		}
		allocs := testing.AllocsPerRun(50, func() {
			rec.reset()
			h.ServeHTTP(rec, req)
		})
		if allocs > tt.budget {
			t.Errorf("Accept-Encoding: %q, %d-byte body: %v allocations per response; want at most %v",
				tt.accept, len(tt.body), allocs, tt.budget)
		}
	}
}

// BenchmarkCompress measures the middleware and its encoders on a 16 KiB
// JSON response, per coding, in memory. "identity" is the middleware
// passing the body through.
func BenchmarkCompress(b *testing.B) {
	body := compressJSON(16 << 10)
	for _, coding := range append([]string{"identity"}, compressCodingNames...) {
		b.Run(coding, func(b *testing.B) {
			h := Compress(CompressOptions{})(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(body)
			}))
			rec := &compressRecorder{}
			rec.body.Grow(64 << 10)
			req := &strand.Request{Method: "GET"}
			req.Header.Set("Accept-Encoding", coding)
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				rec.reset()
				h.ServeHTTP(rec, req)
			}
			b.ReportMetric(float64(rec.body.Len()), "out-bytes")
		})
	}
}

// TestCompressWriterUnwrap checks the wrapper's place in a chain: Unwrap
// gives the writer beneath, and a second final status is ignored.
func TestCompressWriterUnwrap(t *testing.T) {
	rec := &compressRecorder{}
	h := Compress(CompressOptions{})(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		u, ok := w.(strand.Unwrapper)
		if !ok || u.Unwrap() != strand.ResponseWriter(rec) {
			t.Errorf("Unwrap did not return the writer beneath")
		}
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(strand.StatusCreated)
		w.WriteHeader(strand.StatusAccepted)
		_, _ = w.Write(make([]byte, 2000))
	}))
	req := &strand.Request{Method: "GET"}
	req.Header.Set("Accept-Encoding", "gzip")
	h.ServeHTTP(rec, req)
	if rec.code != strand.StatusCreated || rec.header.Get("Content-Encoding") != "gzip" {
		t.Errorf("got %d, Content-Encoding %q; want 201, gzip", rec.code, rec.header.Get("Content-Encoding"))
	}
}
