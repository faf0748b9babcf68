package http1

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// req builds a head from its lines: each gets a CRLF, then the empty line.
func req(lines ...string) string {
	return strings.Join(lines, "\r\n") + "\r\n\r\n"
}

// facts is the comparable summary of a Head that the tables check.
type facts struct {
	Method, Target string
	Form           TargetForm
	Minor          int
	Fields         []string // "Name: Value" as parsed
	ContentLength  int64
	Chunked        bool
	Close          bool
	Expect100      bool
	Host           string
	HasHost        bool // Host is not nil
	Upgrade        bool
}

func summarize(h *Head) facts {
	f := facts{
		Method:        string(h.Method),
		Target:        string(h.Target),
		Form:          h.Form,
		Minor:         h.Minor,
		ContentLength: h.ContentLength,
		Chunked:       h.Chunked,
		Close:         h.Close,
		Expect100:     h.Expect100,
		Host:          string(h.Host),
		HasHost:       h.Host != nil,
		Upgrade:       h.Upgrade,
	}
	for _, fl := range h.Fields {
		f.Fields = append(f.Fields, string(fl.Name)+": "+string(fl.Value))
	}
	return f
}

// get11 is the facts of "GET / HTTP/1.1" with "Host: a" and nothing else;
// the success table edits a copy.
func get11(edit func(*facts)) facts {
	f := facts{
		Method: "GET", Target: "/", Form: FormOrigin, Minor: 1,
		Fields: []string{"Host: a"}, ContentLength: -1, Host: "a", HasHost: true,
	}
	if edit != nil {
		edit(&f)
	}
	return f
}

// parseAll parses a whole input with a fresh Parser.
func parseAll(in string, lim Limits) (int, *Head, error) {
	p := Parser{Limits: lim}
	var h Head
	n, err := p.Parse([]byte(in), &h)
	return n, &h, err
}

