package static

import (
	"fmt"
	"io"
	"mime"
	mpart "mime/multipart"
	"strconv"
	"strings"
	"testing"
)

// part is one range of /r.txt: first and last byte positions.
type part struct{ first, last int }

// TestRanges walks the range rules of RFC 9110 §14 over a real server, on
// /r.txt (100 bytes). A multipart answer is parsed with mime/multipart and
// checked byte by byte.
func TestRanges(t *testing.T) {
	c := serveFixture(t, nil)
	var sixteen, seventeen []string
	for i := range 17 {
		spec := fmt.Sprintf("%d-%d", i*5, i*5+1)
		if i < 16 {
			sixteen = append(sixteen, spec)
		}
		seventeen = append(seventeen, spec)
	}
	var sixteenParts []part
	for i := range 16 {
		sixteenParts = append(sixteenParts, part{i * 5, i*5 + 1})
	}
	for _, tc := range []struct {
		name   string
		method string // "" is GET
		target string // "" is /r.txt
		rng    string
		status int
		parts  []part // the ranges of a 206, in order
	}{
		{"§14.1.2 single range", "", "", "bytes=0-4", 206, []part{{0, 4}}},
		{"§14.1.2 first byte", "", "", "bytes=0-0", 206, []part{{0, 0}}},
		{"§14.1.2 last byte", "", "", "bytes=99-99", 206, []part{{99, 99}}},
		{"§14.1.2 middle", "", "", "bytes=40-59", 206, []part{{40, 59}}},
		{"§14.1.2 last-pos past the end is clamped", "", "", "bytes=95-1000", 206, []part{{95, 99}}},
		{"§14.1.2 last-pos beyond int64 is clamped", "", "", "bytes=90-99999999999999999999999", 206, []part{{90, 99}}},
		{"§14.1.2 open range", "", "", "bytes=90-", 206, []part{{90, 99}}},
		{"§14.1.2 open range from 0", "", "", "bytes=0-", 206, []part{{0, 99}}},
		{"§14.1.2 suffix range", "", "", "bytes=-5", 206, []part{{95, 99}}},
		{"§14.1.2 suffix larger than the file", "", "", "bytes=-500", 206, []part{{0, 99}}},
		{"§14.1.2 suffix beyond int64", "", "", "bytes=-99999999999999999999999", 206, []part{{0, 99}}},
		{"§14.1 unit is case-insensitive", "", "", "Bytes=0-1", 206, []part{{0, 1}}},
		{"§14.1.1 whitespace around elements", "", "", "bytes= 0-1 ,\t3-4", 206, []part{{0, 1}, {3, 4}}},
		{"§5.6.1 empty list elements", "", "", "bytes=,0-1,,", 206, []part{{0, 1}}},

		{"§14.6 two ranges: multipart/byteranges", "", "", "bytes=0-1,5-6", 206, []part{{0, 1}, {5, 6}}},
		{"§14.6 range and suffix", "", "", "bytes=0-0,-1", 206, []part{{0, 0}, {99, 99}}},
		{"§14.6 three ranges", "", "", "bytes=10-19,30-39,50-", 206, []part{{10, 19}, {30, 39}, {50, 99}}},
		{"§14.2 overlapping ranges merged", "", "", "bytes=0-5,3-9", 206, []part{{0, 9}}},
		{"§14.2 contained range merged", "", "", "bytes=0-50,10-20", 206, []part{{0, 50}}},
		{"§14.2 adjacent ranges merged", "", "", "bytes=0-4,5-9", 206, []part{{0, 9}}},
		{"§14.2 unordered overlapping ranges merged", "", "", "bytes=50-59,0-4,2-6", 206, []part{{0, 6}, {50, 59}}},
		{"§14.2 repeated whole-file ranges merged", "", "", "bytes=0-,0-,0-,-100", 206, []part{{0, 99}}},
		{"§14.2 MaxRanges ranges served", "", "", "bytes=" + strings.Join(sixteen, ","), 206, sixteenParts},
		{"§14.2 more than MaxRanges: whole file", "", "", "bytes=" + strings.Join(seventeen, ","), 200, nil},
		{"§14.2 hundreds of ranges: whole file", "", "", "bytes=" + strings.Repeat("0-0,", 300) + "0-0", 200, nil},
		{"§14.1.1 one satisfiable among unsatisfiable", "", "", "bytes=200-300,0-0,-0", 206, []part{{0, 0}}},

		{"§14.1.1 unsatisfiable first-pos: 416", "", "", "bytes=100-", 416, nil},
		{"§14.1.1 unsatisfiable first-pos beyond int64: 416", "", "", "bytes=99999999999999999999999-", 416, nil},
		{"§14.1.1 suffix of zero: 416", "", "", "bytes=-0", 416, nil},
		{"§14.1.1 all unsatisfiable: 416", "", "", "bytes=100-200,300-", 416, nil},
		{"§14.1.1 empty file: 416", "", "/empty.txt", "bytes=0-", 416, nil},
		{"§14.1.1 empty file suffix: 416", "", "/empty.txt", "bytes=-1", 416, nil},

		{"§14.2 unknown unit ignored", "", "", "items=0-4", 200, nil},
		{"§14.2 no unit ignored", "", "", "0-4", 200, nil},
		{"§14.1.1 last-pos before first-pos: invalid, ignored", "", "", "bytes=5-2", 200, nil},
		{"§14.1.1 malformed: letters", "", "", "bytes=a-b", 200, nil},
		{"§14.1.1 malformed: no dash", "", "", "bytes=5", 200, nil},
		{"§14.1.1 malformed: two dashes", "", "", "bytes=0-1-2", 200, nil},
		{"§14.1.1 malformed: negative suffix", "", "", "bytes=--5", 200, nil},
		{"§14.1.1 malformed: dash alone", "", "", "bytes=-", 200, nil},
		{"§14.1.1 malformed: plus sign", "", "", "bytes=+1-2", 200, nil},
		{"§14.1.1 malformed: empty set", "", "", "bytes=", 200, nil},
		{"§14.1.1 malformed: only commas", "", "", "bytes=,,", 200, nil},
		{"§14.1.1 malformed element spoils the set", "", "", "bytes=0-1,x", 200, nil},

		{"§14.2 Range on HEAD ignored", "HEAD", "", "bytes=0-4", 200, nil},
		// Two Range fields (the value closes the first field line and
		// opens a second): not a list field, so ambiguous, and ignored.
		{"§14.2 Range sent twice ignored", "", "", "bytes=0-1\r\nRange: bytes=2-3", 200, nil},
		{"§14.2 Range on POST ignored (405)", "POST", "", "bytes=0-4", 405, nil},
	} {
		method, target := tc.method, tc.target
		if method == "" {
			method = "GET"
		}
		if target == "" {
			target = "/r.txt"
		}
		fields := []string{"Range: " + tc.rng}
		if method == "POST" {
			fields = append(fields, "Content-Length: 0")
		}
		res := c.do(method, target, fields...)
		if res.status != tc.status {
			t.Errorf("%s: %s Range %q = %d; want %d", tc.name, method, tc.rng, res.status, tc.status)
			continue
		}
		size := len(fixture[strings.TrimPrefix(target, "/")])
		switch res.status {
		case 200:
			checkWhole(t, tc.name, method, res, size)
		case 206:
			checkParts(t, tc.name, res, tc.parts)
		case 416:
			// §15.5.17: Content-Range: bytes */complete-length.
			if got, want := res.header.Get("Content-Range"), "bytes */"+strconv.Itoa(size); got != want {
				t.Errorf("%s: 416 Content-Range = %q; want %q", tc.name, got, want)
			}
		}
	}
}

