package static

import (
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/internal/testclock"
)

// useFakeClock gives h a clock that starts at the real time and moves
// only when told.
func useFakeClock(h *Handler) *testclock.Clock {
	c := testclock.New(time.Now())
	h.now = c.Now
	return c
}

// warm requests target twice: a file is loaded on its second miss.
func warm(c *client, target string, fields ...string) *result {
	c.t.Helper()
	c.do("GET", target, fields...)
	return c.do("GET", target, fields...)
}

// countOpens wraps h's opener to count the files it opens.
func countOpens(h *Handler) *atomic.Int64 {
	var n atomic.Int64
	open := h.open
	h.open = func(name string) (fs.File, error) {
		n.Add(1)
		return open(name)
	}
	return &n
}

// cacheCorpus are requests whose answers must not depend on the cache:
// preconditions, ranges, precompressed siblings, HEAD, index files,
// sniffed types, errors.
var cacheCorpus = [][]string{
	{"GET", "/a.txt"},
	{"HEAD", "/a.txt"},
	{"GET", "/empty.txt"},
	{"GET", "/r.txt", "Range: bytes=0-4"},
	{"GET", "/r.txt", "Range: bytes=-5"},
	{"GET", "/r.txt", "Range: bytes=0-1,5-6,90-"},
	{"GET", "/r.txt", "Range: bytes=200-"},
	{"HEAD", "/r.txt", "Range: bytes=0-4"},
	{"GET", "/r.txt", "Range: bytes=0-4", "If-Range: \"nope\""},
	{"GET", "/r.txt", "Range: bytes=0-4", "If-Range: Tue, 05 Mar 2024 06:07:08 GMT"},
	{"GET", "/r.txt", "If-Modified-Since: Tue, 05 Mar 2024 06:07:08 GMT"},
	{"GET", "/r.txt", "If-Modified-Since: Tue, 05 Mar 2024 06:07:07 GMT"},
	{"GET", "/r.txt", "If-Unmodified-Since: Tue, 05 Mar 2024 06:07:07 GMT"},
	{"GET", "/r.txt", "If-Match: \"other\""},
	{"GET", "/r.txt", "If-None-Match: *"},
	{"HEAD", "/r.txt", "If-None-Match: \"a\"", "If-None-Match: *"},
	{"GET", "/app.js"},
	{"GET", "/app.js", "Accept-Encoding: gzip, br"},
	{"GET", "/app.js", "Accept-Encoding: zstd"},
	{"GET", "/app.js", "Accept-Encoding: gzip;q=0.5", "Accept-Encoding: zstd;q=0.1"},
	{"GET", "/app.js", "Accept-Encoding: br", "Range: bytes=0-1"},
	{"GET", "/app.js", "Accept-Encoding: br", "If-Match: \"x\""},
	{"GET", "/only-gz.css", "Accept-Encoding: br, gzip"},
	{"GET", "/only-gz.css", "Accept-Encoding: br"},
	{"GET", "/photo.png", "Accept-Encoding: gzip"},
	{"GET", "/noext"},
	{"GET", "/binary"},
	{"GET", "/htmlish"},
	{"GET", "/UPPER.JPG"},
	{"GET", "/docs/"},
	{"HEAD", "/docs/"},
	{"GET", "/docs"},
	{"GET", "/docs/index.html"},
	{"GET", "/a.txt/"},
	{"GET", "/.env"},
	{"GET", "/.well-known/security.txt"},
	{"GET", "/a%20b/c.txt"},
	{"GET", "/missing.txt"},
	{"POST", "/a.txt"},
}