func TestParseHead(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want facts
	}{
		// Request line (RFC 9112 §3).
		{"minimal HTTP/1.1", req("GET / HTTP/1.1", "Host: a"), get11(nil)},
		{"HTTP/1.0 without Host", req("GET / HTTP/1.0"), facts{
			Method: "GET", Target: "/", Minor: 0, ContentLength: -1, Close: true}},
		{"extension method", req("M-SEARCH! / HTTP/1.1", "Host: a"), get11(func(f *facts) { f.Method = "M-SEARCH!" })},
		{"lower-case method kept as sent", req("get / HTTP/1.1", "Host: a"), get11(func(f *facts) { f.Method = "get" })},
		{"origin-form with query", req("GET /a/b?c=d&e HTTP/1.1", "Host: a"), get11(func(f *facts) { f.Target = "/a/b?c=d&e" })},
		{"origin-form percent-encoded", req("GET /%2F%2f%41?q=%7E HTTP/1.1", "Host: a"), get11(func(f *facts) { f.Target = "/%2F%2f%41?q=%7E" })},
		{"absolute-form", req("GET http://example.com/a?b HTTP/1.1", "Host: a"), get11(func(f *facts) {
			f.Target, f.Form = "http://example.com/a?b", FormAbsolute
		})},
		{"absolute-form without path", req("GET HTTPS://example.com:8443 HTTP/1.1", "Host: a"), get11(func(f *facts) {
			f.Target, f.Form = "HTTPS://example.com:8443", FormAbsolute
		})},
		{"absolute-form query without path", req("GET http://example.com?x HTTP/1.1", "Host: a"), get11(func(f *facts) {
			f.Target, f.Form = "http://example.com?x", FormAbsolute
		})},
		{"absolute-form IPv6", req("GET http://[::1]:8080/ HTTP/1.1", "Host: a"), get11(func(f *facts) {
			f.Target, f.Form = "http://[::1]:8080/", FormAbsolute
		})},
		{"absolute-form scheme with digits and signs", req("GET a1+-.://h/ HTTP/1.1", "Host: a"), get11(func(f *facts) {
			f.Target, f.Form = "a1+-.://h/", FormAbsolute
		})},
		{"authority-form for CONNECT", req("CONNECT example.com:443 HTTP/1.1", "Host: example.com:443"), facts{
			Method: "CONNECT", Target: "example.com:443", Form: FormAuthority, Minor: 1,
			Fields: []string{"Host: example.com:443"}, ContentLength: -1, Host: "example.com:443", HasHost: true}},
		{"authority-form IPv6 for CONNECT", req("CONNECT [2001:db8::1]:443 HTTP/1.1", "Host: a"), get11(func(f *facts) {
			f.Method, f.Target, f.Form = "CONNECT", "[2001:db8::1]:443", FormAuthority
		})},
		{"asterisk-form for OPTIONS", req("OPTIONS * HTTP/1.1", "Host: a"), get11(func(f *facts) {
			f.Method, f.Target, f.Form = "OPTIONS", "*", FormAsterisk
		})},
		{"OPTIONS with origin-form", req("OPTIONS /x HTTP/1.1", "Host: a"), get11(func(f *facts) {
			f.Method, f.Target = "OPTIONS", "/x"
		})},

		// Field lines (§5).
		{"OWS around value trimmed", req("GET / HTTP/1.1", "Host: \t a \t ", "X:\tb  c\t"), get11(func(f *facts) {
			f.Fields = []string{"Host: a", "X: b  c"}
		})},
		{"HTAB and obs-text inside a value", req("GET / HTTP/1.1", "Host: a", "X: a\tb\x80\xff"), get11(func(f *facts) {
			f.Fields = append(f.Fields, "X: a\tb\x80\xff")
		})},
		{"empty value", req("GET / HTTP/1.1", "Host: a", "X:", "Y:   "), get11(func(f *facts) {
			f.Fields = append(f.Fields, "X: ", "Y: ")
		})},
		{"token name chars kept as sent", req("GET / HTTP/1.1", "Host: a", "x-!#$%&'*+.^_`|~09: v"), get11(func(f *facts) {
			f.Fields = append(f.Fields, "x-!#$%&'*+.^_`|~09: v")
		})},
		{"colon in value", req("GET / HTTP/1.1", "Host: a", "X: a:b: c"), get11(func(f *facts) {
			f.Fields = append(f.Fields, "X: a:b: c")
		})},

		// Host (§3.2).
		{"Host IPv6 literal with port", req("GET / HTTP/1.1", "Host: [::1]:8080"), get11(func(f *facts) {
			f.Fields, f.Host = []string{"Host: [::1]:8080"}, "[::1]:8080"
		})},
		{"Host IPv4-embedded IPv6", req("GET / HTTP/1.1", "Host: [::ffff:1.2.3.4]"), get11(func(f *facts) {
			f.Fields, f.Host = []string{"Host: [::ffff:1.2.3.4]"}, "[::ffff:1.2.3.4]"
		})},
		{"Host IPvFuture", req("GET / HTTP/1.1", "Host: [v1.fe:x]"), get11(func(f *facts) {
			f.Fields, f.Host = []string{"Host: [v1.fe:x]"}, "[v1.fe:x]"
		})},
		{"Host empty", req("GET / HTTP/1.1", "Host:"), get11(func(f *facts) {
			f.Fields, f.Host = []string{"Host: "}, ""
		})},
		{"Host reg-name with sub-delims and pct-encoding", req("GET / HTTP/1.1", "Host: a-b.c_d~!$&'()*+,;=%41:80"), get11(func(f *facts) {
			f.Fields, f.Host = []string{"Host: a-b.c_d~!$&'()*+,;=%41:80"}, "a-b.c_d~!$&'()*+,;=%41:80"
		})},
		{"Host name case-insensitive", req("GET / HTTP/1.1", "hOsT: a"), get11(func(f *facts) {
			f.Fields = []string{"hOsT: a"}
		})},
		{"Host in HTTP/1.0", req("GET / HTTP/1.0", "Host: a"), get11(func(f *facts) { f.Minor, f.Close = 0, true })},

		// Content-Length (RFC 9110 §8.6).
		{"Content-Length", req("POST / HTTP/1.1", "Host: a", "Content-Length: 42"), get11(func(f *facts) {
			f.Method, f.ContentLength = "POST", 42
			f.Fields = append(f.Fields, "Content-Length: 42")
		})},
		{"Content-Length zero", req("GET / HTTP/1.1", "Host: a", "Content-Length: 0"), get11(func(f *facts) {
			f.ContentLength, f.Fields = 0, append(f.Fields, "Content-Length: 0")
		})},
		{"Content-Length 18 digits", req("GET / HTTP/1.1", "Host: a", "Content-Length: 999999999999999999"), get11(func(f *facts) {
			f.ContentLength, f.Fields = 999999999999999999, append(f.Fields, "Content-Length: 999999999999999999")
		})},
		{"Content-Length identical list", req("GET / HTTP/1.1", "Host: a", "Content-Length: 42 , 42,42"), get11(func(f *facts) {
			f.ContentLength, f.Fields = 42, append(f.Fields, "Content-Length: 42 , 42,42")
		})},
		{"Content-Length identical repeated lines", req("GET / HTTP/1.1", "Host: a", "Content-Length: 42", "content-length: 042"), get11(func(f *facts) {
			f.ContentLength, f.Fields = 42, append(f.Fields, "Content-Length: 42", "content-length: 042")
		})},

		// Transfer-Encoding (§6.1).
		{"chunked", req("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: chunked"), get11(func(f *facts) {
			f.Method, f.Chunked = "POST", true
			f.Fields = append(f.Fields, "Transfer-Encoding: chunked")
		})},
		{"chunked case-insensitive", req("GET / HTTP/1.1", "Host: a", "transfer-encoding: ChUnKeD"), get11(func(f *facts) {
			f.Chunked, f.Fields = true, append(f.Fields, "transfer-encoding: ChUnKeD")
		})},
		{"chunked with empty list elements", req("GET / HTTP/1.1", "Host: a", "Transfer-Encoding: , chunked ,"), get11(func(f *facts) {
			f.Chunked, f.Fields = true, append(f.Fields, "Transfer-Encoding: , chunked ,")
		})},

		// Persistence (§9.3).
		{"HTTP/1.1 close", req("GET / HTTP/1.1", "Host: a", "Connection: close"), get11(func(f *facts) {
			f.Close, f.Fields = true, append(f.Fields, "Connection: close")
		})},
		{"HTTP/1.1 close among tokens", req("GET / HTTP/1.1", "Host: a", "Connection: keep-alive, CLOSE"), get11(func(f *facts) {
			f.Close, f.Fields = true, append(f.Fields, "Connection: keep-alive, CLOSE")
		})},
		{"HTTP/1.1 close is a whole token", req("GET / HTTP/1.1", "Host: a", "Connection: closed"), get11(func(f *facts) {
			f.Fields = append(f.Fields, "Connection: closed")
		})},
		{"HTTP/1.0 keep-alive", req("GET / HTTP/1.0", "Connection: Keep-Alive"), facts{
			Method: "GET", Target: "/", Fields: []string{"Connection: Keep-Alive"}, ContentLength: -1}},
		{"HTTP/1.0 keep-alive on a second line", req("GET / HTTP/1.0", "Connection: x", "Connection: keep-alive"), facts{
			Method: "GET", Target: "/", Fields: []string{"Connection: x", "Connection: keep-alive"}, ContentLength: -1}},
		{"HTTP/1.0 keep-alive and close", req("GET / HTTP/1.0", "Connection: keep-alive, close"), facts{
			Method: "GET", Target: "/", Fields: []string{"Connection: keep-alive, close"}, ContentLength: -1, Close: true}},
		{"Connection upgrade", req("GET / HTTP/1.1", "Host: a", "Connection: Upgrade", "Upgrade: websocket"), get11(func(f *facts) {
			f.Upgrade, f.Fields = true, append(f.Fields, "Connection: Upgrade", "Upgrade: websocket")
		})},

		// Expect (RFC 9110 §10.1.1).
		{"Expect 100-continue", req("PUT / HTTP/1.1", "Host: a", "Expect: 100-Continue"), get11(func(f *facts) {
			f.Method, f.Expect100, f.Fields = "PUT", true, append(f.Fields, "Expect: 100-Continue")
		})},
		{"Expect 100-continue ignored in HTTP/1.0", req("PUT / HTTP/1.0", "Expect: 100-continue"), facts{
			Method: "PUT", Target: "/", Fields: []string{"Expect: 100-continue"}, ContentLength: -1, Close: true}},
		{"Expect empty", req("GET / HTTP/1.1", "Host: a", "Expect:"), get11(func(f *facts) {
			f.Fields = append(f.Fields, "Expect: ")
		})},
		{"Expect with empty list elements", req("GET / HTTP/1.1", "Host: a", "Expect: ,100-continue, "), get11(func(f *facts) {
			f.Expect100, f.Fields = true, append(f.Fields, "Expect: ,100-continue,")
		})},

		// Message framing (§2.2).
		{"leading empty lines skipped", "\r\n\r\n" + req("GET / HTTP/1.1", "Host: a"), get11(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, h, err := parseAll(tt.in, Limits{})
			if err != nil || n != len(tt.in) {
				t.Fatalf("Parse(%q) = %d, %v; want %d, nil", tt.in, n, err, len(tt.in))
			}
			if got := summarize(h); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q) = %+v; want %+v", tt.in, got, tt.want)
			}
		})
	}
}

