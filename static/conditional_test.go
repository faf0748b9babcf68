package static

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strandhttp/strand"
)

// The fixture's modification time, fixedTime, in the three formats of
// RFC 9110 §5.6.7, and dates either side of it.
const (
	dateIMF     = "Tue, 05 Mar 2024 06:07:08 GMT"   // IMF-fixdate
	dateRFC850  = "Tuesday, 05-Mar-24 06:07:08 GMT" // obsolete RFC 850
	dateAsctime = "Tue Mar  5 06:07:08 2024"        // obsolete asctime
	dateBefore  = "Tue, 05 Mar 2024 06:07:07 GMT"
	dateAfter   = "Tue, 05 Mar 2024 06:07:09 GMT"
)

// TestPreconditions walks the rules of RFC 9110 §13.1 in the evaluation
// order of §13.2.2, against GET and HEAD of /r.txt over a real server.
func TestPreconditions(t *testing.T) {
	root := newFixture(t)
	st, err := os.Stat(filepath.Join(root, "r.txt"))
	if err != nil {
		t.Fatal(err)
	}
	etag := makeETag(st.Size(), st.ModTime())
	addr, _ := startServer(t, mustDir(t, root, nil))
	c := newClient(t, addr)
	for _, tc := range []struct {
		name   string
		method string // "" is GET
		fields []string
		status int
	}{
		{"none", "", nil, 200},

		// Step 1: If-Match, strong comparison (§13.1.1, §8.8.3.2).
		{"§13.1.1 If-Match matches", "", []string{"If-Match: " + etag}, 200},
		{"§13.1.1 If-Match * matches an existing file", "", []string{"If-Match: *"}, 200},
		{"§13.1.1 If-Match in a list", "", []string{`If-Match: "a", ` + etag + `, "b"`}, 200},
		{"§13.1.1 If-Match list over two field lines (§5.3)", "", []string{`If-Match: "a"`, "If-Match: " + etag}, 200},
		{"§13.1.1 If-Match does not match: 412", "", []string{`If-Match: "other"`}, 412},
		{"§13.1.1 If-Match weak tag never matches strongly", "", []string{"If-Match: W/" + etag}, 412},
		{"§13.1.1 If-Match malformed: 412", "", []string{"If-Match: not-a-tag"}, 412},
		{"§13.1.1 If-Match on HEAD", "HEAD", []string{`If-Match: "other"`}, 412},

		// Step 2: If-Unmodified-Since, only without If-Match (§13.1.4).
		{"§13.1.4 If-Unmodified-Since before the change: 412", "", []string{"If-Unmodified-Since: " + dateBefore}, 412},
		{"§13.1.4 If-Unmodified-Since equal", "", []string{"If-Unmodified-Since: " + dateIMF}, 200},
		{"§13.1.4 If-Unmodified-Since after", "", []string{"If-Unmodified-Since: " + dateAfter}, 200},
		{"§13.1.4 If-Unmodified-Since invalid date ignored", "", []string{"If-Unmodified-Since: yesterday"}, 200},
		{"§13.1.4 If-Unmodified-Since list of dates ignored", "", []string{"If-Unmodified-Since: " + dateBefore + ", " + dateBefore}, 200},
		{"§13.1.4 If-Unmodified-Since rfc850-date", "", []string{"If-Unmodified-Since: Tuesday, 05-Mar-24 06:07:07 GMT"}, 412},
		{"§13.1.4 If-Unmodified-Since asctime-date", "", []string{"If-Unmodified-Since: Tue Mar  5 06:07:07 2024"}, 412},
		{"§13.2.2 step 2 skipped when If-Match is present", "", []string{"If-Match: " + etag, "If-Unmodified-Since: " + dateBefore}, 200},

		// Step 3: If-None-Match, weak comparison (§13.1.2).
		{"§13.1.2 If-None-Match matches: 304", "", []string{"If-None-Match: " + etag}, 304},
		{"§13.1.2 If-None-Match on HEAD: 304", "HEAD", []string{"If-None-Match: " + etag}, 304},
		{"§13.1.2 If-None-Match weak comparison", "", []string{"If-None-Match: W/" + etag}, 304},
		{"§13.1.2 If-None-Match *", "", []string{"If-None-Match: *"}, 304},
		{"§13.1.2 If-None-Match in a list", "", []string{`If-None-Match: "a",W/"b" ,` + etag}, 304},
		{"§13.1.2 If-None-Match list over two field lines (§5.3)", "", []string{`If-None-Match: "a"`, "If-None-Match: " + etag}, 304},
		{"§13.1.2 If-None-Match does not match", "", []string{`If-None-Match: "a", W/"b"`}, 200},
		{"§13.1.2 If-None-Match malformed", "", []string{"If-None-Match: junk"}, 200},
		{"§13.1.2 If-None-Match unquoted tag", "", []string{"If-None-Match: " + strings.Trim(etag, `"`)}, 200},
		{"§13.2.2 step 1 before step 3", "", []string{`If-Match: "other"`, "If-None-Match: " + etag}, 412},
		{"§13.2.2 step 2 before step 3", "", []string{"If-Unmodified-Since: " + dateBefore, "If-None-Match: " + etag}, 412},
		{"§13.2.2 steps 1 and 3 both pass", "", []string{"If-Match: " + etag, `If-None-Match: "other"`}, 200},

		// Step 4: If-Modified-Since, GET and HEAD, only without
		// If-None-Match (§13.1.3).
		{"§13.1.3 If-Modified-Since equal: 304", "", []string{"If-Modified-Since: " + dateIMF}, 304},
		{"§13.1.3 If-Modified-Since after: 304", "", []string{"If-Modified-Since: " + dateAfter}, 304},
		{"§13.1.3 If-Modified-Since before: 200", "", []string{"If-Modified-Since: " + dateBefore}, 200},
		{"§13.1.3 If-Modified-Since on HEAD", "HEAD", []string{"If-Modified-Since: " + dateIMF}, 304},
		{"§13.1.3 If-Modified-Since invalid date ignored", "", []string{"If-Modified-Since: 2024-03-05T06:07:08Z"}, 200},
		{"§13.1.3 If-Modified-Since not GMT ignored", "", []string{"If-Modified-Since: Tue, 05 Mar 2024 06:07:08 UTC"}, 200},
		{"§13.1.3 If-Modified-Since list ignored", "", []string{"If-Modified-Since: " + dateIMF + ", " + dateIMF}, 200},
		{"§13.1.3 two If-Modified-Since lines ignored", "", []string{"If-Modified-Since: " + dateIMF, "If-Modified-Since: " + dateIMF}, 200},
		{"§13.1.3 ignored when If-None-Match is present", "", []string{`If-None-Match: "other"`, "If-Modified-Since: " + dateAfter}, 200},
		{"§13.2.2 step 3 decides before step 4", "", []string{"If-None-Match: " + etag, "If-Modified-Since: " + dateBefore}, 304},
		{"§5.6.7 IMF-fixdate", "", []string{"If-Modified-Since: " + dateIMF}, 304},
		{"§5.6.7 rfc850-date", "", []string{"If-Modified-Since: " + dateRFC850}, 304},
		{"§5.6.7 asctime-date", "", []string{"If-Modified-Since: " + dateAsctime}, 304},
		{"§5.6.7 rfc850-date before", "", []string{"If-Modified-Since: Tuesday, 05-Mar-24 06:07:07 GMT"}, 200},
		{"§5.6.7 asctime-date before", "", []string{"If-Modified-Since: Tue Mar  5 06:07:07 2024"}, 200},

		// §13.2.1: preconditions are not evaluated when the response
		// without them would not be 2xx: these methods are 405 whatever.
		{"§13.2.1 POST 405 before If-None-Match", "POST", []string{"If-None-Match: " + etag, "Content-Length: 0"}, 405},
		{"§13.2.1 PUT 405 before If-Match", "PUT", []string{`If-Match: "other"`, "Content-Length: 0"}, 405},
	} {
		method := tc.method
		if method == "" {
			method = "GET"
		}
		res := c.do(method, "/r.txt", tc.fields...)
		if res.status != tc.status {
			t.Errorf("%s: %s %q = %d; want %d", tc.name, method, tc.fields, res.status, tc.status)
			continue
		}
		switch res.status {
		case 304:
			// §15.4.5: no content; the validators a 200 would carry.
			if res.body != "" || res.header.Get("ETag") != etag || res.header.Get("Last-Modified") != dateIMF {
				t.Errorf("%s: 304 body %q ETag %q Last-Modified %q; want no body and the validators",
					tc.name, res.body, res.header.Get("ETag"), res.header.Get("Last-Modified"))
			}
			if cl := res.header.Get("Content-Length"); cl != "" && cl != "100" {
				t.Errorf("%s: 304 Content-Length = %q; want none or the 200's (§8.6)", tc.name, cl)
			}
		case 200:
			if method == "GET" && res.body != rangeBody {
				t.Errorf("%s: 200 body = %q; want the file", tc.name, res.body)
			}
		}
	}
}

