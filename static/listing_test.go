package static

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// listingFile is one entry of the listing fixture.
type listingFile struct {
	name string // a trailing "/" makes a directory
	size int64
	mod  time.Duration // after fixedTime
}

// listingFiles exercise the page: escaping (<&>", '?', '#', '%', ':'),
// non-ASCII names, sizes in each unit, dotfiles, directories.
var listingFiles = []listingFile{
	{"a.txt", 10, 1 * time.Hour},
	{"b.txt", 1536, 2 * time.Hour},
	{"C.md", 5 << 20, 0},
	{"colon:name", 3, 5 * time.Hour},
	{"q?#%.txt", 4, 6 * time.Hour},
	{"ünï.txt", 7, 7 * time.Hour},
	{`weird <&>".txt`, 1023, 4 * time.Hour},
	{".hidden", 1, 8 * time.Hour},
	{"sub dir/", 0, 30 * time.Minute},
	{"z-dir/", 0, 3 * time.Hour},
}

// newListingTree writes listingFiles under root/l and returns root.
func newListingTree(t testing.TB) string {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "l")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, lf := range listingFiles {
		p := filepath.Join(dir, strings.TrimSuffix(lf.name, "/"))
		if strings.HasSuffix(lf.name, "/") {
			if err := os.Mkdir(p, 0o755); err != nil {
				t.Fatal(err)
			}
		} else {
			f, err := os.Create(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Truncate(lf.size); err != nil {
				t.Fatal(err)
			}
			f.Close()
		}
		mod := fixedTime.Add(lf.mod)
		if err := os.Chtimes(p, mod, mod); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// TestListingGolden compares the HTML listing with testdata/listing.golden
// (go test -run TestListingGolden -update rewrites it).
func TestListingGolden(t *testing.T) {
	c := serveListing(t, nil)
	res := c.do("GET", "/l/")
	if res.status != 200 {
		t.Fatalf("GET /l/ = %d; want 200", res.status)
	}
	for k, v := range map[string]string{
		"Content-Type":  "text/html; charset=utf-8",
		"Cache-Control": "no-cache",
		"Vary":          "Accept",
	} {
		if got := res.header.Get(k); got != v {
			t.Errorf("listing %s = %q; want %q", k, got, v)
		}
	}
	golden := filepath.Join("testdata", "listing.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(res.body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if res.body != string(want) {
		t.Errorf("listing differs from %s (run with -update if the change is intended):\n%s", golden, lineDiff(string(want), res.body))
	}
}

// lineDiff shows the first differing line of two texts.
func lineDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(wl), len(gl)) {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want " + strconv.Quote(w) + "\n  got  " + strconv.Quote(g)
		}
	}
	return ""
}

func serveListing(t testing.TB, opt *Options) *client {
	t.Helper()
	if opt == nil {
		opt = &Options{}
	}
	opt.Listing = true
	addr, _ := startServer(t, mustDir(t, newListingTree(t), opt))
	return newClient(t, addr)
}