// TestParseHeadErrors holds one case per rule in doc.go and head.go; each
// input is valid but for the one rule it names, so it would be accepted, or
// refused with another error, if the rule were gone.
func TestParseHeadErrors(t *testing.T) {
	get := func(fields ...string) string { return req(append([]string{"GET / HTTP/1.1", "Host: a"}, fields...)...) }
	line := func(l string) string { return req(l, "Host: a") }
	tests := []struct {
		name string
		in   string
		want *Error
	}{
		// Request line (RFC 9112 §3): method SP request-target SP HTTP-version.
		{"method not a token", line("G(T / HTTP/1.1"), errMethod},
		{"method empty", line(" / HTTP/1.1"), errMethod},
		{"method with NUL", line("GE\x00T / HTTP/1.1"), errMethod},
		{"no SP", line("GET"), errRequestLine},
		{"one SP", line("GET /"), errRequestLine},
		{"two SP after method", line("GET  / HTTP/1.1"), errVersion},
		{"HTAB as separator", line("GET\t/\tHTTP/1.1"), errMethod},
		{"HTAB before version", line("GET /\tHTTP/1.1"), errRequestLine},
		{"trailing SP", line("GET / HTTP/1.1 "), errVersion},
		{"SP inside target", line("GET /a b HTTP/1.1"), errVersion},
		{"empty target", line("GET  HTTP/1.1"), errTarget},

		// Request target (§3.2, RFC 3986).
		{"fragment", line("GET /a#b HTTP/1.1"), errTarget},
		{"fragment in absolute-form", line("GET http://h/#b HTTP/1.1"), errTarget},
		{"control byte", line("GET /a\x01 HTTP/1.1"), errTarget},
		{"DEL", line("GET /a\x7f HTTP/1.1"), errTarget},
		{"non-ASCII byte", line("GET /caf\xc3\xa9 HTTP/1.1"), errTarget},
		{"percent without digits", line("GET /a% HTTP/1.1"), errTarget},
		{"percent with one digit", line("GET /a%4 HTTP/1.1"), errTarget},
		{"percent with non-hex", line("GET /a%zz HTTP/1.1"), errTarget},
		{"bad percent in query", line("GET /?q=%g0 HTTP/1.1"), errTarget},
		{"asterisk for GET", line("GET * HTTP/1.1"), errTarget},
		{"asterisk with more", line("OPTIONS *x HTTP/1.1"), errTarget},
		{"authority-form for GET", line("GET example.com:80 HTTP/1.1"), errTarget},
		{"relative path", line("GET a/b HTTP/1.1"), errTarget},
		{"absolute-form without ://", line("GET mailto:x@y HTTP/1.1"), errTarget},
		{"absolute-form empty authority", line("GET http:///x HTTP/1.1"), errTarget},
		{"absolute-form empty host", line("GET http://:80/x HTTP/1.1"), errTarget},
		{"absolute-form userinfo", line("GET http://u:p@h/ HTTP/1.1"), errTarget},
		{"absolute-form bad port", line("GET http://h:8o/ HTTP/1.1"), errTarget},
		{"absolute-form unclosed IPv6", line("GET http://[::1/ HTTP/1.1"), errTarget},
		{"absolute-form scheme starts with digit", line("GET 1http://h/ HTTP/1.1"), errTarget},
		{"absolute-form bad scheme byte", line("GET ht_tp://h/ HTTP/1.1"), errTarget},
		{"absolute-form empty scheme", line("GET ://h/ HTTP/1.1"), errTarget},
		{"CONNECT without port", line("CONNECT example.com HTTP/1.1"), errTarget},
		{"CONNECT empty port", line("CONNECT example.com: HTTP/1.1"), errTarget},
		{"CONNECT empty host", line("CONNECT :443 HTTP/1.1"), errTarget},
		{"CONNECT origin-form", line("CONNECT /path HTTP/1.1"), errTarget},
		{"CONNECT absolute-form", line("CONNECT http://h:1/ HTTP/1.1"), errTarget},
		{"CONNECT IPv6 without port", line("CONNECT [::1] HTTP/1.1"), errTarget},

		// HTTP-version (§2.3, RFC 9110 §15.6.6).
		{"HTTP/2.0", line("GET / HTTP/2.0"), errVersionSupport},
		{"HTTP/0.9", line("GET / HTTP/0.9"), errVersionSupport},
		{"HTTP/3.1", line("GET / HTTP/3.1"), errVersionSupport},
		{"version two-digit minor", line("GET / HTTP/1.10"), errVersion},
		{"version without minor", line("GET / HTTP/1"), errVersion},
		{"version lower-case", line("GET / http/1.1"), errVersion},
		{"version letter", line("GET / HTTP/1.x"), errVersion},
		{"version without dot", line("GET / HTTP/11"), errVersion},
		{"version comma", line("GET / HTTP/1,1"), errVersion},
		{"version wrong name", line("GET / HTTPS/1.1"), errVersion},
		{"version missing", line("GET / "), errVersion},

		// Field lines (§5, RFC 9110 §5.5).
		{"name not a token", get("X\"Y: v"), errFieldName},
		{"name with parenthesis", get("X(: v"), errFieldName},
		{"name empty", get(": v"), errFieldName},
		{"no colon", get("NoColon"), errFieldName},
		{"SP before colon", get("X : v"), errSpaceBeforeColon},
		{"HTAB before colon", get("X\t: v"), errSpaceBeforeColon},
		{"SP before colon on Host", req("GET / HTTP/1.1", "Host : a"), errSpaceBeforeColon},
		{"obs-fold with SP", get("X: a", " b"), errObsFold},
		{"obs-fold with HTAB", get("X: a", "\tb"), errObsFold},
		{"obs-fold of an empty Content-Length", req("POST / HTTP/1.1", "Host: a", "Content-Length: ", " 0"), errObsFold},
		{"obs-fold of a bad name", get("X\"Y: a", " b"), errObsFold},
		{"whitespace before first field", req("GET / HTTP/1.1", " Host: a"), errObsFold},
		{"NUL in value", get("X: a\x00b"), errFieldValue},
		{"control in value", get("X: a\x01b"), errFieldValue},
		{"ESC in value", get("X: \x1b[0m"), errFieldValue},
		{"unit separator in value", get("X: a\x1f"), errFieldValue},
		{"DEL in value", get("X: a\x7fb"), errFieldValue},
		{"CR in value", get("X: a\rb"), errBareCR},
		{"CR ending value", get("X: a\r"), errBareCR},
		{"LF in value", get("X: a\nb"), errBareLF},

		// Host (§3.2).
		{"Host missing in HTTP/1.1", req("GET / HTTP/1.1", "X: y"), errNoHost},
		{"Host twice", get("Host: a"), errManyHosts},
		{"Host twice, other case", get("HOST: b"), errManyHosts},
		{"Host with SP", req("GET / HTTP/1.1", "Host: a b"), errHost},
		{"Host with userinfo", req("GET / HTTP/1.1", "Host: u@a"), errHost},
		{"Host with path", req("GET / HTTP/1.1", "Host: a/b"), errHost},
		{"Host with bad port", req("GET / HTTP/1.1", "Host: a:b"), errHost},
		{"Host with two colons", req("GET / HTTP/1.1", "Host: a:1:2"), errHost},
		{"Host with bad percent", req("GET / HTTP/1.1", "Host: a%zz"), errHost},
		{"Host with short percent", req("GET / HTTP/1.1", "Host: a%4"), errHost},
		{"Host unclosed IPv6", req("GET / HTTP/1.1", "Host: [::1"), errHost},
		{"Host empty IPv6", req("GET / HTTP/1.1", "Host: []"), errHost},
		{"Host IPv6 bad byte", req("GET / HTTP/1.1", "Host: [::g]"), errHost},
		{"Host IPv6 junk after", req("GET / HTTP/1.1", "Host: [::1]x"), errHost},
		{"Host IPvFuture without dot", req("GET / HTTP/1.1", "Host: [v1]"), errHost},
		{"Host IPvFuture empty version", req("GET / HTTP/1.1", "Host: [v.x]"), errHost},
		{"Host IPvFuture empty rest", req("GET / HTTP/1.1", "Host: [v1.]"), errHost},
		{"Host IPvFuture bad version", req("GET / HTTP/1.1", "Host: [vz.x]"), errHost},
		{"Host IPvFuture bad byte", req("GET / HTTP/1.1", "Host: [v1.x/]"), errHost},
		{"Host IPv6 bad port", req("GET / HTTP/1.1", "Host: [::1]:x"), errHost},

		// Content-Length (RFC 9110 §8.6, RFC 9112 §6.3).
		{"Content-Length differing list", get("Content-Length: 42, 43"), errContentLength},
		{"Content-Length differing lines", get("Content-Length: 42", "Content-Length: 43"), errContentLength},
		{"Content-Length empty", get("Content-Length:"), errContentLength},
		{"Content-Length letters", get("Content-Length: abc"), errContentLength},
		{"Content-Length plus", get("Content-Length: +42"), errContentLength},
		{"Content-Length minus", get("Content-Length: -1"), errContentLength},
		{"Content-Length inner SP", get("Content-Length: 4 2"), errContentLength},
		{"Content-Length hex", get("Content-Length: 0x10"), errContentLength},
		{"Content-Length trailing comma", get("Content-Length: 42,"), errContentLength},
		{"Content-Length leading comma", get("Content-Length: ,42"), errContentLength},
		{"Content-Length empty element", get("Content-Length: 42,,42"), errContentLength},
		{"Content-Length 19 digits", get("Content-Length: 1000000000000000000"), errContentLength},
		{"Content-Length overflows int64", get("Content-Length: 99999999999999999999"), errContentLength},

		// Transfer-Encoding (§6.1, §6.3).
		{"CL then TE", get("Content-Length: 5", "Transfer-Encoding: chunked"), errCLAndTE},
		{"TE then CL", get("Transfer-Encoding: chunked", "Content-Length: 5"), errCLAndTE},
		{"gzip alone", get("Transfer-Encoding: gzip"), errTENotChunked},
		{"chunked then gzip", get("Transfer-Encoding: chunked, gzip"), errTENotChunked},
		{"chunked then gzip on two lines", get("Transfer-Encoding: chunked", "Transfer-Encoding: gzip"), errTENotChunked},
		{"chunked twice", get("Transfer-Encoding: chunked, chunked"), errTEChunkedTwice},
		{"chunked twice on two lines", get("Transfer-Encoding: chunked", "Transfer-Encoding: CHUNKED"), errTEChunkedTwice},
		{"gzip then chunked", get("Transfer-Encoding: gzip, chunked"), errTEUnsupported},
		{"gzip then chunked on two lines", get("Transfer-Encoding: gzip", "Transfer-Encoding: chunked"), errTEUnsupported},
		{"unknown then chunked", get("Transfer-Encoding: x-custom, chunked"), errTEUnsupported},
		{"coding with parameter then chunked", get("Transfer-Encoding: gzip;level=1, chunked"), errTEUnsupported},
		{"chunked with parameter", get("Transfer-Encoding: chunked;x=1"), errTEChunkedParams},
		{"chunked with empty parameter", get("Transfer-Encoding: chunked ;"), errTEChunkedParams},
		{"TE in HTTP/1.0", req("POST / HTTP/1.0", "Transfer-Encoding: chunked"), errTE10},
		{"TE empty", get("Transfer-Encoding:"), errTENotChunked},
		{"TE only commas", get("Transfer-Encoding: , ,"), errTENotChunked},
		{"TE empty second line", get("Transfer-Encoding: chunked", "Transfer-Encoding: "), errTENotChunked},
		{"TE coding not a token", get("Transfer-Encoding: chun ked"), errTENotChunked},
		{"TE identity", get("Transfer-Encoding: identity"), errTENotChunked},

		// Expect (RFC 9110 §10.1.1).
		{"Expect other", get("Expect: 200-ok"), errExpectation},
		{"Expect other in HTTP/1.0", req("GET / HTTP/1.0", "Expect: x"), errExpectation},
		{"Expect 100-continue and other", get("Expect: 100-continue, x"), errExpectation},
		{"Expect 100-continue with parameter", get("Expect: 100-continue;a=b"), errExpectation},

		// Line terminators (§2.2).
		{"bare LF after request line", "GET / HTTP/1.1\nHost: a\r\n\r\n", errBareLF},
		{"bare LF after field", "GET / HTTP/1.1\r\nHost: a\n\r\n", errBareLF},
		{"bare LF as empty line", "GET / HTTP/1.1\r\nHost: a\r\n\n", errBareLF},
		{"bare LF before request", "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", errBareLF},
		{"bare LF after empty line", "\r\n\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", errBareLF},
		{"bare CR in request line", line("GET /\r HTTP/1.1"), errBareCR},
		{"bare CR before request line", "\r\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", errBareCR},
		{"bare CR between fields", "GET / HTTP/1.1\r\nHost: a\r\rX: y\r\n\r\n", errBareCR},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, _, err := parseAll(tt.in, Limits{})
			var e *Error
			if !errors.As(err, &e) || e != tt.want {
				t.Fatalf("Parse(%q) = %d, %v; want %v", tt.in, n, err, tt.want)
			}
			if e.Status != tt.want.Status {
				t.Errorf("Parse(%q) status = %d; want %d", tt.in, e.Status, tt.want.Status)
			}
		})
	}
}