// TestEvaluateOtherMethods checks the rules that differ for methods other
// than GET and HEAD, on evaluate itself: the handler refuses those
// methods before looking at preconditions.
func TestEvaluateOtherMethods(t *testing.T) {
	v := validators{etag: `"abc"`, modTime: fixedTime}
	for _, tc := range []struct {
		name   string
		method string
		fields []string
		want   outcome
	}{
		{"§13.1.2 If-None-Match matches on PUT: 412", "PUT", []string{`If-None-Match: "abc"`}, failed},
		{"§13.1.2 If-None-Match * on POST: 412", "POST", []string{"If-None-Match: *"}, failed},
		{"§13.1.2 If-None-Match weak match on DELETE: 412", "DELETE", []string{`If-None-Match: W/"abc"`}, failed},
		{"§13.1.2 If-None-Match no match on PUT", "PUT", []string{`If-None-Match: "x"`}, proceed},
		{"§13.1.3 If-Modified-Since ignored on PUT", "PUT", []string{"If-Modified-Since: " + dateAfter}, proceed},
		{"§13.1.3 If-Modified-Since ignored on POST", "POST", []string{"If-Modified-Since: " + dateIMF}, proceed},
		{"§13.1.1 If-Match fails on DELETE", "DELETE", []string{`If-Match: "x"`}, failed},
		{"§13.1.1 If-Match passes on PUT", "PUT", []string{`If-Match: "abc"`}, proceed},
		{"§13.1.4 If-Unmodified-Since fails on POST", "POST", []string{"If-Unmodified-Since: " + dateBefore}, failed},
		{"§13.1.5 If-Range ignored on PUT", "PUT", []string{`If-Range: "x"`, "Range: bytes=0-1"}, proceed},
		{"§13.1.5 If-Range ignored on HEAD", "HEAD", []string{`If-Range: "x"`, "Range: bytes=0-1"}, proceed},
		{"§13.1.5 If-Range ignored without Range", "GET", []string{`If-Range: "x"`}, proceed},
		{"§13.1.5 If-Range mismatch on GET", "GET", []string{`If-Range: "x"`, "Range: bytes=0-1"}, proceedNoRange},
		{"§13.1.5 If-Range match on GET", "GET", []string{`If-Range: "abc"`, "Range: bytes=0-1"}, proceed},
	} {
		r := &strand.Request{Method: tc.method}
		for _, f := range tc.fields {
			k, v, _ := strings.Cut(f, ": ")
			r.Header.Add(k, v)
		}
		if got := evaluate(r, v); got != tc.want {
			t.Errorf("%s: evaluate(%s %q) = %v; want %v", tc.name, tc.method, tc.fields, got, tc.want)
		}
	}
	// No modification time: the date conditions cannot be evaluated.
	r := &strand.Request{Method: "GET"}
	r.Header.Add("If-Modified-Since", dateAfter)
	r.Header.Add("If-Unmodified-Since", dateBefore)
	if got := evaluate(r, validators{}); got != proceed {
		t.Errorf("date conditions without a modification time = %v; want proceed", got)
	}
}

