package static

import (
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// canary is the content of a file outside the served root: no response
// may ever contain it.
const canary = "CANARY-7f3a9c1e-never-served"

// traversalTargets are request-targets that try to leave the root, in
// every encoding a server or file system might decode differently. They
// are sent byte for byte over TCP, so no client normalises them first.
var traversalTargets = []string{
	"/../canary.txt",
	"/../outside/canary.txt",
	"/../../outside/canary.txt",
	"/..%2fcanary.txt",
	"/..%2Foutside%2Fcanary.txt",
	"/%2e%2e/outside/canary.txt",
	"/%2E%2E/outside/canary.txt",
	"/%2e%2e%2foutside%2fcanary.txt",
	"/%2e%2e%2f..",
	"/.%2e/outside/canary.txt",
	"/%2e./outside/canary.txt",
	"/..\\canary.txt",
	"/..\\outside\\canary.txt",
	"/%5c..%5coutside%5ccanary.txt",
	"/..%5c..%5coutside%5ccanary.txt",
	"/%5c%2e%2e%5coutside/canary.txt",
	"/%00",
	"/a.txt%00",
	"/%00/../outside/canary.txt",
	"/canary.txt%00.png",
	"/%252e%252e/outside/canary.txt",
	"/%252e%252e%252foutside%252fcanary.txt",
	"/..%252foutside%252fcanary.txt",
	"/%25%32%65%25%32%65/outside/canary.txt",
	"/./../outside/canary.txt",
	"/.",
	"/..",
	"/../",
	"//..",
	"//../outside/canary.txt",
	"///../outside/canary.txt",
	"/a.txt/../../outside/canary.txt",
	"/docs/../../outside/canary.txt",
	"/..;/outside/canary.txt",
	"/%2e%2e;/outside/canary.txt",
	"/...//outside/canary.txt",
	"/....//....//outside/canary.txt",
	"/outside/canary.txt",
	"/canary.txt",
	"http://test/../outside/canary.txt",
	"http://test/%2e%2e/outside/canary.txt",
	"http://evil.example/..%2f..%2foutside%2fcanary.txt",
	"http://test//../outside/canary.txt",
	"HTTP://test/../outside/canary.txt",
	"/" + strings.Repeat("../", 200) + "outside/canary.txt",
	"/" + strings.Repeat("%2e%2e%2f", 200) + "outside/canary.txt",
	"/" + strings.Repeat("a/", 2000) + "canary.txt",
	"/" + strings.Repeat("x", 4000),
	"/" + strings.Repeat("x", 255) + "/" + strings.Repeat("y", 300),
	// Unicode look-alikes of '.', '/' and '\', which some platforms fold.
	"/%E2%80%A4%E2%80%A4/outside/canary.txt", // one dot leader
	"/%EF%BC%8E%EF%BC%8E/outside/canary.txt", // fullwidth full stop
	"/%EF%BC%8E%EF%BC%8E%EF%BC%8Foutside%EF%BC%8Fcanary.txt",
	"/..%E2%88%95outside%E2%88%95canary.txt", // division slash
	"/..%EF%BC%BCoutside%EF%BC%BCcanary.txt", // fullwidth reverse solidus
	"/%C0%AE%C0%AE/outside/canary.txt",       // overlong UTF-8 '.'
	"/%C0%AE%C0%AE%C0%AFoutside%C0%AFcanary.txt",
	"/%E0%80%AE%E0%80%AE/outside/canary.txt",
	"/%C1%9C..%C1%9Coutside/canary.txt", // overlong '\'
	"/link.txt",
	"/linkdir/canary.txt",
	"/linkdir/",
	"/linkdir",
	"/deep/up/outside/canary.txt",
}

// safetyTree makes base/root (served) with a few files and links, and
// base/outside/canary.txt beside it. It returns base and root.
func safetyTree(t *testing.T) (string, string) {
	t.Helper()
	base := t.TempDir()
	root := filepath.Join(base, "root")
	writeTree(t, root, map[string]string{
		"a.txt":           "inside\n",
		"docs/index.html": "<p>docs</p>",
		"deep/":           "",
		"index.html":      "<p>home</p>",
	}, fixedTime)
	writeTree(t, filepath.Join(base, "outside"), map[string]string{"canary.txt": canary}, fixedTime)
	if err := os.WriteFile(filepath.Join(base, "canary.txt"), []byte(canary), 0o644); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{
		"link.txt":  filepath.Join(base, "outside", "canary.txt"), // absolute
		"linkdir":   filepath.Join("..", "outside"),               // relative
		"deep/up":   filepath.Join("..", ".."),                    // to base
		"inner.txt": "a.txt",                                      // stays inside
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	return base, root
}

// TestPathSafety sends the traversal corpus to a real server with several
// option sets. Each attempt must be refused with 400 or 404, or
// redirected somewhere inside; the canary must never appear, and no
// response may name the root's file system path.
func TestPathSafety(t *testing.T) {
	base, root := safetyTree(t)
	for _, opt := range []struct {
		name   string
		opt    Options
		osRoot bool // open through os.Root, as where openat2 is missing
	}{
		{"defaults", Options{}, false},
		{"listing, hidden files, SPA fallback", Options{Listing: true, ShowHidden: true, SPAFallback: "/index.html", IndexFile: "-"}, false},
		{"no cache", Options{CacheMaxBytes: -1}, false},
		{"os.Root", Options{}, true},
		{"os.Root, listing, hidden files, SPA fallback", Options{Listing: true, ShowHidden: true, SPAFallback: "/index.html", IndexFile: "-"}, true},
	} {
		t.Run(opt.name, func(t *testing.T) {
			o := opt.opt
			h := mustDir(t, root, &o)
			if opt.osRoot {
				h.open = h.fsys.Open
			}
			addr, _ := startServer(t, h)
			for _, target := range traversalTargets {
				for _, method := range []string{"GET", "HEAD"} {
					resp := rawExchange(t, addr, method+" "+target+" HTTP/1.1\r\nHost: test\r\nAccept: text/html\r\nConnection: close\r\n\r\n")
					checkSafe(t, method+" "+shorten(target), resp, base, o.SPAFallback != "")
				}
			}
			// The one link that stays inside the root is served.
			resp := rawExchange(t, addr, "GET /inner.txt HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
			if !strings.HasPrefix(resp, "HTTP/1.1 200 ") || !strings.HasSuffix(resp, "inside\n") {
				t.Errorf("GET /inner.txt (a link inside the root) = %.60q; want 200 with a.txt's content", resp)
			}
		})
	}
}

// checkSafe checks one raw response of the corpus.
func checkSafe(t *testing.T, req, resp, base string, spa bool) {
	t.Helper()
	status, _, _ := strings.Cut(resp, "\r\n")
	if strings.Contains(resp, canary) {
		t.Errorf("%s: the canary leaked: %.200q", req, resp)
	}
	for _, p := range []string{base, filepath.Base(base), "/tmp/", "escapes", "openat", "no such file"} {
		if strings.Contains(resp, p) {
			t.Errorf("%s: the response reveals %q: %.300q", req, p, resp)
		}
	}
	switch {
	case strings.HasPrefix(status, "HTTP/1.1 400 "), strings.HasPrefix(status, "HTTP/1.1 404 "):
	case strings.HasPrefix(status, "HTTP/1.1 200 ") && spa:
		// The application's page, served for any unknown path.
		if !strings.Contains(resp, "<p>home</p>") && !strings.HasPrefix(req, "HEAD") {
			t.Errorf("%s: 200 with SPA fallback but not the fallback page: %.200q", req, resp)
		}
	case strings.HasPrefix(status, "HTTP/1.1 301 "):
		loc := ""
		for _, line := range strings.Split(resp, "\r\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, "Location") {
				loc = strings.TrimSpace(v)
			}
		}
		u, err := url.Parse(loc)
		if err != nil || u.IsAbs() || u.Host != "" || strings.HasPrefix(loc, "/") || strings.Contains(loc, "..") || strings.Contains(loc, "\\") {
			t.Errorf("%s: 301 to %q; want a relative location inside the root", req, loc)
		}
	default:
		t.Errorf("%s: %q; want 400 or 404", req, status)
	}
}

// rawExchange sends a raw request and reads until the server closes.
func rawExchange(t *testing.T, addr, req string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(testTimeout))
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(c)
	if err != nil && len(b) == 0 {
		t.Fatalf("%.60q: %v", req, err)
	}
	return string(b)
}

func shorten(s string) string {
	if len(s) > 80 {
		return s[:60] + "..." + s[len(s)-20:]
	}
	return s
}

// TestSymlinksOutside checks that a link leading out of the root is
// refused by Dir by default and followed with AllowSymlinksOutside, with
// either opener (openat2 on Linux, os.Root).
func TestSymlinksOutside(t *testing.T) {
	_, root := safetyTree(t)
	for _, tc := range []struct {
		allow  bool
		target string
		status string
	}{
		{false, "/link.txt", "404"},
		{false, "/linkdir/canary.txt", "404"},
		{false, "/deep/up/outside/canary.txt", "404"},
		{true, "/link.txt", "200"},
		{true, "/linkdir/canary.txt", "200"},
		{true, "/deep/up/outside/canary.txt", "200"},
	} {
		for _, osRoot := range []bool{false, true} {
			h := mustDir(t, root, &Options{AllowSymlinksOutside: tc.allow})
			if osRoot {
				h.open = h.fsys.Open
			}
			addr, _ := startServer(t, h)
			resp := rawExchange(t, addr, "GET "+tc.target+" HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
			if !strings.HasPrefix(resp, "HTTP/1.1 "+tc.status+" ") {
				t.Errorf("AllowSymlinksOutside=%v, os.Root %v: GET %s = %.40q; want %s", tc.allow, osRoot, tc.target, resp, tc.status)
			}
			if leaked := strings.Contains(resp, canary); leaked != tc.allow {
				t.Errorf("AllowSymlinksOutside=%v, os.Root %v: GET %s served the outside file: %v", tc.allow, osRoot, tc.target, leaked)
			}
		}
	}
}

// TestResolve checks the path check on its own: what the server's single
// decoding may hand the handler.
func TestResolve(t *testing.T) {
	h := FS(nil, nil)
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"/", ".", true},
		{"/a.txt", "a.txt", true},
		{"/a/b/", "a/b", true},
		{"//a", "a", true},
		{"", "", false},
		{"a.txt", "", false},
		{"*", "", false},
		{"/..", "", false},
		{"/a/../b", "", false},
		{"/a/./b", "", false},
		{"/a//b", "", false},
		{"/a\\b", "", false},
		{"/a\x00b", "", false},
		{"/...", "...", true},
		{"/..;", "..;", true},
	} {
		got, ok := h.resolve(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("resolve(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
