package strand

import (
	"bufio"
	"net/http"
	"strings"
	"testing"

	"github.com/strandhttp/strand/internal/http1"
)

// FuzzRequestPath checks Request.fill, the step after the codec: for a
// request-target the codec accepts, Path (percent-decoded) and RawQuery
// must be what net/url makes of the same target, as net/http's ReadRequest
// reports it. The codec itself is fuzzed against net/http in
// internal/http1; this covers the decoding done here.
func FuzzRequestPath(f *testing.F) {
	for _, s := range []string{
		"/", "/a/b?c=d", "/%41%2f%2F?%41", "/a%20b/c+d?e+f", "http://h/p?q", "http://h", "http://h?q",
		"HTTP://H:80/x", "/?", "/??", "/a?b?c", "/%C3%A9", "//x//y", "/a/./b/../c",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, target string) {
		in := "GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n"
		var h http1.Head
		if err := http1.ParseHead([]byte(in), &h, http1.Limits{}); err != nil {
			return
		}
		var r Request
		r.fill(&h)
		nr, err := http.ReadRequest(bufio.NewReader(strings.NewReader(in)))
		if err != nil {
			return // a target net/http refuses: the differences are internal/http1's table
		}
		wantPath := nr.URL.Path
		if wantPath == "" {
			wantPath = "/" // "http://h" and "http://h?q": Strand names the root
		}
		if r.Path != wantPath || r.RawQuery != nr.URL.RawQuery {
			t.Fatalf("target %q: Path %q, RawQuery %q; net/url: %q, %q", target, r.Path, r.RawQuery, wantPath, nr.URL.RawQuery)
		}
	})
}