// TestParseHeadStatus pins the status codes the rules promise, so that a
// change of an error value's code is caught too.
func TestParseHeadStatus(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{req("GET / HTTP/2.0", "Host: a"), 505},
		{req("GET / HTTP/1.1", "Host: a", "Transfer-Encoding: gzip, chunked"), 501},
		{req("GET / HTTP/1.1", "Host: a", "Expect: x"), 417},
		{req("GET / HTTP/1.1", "Host: a", "Transfer-Encoding: gzip"), 400},
		{req("GET / HTTP/1.1"), 400},
		{req("GET /"+strings.Repeat("a", DefaultMaxRequestLine), "Host: a"), 414},
		{req("GET / HTTP/1.1", "Host: a", "X: "+strings.Repeat("a", DefaultMaxHeaderBytes)), 431},
	}
	for _, tt := range tests {
		_, _, err := parseAll(tt.in, Limits{})
		var e *Error
		if !errors.As(err, &e) || e.Status != tt.want {
			t.Errorf("Parse(%.40q...) = %v; want status %d", tt.in, err, tt.want)
		}
	}
}

func TestParseHeadLimits(t *testing.T) {
	lim := Limits{MaxRequestLine: 16, MaxHeaderBytes: 64, MaxFields: 2}
	line16 := "GET /" + strings.Repeat("a", 2) + " HTTP/1.1" // 16 bytes
	// head makes req(line16, "Host: a", "X: bbb...") of total bytes.
	head := func(total int) string {
		return req(line16, "Host: a", "X: "+strings.Repeat("b", total-34))
	}
	tests := []struct {
		name string
		in   string
		want error // nil, ErrNeedMore or an *Error
	}{
		{"request line at limit", req(line16, "Host: a"), nil},
		{"request line over limit", req("GET /aaa HTTP/1.1", "Host: a"), errURITooLong},
		{"request line over limit, incomplete", "GET /aaaaaaaaaaaa", errURITooLong},
		{"request line at limit, incomplete", line16, ErrNeedMore},
		{"request line at limit, CR without LF", line16 + "\r", ErrNeedMore},
		{"request line over limit, after a CR", line16 + "\rX", errURITooLong},
		{"request line over limit with bare LF", line16 + "a\n", errURITooLong},
		{"request line at limit with bare LF", line16 + "\n", errBareLF},
		{"head at limit", head(64), nil},
		{"head over limit at its last LF", head(65), errHeaderTooLarge},
		{"head over limit inside a line", head(66), errHeaderTooLarge},
		{"head over limit, incomplete", req(line16, "Host: a")[:27] + strings.Repeat("X", 38), errHeaderTooLarge},
		{"head at limit, incomplete", req(line16, "Host: a")[:27] + strings.Repeat("X", 37), ErrNeedMore},
		{"fields at limit", req(line16, "Host: a", "X: b"), nil},
		{"fields over limit", req(line16, "Host: a", "X: b", "Y: c"), errTooManyFields},
		{"leading empty lines over limit", strings.Repeat("\r\n", 9) + req(line16, "Host: a"), errRequestLine},
		{"leading empty lines at limit", strings.Repeat("\r\n", 8) + req(line16, "Host: a"), nil},
		{"leading empty lines not counted in head", strings.Repeat("\r\n", 8) + head(64), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, _, err := parseAll(tt.in, lim)
			if err != tt.want {
				t.Fatalf("Parse(%q) = %d, %v; want %v", tt.in, n, err, tt.want)
			}
		})
	}
}