// TestIfRange checks If-Range (RFC 9110 §13.1.5): an entity tag must match
// strongly, a date exactly; otherwise the Range field is ignored and the
// whole file sent with 200.
func TestIfRange(t *testing.T) {
	root := newFixture(t)
	st, err := os.Stat(filepath.Join(root, "r.txt"))
	if err != nil {
		t.Fatal(err)
	}
	etag := makeETag(st.Size(), st.ModTime())
	addr, _ := startServer(t, mustDir(t, root, nil))
	c := newClient(t, addr)
	for _, tc := range []struct {
		name    string
		ifRange string
		status  int
	}{
		{"strong tag matches", etag, 206},
		{"strong tag with spaces", "  " + etag + " ", 206},
		{"other tag", `"other"`, 200},
		{"weak tag never matches", "W/" + etag, 200},
		{"IMF-fixdate equal", dateIMF, 206},
		{"rfc850-date equal", dateRFC850, 206},
		{"asctime-date equal", dateAsctime, 206},
		{"date before", dateBefore, 200},
		{"date after is not exact", dateAfter, 200},
		{"invalid date", "soon", 200},
		{"empty", "", 200},
	} {
		res := c.do("GET", "/r.txt", "Range: bytes=0-4", "If-Range: "+tc.ifRange)
		if res.status != tc.status {
			t.Errorf("§13.1.5 %s: If-Range %q = %d; want %d", tc.name, tc.ifRange, res.status, tc.status)
			continue
		}
		want := rangeBody
		if tc.status == 206 {
			want = rangeBody[:5]
		}
		if res.body != want {
			t.Errorf("§13.1.5 %s: body = %q; want %q", tc.name, res.body, want)
		}
	}
	// Without Range, If-Range is ignored (§13.1.5).
	if res := c.do("GET", "/r.txt", `If-Range: "other"`); res.status != 200 || res.body != rangeBody {
		t.Errorf("If-Range without Range = %d; want 200 and the file", res.status)
	}
	// §13.2.2: If-None-Match decides before If-Range.
	if res := c.do("GET", "/r.txt", "Range: bytes=0-4", "If-Range: "+etag, "If-None-Match: "+etag); res.status != 304 {
		t.Errorf("If-None-Match and If-Range = %d; want 304", res.status)
	}
}

