package http1

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// decoded is what a ChunkedDecoder made of one input.
type decoded struct {
	Body     string
	Consumed int
	Done     bool
	Err      error
	Trailers []string // "Name: Value"
}

// decodePieces feeds in to a fresh decoder cut at the given offsets, the way
// a connection does: unconsumed bytes are kept and the next read appended.
// Every Decode call is checked against max.
func decodePieces(t *testing.T, in []byte, cuts []int, max int) decoded {
	t.Helper()
	var d ChunkedDecoder
	var res decoded
	var body []byte
	var pending []byte
	prev := 0
	for _, cut := range append(cuts, len(in)) {
		pending = append(pending, in[prev:cut]...)
		prev = cut
		for len(pending) > 0 && !d.Done() {
			data, n, err := d.Decode(pending, max)
			if len(data) > max {
				t.Fatalf("Decode(%q, %d) returned %d bytes of data", pending, max, len(data))
			}
			if n < 0 || n > len(pending) {
				t.Fatalf("Decode(%q, %d) consumed %d bytes", pending, max, n)
			}
			body = append(body, data...)
			pending = pending[n:]
			res.Consumed += n
			if err != nil {
				res.Err = err
				res.Body = string(body)
				return res
			}
		}
	}
	res.Body, res.Done = string(body), d.Done()
	if !res.Done {
		return res // Trailers are defined once Done
	}
	for _, f := range d.Trailers() {
		res.Trailers = append(res.Trailers, string(f.Name)+": "+string(f.Value))
	}
	return res
}