func TestParseHeadDefaultLimits(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"request line at default", req("GET /"+strings.Repeat("a", DefaultMaxRequestLine-14)+" HTTP/1.1", "Host: a"), nil},
		{"request line over default", req("GET /"+strings.Repeat("a", DefaultMaxRequestLine-13)+" HTTP/1.1", "Host: a"), errURITooLong},
		{"head over default", req("GET / HTTP/1.1", "Host: a", "X: "+strings.Repeat("a", DefaultMaxHeaderBytes)), errHeaderTooLarge},
		{"fields at default", req(append([]string{"GET / HTTP/1.1", "Host: a"}, strings.Split(strings.Repeat("X: y,", DefaultMaxFields-1), ",")[:DefaultMaxFields-1]...)...), nil},
		{"fields over default", req(append([]string{"GET / HTTP/1.1", "Host: a"}, strings.Split(strings.Repeat("X: y,", DefaultMaxFields), ",")[:DefaultMaxFields]...)...), errTooManyFields},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parseAll(tt.in, Limits{})
			if err != tt.want {
				t.Fatalf("Parse(%.60q...) = %v; want %v", tt.in, err, tt.want)
			}
		})
	}
}

// TestLimitsClamp guards the clamp that keeps MaxRequestLine within
// MaxHeaderBytes, without which a long request line would get 431 or 414
// depending on how its bytes arrived.
func TestLimitsClamp(t *testing.T) {
	lim := Limits{MaxRequestLine: 100, MaxHeaderBytes: 20}
	in := "GET /" + strings.Repeat("a", 30) + " HTTP/1.1\r\n"
	for cut := 1; cut <= len(in); cut++ {
		p := Parser{Limits: lim}
		_, err := p.Scan([]byte(in[:cut]))
		if err == ErrNeedMore {
			_, err = p.Scan([]byte(in))
		}
		if err != errURITooLong {
			t.Fatalf("Scan(%q) then Scan(%q) = %v; want %v", in[:cut], in, err, errURITooLong)
		}
	}
}

