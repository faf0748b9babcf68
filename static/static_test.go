package static

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/strandhttp/strand"
)

// TestContentType checks the media type of each kind of file: from the
// extension table (any case), else sniffed, with charset=utf-8 on text
// (RFC 9110 §8.3).
func TestContentType(t *testing.T) {
	c := serveFixture(t, nil)
	for _, tc := range []struct {
		path, want string
	}{
		{"/a.txt", "text/plain; charset=utf-8"},
		{"/page.html", "text/html; charset=utf-8"},
		{"/style.css", "text/css; charset=utf-8"},
		{"/app.js", "text/javascript; charset=utf-8"},
		{"/docs/guide.md", "text/markdown; charset=utf-8"},
		{"/photo.png", "image/png"},
		{"/UPPER.JPG", "image/jpeg"},             // extension case folded
		{"/noext", "text/plain; charset=utf-8"},  // sniffed: UTF-8 text
		{"/binary", "application/octet-stream"},  // sniffed: control bytes
		{"/htmlish", "text/html; charset=utf-8"}, // sniffed: markup after spaces
	} {
		res := c.do("GET", tc.path)
		if res.status != 200 {
			t.Errorf("GET %s = %d; want 200", tc.path, res.status)
			continue
		}
		if got := res.header.Get("Content-Type"); got != tc.want {
			t.Errorf("GET %s Content-Type = %q; want %q", tc.path, got, tc.want)
		}
		if want := fixture[strings.TrimPrefix(tc.path, "/")]; res.body != want {
			t.Errorf("GET %s body = %q; want %q", tc.path, res.body, want)
		}
	}
}