// TestListingJSON checks the JSON variant, chosen by Accept.
func TestListingJSON(t *testing.T) {
	c := serveListing(t, nil)
	res := c.do("GET", "/l/", "Accept: application/json")
	if res.status != 200 || res.header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /l/ as JSON = %d %q; want 200 application/json", res.status, res.header.Get("Content-Type"))
	}
	if res.header.Get("Content-Length") != strconv.Itoa(len(res.body)) {
		t.Errorf("Content-Length %q for %d bytes", res.header.Get("Content-Length"), len(res.body))
	}
	var got listing
	if err := json.Unmarshal([]byte(res.body), &got); err != nil {
		t.Fatalf("decoding %s: %v", res.body, err)
	}
	if got.Path != "/l/" || got.Truncated {
		t.Errorf("path %q truncated %v; want /l/ false", got.Path, got.Truncated)
	}
	byName := map[string]listingFile{}
	for _, lf := range listingFiles {
		byName[strings.TrimSuffix(lf.name, "/")] = lf
	}
	if len(got.Entries) != len(listingFiles)-1 {
		t.Errorf("%d entries; want %d (all but .hidden)", len(got.Entries), len(listingFiles)-1)
	}
	for _, e := range got.Entries {
		lf, ok := byName[e.Name]
		if !ok || strings.HasPrefix(e.Name, ".") {
			t.Errorf("unexpected entry %q", e.Name)
			continue
		}
		dir := strings.HasSuffix(lf.name, "/")
		if e.Dir != dir || (!dir && e.Size != lf.size) || !e.Modified.Equal(fixedTime.Add(lf.mod)) {
			t.Errorf("entry %+v; want dir %v size %d modified %v", e, dir, lf.size, fixedTime.Add(lf.mod))
		}
	}
	// Browsers ask for HTML first; JSON only when it is preferred alone.
	for _, accept := range []string{"text/html, application/json", "*/*", ""} {
		fields := []string{}
		if accept != "" {
			fields = append(fields, "Accept: "+accept)
		}
		if res := c.do("GET", "/l/", fields...); !strings.HasPrefix(res.header.Get("Content-Type"), "text/html") {
			t.Errorf("Accept %q: Content-Type %q; want HTML", accept, res.header.Get("Content-Type"))
		}
	}
	// An empty directory lists as [], not null.
	res = c.do("GET", "/l/z-dir/", "Accept: application/json")
	if !strings.Contains(res.body, `"entries":[]`) {
		t.Errorf("empty directory JSON = %s; want \"entries\":[]", res.body)
	}
}

// TestListingSort checks the orders of ?sort= and ?order=: directories
// first, then by the key, names breaking ties, case folded.
func TestListingSort(t *testing.T) {
	c := serveListing(t, nil)
	for _, tc := range []struct {
		query string
		want  string
	}{
		{"", "sub dir,z-dir,a.txt,b.txt,C.md,colon:name,q?#%.txt,weird <&>\".txt,ünï.txt"},
		{"?sort=name", "sub dir,z-dir,a.txt,b.txt,C.md,colon:name,q?#%.txt,weird <&>\".txt,ünï.txt"},
		{"?sort=name&order=desc", "z-dir,sub dir,ünï.txt,weird <&>\".txt,q?#%.txt,colon:name,C.md,b.txt,a.txt"},
		{"?sort=size", "sub dir,z-dir,colon:name,q?#%.txt,ünï.txt,a.txt,weird <&>\".txt,b.txt,C.md"},
		{"?sort=size&order=asc", "sub dir,z-dir,colon:name,q?#%.txt,ünï.txt,a.txt,weird <&>\".txt,b.txt,C.md"},
		{"?sort=size&order=desc", "z-dir,sub dir,C.md,b.txt,weird <&>\".txt,a.txt,ünï.txt,q?#%.txt,colon:name"},
		{"?sort=modified", "sub dir,z-dir,C.md,a.txt,b.txt,weird <&>\".txt,colon:name,q?#%.txt,ünï.txt"},
		{"?sort=modified&order=desc", "z-dir,sub dir,ünï.txt,q?#%.txt,colon:name,weird <&>\".txt,b.txt,a.txt,C.md"},
		{"?sort=bogus&order=desc", "z-dir,sub dir,ünï.txt,weird <&>\".txt,q?#%.txt,colon:name,C.md,b.txt,a.txt"},
	} {
		res := c.do("GET", "/l/"+tc.query, "Accept: application/json")
		var l listing
		if err := json.Unmarshal([]byte(res.body), &l); err != nil {
			t.Fatalf("%s: %v", tc.query, err)
		}
		var names []string
		for _, e := range l.Entries {
			names = append(names, e.Name)
		}
		if got := strings.Join(names, ","); got != tc.want {
			t.Errorf("GET /l/%s order:\n  got  %s\n  want %s", tc.query, got, tc.want)
		}
	}
	// The HTML header links flip the order of the current key and mark it.
	res := c.do("GET", "/l/?sort=size")
	for _, want := range []string{
		`href="?sort=size&amp;order=desc">Size ↑</a>`,
		`href="?sort=name&amp;order=asc">Name</a>`,
		`href="?sort=modified&amp;order=asc">Modified</a>`,
	} {
		if !strings.Contains(res.body, want) {
			t.Errorf("?sort=size page lacks %q", want)
		}
	}
	res = c.do("GET", "/l/?sort=modified&order=desc")
	if !strings.Contains(res.body, `href="?sort=modified&amp;order=asc">Modified ↓</a>`) {
		t.Errorf("?sort=modified&order=desc page lacks the ↓ mark and the flip link")
	}
}

