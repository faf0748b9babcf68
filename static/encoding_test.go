package static

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPrecompressed checks the choice of a precompressed sibling by
// Accept-Encoding (RFC 9110 §12.5.3): the client's q-values first, the
// server's preference (br, zstd, gzip) between equals, identity when no
// sibling is acceptable; the original's content type; Vary:
// Accept-Encoding (§12.5.5) on every response that could have varied.
func TestPrecompressed(t *testing.T) {
	root := newFixture(t)
	addr, _ := startServer(t, mustDir(t, root, nil))
	c := newClient(t, addr)
	for _, tc := range []struct {
		name   string
		target string
		accept []string // Accept-Encoding field lines
		coding string   // "" is identity
		vary   bool
	}{
		{"no Accept-Encoding: identity", "/app.js", nil, "", true},
		{"gzip", "/app.js", []string{"gzip"}, "gzip", true},
		{"server prefers br to gzip", "/app.js", []string{"gzip, br"}, "br", true},
		{"server order br, zstd, gzip", "/app.js", []string{"gzip, zstd, br"}, "br", true},
		{"zstd", "/app.js", []string{"zstd"}, "zstd", true},
		{"zstd and gzip", "/app.js", []string{"gzip, zstd"}, "zstd", true},
		{"q-values beat server preference", "/app.js", []string{"br;q=0.5, gzip;q=1"}, "gzip", true},
		{"q-values with spaces and case", "/app.js", []string{"br ; Q=0.2, zstd;q=0.9 , gzip;q=0.3"}, "zstd", true},
		{"q=0 refuses a coding", "/app.js", []string{"br;q=0, gzip"}, "gzip", true},
		{"all refused", "/app.js", []string{"br;q=0, zstd;q=0, gzip;q=0"}, "", true},
		{"* accepts every coding", "/app.js", []string{"*"}, "br", true},
		{"*;q=0 refuses the rest", "/app.js", []string{"gzip;q=0.1, *;q=0"}, "gzip", true},
		{"explicit entry beats *", "/app.js", []string{"*;q=0.1, zstd"}, "zstd", true},
		{"identity only", "/app.js", []string{"identity"}, "", true},
		{"x-gzip is gzip (§8.4.1.3)", "/app.js", []string{"x-gzip"}, "gzip", true},
		{"coding names are case-insensitive", "/app.js", []string{"GZIP"}, "gzip", true},
		{"list over two field lines (§5.3)", "/app.js", []string{"identity", "gzip"}, "gzip", true},
		{"unknown codings", "/app.js", []string{"compress, deflate"}, "", true},
		{"malformed q refuses", "/app.js", []string{"br;q=2, gzip;q=0.5"}, "gzip", true},
		{"malformed q is not covered by *", "/app.js", []string{"*, br;q=2"}, "zstd", true},
		{"identity preferred to every sibling", "/app.js", []string{"gzip;q=0.5, identity"}, "", true},
		{"identity through * preferred to br", "/app.js", []string{"*;q=0.5, br;q=0.4"}, "zstd", true},
		{"identity at equal weight gives way", "/app.js", []string{"gzip;q=0.5, identity;q=0.5"}, "gzip", true},
		{"missing sibling gives way to the next", "/only-gz.css", []string{"br, zstd, gzip"}, "gzip", true},
		{"no acceptable sibling", "/only-gz.css", []string{"br"}, "", true},
		{"no sibling at all", "/a.txt", []string{"br, gzip"}, "", true},
		{"not compressible: no sibling, no Vary", "/photo.png", []string{"gzip"}, "", false},
	} {
		fields := []string{}
		for _, a := range tc.accept {
			fields = append(fields, "Accept-Encoding: "+a)
		}
		res := c.do("GET", tc.target, fields...)
		if res.status != 200 {
			t.Errorf("%s: GET %s = %d; want 200", tc.name, tc.target, res.status)
			continue
		}
		if got := res.header.Get("Content-Encoding"); got != tc.coding {
			t.Errorf("%s: Accept-Encoding %q Content-Encoding = %q; want %q", tc.name, tc.accept, got, tc.coding)
		}
		name := strings.TrimPrefix(tc.target, "/")
		wantBody := fixture[name]
		if ext := map[string]string{"br": ".br", "zstd": ".zst", "gzip": ".gz"}[tc.coding]; ext != "" {
			wantBody = fixture[name+ext]
		}
		if res.body != wantBody {
			t.Errorf("%s: body = %q; want %q", tc.name, res.body, wantBody)
		}
		if got := res.header.Get("Content-Type"); got != typeByExtension(name) {
			t.Errorf("%s: Content-Type = %q; want the original's %q", tc.name, got, typeByExtension(name))
		}
		if got := strings.Join(res.header.Values("Vary"), ","); (got == "Accept-Encoding") != tc.vary {
			t.Errorf("%s: Vary = %q; want Accept-Encoding: %v", tc.name, got, tc.vary)
		}
		st, err := os.Stat(filepath.Join(root, name+map[string]string{"br": ".br", "zstd": ".zst", "gzip": ".gz"}[tc.coding]))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := res.header.Get("ETag"), makeETag(st.Size(), st.ModTime()); got != want {
			t.Errorf("%s: ETag = %q; want the sent file's own %q", tc.name, got, want)
		}
	}
}

