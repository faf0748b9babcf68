package http1

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"testing"
)

// headSeeds are request heads from RFC 9112 and RFC 9110 examples, and
// inputs that once broke, or nearly broke, a rule of this package.
var headSeeds = []string{
	// RFC 9112 §3.2.1-§3.2.4: the four request-target forms.
	"GET /where?q=now HTTP/1.1\r\nHost: www.example.org\r\n\r\n",
	"GET http://www.example.org/pub/WWW/TheProject.html HTTP/1.1\r\nHost: www.example.org\r\n\r\n",
	"CONNECT www.example.com:80 HTTP/1.1\r\nHost: www.example.com:80\r\n\r\n",
	"OPTIONS * HTTP/1.1\r\nHost: www.example.org:8001\r\n\r\n",
	// RFC 9110 §6.1 / RFC 9112 §1: the curl example.
	"GET /hello.txt HTTP/1.1\r\nUser-Agent: curl/7.64.1\r\nHost: www.example.com\r\nAccept-Language: en, mi\r\n\r\n",
	// RFC 9112 §7.1: a chunked request with a trailer.
	"POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTrailer: Expires\r\n\r\n5\r\nhello\r\n0\r\nExpires: never\r\n\r\n",
	"PUT /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello",
	"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
	"\r\n\r\nGET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n",
	// Refused inputs.
	"GET / HTTP/1.1\nHost: a\n\n",
	"GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n",
	"GET / HTTP/1.1\r\nHost : a\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
	"GET /#x HTTP/2.0\r\n\r\n",
	"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
	"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03",
	"GET /aaaaaaaaaaaaaaaaaaa\r\x01\n",
	"GET / HTTP/1.1\r\nHost: a\r\rX: y\r\n\r\n",
}

// FuzzParseHead checks that no input panics the head parser, that a parsed
// head satisfies the Head invariants, and that splitting the input in two
// changes nothing.
func FuzzParseHead(f *testing.F) {
	for i, s := range headSeeds {
		f.Add([]byte(s), uint16(i*7))
	}
	f.Fuzz(func(t *testing.T, in []byte, cut uint16) {
		var p Parser
		var h Head
		n, err := p.Parse(in, &h)
		checkHeadResult(t, in, n, err, &h)

		// The same bytes in two pieces, through one Parser.
		c := int(cut) % (len(in) + 1)
		var p2 Parser
		var h2 Head
		n2, err2 := p2.Parse(in[:c], &h2)
		if err2 == ErrNeedMore {
			n2, err2 = p2.Parse(in, &h2)
		}
		if n2 != n || err2 != err {
			t.Fatalf("Parse(%q) then Parse(%q) = %d, %v; at once %d, %v", in[:c], in, n2, err2, n, err)
		}
		if err == nil && !reflect.DeepEqual(summarize(&h2), summarize(&h)) {
			t.Fatalf("Parse(%q) in two pieces = %+v; at once %+v", in, summarize(&h2), summarize(&h))
		}
	})
}