// TestScanFailsFast checks that bytes which cannot begin a request are
// refused before a line ends, so a TLS handshake sent to a plain-text port
// is answered at once instead of waiting for a LF that never comes.
func TestScanFailsFast(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"TLS ClientHello", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", errMethod},
		{"NUL in method", "GET\x00", errMethod},
		{"HTTP/2 preface is a request line", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", errVersionSupport},
		{"bad byte after leading CRLF", "\r\n\x80", errMethod},
		{"method then CR", "GET\r", ErrNeedMore},
		{"target bytes are not checked early", "GET /\x00", ErrNeedMore},
		{"leading CR", "\r", ErrNeedMore},
		{"empty", "", ErrNeedMore},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Parser
			var h Head
			if _, err := p.Parse([]byte(tt.in), &h); err != tt.want {
				t.Errorf("Parse(%q) = %v; want %v", tt.in, err, tt.want)
			}
		})
	}
}

// validHeads are complete heads for the prefix and reuse tests.
var validHeads = []string{
	req("GET / HTTP/1.1", "Host: a"),
	"\r\n\r\n" + req("POST /upload?x=1 HTTP/1.1", "Host: example.com:8080", "Content-Length: 5", "Expect: 100-continue"),
	req("PUT http://example.com/a HTTP/1.1", "Host: example.com", "Transfer-Encoding: chunked", "Connection: close"),
	req("OPTIONS * HTTP/1.0"),
	req("CONNECT [::1]:443 HTTP/1.1", "Host: [::1]:443", "X:", "Y: \t v \t"),
}