// TestValidatorsSent checks the 200 response's fields: a strong ETag
// (RFC 9110 §8.8.3), Last-Modified (§8.8.2), Accept-Ranges (§14.3) and the
// length; HEAD sends the same head without the body (§9.3.2).
func TestValidatorsSent(t *testing.T) {
	root := newFixture(t)
	addr, _ := startServer(t, mustDir(t, root, nil))
	c := newClient(t, addr)
	st, err := os.Stat(filepath.Join(root, "r.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, method := range []string{"GET", "HEAD"} {
		res := c.do(method, "/r.txt")
		want := map[string]string{
			"ETag":           makeETag(st.Size(), st.ModTime()),
			"Last-Modified":  "Tue, 05 Mar 2024 06:07:08 GMT",
			"Accept-Ranges":  "bytes",
			"Content-Length": "100",
			"Content-Type":   "text/plain; charset=utf-8",
		}
		for k, v := range want {
			if got := res.header.Get(k); got != v {
				t.Errorf("%s /r.txt %s = %q; want %q", method, k, got, v)
			}
		}
		if etag := res.header.Get("ETag"); strings.HasPrefix(etag, "W/") {
			t.Errorf("%s /r.txt ETag = %q; want a strong tag", method, etag)
		}
		wantBody := rangeBody
		if method == "HEAD" {
			wantBody = ""
		}
		if res.body != wantBody {
			t.Errorf("%s /r.txt body = %q; want %q", method, res.body, wantBody)
		}
	}
	// The HEAD response must not have sent a body: the connection is
	// still in step for another request.
	if res := c.do("GET", "/a.txt"); res.status != 200 || res.body != fixture["a.txt"] {
		t.Errorf("GET /a.txt after HEAD = %d %q; want 200 %q", res.status, res.body, fixture["a.txt"])
	}
}

// TestETagChangesWithContent guards the validator's purpose: a file
// rewritten with another size or time gets another tag.
// The cache may serve the old version for cacheValidity: the clock moves
// past it.
func TestETagChangesWithContent(t *testing.T) {
	root := newFixture(t)
	h := mustDir(t, root, nil)
	clock := useFakeClock(h)
	addr, _ := startServer(t, h)
	c := newClient(t, addr)
	before := c.do("GET", "/a.txt").header.Get("ETag")
	p := filepath.Join(root, "a.txt")
	if err := os.WriteFile(p, []byte("HELLO, WORLD\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, fixedTime, fixedTime.Add(time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	clock.Advance(cacheValidity)
	after := c.do("GET", "/a.txt")
	if got := after.header.Get("ETag"); got == before {
		t.Errorf("ETag after rewriting the file = %q, unchanged; want a new tag", got)
	}
	if res := c.do("GET", "/a.txt", "If-None-Match: "+before); res.status != 200 {
		t.Errorf("GET with the old tag in If-None-Match = %d; want 200", res.status)
	}
}

// TestNoModTimeNoValidators guards against validators made of the size
// alone: embed.FS and fstest.MapFS files have no modification time, and
// two versions of equal size would share a tag.
func TestNoModTimeNoValidators(t *testing.T) {
	h := FS(fstest.MapFS{"a.txt": {Data: []byte("one")}}, &Options{ErrorLog: quietLog})
	addr, _ := startServer(t, h)
	c := newClient(t, addr)
	res := c.do("GET", "/a.txt")
	if res.status != 200 || res.body != "one" {
		t.Fatalf("GET /a.txt = %d %q; want 200 \"one\"", res.status, res.body)
	}
	for _, k := range []string{"ETag", "Last-Modified"} {
		if v := res.header.Get(k); v != "" {
			t.Errorf("%s = %q; want none without a modification time", k, v)
		}
	}
	if res := c.do("GET", "/a.txt", "If-None-Match: *"); res.status != 304 {
		t.Errorf("If-None-Match: * = %d; want 304 (the file exists)", res.status)
	}
	if res := c.do("GET", "/a.txt", "If-Match: \"x\""); res.status != 412 {
		t.Errorf("If-Match: \"x\" = %d; want 412", res.status)
	}
}

// TestDirectories checks index files, the trailing-slash redirect with a
// relative Location that keeps the query, and files named like
// directories.
func TestDirectories(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opt      Options
		target   string
		status   int
		location string
		body     string
	}{
		{"index.html served for the directory", Options{}, "/docs/", 200, "", "<h1>docs</h1>\n"},
		{"index.html by its name", Options{}, "/docs/index.html", 200, "", "<h1>docs</h1>\n"},
		{"RFC 9110 §15.4.2 redirect to the slash form", Options{}, "/docs", 301, "docs/", ""},
		{"redirect keeps the query", Options{}, "/docs?x=1&y=%20", 301, "docs/?x=1&y=%20", ""},
		{"redirect of a name with a space is encoded", Options{}, "/a%20b", 301, "a%20b/", ""},
		{"dot-dot segment refused", Options{}, "/docs/../docs", 400, "", ""},
		{"directory without index, no listing", Options{}, "/list/", 404, "", ""},
		{"root without index, no listing", Options{}, "/", 404, "", ""},
		{"file named like a directory", Options{}, "/a.txt/", 404, "", ""},
		{"path below a file", Options{}, "/a.txt/x", 404, "", ""},
		{"missing file", Options{}, "/nope.txt", 404, "", ""},
		{"index off", Options{IndexFile: "-"}, "/docs/", 404, "", ""},
		{"index off, listing on", Options{IndexFile: "-", Listing: true}, "/docs/", 200, "", ""},
		{"another index name", Options{IndexFile: "guide.md"}, "/docs/", 200, "", "# Guide\n"},
		{"file in a directory with a space", Options{}, "/a%20b/c.txt", 200, "", "space"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt := tc.opt
			c := serveFixture(t, &opt)
			res := c.do("GET", tc.target)
			if res.status != tc.status {
				t.Fatalf("GET %s = %d; want %d", tc.target, res.status, tc.status)
			}
			if got := res.header.Get("Location"); got != tc.location {
				t.Errorf("GET %s Location = %q; want %q", tc.target, got, tc.location)
			}
			if tc.body != "" && res.body != tc.body {
				t.Errorf("GET %s body = %q; want %q", tc.target, res.body, tc.body)
			}
		})
	}
}

// TestRedirectLocationEncoding guards against a directory name that reads
// as something else in a Location: a query ('?'), a fragment ('#'), a
// scheme (':') or an escape ('%').
func TestRedirectLocationEncoding(t *testing.T) {
	root := t.TempDir()
	names := map[string]string{
		"q?x":   "q%3Fx/",
		"h#x":   "h%23x/",
		"c:d":   "./c:d/",
		"p%41":  "p%2541/",
		"é":     "%C3%A9/",
		"plain": "plain/",
	}
	for name := range names {
		if err := os.Mkdir(filepath.Join(root, name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	addr, _ := startServer(t, mustDir(t, root, &Options{Listing: true}))
	c := newClient(t, addr)
	for name, want := range names {
		target := "/" + strings.NewReplacer("?", "%3F", "#", "%23", "%", "%25", "é", "%C3%A9").Replace(name)
		res := c.do("GET", target)
		if res.status != 301 || res.header.Get("Location") != want {
			t.Errorf("GET %s = %d Location %q; want 301 %q", target, res.status, res.header.Get("Location"), want)
			continue
		}
		// Following the redirect must land on the directory.
		res = c.do("GET", "/"+strings.TrimPrefix(want, "./"))
		if res.status != 200 || !strings.Contains(res.body, "Index of /"+name+"/") {
			t.Errorf("following %q: %d; want the listing of /%s/", want, res.status, name)
		}
	}
}

// TestSPAFallback checks that unknown paths get the application's page
// when the client accepts HTML, and a plain 404 otherwise.
func TestSPAFallback(t *testing.T) {
	c := serveFixture(t, &Options{SPAFallback: "/page.html"})
	for _, tc := range []struct {
		target string
		accept string
		status int
		body   string
	}{
		{"/app/route/42", "text/html,application/xhtml+xml,*/*;q=0.8", 200, "<p>page</p>\n"},
		{"/app/route/42", "", 200, "<p>page</p>\n"},
		{"/app/route/42", "*/*", 200, "<p>page</p>\n"},
		{"/api/thing", "application/json", 404, ""},
		{"/a.txt", "text/html", 200, fixture["a.txt"]}, // real files win
		{"/docs/", "text/html", 200, "<h1>docs</h1>\n"},
		{"/list/", "text/html", 200, "<p>page</p>\n"}, // no index, no listing
	} {
		fields := []string{}
		if tc.accept != "" {
			fields = append(fields, "Accept: "+tc.accept)
		}
		res := c.do("GET", tc.target, fields...)
		if res.status != tc.status || (tc.body != "" && res.body != tc.body) {
			t.Errorf("GET %s (Accept %q) = %d %q; want %d %q", tc.target, tc.accept, res.status, res.body, tc.status, tc.body)
		}
		if tc.status == 200 && tc.body == "<p>page</p>\n" && res.header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Errorf("GET %s fallback Content-Type = %q; want text/html", tc.target, res.header.Get("Content-Type"))
		}
	}
	// A fallback that does not exist, or is hidden, is a plain 404.
	for _, fb := range []string{"/missing.html", "/.env", "bad"} {
		c := serveFixture(t, &Options{SPAFallback: fb})
		if res := c.do("GET", "/x", "Accept: text/html"); res.status != 404 {
			t.Errorf("fallback %q: GET /x = %d; want 404", fb, res.status)
		}
	}
}

// TestCacheControl checks the per-path rules: the first match wins, a
// pattern with '/' matches the URL path, one without the file name.
func TestCacheControl(t *testing.T) {
	c := serveFixture(t, &Options{CacheControl: []CacheRule{
		{Pattern: "/assets/*", Value: "public, max-age=31536000, immutable"},
		{Pattern: "*.css", Value: "public, max-age=60"},
		{Pattern: "/docs/*", Value: "no-cache"},
		{Pattern: "[", Value: "never: a malformed pattern matches nothing"},
	}})
	for _, tc := range []struct{ target, want string }{
		{"/assets/app.css", "public, max-age=31536000, immutable"},
		{"/style.css", "public, max-age=60"},
		{"/only-gz.css", "public, max-age=60"},
		{"/docs/", "no-cache"}, // the index file's path: /docs/index.html
		{"/docs/guide.md", "no-cache"},
		{"/a.txt", ""},
	} {
		res := c.do("GET", tc.target)
		if res.status != 200 {
			t.Errorf("GET %s = %d; want 200", tc.target, res.status)
		}
		if got := res.header.Get("Cache-Control"); got != tc.want {
			t.Errorf("GET %s Cache-Control = %q; want %q", tc.target, got, tc.want)
		}
	}
	// RFC 9110 §15.4.5: a 304 carries the Cache-Control a 200 would.
	res := c.do("GET", "/style.css")
	res = c.do("GET", "/style.css", "If-None-Match: "+res.header.Get("ETag"))
	if res.status != 304 || res.header.Get("Cache-Control") != "public, max-age=60" {
		t.Errorf("304 Cache-Control = %d %q; want 304 \"public, max-age=60\"", res.status, res.header.Get("Cache-Control"))
	}
}

// TestMethods checks OPTIONS (RFC 9110 §9.3.7), 405 with Allow (§15.5.6)
// for registered methods a file server does not do, and 501 (§15.6.2) for
// methods it does not recognize at all.
func TestMethods(t *testing.T) {
	c := serveFixture(t, nil)
	for _, tc := range []struct {
		method, target string
		status         int
	}{
		{"OPTIONS", "/a.txt", 204},
		{"OPTIONS", "*", 204},
		{"POST", "/a.txt", 405},
		{"PUT", "/a.txt", 405},
		{"DELETE", "/a.txt", 405},
		{"PATCH", "/nope", 405},
		{"TRACE", "/a.txt", 405},
		{"BREW", "/a.txt", 501},
		{"get", "/a.txt", 501}, // methods are case-sensitive (§9.1)
	} {
		res := c.do(tc.method, tc.target, "Content-Length: 0")
		if res.status != tc.status {
			t.Errorf("%s %s = %d; want %d", tc.method, tc.target, res.status, tc.status)
		}
		if got := res.header.Get("Allow"); got != "GET, HEAD, OPTIONS" {
			t.Errorf("%s %s Allow = %q; want \"GET, HEAD, OPTIONS\"", tc.method, tc.target, got)
		}
	}
}

// TestDotfiles checks that dotfiles and dot-directories are hidden by
// default, that the top-level /.well-known/ is served (RFC 8615), and
// that ShowHidden serves them all.
func TestDotfiles(t *testing.T) {
	for _, tc := range []struct {
		target       string
		hidden, show int
	}{
		{"/.env", 404, 200},
		{"/.git/config", 404, 200},
		{"/.git/", 404, 404}, // a directory without index or listing
		{"/.git", 404, 301},
		{"/.well-known/security.txt", 200, 200},
		{"/sub/.well-known/x.txt", 404, 200}, // only the top-level one is special
		{"/a.txt", 200, 200},
	} {
		for _, show := range []bool{false, true} {
			c := serveFixture(t, &Options{ShowHidden: show})
			want := tc.hidden
			if show {
				want = tc.show
			}
			if res := c.do("GET", tc.target); res.status != want {
				t.Errorf("ShowHidden=%v: GET %s = %d; want %d", show, tc.target, res.status, want)
			}
		}
	}
}

// TestErrorStatuses checks how file system errors map to statuses.
func TestErrorStatuses(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{fs.ErrNotExist, 404},
		{fs.ErrInvalid, 404},
		{fs.ErrPermission, 403},
		{&fs.PathError{Op: "openat", Path: "/srv/x", Err: errors.New("path escapes from parent")}, 404},
		{errors.New("disk on fire"), 500},
	} {
		h := FS(errFS{tc.err}, &Options{ErrorLog: quietLog})
		addr, _ := startServer(t, h)
		res := newClient(t, addr).do("GET", "/x")
		if res.status != tc.want {
			t.Errorf("open error %v: %d; want %d", tc.err, res.status, tc.want)
		}
		if strings.Contains(res.body, "/srv/x") || strings.Contains(res.body, "fire") {
			t.Errorf("open error %v: body %q reveals the error", tc.err, res.body)
		}
	}
}

// errFS fails every Open with err.
type errFS struct{ err error }

func (e errFS) Open(string) (fs.File, error) { return nil, e.err }

// TestDirErrors checks Dir's refusals.
func TestDirErrors(t *testing.T) {
	root := newFixture(t)
	if _, err := Dir(filepath.Join(root, "missing"), nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Dir(missing) = %v; want fs.ErrNotExist", err)
	}
	if _, err := Dir(filepath.Join(root, "a.txt"), nil); !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("Dir(a file) = %v; want syscall.ENOTDIR", err)
	}
	if _, err := Dir(root, &Options{AllowSymlinksOutside: true}); err != nil {
		t.Errorf("Dir(root, AllowSymlinksOutside) = %v", err)
	}
}

// TestFSDefaults checks the defaults FS fills in.
func TestFSDefaults(t *testing.T) {
	h := FS(fstest.MapFS{}, nil)
	if h.opt.IndexFile != "index.html" || h.opt.MaxRanges != 16 || h.opt.ErrorLog == nil {
		t.Errorf("FS(nil options) = %+v; want index.html, 16 ranges, a logger", h.opt)
	}
}

// TestMapFS serves a file system that is not the OS's: ranges, sniffing
// and listings work on its fs.File values, which are not *os.File.
func TestMapFS(t *testing.T) {
	fsys := fstest.MapFS{
		"r.txt":       {Data: []byte(rangeBody), ModTime: fixedTime},
		"noext":       {Data: []byte("words"), ModTime: fixedTime},
		"d/x.txt":     {Data: []byte("x"), ModTime: fixedTime},
		"d/.hidden":   {Data: []byte("h"), ModTime: fixedTime},
		"d/sub/y.txt": {Data: []byte("y"), ModTime: fixedTime},
	}
	addr, _ := startServer(t, FS(fsys, &Options{Listing: true, ErrorLog: quietLog}))
	c := newClient(t, addr)
	if res := c.do("GET", "/r.txt", "Range: bytes=10-19"); res.status != 206 || res.body != rangeBody[10:20] {
		t.Errorf("Range on MapFS = %d %q; want 206 %q", res.status, res.body, rangeBody[10:20])
	}
	if res := c.do("GET", "/noext"); res.header.Get("Content-Type") != "text/plain; charset=utf-8" || res.body != "words" {
		t.Errorf("sniffed MapFS file = %q %q; want text/plain \"words\"", res.header.Get("Content-Type"), res.body)
	}
	res := c.do("GET", "/d/", "Accept: application/json")
	if res.status != 200 || !strings.Contains(res.body, `"name":"x.txt"`) || strings.Contains(res.body, ".hidden") {
		t.Errorf("MapFS listing = %d %s; want x.txt and no .hidden", res.status, res.body)
	}
}

// TestHandlerInRouter checks the handler behind a strand.Handler chain,
// with the status written through the chain.
func TestHandlerInRouter(t *testing.T) {
	files := mustDir(t, newFixture(t), nil)
	var seen string
	h := strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		seen = strings.Clone(r.Path)
		files.ServeHTTP(w, r)
	})
	addr, _ := startServer(t, h)
	res := newClient(t, addr).do("GET", "/a.txt")
	if res.status != 200 || seen != "/a.txt" {
		t.Errorf("GET /a.txt through a wrapper = %d (path %q); want 200", res.status, seen)
	}
	if n, _ := strconv.Atoi(res.header.Get("Content-Length")); n != len(fixture["a.txt"]) {
		t.Errorf("Content-Length = %d; want %d", n, len(fixture["a.txt"]))
	}
}