func checkHeadResult(t *testing.T, in []byte, n int, err error, h *Head) {
	t.Helper()
	if err != nil {
		if err == ErrNeedMore {
			return
		}
		e, ok := err.(*Error)
		if !ok {
			t.Fatalf("Parse(%q) error %v is not an *Error", in, err)
		}
		switch e.Status {
		case 400, 414, 417, 431, 501, 505:
		default:
			t.Fatalf("Parse(%q) status %d", in, e.Status)
		}
		return
	}
	if n < 4 || n > len(in) || !bytes.HasSuffix(in[:n], []byte("\r\n\r\n")) {
		t.Fatalf("Parse(%q) = %d: not a head ending in CRLF CRLF", in, n)
	}
	head := in[:n]
	for _, s := range [][]byte{h.Method, h.Target, h.Host} {
		if !within(head, s) {
			t.Fatalf("Parse(%q): %q does not lie in the head", in, s)
		}
	}
	for _, f := range h.Fields {
		if !within(head, f.Name) || !within(head, f.Value) {
			t.Fatalf("Parse(%q): field %q: %q does not lie in the head", in, f.Name, f.Value)
		}
	}
	switch {
	case h.ContentLength < -1:
		t.Fatalf("Parse(%q): ContentLength %d", in, h.ContentLength)
	case h.Chunked && h.ContentLength != -1:
		t.Fatalf("Parse(%q): Chunked with ContentLength %d", in, h.ContentLength)
	case h.Minor != 0 && h.Minor != 1:
		t.Fatalf("Parse(%q): Minor %d", in, h.Minor)
	case h.Form > FormAsterisk:
		t.Fatalf("Parse(%q): Form %d", in, h.Form)
	case len(h.Fields) > DefaultMaxFields:
		t.Fatalf("Parse(%q): %d fields", in, len(h.Fields))
	case h.Minor == 1 && h.Host == nil:
		t.Fatalf("Parse(%q): HTTP/1.1 without Host", in)
	case h.Minor == 0 && (h.Chunked || h.Expect100):
		t.Fatalf("Parse(%q): HTTP/1.0 with Chunked %v, Expect100 %v", in, h.Chunked, h.Expect100)
	}
	// ParseHead of the delimited head agrees with Parse.
	var again Head
	if err := ParseHead(head, &again, Limits{}); err != nil || !reflect.DeepEqual(summarize(&again), summarize(h)) {
		t.Fatalf("ParseHead(%q) = %v, %+v; Parse gave %+v", head, err, summarize(&again), summarize(h))
	}
}

// within reports whether s is empty or lies inside buf.
func within(buf, s []byte) bool {
	if len(s) == 0 {
		return true
	}
	for i := range buf {
		if &buf[i] == &s[0] {
			return i+len(s) <= len(buf)
		}
	}
	return false
}

// chunkedSeeds are chunked bodies from RFC 9112 §7.1 and past edge cases.
var chunkedSeeds = []string{
	"5\r\nhello\r\n0\r\n\r\n",
	"1a; ignore-stuff-here\r\nabcdefghijklmnopqrstuvwxyz\r\n10\r\n1234567890abcdef\r\n0\r\nsome-footer: some-value\r\nanother-footer: another-value\r\n\r\n",
	"5 ;a=\"b c\"\r\nhello\r\n0\r\nExpires: never\r\n\r\nGET / HTTP/1.1\r\n",
	"000000000000000000001\r\nx\r\n0\r\n\r\n",
	"fffffffffffffff\r\nabc",
	"1000000000000000\r\n",
	"5 \r\nhello\r\n0\r\n\r\n",
	"5\nhello\n0\n\n",
	"5\r\nhello\n0\r\n\r\n",
	"0\r\nX: a\r\n b\r\n\r\n",
}

// FuzzChunkedDecoder checks that no input panics the decoder and that
// splitting the input and varying max change nothing.
func FuzzChunkedDecoder(f *testing.F) {
	for i, s := range chunkedSeeds {
		f.Add([]byte(s), uint64(i), uint8(i))
	}
	f.Fuzz(func(t *testing.T, in []byte, seed uint64, max uint8) {
		want := decodePieces(t, in, nil, len(in)+1)
		if want.Consumed > len(in) || len(want.Body) > want.Consumed {
			t.Fatalf("Decode(%q) consumed %d bytes for %d of data", in, want.Consumed, len(want.Body))
		}
		if want.Err != nil {
			if _, ok := want.Err.(*Error); !ok {
				t.Fatalf("Decode(%q) error %v is not an *Error", in, want.Err)
			}
		}
		r := rand.New(rand.NewPCG(seed, 0))
		var cuts []int
		for c := r.IntN(4); c < len(in); c += 1 + r.IntN(16) {
			cuts = append(cuts, c)
		}
		if got := decodePieces(t, in, cuts, 1+int(max)); !reflect.DeepEqual(got, want) {
			t.Fatalf("Decode(%q) cut at %v, max %d = %+v; at once %+v", in, cuts, 1+int(max), got, want)
		}
	})
}
