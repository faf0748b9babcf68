package static

// Helpers shared by the tests: a fixture tree with fixed modification
// times, a real strand.Server on loopback, and a raw keep-alive client that
// writes requests byte for byte (no client-side path normalisation, no
// automatic Accept-Encoding) and reads responses with net/http's reader.

import (
	"bufio"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/internal/enginetest"
)

// testTimeout bounds every blocking step of a test.
const testTimeout = 10 * time.Second

// fixedTime is the modification time of every fixture file: the golden
// listing and the validators do not depend on when the test runs.
var fixedTime = time.Date(2024, time.March, 5, 6, 7, 8, 0, time.UTC)

// rangeBody is the content of /r.txt: 100 bytes, each position readable.
const rangeBody = "0123456789abcdefghijABCDEFGHIJklmnopqrstKLMNOPQRST" +
	"uvwxyzUVWX!@#$%^&*()0123456789abcdefghijABCDEFGHIJ"

// writeTree creates files (name -> content; a name ending in "/" is a
// directory) under dir, every one with modification time mod.
func writeTree(t testing.TB, dir string, files map[string]string, mod time.Time) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Directories last: writing a file changes its directory's time.
	err := filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Chtimes(p, mod, mod)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// fixture is the tree most tests serve.
var fixture = map[string]string{
	"a.txt":                    "hello, world\n",
	"r.txt":                    rangeBody,
	"empty.txt":                "",
	"page.html":                "<p>page</p>\n",
	"style.css":                "body{}\n",
	"app.js":                   "console.log(1)\n",
	"app.js.br":                "BR-BYTES",
	"app.js.zst":               "ZSTD-BYTES",
	"app.js.gz":                "GZIP-BYTES!",
	"only-gz.css":              "p{}\n",
	"only-gz.css.gz":           "GZ",
	"photo.png":                "\x89PNG\r\n\x1a\nnot really",
	"photo.png.gz":             "compressed png",
	"UPPER.JPG":                "\xff\xd8\xffjpeg",
	"noext":                    "plain words\n",
	"binary":                   "\x00\x01\x02\x03",
	"htmlish":                  "  <!DOCTYPE html><title>x</title>",
	".env":                     "SECRET=1",
	".git/config":              "[core]",
	".well-known/security.txt": "Contact: mailto:x@example.com\n",
	"docs/index.html":          "<h1>docs</h1>\n",
	"docs/guide.md":            "# Guide\n",
	"assets/app.css":           "a{}\n",
	"list/":                    "",
	"a b/":                     "",
	"a b/c.txt":                "space",
	"sub/.well-known/x.txt":    "nested",
}

// newFixture writes the fixture tree and returns its root.
func newFixture(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	writeTree(t, dir, fixture, fixedTime)
	return dir
}

// quietLog discards the handler's and the server's error logs.
var quietLog = slog.New(slog.DiscardHandler)

// mustDir is Dir for tests.
func mustDir(t testing.TB, root string, opt *Options) *Handler {
	t.Helper()
	if opt == nil {
		opt = &Options{}
	}
	if opt.ErrorLog == nil {
		opt.ErrorLog = quietLog
	}
	h, err := Dir(root, opt)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// startServer serves h with a strand.Server on a loopback port and
// returns its address; the server is closed at cleanup.
func startServer(t testing.TB, h strand.Handler) (string, *strand.Server) {
	t.Helper()
	enginetest.CheckGoroutines(t)
	srv := &strand.Server{Handler: h, ErrorLog: quietLog, Engine: enginetest.Engine}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return ln.Addr().String(), srv
}

// client is a raw HTTP/1.1 client on one keep-alive connection, redialled
// when the server closes it.
type client struct {
	t    testing.TB
	addr string
	conn net.Conn
	br   *bufio.Reader
}

func newClient(t testing.TB, addr string) *client {
	c := &client{t: t, addr: addr}
	t.Cleanup(c.close)
	return c
}

func (c *client) close() {
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
}

// result is a response read by the client.
type result struct {
	status int
	header http.Header
	body   string
}

// do sends method target with the given "Name: value" fields and returns
// the response.
func (c *client) do(method, target string, fields ...string) *result {
	c.t.Helper()
	var b strings.Builder
	b.WriteString(method + " " + target + " HTTP/1.1\r\nHost: test\r\n")
	for _, f := range fields {
		b.WriteString(f + "\r\n")
	}
	b.WriteString("\r\n")
	return c.send(method, b.String())
}

// send writes a whole raw request and reads the response to it.
func (c *client) send(method, raw string) *result {
	c.t.Helper()
	for attempt := 0; ; attempt++ {
		if c.conn == nil {
			conn, err := net.Dial("tcp", c.addr)
			if err != nil {
				c.t.Fatal(err)
			}
			c.conn, c.br = conn, bufio.NewReader(conn)
		}
		_ = c.conn.SetDeadline(time.Now().Add(testTimeout))
		res, err := c.roundTrip(method, raw)
		if err != nil {
			c.close()
			if attempt == 0 {
				continue // the server closed an idle connection: redial once
			}
			c.t.Fatalf("%q: %v", raw, err)
		}
		return res
	}
}

func (c *client) roundTrip(method, raw string) (*result, error) {
	if _, err := io.WriteString(c.conn, raw); err != nil {
		return nil, err
	}
	resp, err := http.ReadResponse(c.br, &http.Request{Method: method})
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if resp.Close {
		c.close()
	}
	return &result{status: resp.StatusCode, header: resp.Header, body: string(body)}, nil
}

// serveFixture starts a server over the fixture with opt and returns a
// client for it.
func serveFixture(t testing.TB, opt *Options) *client {
	t.Helper()
	addr, _ := startServer(t, mustDir(t, newFixture(t), opt))
	return newClient(t, addr)
}