// TestZipFS serves a zip archive's file system, whose compressed entries
// read only from the start: no Seek, no ReadAt. Sniffing must not lose
// the bytes it read, and ranges are not offered (a 206 with a body the
// handler cannot produce would be truncated).
func TestZipFS(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	long := strings.Repeat("zip entry text, compressible. ", 100)
	for name, content := range map[string]string{"a.txt": long, "noext": long, "d/x.txt": "x"} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: fixedTime})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, content); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	addr, _ := startServer(t, FS(zr, &Options{Listing: true, ErrorLog: quietLog}))
	c := newClient(t, addr)
	for _, target := range []string{"/a.txt", "/noext"} {
		res := c.do("GET", target, "Range: bytes=10-19")
		if res.status != 200 || res.body != long {
			t.Errorf("GET %s with Range from a zip = %d (%d bytes); want 200 with the whole entry", target, res.status, len(res.body))
		}
		if ar := res.header.Get("Accept-Ranges"); ar != "" {
			t.Errorf("GET %s from a zip: Accept-Ranges %q; want none", target, ar)
		}
		if ct := res.header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
			t.Errorf("GET %s from a zip: Content-Type %q; want text/plain", target, ct)
		}
	}
	if res := c.do("GET", "/d/"); res.status != 200 || !strings.Contains(res.body, "x.txt") {
		t.Errorf("zip listing = %d; want 200 with x.txt", res.status)
	}
}