// checkWhole checks a 200 answer to a Range request: the whole file.
func checkWhole(t *testing.T, name, method string, res *result, size int) {
	t.Helper()
	if cl := res.header.Get("Content-Length"); cl != strconv.Itoa(size) {
		t.Errorf("%s: 200 Content-Length = %q; want %d", name, cl, size)
	}
	if res.header.Get("Content-Range") != "" {
		t.Errorf("%s: 200 with Content-Range %q", name, res.header.Get("Content-Range"))
	}
	if method == "GET" && res.body != rangeBody {
		t.Errorf("%s: 200 body = %q; want the whole file", name, res.body)
	}
}

// checkParts checks a 206 answer against the wanted ranges of /r.txt: one
// range as a plain body with Content-Range (RFC 9110 §14.4), several as
// multipart/byteranges (§14.6).
func checkParts(t *testing.T, name string, res *result, want []part) {
	t.Helper()
	if cl := res.header.Get("Content-Length"); cl != strconv.Itoa(len(res.body)) {
		t.Errorf("%s: Content-Length %q for a body of %d bytes", name, cl, len(res.body))
	}
	if len(want) == 1 {
		p := want[0]
		if got, w := res.header.Get("Content-Range"), fmt.Sprintf("bytes %d-%d/100", p.first, p.last); got != w {
			t.Errorf("%s: Content-Range = %q; want %q", name, got, w)
		}
		if got, w := res.header.Get("Content-Type"), "text/plain; charset=utf-8"; got != w {
			t.Errorf("%s: Content-Type = %q; want %q", name, got, w)
		}
		if w := rangeBody[p.first : p.last+1]; res.body != w {
			t.Errorf("%s: body = %q; want %q", name, res.body, w)
		}
		return
	}
	got := readByteranges(t, name, res)
	if len(got) != len(want) {
		t.Errorf("%s: %d parts; want %d", name, len(got), len(want))
		return
	}
	for i, p := range want {
		g := got[i]
		if w := fmt.Sprintf("bytes %d-%d/100", p.first, p.last); g.contentRange != w {
			t.Errorf("%s: part %d Content-Range = %q; want %q", name, i, g.contentRange, w)
		}
		if g.contentType != "text/plain; charset=utf-8" {
			t.Errorf("%s: part %d Content-Type = %q; want the file's", name, i, g.contentType)
		}
		if w := rangeBody[p.first : p.last+1]; g.body != w {
			t.Errorf("%s: part %d body = %q; want %q", name, i, g.body, w)
		}
	}
}