// TestCacheMatchesFileSystem sends the corpus, three times, to a Dir
// handler with the cache and to one without: every answer must be the
// same, from the first (a miss), the second (the miss that loads the
// entry) and the third (a hit).
func TestCacheMatchesFileSystem(t *testing.T) {
	root := newFixture(t)
	opts := Options{CacheControl: []CacheRule{{Pattern: "*.html", Value: "no-cache"}}}
	off := opts
	off.CacheMaxBytes = -1
	hOff := mustDir(t, root, &off)
	if hOff.cache != nil {
		t.Fatal("CacheMaxBytes -1 left the cache on")
	}
	addrOff, _ := startServer(t, hOff)
	hOn := mustDir(t, root, &opts)
	addrOn, _ := startServer(t, hOn)
	cOff, cOn := newClient(t, addrOff), newClient(t, addrOn)
	for round := range 3 { // the miss, the load, the hit
		for _, req := range cacheCorpus {
			want := cOff.do(req[0], req[1], req[2:]...)
			got := cOn.do(req[0], req[1], req[2:]...)
			if d := diffResults(got, want); d != "" {
				t.Errorf("round %d, %q: with the cache %s", round, req, d)
			}
		}
	}
	if n, _ := hOn.cache.stats(); n == 0 {
		t.Error("the cache holds no entry after the corpus")
	}
}

// diffResults describes how got differs from want (Date aside).
func diffResults(got, want *result) string {
	if got.status != want.status {
		return fmt.Sprintf("status %d; without %d", got.status, want.status)
	}
	if got.body != want.body && !strings.HasPrefix(want.header.Get("Content-Type"), "multipart/byteranges") {
		return fmt.Sprintf("body %.80q; without %.80q", got.body, want.body)
	}
	for _, h := range []http.Header{got.header, want.header} {
		h.Del("Date")
	}
	// A multipart boundary is random: bodies are compared without it.
	if ct := want.header.Get("Content-Type"); strings.HasPrefix(ct, "multipart/byteranges") {
		_, wb, _ := strings.Cut(ct, "boundary=")
		_, gb, _ := strings.Cut(got.header.Get("Content-Type"), "boundary=")
		if strings.ReplaceAll(got.body, gb, "B") != strings.ReplaceAll(want.body, wb, "B") {
			return fmt.Sprintf("multipart body %q; without %q", got.body, want.body)
		}
		got.header.Del("Content-Type")
		want.header.Del("Content-Type")
	}
	for k, v := range want.header {
		if !slices.Equal(got.header[k], v) {
			return fmt.Sprintf("%s: %q; without %q", k, got.header[k], v)
		}
	}
	for k, v := range got.header {
		if _, ok := want.header[k]; !ok {
			return fmt.Sprintf("%s: %q; without none", k, v)
		}
	}
	return ""
}

// TestCacheHitOpensNoFile checks that the first miss is served from the
// file system, the second loads the entry, hits are answered without the
// file system, and the check after cacheValidity opens the file and its
// siblings once.
func TestCacheHitOpensNoFile(t *testing.T) {
	h := mustDir(t, newFixture(t), nil)
	clock := useFakeClock(h)
	opens := countOpens(h)
	addr, _ := startServer(t, h)
	c := newClient(t, addr)
	for _, tc := range []struct {
		target             string
		fields             []string
		miss, load, reload int64 // files opened by the misses and by the check
	}{
		{"/photo.png", nil, 1, 1, 1},                          // not compressible: no siblings
		{"/a.txt", nil, 1, 4, 4},                              // and a.txt.br, .zst, .gz, absent
		{"/app.js", []string{"Accept-Encoding: br"}, 2, 4, 4}, // and app.js.br, .zst, .gz
		{"/docs/", nil, 2, 5, 4},                              // docs, then docs/index.html and its three
	} {
		for i, want := range []int64{tc.miss, tc.load} {
			opens.Store(0)
			c.do("GET", tc.target, tc.fields...)
			if got := opens.Load(); got != want {
				t.Errorf("GET %s (miss %d) opened %d files; want %d", tc.target, i+1, got, want)
			}
		}
		first := c.do("GET", tc.target, tc.fields...)
		opens.Store(0)
		for range 3 {
			if res := c.do("GET", tc.target, tc.fields...); diffResults(res, first) != "" {
				t.Errorf("GET %s from the cache: %s", tc.target, diffResults(res, first))
			}
		}
		if got := opens.Load(); got != 0 {
			t.Errorf("GET %s three times from the cache opened %d files; want 0", tc.target, got)
		}
		clock.Advance(cacheValidity)
		c.do("GET", tc.target, tc.fields...)
		c.do("GET", tc.target, tc.fields...)
		if got := opens.Load(); got != tc.reload {
			t.Errorf("GET %s twice after %v opened %d files; want %d (one check)", tc.target, cacheValidity, got, tc.reload)
		}
	}
}