// TestReaderAtFS serves files that can ReadAt but not Seek: ranges read
// through a section of the file.
func TestReaderAtFS(t *testing.T) {
	fsys := readerAtFS{fstest.MapFS{"r.txt": {Data: []byte(rangeBody), ModTime: fixedTime}}}
	addr, _ := startServer(t, FS(fsys, &Options{ErrorLog: quietLog}))
	c := newClient(t, addr)
	res := c.do("GET", "/r.txt", "Range: bytes=0-1,50-54")
	parts := readByteranges(t, "ReaderAt ranges", res)
	if res.status != 206 || len(parts) != 2 || parts[0].body != rangeBody[:2] || parts[1].body != rangeBody[50:55] {
		t.Errorf("ranges of a ReaderAt file = %d %+v", res.status, parts)
	}
}

// readerAtFS hides the Seek method of its files.
type readerAtFS struct{ fsys fs.FS }

func (r readerAtFS) Open(name string) (fs.File, error) {
	f, err := r.fsys.Open(name)
	if err != nil {
		return nil, err
	}
	return readerAtFile{f.(fileReaderAt)}, nil
}

type fileReaderAt interface {
	fs.File
	io.ReaderAt
}

// readerAtFile has only the methods of fileReaderAt.
type readerAtFile struct{ fileReaderAt }

// TestLastModifiedNotInFuture guards RFC 9110 §8.8.2.1: a file with a
// modification time ahead of the clock gets Last-Modified no later than
// now.
func TestLastModifiedNotInFuture(t *testing.T) {
	root := newFixture(t)
	future := time.Now().Add(48 * time.Hour)
	if err := os.Chtimes(filepath.Join(root, "a.txt"), future, future); err != nil {
		t.Fatal(err)
	}
	addr, _ := startServer(t, mustDir(t, root, nil))
	res := newClient(t, addr).do("GET", "/a.txt")
	lm, err := time.Parse(strand.TimeFormat, res.header.Get("Last-Modified"))
	if err != nil || lm.After(time.Now()) {
		t.Errorf("Last-Modified = %q (%v); want a date no later than now", res.header.Get("Last-Modified"), err)
	}
}