// TestPrecompressedValidators checks that each representation has its own
// entity tag (RFC 9110 §8.8.3): a tag of the gzip version does not
// validate the identity one, and a 304 keeps Vary.
func TestPrecompressedValidators(t *testing.T) {
	c := serveFixture(t, nil)
	plain := c.do("GET", "/app.js").header.Get("ETag")
	gz := c.do("GET", "/app.js", "Accept-Encoding: gzip").header.Get("ETag")
	br := c.do("GET", "/app.js", "Accept-Encoding: br").header.Get("ETag")
	if plain == gz || gz == br || plain == br {
		t.Fatalf("ETags identity %s, gzip %s, br %s; want three different tags", plain, gz, br)
	}
	res := c.do("GET", "/app.js", "Accept-Encoding: gzip", "If-None-Match: "+gz)
	if res.status != 304 || res.header.Get("Vary") != "Accept-Encoding" {
		t.Errorf("If-None-Match gzip tag with gzip = %d Vary %q; want 304 with Vary", res.status, res.header.Get("Vary"))
	}
	if res := c.do("GET", "/app.js", "If-None-Match: "+gz); res.status != 200 {
		t.Errorf("If-None-Match gzip tag without gzip = %d; want 200", res.status)
	}
	// A failed precondition's plain-text body is not in the sibling's
	// coding.
	res = c.do("GET", "/app.js", "Accept-Encoding: gzip", `If-Match: "nope"`)
	if res.status != 412 || res.header.Get("Content-Encoding") != "" {
		t.Errorf("412 with gzip = %d Content-Encoding %q; want 412 without Content-Encoding", res.status, res.header.Get("Content-Encoding"))
	}
}

// TestNoPrecompressed checks the switch that turns siblings off.
func TestNoPrecompressed(t *testing.T) {
	c := serveFixture(t, &Options{NoPrecompressed: true})
	res := c.do("GET", "/app.js", "Accept-Encoding: gzip, br")
	if res.header.Get("Content-Encoding") != "" || res.body != fixture["app.js"] || res.header.Get("Vary") != "" {
		t.Errorf("NoPrecompressed: Content-Encoding %q Vary %q body %q; want the original without Vary",
			res.header.Get("Content-Encoding"), res.header.Get("Vary"), res.body)
	}
}