// TestParsePrefixes feeds every strict prefix of a valid head: each must be
// ErrNeedMore, whether given to a fresh Parser or to one that has seen the
// shorter prefixes before (its resume state), and the whole head must then
// parse the same as at once.
func TestParsePrefixes(t *testing.T) {
	for _, in := range validHeads {
		want, wantN := parseFacts(t, in)
		var resumed Parser
		var h Head
		for cut := 0; cut < len(in); cut++ {
			var fresh Parser
			if n, err := fresh.Parse([]byte(in[:cut]), &h); err != ErrNeedMore {
				t.Fatalf("Parse(%q) = %d, %v; want ErrNeedMore", in[:cut], n, err)
			}
			if n, err := resumed.Parse([]byte(in[:cut]), &h); err != ErrNeedMore {
				t.Fatalf("after shorter prefixes, Parse(%q) = %d, %v; want ErrNeedMore", in[:cut], n, err)
			}
		}
		n, err := resumed.Parse([]byte(in), &h)
		if err != nil || n != wantN {
			t.Fatalf("byte by byte, Parse(%q) = %d, %v; want %d, nil", in, n, err, wantN)
		}
		if got := summarize(&h); !reflect.DeepEqual(got, want) {
			t.Errorf("byte by byte, Parse(%q) = %+v; want %+v", in, got, want)
		}
	}
}

// TestParseRandomSplits grows the buffer by random steps, with trailing
// bytes of a next request after the head, the way a connection reads.
func TestParseRandomSplits(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, head := range validHeads {
		want, wantN := parseFacts(t, head)
		in := head + "GET /next HTTP/1.1\r\n"
		for range 50 {
			var p Parser
			var h Head
			var n int
			err := ErrNeedMore
			for end := 0; err == ErrNeedMore; {
				end = min(len(in), end+1+r.IntN(8))
				n, err = p.Parse([]byte(in[:end]), &h)
			}
			if err != nil || n != wantN {
				t.Fatalf("Parse(%q) in random steps = %d, %v; want %d, nil", in, n, err, wantN)
			}
			if got := summarize(&h); !reflect.DeepEqual(got, want) {
				t.Fatalf("Parse(%q) in random steps = %+v; want %+v", in, got, want)
			}
		}
	}
}

func parseFacts(t *testing.T, in string) (facts, int) {
	t.Helper()
	n, h, err := parseAll(in, Limits{})
	if err != nil {
		t.Fatalf("Parse(%q) = %v", in, err)
	}
	return summarize(h), n
}

// TestParseErrorSplits checks that a refused input gets the same error
// however it is split in two, for inputs where several rules compete.
func TestParseErrorSplits(t *testing.T) {
	lim := Limits{MaxRequestLine: 12, MaxHeaderBytes: 40}
	tests := []string{
		"G\x01T /aaaaaaaaaaaaaaaaaaaa\n",
		"GET /aaaaaaaaaaaaaaaa\x01\n",
		"GET /aaaaaaa\r\x01aaaaaaaaa\r\n",
		"GET / HTTP/1.1\r\nX: " + strings.Repeat("a", 30) + "\nY",
		"GET / HTTP/1.1\r\nX: " + strings.Repeat("a", 30) + "\r\n\r\n",
		"\x16\x03\x01\n",
		"GET\r\x01 / HTTP/1.1\r\n",
	}
	for _, in := range tests {
		_, _, whole := parseAll(in, lim)
		if whole == ErrNeedMore || whole == nil {
			t.Fatalf("Parse(%q) = %v; want an *Error", in, whole)
		}
		for cut := 0; cut <= len(in); cut++ {
			p := Parser{Limits: lim}
			var h Head
			_, err := p.Parse([]byte(in[:cut]), &h)
			if err == ErrNeedMore {
				_, err = p.Parse([]byte(in), &h)
			}
			if err != whole {
				t.Errorf("Parse(%q) then Parse(%q) = %v; want %v as at once", in[:cut], in, err, whole)
			}
		}
	}
}