// bytePart is one part of a multipart/byteranges body.
type bytePart struct {
	contentType, contentRange, body string
}

// readByteranges parses a multipart/byteranges response with the standard
// library's reader, failing the test on any syntax error.
func readByteranges(t *testing.T, name string, res *result) []bytePart {
	t.Helper()
	if res.header.Get("Content-Range") != "" {
		t.Errorf("%s: multipart response with a Content-Range field (§14.6 forbids)", name)
	}
	mt, params, err := mime.ParseMediaType(res.header.Get("Content-Type"))
	if err != nil || mt != "multipart/byteranges" || params["boundary"] == "" {
		t.Fatalf("%s: Content-Type = %q (%v); want multipart/byteranges with a boundary", name, res.header.Get("Content-Type"), err)
	}
	mr := mpart.NewReader(strings.NewReader(res.body), params["boundary"])
	var parts []bytePart
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: reading part %d: %v\n%s", name, len(parts), err, res.body)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			t.Fatalf("%s: reading part %d: %v", name, len(parts), err)
		}
		parts = append(parts, bytePart{p.Header.Get("Content-Type"), p.Header.Get("Content-Range"), string(b)})
	}
	// The body ends with the close delimiter and its CRLF, nothing after.
	if !strings.HasSuffix(res.body, "\r\n--"+params["boundary"]+"--\r\n") {
		t.Errorf("%s: multipart body does not end with the close delimiter: %q", name, res.body[max(0, len(res.body)-60):])
	}
	return parts
}