// TestCacheAdmission checks the doorkeeper: a file requested once is not
// loaded, and a scan of files requested once does not evict the files
// requested again.
func TestCacheAdmission(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{"hot.txt": "hot"}
	for i := range 200 {
		files[fmt.Sprintf("cold%03d.txt", i)] = strings.Repeat("c", 500)
	}
	writeTree(t, root, files, fixedTime)
	h := mustDir(t, root, &Options{CacheMaxBytes: 4 * (entryOverhead + 520)})
	addr, _ := startServer(t, h)
	c := newClient(t, addr)
	warm(c, "/hot.txt")
	for i := range 200 {
		c.do("GET", fmt.Sprintf("/cold%03d.txt", i))
		c.do("GET", "/hot.txt")
	}
	h.cache.mu.RLock()
	defer h.cache.mu.RUnlock()
	if _, ok := h.cache.m["hot.txt"]; !ok || len(h.cache.m) != 1 {
		t.Errorf("after a scan of 200 files requested once: %d entries, hot.txt among them %v; want hot.txt alone", len(h.cache.m), ok)
	}
}

// TestCacheRevalidation changes files on disk in the ways a cache could
// miss, and checks that each is served in its old version until
// cacheValidity has passed (the documented staleness), then in its new.
func TestCacheRevalidation(t *testing.T) {
	for _, tc := range []struct {
		name   string
		target string
		fields []string
		change func(t *testing.T, root string)
		before string // body served before the change
		after  string // and after; "404" for a 404
	}{
		{"rewritten, another size", "/a.txt", nil, func(t *testing.T, root string) {
			writeTree(t, root, map[string]string{"a.txt": "goodbye, world\n"}, fixedTime)
		}, "hello, world\n", "goodbye, world\n"},
		{"rewritten, same size and time", "/a.txt", nil, func(t *testing.T, root string) {
			if runtime.GOOS != "linux" {
				t.Skip("only Linux tells versions of the same size and time apart (inode, change time)")
			}
			time.Sleep(20 * time.Millisecond) // past the file system's timestamp granularity
			writeTree(t, root, map[string]string{"a.txt": "HELLO, WORLD\n"}, fixedTime)
		}, "hello, world\n", "HELLO, WORLD\n"},
		{"replaced by rename", "/a.txt", nil, func(t *testing.T, root string) {
			if runtime.GOOS != "linux" {
				t.Skip("only Linux tells versions of the same size and time apart (inode, change time)")
			}
			tmp := filepath.Join(t.TempDir(), "new")
			writeTree(t, filepath.Dir(tmp), map[string]string{"new": "HELLO, WORLD\n"}, fixedTime)
			if err := os.Rename(tmp, filepath.Join(root, "a.txt")); err != nil {
				t.Fatal(err)
			}
		}, "hello, world\n", "HELLO, WORLD\n"},
		{"deleted", "/a.txt", nil, func(t *testing.T, root string) {
			if err := os.Remove(filepath.Join(root, "a.txt")); err != nil {
				t.Fatal(err)
			}
		}, "hello, world\n", "404"},
		{"index deleted", "/docs/", nil, func(t *testing.T, root string) {
			if err := os.Remove(filepath.Join(root, "docs", "index.html")); err != nil {
				t.Fatal(err)
			}
		}, "<h1>docs</h1>\n", "404"},
		{"sibling added", "/only-gz.css", []string{"Accept-Encoding: br, gzip"}, func(t *testing.T, root string) {
			writeTree(t, root, map[string]string{"only-gz.css.br": "BR"}, fixedTime)
		}, "GZ", "BR"},
		{"sibling removed", "/app.js", []string{"Accept-Encoding: br, gzip"}, func(t *testing.T, root string) {
			if err := os.Remove(filepath.Join(root, "app.js.br")); err != nil {
				t.Fatal(err)
			}
		}, "BR-BYTES", "GZIP-BYTES!"},
		{"sibling rewritten", "/app.js", []string{"Accept-Encoding: br"}, func(t *testing.T, root string) {
			writeTree(t, root, map[string]string{"app.js.br": "NEW-BR"}, fixedTime)
		}, "BR-BYTES", "NEW-BR"},
		{"sibling grown past the cache", "/app.js", []string{"Accept-Encoding: br"}, func(t *testing.T, root string) {
			writeTree(t, root, map[string]string{"app.js.br": strings.Repeat("b", maxCachedFile+1)}, fixedTime)
		}, "BR-BYTES", strings.Repeat("b", maxCachedFile+1)},
		{"made a directory", "/a.txt", nil, func(t *testing.T, root string) {
			if err := os.Remove(filepath.Join(root, "a.txt")); err != nil {
				t.Fatal(err)
			}
			writeTree(t, root, map[string]string{"a.txt/": ""}, fixedTime)
		}, "hello, world\n", "301"},
	} {
		for _, osRoot := range []bool{false, true} {
			name := tc.name
			if osRoot {
				name += ", os.Root"
			}
			t.Run(name, func(t *testing.T) {
				root := newFixture(t)
				h := mustDir(t, root, nil)
				if osRoot {
					h.open = h.fsys.Open // the opener where openat2 is missing
				}
				clock := useFakeClock(h)
				addr, _ := startServer(t, h)
				c := newClient(t, addr)
				check := func(when, want string) {
					t.Helper()
					res := c.do("GET", tc.target, tc.fields...)
					switch want {
					case "404", "301":
						if fmt.Sprint(res.status) != want {
							t.Errorf("GET %s %s: %d %.40q; want %s", tc.target, when, res.status, res.body, want)
						}
					default:
						if res.status != 200 || res.body != want {
							t.Errorf("GET %s %s: %d %.40q; want 200 %.40q", tc.target, when, res.status, res.body, want)
						}
					}
				}
				check("before the change", tc.before)
				check("before the change, again", tc.before) // the second miss loads it
				tc.change(t, root)
				clock.Advance(cacheValidity / 2)
				check("within the validity period", tc.before)
				clock.Advance(cacheValidity / 2)
				check("after the validity period", tc.after)
				check("again", tc.after)
			})
		}
	}
}