func TestParseLeavesNextRequest(t *testing.T) {
	head := req("GET / HTTP/1.1", "Host: a")
	in := head + "BODY"
	n, _, err := parseAll(in, Limits{})
	if err != nil || n != len(head) {
		t.Errorf("Parse(%q) = %d, %v; want %d, nil", in, n, err, len(head))
	}
}

// TestParserReuse parses two heads with one Parser and one Head, as a
// keep-alive connection does, and checks that Reset forgets the first.
func TestParserReuse(t *testing.T) {
	var p Parser
	var h Head
	first := req("POST /a HTTP/1.1", "Host: a", "Content-Length: 3", "Expect: 100-continue", "Connection: close, upgrade")
	if _, err := p.Parse([]byte(first[:10]), &h); err != ErrNeedMore {
		t.Fatalf("Parse(%q) = %v; want ErrNeedMore", first[:10], err)
	}
	if _, err := p.Parse([]byte(first), &h); err != nil {
		t.Fatalf("Parse(%q) = %v", first, err)
	}
	p.Reset()
	second := req("GET / HTTP/1.1", "Host: a")
	if _, err := p.Parse([]byte(second), &h); err != nil {
		t.Fatalf("after Reset, Parse(%q) = %v", second, err)
	}
	if got, want := summarize(&h), get11(nil); !reflect.DeepEqual(got, want) {
		t.Errorf("after Reset, Parse(%q) = %+v; want %+v", second, got, want)
	}
}

// TestParseHeadDirect covers ParseHead given bytes Scan did not delimit:
// it must refuse them, never panic.
func TestParseHeadDirect(t *testing.T) {
	tests := []struct {
		in   string
		want *Error
	}{
		{"", errRequestLine},
		{"GET / HTTP/1.1", errRequestLine},
		{"GET / HTTP/1.1\r\nHost: a\r\n", errRequestLine},
		{"\n", errBareLF},
		{"GET / HTTP/1.1\nHost: a\r\n\r\n", errBareLF},
	}
	for _, tt := range tests {
		var h Head
		if err := ParseHead([]byte(tt.in), &h, Limits{}); err != tt.want {
			t.Errorf("ParseHead(%q) = %v; want %v", tt.in, err, tt.want)
		}
	}
}

func TestHeadAliasesInput(t *testing.T) {
	in := []byte(req("GET /x HTTP/1.1", "Host: a"))
	var p Parser
	var h Head
	if _, err := p.Parse(in, &h); err != nil {
		t.Fatal(err)
	}
	in[5] = 'y'
	if string(h.Target) != "/y" {
		t.Errorf("Target after changing the input = %q; want %q (an alias)", h.Target, "/y")
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{errBareLF, "http1: 400 bare LF line terminator"},
		{errVersionSupport, "http1: 505 HTTP version not supported"},
		{&Error{Status: 431, Reason: "x"}, "http1: 431 x"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("(%#v).Error() = %q; want %q", tt.err, got, tt.want)
		}
	}
}

// TestValidIPLiteral covers the inside of "[...]" in Host and in targets
// (RFC 3986 §3.2.2). It guards against the loose check this replaced, which
// took any run of hex digits, colons and dots, "[1.2.3.4]" included.
func TestValidIPLiteral(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"::", true},
		{"::1", true},
		{"1::", true},
		{"2001:db8::8a2e:370:7334", true},
		{"2001:DB8:0:0:8:800:200C:417A", true},
		{"1:2:3:4:5:6:7:8", true},
		{"1:2:3:4:5:6:7::", true},
		{"::2:3:4:5:6:7:8", true},
		{"::ffff:1.2.3.4", true},
		{"::1.2.3.4", true},
		{"1:2:3:4:5:6:255.255.255.255", true},
		{"v1.x", true},
		{"VF.a:b!$", true},
		{"", false},
		{":", false},
		{":::", false},
		{":1", false},
		{"1:", false},
		{"1:2:3:4:5:6:7", false},
		{"1:2:3:4:5:6:7:8:9", false},
		{"1:2:3:4:5:6:7:8::", false},
		{"::1:2:3:4:5:6:7:8", false},
		{"1::2::3", false},
		{"12345::", false},
		{"g::", false},
		{"1.2.3.4", false},
		{"1.2.3.4::", false},
		{"::1.2.3", false},
		{"::1.2.3.4.5", false},
		{"::256.1.1.1", false},
		{"::01.2.3.4", false},
		{"::1.2.3.4x", false},
		{"::ffff1.2.3.4", false},
		{"1:2:3:4:5:6:7:1.2.3.4", false},
		{"fe80::1%25eth0", false},
		{"v", false},
		{"v1", false},
		{"v.x", false},
		{"v1.", false},
		{"vz.x", false},
		{"v1.x/", false},
	}
	for _, tt := range tests {
		if got := validIPLiteral([]byte(tt.in)); got != tt.want {
			t.Errorf("validIPLiteral(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

// TestLaterMinorVersionServedAsHTTP11 checks RFC 9112 §2.3: a request in a
// later HTTP/1.x is processed as HTTP/1.1, the highest minor version
// implemented, not refused.
func TestLaterMinorVersionServedAsHTTP11(t *testing.T) {
	for _, v := range []string{"HTTP/1.2", "HTTP/1.9"} {
		var p Parser
		var h Head
		in := "GET / " + v + "\r\nHost: a\r\n\r\n"
		if _, err := p.Parse([]byte(in), &h); err != nil || h.Minor != 1 {
			t.Errorf("Parse(%q) = minor %d, %v; want minor 1, nil", in, h.Minor, err)
		}
	}
}