func TestChunkedDecoder(t *testing.T) {
	long := strings.Repeat("x", 300)
	tests := []struct {
		name string
		in   string
		want decoded // Consumed is len(in) unless set
	}{
		{"one chunk", "5\r\nhello\r\n0\r\n\r\n", decoded{Body: "hello", Done: true}},
		{"two chunks", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", decoded{Body: "hello world", Done: true}},
		{"empty body", "0\r\n\r\n", decoded{Done: true}},
		{"long chunk", "12c\r\n" + long + "\r\n0\r\n\r\n", decoded{Body: long, Done: true}},
		{"upper-case hex", "A\r\n0123456789\r\n0\r\n\r\n", decoded{Body: "0123456789", Done: true}},
		{"lower-case hex", "a\r\n0123456789\r\n0\r\n\r\n", decoded{Body: "0123456789", Done: true}},
		{"mixed-case hex", "1F\r\n" + long[:31] + "\r\n0\r\n\r\n", decoded{Body: long[:31], Done: true}},
		{"leading zeros", "0005\r\nhello\r\n0000\r\n\r\n", decoded{Body: "hello", Done: true}},
		{"many leading zeros", strings.Repeat("0", 40) + "1\r\nx\r\n0\r\n\r\n", decoded{Body: "x", Done: true}},
		{"data holding CRLF", "4\r\n\r\n\r\n\r\n0\r\n\r\n", decoded{Body: "\r\n\r\n", Done: true}},

		// Chunk extensions (§7.1.1): ignored.
		{"extension", "5;name=value\r\nhello\r\n0\r\n\r\n", decoded{Body: "hello", Done: true}},
		{"extension without value", "5;a;b\r\nhello\r\n0;last\r\n\r\n", decoded{Body: "hello", Done: true}},
		{"extension quoted value", "5;a=\"x; y\"\r\nhello\r\n0\r\n\r\n", decoded{Body: "hello", Done: true}},
		{"extension with obs-text", "5;a=\xff\r\nhello\r\n0\r\n\r\n", decoded{Body: "hello", Done: true}},
		{"BWS before semicolon", "5 ;a\r\nhello\r\n0\t \t;b\r\n\r\n", decoded{Body: "hello", Done: true}},

		// Trailer section (§7.1.2).
		{"trailers", "5\r\nhello\r\n0\r\nX-Sum: abc\r\nY:\t z \r\n\r\n", decoded{
			Body: "hello", Done: true, Trailers: []string{"X-Sum: abc", "Y: z"}}},
		{"trailer with empty value", "0\r\nX:\r\n\r\n", decoded{Done: true, Trailers: []string{"X: "}}},
		{"trailers at count limit", "0\r\n" + strings.Repeat("T: v\r\n", MaxTrailers) + "\r\n", decoded{
			Done: true, Trailers: strings.Split(strings.Repeat("T: v,", MaxTrailers), ",")[:MaxTrailers]}},

		// Bytes after the body belong to the next request.
		{"next request kept", "5\r\nhello\r\n0\r\n\r\nGET / HTTP/1.1\r\n", decoded{
			Body: "hello", Done: true, Consumed: len("5\r\nhello\r\n0\r\n\r\n")}},

		// Incomplete bodies: everything consumed, not done.
		{"incomplete size line", "5", decoded{}},
		{"incomplete data", "5\r\nhel", decoded{Body: "hel"}},
		{"incomplete trailer", "0\r\nX: y\r\n", decoded{}},
		{"largest size", "fffffffffffffff\r\nabc", decoded{Body: "abc"}},

		// Malformed sizes.
		{"size missing", "\r\nhello\r\n", decoded{Err: errChunkSize, Consumed: 1}},
		{"size missing before extension", ";a\r\n", decoded{Err: errChunkSize, Consumed: 1}},
		{"size not hex", "g\r\n", decoded{Err: errChunkSize, Consumed: 1}},
		{"size negative", "-1\r\n", decoded{Err: errChunkSize, Consumed: 1}},
		{"size with 0x", "0x5\r\n", decoded{Err: errChunkSize, Consumed: 2}},
		{"size with leading SP", " 5\r\n", decoded{Err: errChunkSize, Consumed: 1}},
		{"SP after size without semicolon", "5 \r\nhello\r\n", decoded{Err: errChunkSize, Consumed: 3}},
		{"HTAB after size without semicolon", "5\t\r\n", decoded{Err: errChunkSize, Consumed: 3}},
		{"SP inside size", "5 5\r\n", decoded{Err: errChunkSize, Consumed: 3}},
		{"size 2^60 overflows", "1000000000000000\r\n", decoded{Err: errChunkTooLarge, Consumed: 16}},
		{"size 17 digits", "10000000000000000\r\n", decoded{Err: errChunkTooLarge, Consumed: 16}},
		{"size 2^64 would wrap", "10000000000000000000\r\n", decoded{Err: errChunkTooLarge, Consumed: 16}},

		// Line ends (§2.2, §7.1).
		{"bare LF after size", "5\nhello\r\n", decoded{Err: errChunkSize, Consumed: 2}},
		{"bare LF after extension", "5;a\nhello\r\n", decoded{Err: errChunkExt, Consumed: 4}},
		{"bare CR after size", "5\rhello\r\n", decoded{Err: errBareCR, Consumed: 3}},
		{"data longer than size", "5\r\nhelloX\r\n0\r\n\r\n", decoded{Body: "hello", Err: errChunkCRLF, Consumed: 9}},
		{"data then CR only", "5\r\nhello\rX", decoded{Body: "hello", Err: errChunkCRLF, Consumed: 10}},
		{"data then bare LF", "5\r\nhello\n0\r\n\r\n", decoded{Body: "hello", Err: errChunkCRLF, Consumed: 9}},
		{"bare LF in trailer", "0\r\nX: y\n\r\n", decoded{Err: errBareLF, Consumed: 8}},
		{"bare LF as last line", "0\r\n\n", decoded{Err: errBareLF, Consumed: 4}},
		{"bare CR in trailer", "0\r\nX: a\rb\r\n\r\n", decoded{Err: errBareCR, Consumed: 11}},

		// Extensions are bounded and must be field-value bytes.
		{"extension with NUL", "5;a\x00\r\n", decoded{Err: errChunkExt, Consumed: 4}},
		{"extension with DEL", "5;a\x7f\r\n", decoded{Err: errChunkExt, Consumed: 4}},
		{"size line at limit", "5;" + strings.Repeat("a", maxChunkLine-4) + "\r\nhello\r\n0\r\n\r\n", decoded{Body: "hello", Done: true}},
		{"size line over limit", "5;" + strings.Repeat("a", maxChunkLine-3) + "\r\n", decoded{Err: errChunkExt, Consumed: maxChunkLine + 1}},
		{"leading zeros over line limit", strings.Repeat("0", maxChunkLine+1), decoded{Err: errChunkExt, Consumed: maxChunkLine + 1}},

		// Malformed trailers.
		{"trailer without colon", "0\r\nbad line\r\n\r\n", decoded{Err: errTrailer, Consumed: 13}},
		{"trailer obs-fold", "0\r\nX: a\r\n b\r\n\r\n", decoded{Err: errTrailer, Consumed: 13}},
		{"trailer SP before colon", "0\r\nX : a\r\n\r\n", decoded{Err: errTrailer, Consumed: 10}},
		{"trailer control in value", "0\r\nX: \x01\r\n\r\n", decoded{Err: errTrailer, Consumed: 9}},
		{"trailers over count limit", "0\r\n" + strings.Repeat("T: v\r\n", MaxTrailers+1) + "\r\n", decoded{
			Err: errTrailerTooLarge, Consumed: 3 + 6*MaxTrailers + 6}},
		{"trailers over byte limit", "0\r\nX: " + strings.Repeat("a", MaxTrailerBytes) + "\r\n\r\n", decoded{
			Err: errTrailerTooLarge, Consumed: 3 + MaxTrailerBytes + 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.want
			if want.Consumed == 0 && want.Err == nil {
				want.Consumed = len(tt.in)
			}
			in := []byte(tt.in)
			got := decodePieces(t, in, nil, len(in)+1)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("Decode(%q) = %+v; want %+v", tt.in, got, want)
			}
			// The same bytes one at a time, with small reads.
			cuts := make([]int, len(in))
			for i := range cuts {
				cuts[i] = i
			}
			if got := decodePieces(t, in, cuts, 3); !reflect.DeepEqual(got, want) {
				t.Errorf("Decode(%q) byte by byte = %+v; want %+v", tt.in, got, want)
			}
		})
	}
}