// TestCacheBound fills a small cache past its bound: the entries' cost
// stays under it, and every answer is right.
func TestCacheBound(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{}
	for i := range 40 {
		files[fmt.Sprintf("f%02d.txt", i)] = strings.Repeat(string(rune('a'+i%26)), 1000+i)
	}
	writeTree(t, root, files, fixedTime)
	const max = 5 * (1100 + entryOverhead)
	h := mustDir(t, root, &Options{CacheMaxBytes: max})
	addr, _ := startServer(t, h)
	c := newClient(t, addr)
	for round := range 3 {
		for i := range 40 {
			name := fmt.Sprintf("f%02d.txt", i)
			if res := c.do("GET", "/"+name); res.status != 200 || res.body != files[name] {
				t.Fatalf("round %d: GET /%s = %d, %d bytes; want 200 with its %d", round, name, res.status, len(res.body), len(files[name]))
			}
			if n, cost := h.cache.stats(); cost > max {
				t.Fatalf("round %d, after %s: %d entries of %d bytes; want at most %d bytes", round, name, n, cost, max)
			}
		}
	}
	if n, cost := h.cache.stats(); n < 4 || cost < max-2000 {
		t.Errorf("%d entries, %d bytes, in a cache of %d bytes after 120 files; want it about full", n, cost, max)
	}
}

// TestCacheClock checks the eviction order: an entry hit since the hand
// last passed survives the next eviction, one not hit goes.
func TestCacheClock(t *testing.T) {
	c := newFileCache(3 * 100)
	put := func(name string) {
		c.put(&cacheEntry{key: name, cost: 100, idx: -1})
	}
	has := func(names ...string) string {
		var got []string
		for _, n := range []string{"a", "b", "c", "d", "e"} {
			c.mu.RLock()
			_, ok := c.m[n]
			c.mu.RUnlock()
			if ok {
				got = append(got, n)
			}
		}
		return strings.Join(got, ",")
	}
	put("a")
	put("b")
	put("c")
	c.get("a")
	put("d") // a is referenced: b goes
	if got := has(); got != "a,c,d" {
		t.Fatalf("after a hit on a and a put of d: %s; want a,c,d", got)
	}
	c.get("d")
	put("e") // a's bit was cleared by the last sweep; d's is set
	if got := has(); strings.Contains(got, "d") == false || len(strings.Split(got, ",")) != 3 {
		t.Fatalf("after a hit on d and a put of e: %s; want d kept, 3 entries", got)
	}
	c.put(&cacheEntry{key: "huge", cost: 301, idx: -1})
	if n, cost := c.stats(); n != 3 || cost != 300 {
		t.Errorf("an entry larger than the bound: %d entries, %d bytes; want it refused", n, cost)
	}
	// Replacing an entry of the same name keeps one.
	put("e")
	if n, _ := c.stats(); n != 3 {
		t.Errorf("after replacing e: %d entries; want 3", n)
	}
}