// TestListingOptions checks HEAD, the root (no parent link), hidden
// entries with ShowHidden, and that listings are off by default.
func TestListingOptions(t *testing.T) {
	c := serveListing(t, nil)
	if res := c.do("HEAD", "/l/"); res.status != 200 || res.body != "" || res.header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("HEAD /l/ = %d %q %q; want 200, HTML type, no body", res.status, res.header.Get("Content-Type"), res.body)
	}
	if res := c.do("HEAD", "/l/", "Accept: application/json"); res.status != 200 || res.body != "" || res.header.Get("Content-Length") == "" {
		t.Errorf("HEAD /l/ JSON = %d Content-Length %q; want 200 with the length", res.status, res.header.Get("Content-Length"))
	}
	res := c.do("GET", "/")
	if res.status != 200 || strings.Contains(res.body, `href="../"`) || !strings.Contains(res.body, `href="l/"`) {
		t.Errorf("GET / listing = %d; want no parent link and l/", res.status)
	}
	if res := c.do("GET", "/l/"); !strings.Contains(res.body, `<a href="../">../</a>`) || strings.Contains(res.body, ".hidden") {
		t.Errorf("GET /l/ listing: want a parent link and no .hidden")
	}
	show := serveListing(t, &Options{ShowHidden: true})
	if res := show.do("GET", "/l/"); !strings.Contains(res.body, ".hidden") {
		t.Errorf("ShowHidden listing lacks .hidden")
	}
	off := serveFixture(t, nil)
	if res := off.do("GET", "/list/"); res.status != 404 {
		t.Errorf("listing off: GET /list/ = %d; want 404", res.status)
	}
}

// TestListingTruncated checks the bound on entries.
func TestListingTruncated(t *testing.T) {
	fsys := fstest.MapFS{}
	for i := range maxListing + 1 {
		fsys["d/f"+strconv.Itoa(i)] = &fstest.MapFile{ModTime: fixedTime}
	}
	addr, _ := startServer(t, FS(fsys, &Options{Listing: true, ErrorLog: quietLog}))
	c := newClient(t, addr)
	res := c.do("GET", "/d/", "Accept: application/json")
	var l listing
	if err := json.Unmarshal([]byte(res.body), &l); err != nil {
		t.Fatal(err)
	}
	if !l.Truncated || len(l.Entries) != maxListing {
		t.Errorf("truncated %v with %d entries; want true with %d", l.Truncated, len(l.Entries), maxListing)
	}
	if res := c.do("GET", "/d/"); !strings.Contains(res.body, "Only the first 10,000 entries") {
		t.Errorf("HTML listing of a truncated directory lacks the note")
	}
}

// TestHumanSize checks the sizes people read.
func TestHumanSize(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {1536, "1.5 KiB"},
		{10 << 10, "10 KiB"}, {5 << 20, "5.0 MiB"}, {1 << 30, "1.0 GiB"},
		{3 << 40, "3.0 TiB"}, {1 << 62, "4.0 EiB"},
	} {
		if got := humanSize(tc.n); got != tc.want {
			t.Errorf("humanSize(%d) = %q; want %q", tc.n, got, tc.want)
		}
	}
}

// TestListingEscapes guards the page against names that are markup: the
// name is text, the link is a relative path that cannot become a scheme,
// a query or a fragment.
func TestListingEscapes(t *testing.T) {
	c := serveListing(t, nil)
	body := []byte(c.do("GET", "/l/").body)
	for _, want := range []string{
		`<a href="./colon:name">colon:name</a>`,
		`<a href="q%3F%23%25.txt">q?#%.txt</a>`,
		`<a href="weird%20%3C&amp;%3E%22.txt">weird &lt;&amp;&gt;&#34;.txt</a>`,
		`<a href="sub%20dir/">sub dir/</a>`,
	} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("listing lacks %s", want)
		}
	}
	if bytes.Contains(body, []byte(`<&>"`)) {
		t.Errorf("listing has a raw <&>\" in it")
	}
}
