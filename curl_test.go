package strand

// End-to-end tests with curl as the client, skipped where it is not
// installed (`make deps` installs it).

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// curl runs curl with args and returns what it wrote to stdout and
// stderr, failing the test if it exits with an error.
func curl(t *testing.T, args ...string) (stdout, stderr string) {
	t.Helper()
	path, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl not installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	var out, errOut strings.Builder
	cmd := exec.CommandContext(ctx, path, append([]string{"--silent", "--show-error"}, args...)...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("curl %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String(), errOut.String()
}

// curlHandler describes each request in its response body.
var curlHandler = HandlerFunc(func(w ResponseWriter, r *Request) {
	hash := sha256.New()
	n, err := io.Copy(hash, r.Body)
	if err != nil {
		Error(w, err.Error(), StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprintf(w, "%s %s %s length=%d read=%d sha256=%x expect=%q",
		r.Method, r.Path, r.Proto, r.ContentLength, n, hash.Sum(nil), r.Header.Get("Expect"))
})

func TestCurl(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl not installed")
	}
	addr := serve(t, &Server{Handler: curlHandler})
	url := "http://" + addr + "/path"
	data := pseudoRandom(200<<10, 5)
	file := filepath.Join(t.TempDir(), "upload")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	sum := fmt.Sprintf("%x", sha256.Sum256(data))
	emptySum := fmt.Sprintf("%x", sha256.Sum256(nil))
	tests := []struct {
		name     string
		args     []string
		want     string // the body, or the start of -i output
		contains []string
	}{
		{"GET", []string{url}, "GET /path HTTP/1.1 length=0 read=0 sha256=" + emptySum + ` expect=""`, nil},
		{"HTTP/1.0", []string{"--http1.0", "-i", url}, "HTTP/1.1 200 OK\r\n",
			[]string{"Connection: close\r\n", "GET /path HTTP/1.0 length=0"}},
		{"POST file", []string{"--data-binary", "@" + file, url},
			fmt.Sprintf("POST /path HTTP/1.1 length=%d read=%d sha256=%s expect=\"\"", len(data), len(data), sum), nil},
		{"Expect 100-continue", []string{"-i", "-H", "Expect: 100-continue", "--data-binary", "@" + file, url},
			"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n",
			[]string{fmt.Sprintf("read=%d sha256=%s expect=\"100-continue\"", len(data), sum)}},
		{"chunked upload", []string{"-H", "Transfer-Encoding: chunked", "--data-binary", "@" + file, url},
			fmt.Sprintf("POST /path HTTP/1.1 length=-1 read=%d sha256=%s expect=\"\"", len(data), sum), nil},
		{"HEAD", []string{"-I", url}, "HTTP/1.1 200 OK\r\n",
			[]string{fmt.Sprintf("Content-Length: %d\r\n", len("HEAD /path HTTP/1.1 length=0 read=0 sha256="+emptySum+` expect=""`))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _ := curl(t, tt.args...)
			if !strings.HasPrefix(out, tt.want) {
				t.Errorf("curl %s printed:\n%s\nwant it to start with:\n%s", tt.name, out, tt.want)
			}
			for _, s := range tt.contains {
				if !strings.Contains(out, s) {
					t.Errorf("curl %s printed:\n%s\nwant it to contain %q", tt.name, out, s)
				}
			}
			if tt.name == "HEAD" && !strings.HasSuffix(out, "\r\n\r\n") {
				t.Errorf("HEAD response ends with %q; want the end of the head, no body", out[max(0, len(out)-20):])
			}
		})
	}
}

// TestCurlKeepAlive checks that curl reuses one connection for several
// URLs on the command line.
func TestCurlKeepAlive(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl not installed")
	}
	s := &Server{Handler: hello}
	addr := serve(t, s)
	url := "http://" + addr + "/"
	out, _ := curl(t, "--write-out", " %{num_connects}\n", url, url, url)
	if got, want := out, "hello 1\nhello 0\nhello 0\n"; got != want {
		t.Fatalf("curl printed %q; want %q (one connection for all)", got, want)
	}
}