// TestParseHTTPDate checks the three formats a recipient must accept
// (RFC 9110 §5.6.7) and refusals.
func TestParseHTTPDate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"Sun, 06 Nov 1994 08:49:37 GMT", time.Date(1994, 11, 6, 8, 49, 37, 0, time.UTC), true},
		{"Sunday, 06-Nov-94 08:49:37 GMT", time.Date(1994, 11, 6, 8, 49, 37, 0, time.UTC), true},
		{"Sun Nov  6 08:49:37 1994", time.Date(1994, 11, 6, 8, 49, 37, 0, time.UTC), true},
		{" " + dateIMF + " ", fixedTime, true},
		{"Sun, 6 Nov 1994 08:49:37 GMT", time.Time{}, false},
		{"Sun, 06 Nov 1994 08:49:37 PST", time.Time{}, false},
		{"06 Nov 1994 08:49:37 GMT", time.Time{}, false},
		{"", time.Time{}, false},
	} {
		got, ok := parseHTTPDate(tc.in)
		if ok != tc.ok || !got.Equal(tc.want) {
			t.Errorf("parseHTTPDate(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// TestRFC850Century checks the two-digit year rule of RFC 9110 §5.6.7: a
// date more than 50 years in the future is in the past century.
func TestRFC850Century(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ yy, want int }{
		{26, 2026}, {0, 2000}, {75, 2075}, {76, 2076}, {77, 1977}, {94, 1994}, {99, 1999},
	} {
		in := time.Date(1900+tc.yy, 3, 5, 6, 7, 8, 0, time.UTC)
		if got := rfc850Century(in, now).Year(); got != tc.want {
			t.Errorf("rfc850Century(%02d) in 2026 = %d; want %d", tc.yy, got, tc.want)
		}
	}
}

// TestMatchETag checks strong and weak comparison (RFC 9110 §8.8.3.2) and
// the entity-tag list syntax.
func TestMatchETag(t *testing.T) {
	for _, tc := range []struct {
		list         string
		strong, weak bool
	}{
		{`"abc"`, true, true},
		{`W/"abc"`, false, true},
		{`"xyz", "abc"`, true, true},
		{` "xyz" ,W/"abc"`, false, true},
		{`*`, true, true},
		{` * `, true, true},
		{`"xyz"`, false, false},
		{`abc`, false, false},
		{`"abc`, false, false},
		{`"xyz" "abc"`, false, false},
		{`W/abc`, false, false},
		{`W/`, false, false},
		{`,,"abc",`, true, true},
		{``, false, false},
	} {
		if got := matchETag(tc.list, `"abc"`, true); got != tc.strong {
			t.Errorf("matchETag(%q, strong) = %v; want %v", tc.list, got, tc.strong)
		}
		if got := matchETag(tc.list, `"abc"`, false); got != tc.weak {
			t.Errorf("matchETag(%q, weak) = %v; want %v", tc.list, got, tc.weak)
		}
	}
}

// TestMakeETag checks that the tag is strong, quoted, and follows size and
// time.
func TestMakeETag(t *testing.T) {
	a := makeETag(100, fixedTime)
	if !strings.HasPrefix(a, `"`) || !strings.HasSuffix(a, `"`) || strings.Count(a, `"`) != 2 {
		t.Errorf("makeETag = %s; want one quoted opaque tag", a)
	}
	for _, other := range []string{makeETag(101, fixedTime), makeETag(100, fixedTime.Add(time.Nanosecond))} {
		if other == a {
			t.Errorf("makeETag collides: %s", a)
		}
	}
}

func (o outcome) String() string {
	return [...]string{"proceed", "notModified", "failed", "proceedNoRange"}[o]
}