// TestCacheLimits checks what is not cached: a file over maxCachedFile,
// every file with a negative CacheMaxBytes, FS handlers.
func TestCacheLimits(t *testing.T) {
	root := t.TempDir()
	big := strings.Repeat("x", maxCachedFile+1)
	writeTree(t, root, map[string]string{"big.txt": big, "edge.txt": big[1:]}, fixedTime)
	h := mustDir(t, root, nil)
	addr, _ := startServer(t, h)
	c := newClient(t, addr)
	for _, name := range []string{"big.txt", "edge.txt"} {
		if res := warm(c, "/"+name); res.status != 200 || len(res.body) != len(big)-len(name)+len("big.txt") {
			t.Fatalf("GET /%s = %d, %d bytes", name, res.status, len(res.body))
		}
	}
	h.cache.mu.RLock()
	_, bigIn := h.cache.m["big.txt"]
	_, edgeIn := h.cache.m["edge.txt"]
	h.cache.mu.RUnlock()
	if bigIn || !edgeIn {
		t.Errorf("cached: big.txt (%d bytes) %v, edge.txt (%d bytes) %v; want false, true", len(big), bigIn, len(big)-1, edgeIn)
	}
	if FS(os.DirFS(root), nil).cache != nil {
		t.Error("an FS handler has a cache; want none")
	}
}

// TestCacheLargeSibling checks a small file whose chosen sibling is too
// large to cache: that sibling comes from the file system, whole; the
// file itself still from the cache.
func TestCacheLargeSibling(t *testing.T) {
	root := t.TempDir()
	br := strings.Repeat("B", maxCachedFile*2)
	writeTree(t, root, map[string]string{"x.js": "let x\n", "x.js.br": br, "x.js.gz": "GZ"}, fixedTime)
	h := mustDir(t, root, nil)
	addr, _ := startServer(t, h)
	c := newClient(t, addr)
	for range 2 {
		if res := c.do("GET", "/x.js", "Accept-Encoding: br, gzip"); res.header.Get("Content-Encoding") != "br" || res.body != br {
			t.Errorf("GET /x.js br: Content-Encoding %q, %d bytes; want br, %d", res.header.Get("Content-Encoding"), len(res.body), len(br))
		}
		if res := c.do("GET", "/x.js", "Accept-Encoding: gzip"); res.header.Get("Content-Encoding") != "gzip" || res.body != "GZ" {
			t.Errorf("GET /x.js gzip: Content-Encoding %q, %q; want gzip, GZ", res.header.Get("Content-Encoding"), res.body)
		}
		if res := c.do("GET", "/x.js"); res.body != "let x\n" {
			t.Errorf("GET /x.js = %q; want the file", res.body)
		}
	}
	if n, _ := h.cache.stats(); n != 1 {
		t.Errorf("%d entries; want 1, x.js", n)
	}
}

