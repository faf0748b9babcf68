package middleware

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/internal/enginetest"
)

// TestWrappersKeepSendfile guards the zero-copy path of file bodies through
// the wrapping middleware: a file copied with io.Copy under Logger and
// Compress (an incompressible type, passed through) still reaches the
// server's ReadFrom, which counts the bytes it hands to sendfile.
func TestWrappersKeepSendfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "blob.bin")
	const size = 256 << 10
	if err := os.WriteFile(path, []byte(strings.Repeat("x", size)), 0o644); err != nil {
		t.Fatal(err)
	}
	files := strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		f, err := os.Open(path)
		if err != nil {
			t.Error(err)
			return
		}
		defer f.Close()
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.Itoa(size))
		_, _ = io.Copy(w, io.LimitReader(f, size))
	})
	h := strand.Chain(NewLogger(LoggerOptions{Output: io.Discard}), Compress(CompressOptions{}))(files)
	srv := &strand.Server{Handler: h, Engine: enginetest.Engine}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n")
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(b), strings.Repeat("x", 100)) || len(b) < size {
		t.Fatalf("response of %d bytes; want the %d-byte file", len(b), size)
	}
	if got := srv.Stats().ZeroCopyBytes; got != size {
		t.Fatalf("ZeroCopyBytes = %d; want %d (the file went through sendfile)", got, size)
	}
}