// TestSiblingNotRegular guards against a directory named like a sibling.
func TestSiblingNotRegular(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{"x.css": "a{}", "x.css.br/": "", "x.css.gz": "GZ"}, fixedTime)
	addr, _ := startServer(t, mustDir(t, root, nil))
	res := newClient(t, addr).do("GET", "/x.css", "Accept-Encoding: br, gzip")
	if res.header.Get("Content-Encoding") != "gzip" || res.body != "GZ" {
		t.Errorf("with a directory x.css.br: Content-Encoding %q body %q; want gzip \"GZ\"", res.header.Get("Content-Encoding"), res.body)
	}
}

// TestAcceptsEncoding checks the rank of a coding in Accept-Encoding
// (RFC 9110 §12.5.3, §12.4.2): its q-value, or 0 when identity is
// preferred to it. internal/negotiate holds the parser and its own tests;
// these guard the way static calls it.
func TestAcceptsEncoding(t *testing.T) {
	for _, tc := range []struct {
		accept, coding string
		want           int
	}{
		{"gzip", "gzip", 1000},
		{"gzip", "br", 0},
		{"gzip;q=0.5", "gzip", 500},
		{"gzip; q=0.123", "gzip", 123},
		{"gzip;q=1.000", "gzip", 1000},
		{"gzip;q=1.001", "gzip", 0},
		{"gzip;q=0", "gzip", 0},
		{"gzip;q=", "gzip", 0},
		{"gzip;q=abc", "gzip", 0},
		{"gzip;q=0.1234", "gzip", 0},
		{"gzip;q=2", "gzip", 0},
		{"gzip;q=01", "gzip", 0},
		{"gzip;q=0.", "gzip", 0},
		{"gzip;q=1.", "gzip", 1000},
		{"gzip;level=1;q=0.7", "gzip", 700},
		{"*", "br", 1000},
		{"*;q=0.3, br;q=0.9", "br", 900},
		{"br;q=0.9, *;q=0.3", "br", 900},
		{"*;q=0.3", "zstd", 300},
		{"x-gzip;q=0.8", "gzip", 800},
		{"", "gzip", 0},
		{"gzip", "identity", 0}, // not a sibling's coding
		{"gzip", "compress", 0},

		// Identity competes (RFC 9110 §12.5.3): a coding it outweighs
		// ranks 0. Before internal/negotiate, static ignored identity.
		{"gzip;q=0.5, identity", "gzip", 0},
		{"gzip;q=0.5, identity;q=0.5", "gzip", 500},
		{"*;q=0.5, br;q=0.4", "br", 0},
		{"*;q=0.5, br;q=0.4", "zstd", 500},
		{"identity;q=0, gzip;q=0.2", "gzip", 200},

		// Where static's old parser and the middleware's differed
		// (internal/negotiate's tests explain each choice).
		{"*, gzip;q=2", "gzip", 0},
		{"gzip;q=0.1;q=1", "gzip", 100}, // the first q counts
		{"*;q=0.2, *;q=0.9", "br", 200}, // the first "*" counts
		{"z\u017ftd", "zstd", 0},        // ASCII case folding only
		{"gzip\u00a0", "gzip", 0},       // OWS is SP and HTAB only
	} {
		if got := acceptsEncoding(tc.accept, tc.coding); got != tc.want {
			t.Errorf("acceptsEncoding(%q, %q) = %d; want %d", tc.accept, tc.coding, got, tc.want)
		}
	}
}

// TestAcceptsEncodingAllocs guards the zero-allocation parse of
// Accept-Encoding on every request for a compressible file.
func TestAcceptsEncodingAllocs(t *testing.T) {
	const accept = "gzip, deflate, br;q=0.9, zstd, identity;q=0.1"
	allocs := testing.AllocsPerRun(100, func() {
		for _, p := range precompressed {
			_ = acceptsEncoding(accept, p.coding)
		}
	})
	if allocs != 0 {
		t.Errorf("acceptsEncoding for every sibling: %v allocations; want 0", allocs)
	}
}