// TestCacheConcurrent serves files from many connections while they are
// rewritten and the clock moves: every answer must be one whole version
// of its file, with a Content-Length and ETag of that version. Run with
// -race, it also checks the cache's locking.
func TestCacheConcurrent(t *testing.T) {
	root := t.TempDir()
	version := func(name string, v int) string {
		return strings.Repeat(fmt.Sprintf("%s-v%d;", name, v), 10+v%7)
	}
	names := []string{"a.txt", "b.css", "c.html", "d.bin"}
	files := map[string]string{}
	for _, n := range names {
		files[n] = version(n, 0)
	}
	files["b.css.gz"] = "GZ0"
	writeTree(t, root, files, fixedTime)
	h := mustDir(t, root, &Options{CacheMaxBytes: 3 * (entryOverhead + 200)}) // room for some, so entries come and go
	clock := useFakeClock(h)
	addr, _ := startServer(t, h)

	const versions = 30
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(done)
		for v := 1; v <= versions; v++ {
			for _, n := range names {
				p := filepath.Join(root, n)
				tmp := p + ".tmp"
				if err := os.WriteFile(tmp, []byte(version(n, v)), 0o644); err != nil {
					t.Error(err)
					return
				}
				mod := fixedTime.Add(time.Duration(v) * time.Second)
				if err := os.Chtimes(tmp, mod, mod); err != nil {
					t.Error(err)
					return
				}
				if err := os.Rename(tmp, p); err != nil {
					t.Error(err)
					return
				}
			}
			clock.Advance(cacheValidity / 3)
			time.Sleep(time.Millisecond)
		}
	})
	for g := range 6 {
		wg.Go(func() {
			c := newClient(t, addr)
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				n := names[(g+i)%len(names)]
				var fields []string
				if i%3 == 0 {
					fields = append(fields, "Accept-Encoding: gzip")
				}
				res := c.do("GET", "/"+n, fields...)
				if res.status != 200 {
					t.Errorf("GET /%s = %d", n, res.status)
					return
				}
				if res.header.Get("Content-Encoding") == "gzip" {
					continue
				}
				v := -1
				for k := range versions + 1 {
					if res.body == version(n, k) {
						v = k
					}
				}
				if v < 0 {
					t.Errorf("GET /%s = %.60q; want a whole version", n, res.body)
					return
				}
				mod := fixedTime.Add(time.Duration(v) * time.Second)
				if etag := makeETag(int64(len(res.body)), mod); res.header.Get("ETag") != etag {
					t.Errorf("GET /%s version %d: ETag %q; want %q", n, v, res.header.Get("ETag"), etag)
					return
				}
			}
		})
	}
	wg.Wait()
	// After the last change and one validity period, the last version.
	clock.Advance(cacheValidity)
	c := newClient(t, addr)
	for _, n := range names {
		if res := c.do("GET", "/"+n); res.body != version(n, versions) {
			t.Errorf("GET /%s at the end = %.40q; want version %d", n, res.body, versions)
		}
	}
}

// TestCachedHitAllocs is the allocation budget of a hit: none, for a
// plain GET and for a 304.
func TestCachedHitAllocs(t *testing.T) {
	h := mustDir(t, newFixture(t), nil)
	w := &discardWriter{}
	r := &strand.Request{Method: "GET", Path: "/page.html", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
	h.ServeHTTP(w, r) // a miss
	w.reset()
	h.ServeHTTP(w, r) // the miss that loads
	if w.status != 200 || w.n != int64(len(fixture["page.html"])) {
		t.Fatalf("GET /page.html: %d, %d bytes", w.status, w.n)
	}
	etag := w.header.Get("Etag")
	if n := testing.AllocsPerRun(100, func() { w.reset(); h.ServeHTTP(w, r) }); n != 0 {
		t.Errorf("GET from the cache: %v allocations; want 0", n)
	}
	r.Header.Add("If-None-Match", etag)
	r.Header.Add("Accept-Encoding", "gzip, deflate, br")
	if n := testing.AllocsPerRun(100, func() { w.reset(); h.ServeHTTP(w, r) }); n != 0 || w.status != 304 {
		t.Errorf("GET with a matching If-None-Match from the cache: %d, %v allocations; want 304, 0", w.status, n)
	}
}

// discardWriter is a ResponseWriter that counts the body.
type discardWriter struct {
	header strand.Header
	status int
	n      int64
}

func (w *discardWriter) reset()                 { w.header.Reset(); w.status, w.n = 0, 0 }
func (w *discardWriter) Header() *strand.Header { return &w.header }
func (w *discardWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *discardWriter) Write(p []byte) (int, error) {
	w.WriteHeader(200)
	w.n += int64(len(p))
	return len(p), nil
}

func (w *discardWriter) WriteString(s string) (int, error) {
	w.WriteHeader(200)
	w.n += int64(len(s))
	return len(s), nil
}