// TestParseRange checks the parser on its own, with sizes the fixture
// does not have.
func TestParseRange(t *testing.T) {
	for _, tc := range []struct {
		in   string
		size int64
		want []byteRange
		res  rangeResult
	}{
		{"bytes=0-0", 1, []byteRange{{0, 1}}, rangeSatisfiable},
		{"bytes=-1", 1, []byteRange{{0, 1}}, rangeSatisfiable},
		{"bytes=0-", 0, nil, rangeUnsatisfiable},
		{"bytes=0-5", 0, nil, rangeUnsatisfiable},
		{"bytes=1-1", 1, nil, rangeUnsatisfiable},
		{"bytes=0-9223372036854775807", 10, []byteRange{{0, 10}}, rangeSatisfiable},
		{"bytes=9223372036854775806-", 1 << 62, nil, rangeUnsatisfiable},
		{"bytes=0-1,1-2,2-3,3-4", 10, []byteRange{{0, 5}}, rangeSatisfiable},
		{"bytes=8-9,0-1", 10, []byteRange{{0, 2}, {8, 2}}, rangeSatisfiable},
		{"BYTES=0-1", 10, []byteRange{{0, 2}}, rangeSatisfiable},
		{"bytes 0-1", 10, nil, rangeIgnore},
		{"bytes=1 -2", 10, nil, rangeIgnore},
	} {
		got, res := parseRange(tc.in, tc.size, 16)
		if res != tc.res || fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("parseRange(%q, %d) = %v, %v; want %v, %v", tc.in, tc.size, got, res, tc.want, tc.res)
		}
	}
}

// TestRangeOnPrecompressed checks that ranges apply to the representation
// sent: the precompressed sibling's bytes (RFC 9110 §14.1.2).
func TestRangeOnPrecompressed(t *testing.T) {
	c := serveFixture(t, nil)
	res := c.do("GET", "/app.js", "Accept-Encoding: gzip", "Range: bytes=0-3")
	if res.status != 206 || res.body != "GZIP" || res.header.Get("Content-Encoding") != "gzip" ||
		res.header.Get("Content-Range") != "bytes 0-3/11" {
		t.Errorf("Range on gzip sibling = %d %q Content-Encoding %q Content-Range %q; want 206 \"GZIP\" gzip bytes 0-3/11",
			res.status, res.body, res.header.Get("Content-Encoding"), res.header.Get("Content-Range"))
	}
	// The 416's plain-text body is not gzip-encoded: no Content-Encoding.
	res = c.do("GET", "/app.js", "Accept-Encoding: gzip", "Range: bytes=500-")
	if res.status != 416 || res.header.Get("Content-Encoding") != "" || res.header.Get("Content-Range") != "bytes */11" {
		t.Errorf("416 on gzip sibling = %d Content-Encoding %q Content-Range %q; want 416, none, bytes */11",
			res.status, res.header.Get("Content-Encoding"), res.header.Get("Content-Range"))
	}
}

// FuzzParseRange checks parseRange's promises for any field value: ranges
// inside the file, sorted, neither overlapping nor touching, at most
// maxRanges; 416 only with no range.
func FuzzParseRange(f *testing.F) {
	for _, s := range []string{
		"bytes=0-4", "bytes=-5", "bytes=90-", "bytes=0-1,5-6", "bytes=0-5,3-9",
		"bytes=0-4,5-9", "bytes=100-", "bytes=-0", "items=0-4", "bytes=5-2",
		"bytes=,0-1,,", "bytes=0-99999999999999999999999", "bytes=" + strings.Repeat("0-0,", 70),
	} {
		f.Add(s, int64(100))
	}
	f.Add("bytes=0-", int64(0))
	f.Fuzz(func(t *testing.T, v string, size int64) {
		if size < 0 {
			size = -size
		}
		if size < 0 {
			return
		}
		const maxRanges = 4
		rs, res := parseRange(v, size, maxRanges)
		switch res {
		case rangeSatisfiable:
			if len(rs) == 0 || len(rs) > maxRanges {
				t.Fatalf("parseRange(%q, %d) = %d ranges; want 1 to %d", v, size, len(rs), maxRanges)
			}
		default:
			if rs != nil {
				t.Fatalf("parseRange(%q, %d) = %v with result %d; want no ranges", v, size, rs, res)
			}
		}
		end := int64(-1)
		for _, r := range rs {
			if r.start <= end || r.length <= 0 || r.start+r.length > size {
				t.Fatalf("parseRange(%q, %d) = %v: range %v outside the file, unsorted or touching", v, size, rs, r)
			}
			end = r.start + r.length
		}
	})
}