// TestChunkedExtensionBudget checks the per-body bound on extension bytes:
// a flood of one-byte chunks with long extensions is refused, while the
// same extensions riding on large chunks are accepted.
func TestChunkedExtensionBudget(t *testing.T) {
	ext := ";" + strings.Repeat("e", 4000)
	var flood strings.Builder
	for range maxChunkExtAll/4000 + 2 {
		flood.WriteString("1" + ext + "\r\nx\r\n")
	}
	got := decodePieces(t, []byte(flood.String()), nil, 1<<20)
	if got.Err != errChunkExt {
		t.Errorf("Decode(%d one-byte chunks with 4000-byte extensions) error = %v; want %v",
			maxChunkExtAll/4000+2, got.Err, errChunkExt)
	}

	var fair strings.Builder
	data := strings.Repeat("d", 4096)
	for range maxChunkExtAll/4000 + 2 {
		fair.WriteString("1000" + ext + "\r\n" + data + "\r\n")
	}
	fair.WriteString("0\r\n\r\n")
	got = decodePieces(t, []byte(fair.String()), nil, 1<<20)
	if got.Err != nil || !got.Done {
		t.Errorf("Decode(4096-byte chunks with 4000-byte extensions) = %v, done %v; want nil, true", got.Err, got.Done)
	}
}

// TestChunkedSplits checks that any split of the input, and any max, gives
// the same body, trailers, error and consumption as feeding it at once.
func TestChunkedSplits(t *testing.T) {
	inputs := []string{
		"5\r\nhello\r\n6;x=y\r\n world\r\n0\r\nA: b\r\nC: d\r\n\r\nNEXT",
		"a ; e\r\n0123456789\r\n000\r\n\r\n",
		"3\r\nabc\r\n2\r\nde\n",
		"1F\r\n" + strings.Repeat("z", 31) + "\r\n0\r\nT: " + strings.Repeat("v", 100) + "\r\n\r\n",
		"0\r\nbad\r\n\r\n",
	}
	r := rand.New(rand.NewPCG(3, 4))
	for _, s := range inputs {
		in := []byte(s)
		want := decodePieces(t, in, nil, len(in))
		for range 200 {
			var cuts []int
			for c := r.IntN(4); c < len(in); c += 1 + r.IntN(6) {
				cuts = append(cuts, c)
			}
			max := 1 + r.IntN(8)
			if got := decodePieces(t, in, cuts, max); !reflect.DeepEqual(got, want) {
				t.Fatalf("Decode(%q) cut at %v, max %d = %+v; want %+v", in, cuts, max, got, want)
			}
		}
	}
}

// TestChunkedDecodeMax checks that one Decode call never returns more data
// than max, and returns a run of data before the framing that follows it.
func TestChunkedDecodeMax(t *testing.T) {
	in := []byte("a\r\n0123456789\r\n0\r\n\r\n")
	tests := []struct {
		max      int
		wantData string
		wantN    int
	}{
		{4, "0123", 7},
		{10, "0123456789", 13},
		{100, "0123456789", 13},
		{0, "", 3},
		{-1, "", 3},
	}
	for _, tt := range tests {
		var d ChunkedDecoder
		data, n, err := d.Decode(in, tt.max)
		if string(data) != tt.wantData || n != tt.wantN || err != nil {
			t.Errorf("Decode(%q, %d) = %q, %d, %v; want %q, %d, nil", in, tt.max, data, n, err, tt.wantData, tt.wantN)
		}
	}
}

// TestChunkedDataAliasesInput guards the no-copy promise of Decode.
func TestChunkedDataAliasesInput(t *testing.T) {
	in := []byte("3\r\nabc\r\n0\r\n\r\n")
	var d ChunkedDecoder
	data, _, err := d.Decode(in, 10)
	if err != nil || string(data) != "abc" {
		t.Fatalf("Decode(%q) = %q, %v; want \"abc\", nil", in, data, err)
	}
	in[3] = 'X'
	if data[0] != 'X' {
		t.Errorf("Decode data after changing the input = %q; want an alias of the input", data)
	}
}

func TestChunkedDecoderReset(t *testing.T) {
	var d ChunkedDecoder
	first := []byte("3\r\nabc\r\n0\r\nA: 1\r\n\r\n")
	for !d.Done() {
		_, n, err := d.Decode(first, 10)
		if err != nil {
			t.Fatal(err)
		}
		first = first[n:]
	}
	d.Reset()
	if d.Done() || len(d.Trailers()) != 0 {
		t.Fatalf("after Reset, Done() = %v, %d trailers; want false, 0", d.Done(), len(d.Trailers()))
	}
	second := []byte("2\r\nhi\r\n0\r\nB: 2\r\n\r\n")
	var body []byte
	for !d.Done() {
		data, n, err := d.Decode(second, 10)
		if err != nil {
			t.Fatal(err)
		}
		body = append(body, data...)
		second = second[n:]
	}
	if tr := d.Trailers(); string(body) != "hi" || len(tr) != 1 || string(tr[0].Name) != "B" || string(tr[0].Value) != "2" {
		t.Errorf("second body after Reset = %q, trailers %q; want \"hi\", [B: 2]", body, tr)
	}
}

// TestChunkedTrailersStable guards the aliasing of trailer fields: earlier
// fields must keep their bytes when later lines grow the trailer buffer.
func TestChunkedTrailersStable(t *testing.T) {
	var b strings.Builder
	b.WriteString("0\r\n")
	for i := range 40 {
		b.WriteString("T" + strings.Repeat("x", i) + ": " + strings.Repeat("v", 200) + "\r\n")
	}
	b.WriteString("\r\n")
	got := decodePieces(t, []byte(b.String()), nil, 10)
	if got.Err != nil || len(got.Trailers) != 40 {
		t.Fatalf("Decode(40 trailers) = %v, %d trailers", got.Err, len(got.Trailers))
	}
	for i, tr := range got.Trailers {
		if want := "T" + strings.Repeat("x", i) + ": " + strings.Repeat("v", 200); tr != want {
			t.Errorf("trailer %d = %q; want %q", i, tr, want)
		}
	}
}

func TestAppendChunkHeader(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{0, "0\r\n"},
		{1, "1\r\n"},
		{10, "a\r\n"},
		{255, "ff\r\n"},
		{4096, "1000\r\n"},
		{1<<31 - 1, "7fffffff\r\n"},
	}
	for _, tt := range tests {
		if got := AppendChunkHeader([]byte("pre:"), tt.n); string(got) != "pre:"+tt.want {
			t.Errorf("AppendChunkHeader(\"pre:\", %d) = %q; want %q", tt.n, got, "pre:"+tt.want)
		}
	}
}

// TestAppendChunkHeaderRoundTrip encodes a body with AppendChunkHeader and
// decodes it again.
func TestAppendChunkHeaderRoundTrip(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789abcdef"), 100)
	var enc []byte
	for rest := body; len(rest) > 0; {
		k := min(len(rest), 1+len(rest)/3)
		enc = AppendChunkHeader(enc, k)
		enc = append(enc, rest[:k]...)
		enc = append(enc, "\r\n"...)
		rest = rest[k:]
	}
	enc = append(AppendChunkHeader(enc, 0), "\r\n"...)
	got := decodePieces(t, enc, nil, 64)
	if got.Err != nil || !got.Done || got.Body != string(body) || got.Consumed != len(enc) {
		t.Errorf("Decode(AppendChunkHeader encoding) = %v, done %v, %d bytes; want the %d-byte body", got.Err, got.Done, len(got.Body), len(body))
	}
}
