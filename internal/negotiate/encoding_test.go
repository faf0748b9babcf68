package negotiate

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var allOffers = []Coding{Zstd, Brotli, Gzip, Deflate}

// TestQValue_RFC9110_12_4_2 checks the qvalue grammar.
func TestQValue_RFC9110_12_4_2(t *testing.T) {
	tests := []struct {
		in   string
		want int16
		ok   bool
	}{
		{"0", 0, true},
		{"1", 1000, true},
		{"0.", 0, true},
		{"1.", 1000, true},
		{"0.5", 500, true},
		{"0.05", 50, true},
		{"0.001", 1, true},
		{"0.123", 123, true},
		{"0.999", 999, true},
		{"1.000", 1000, true},
		{"1.0", 1000, true},
		{"1.001", 0, false},
		{"0.0001", 0, false}, // four digits: beyond the grammar
		{"0.1234", 0, false},
		{"2", 0, false},
		{"", 0, false},
		{".5", 0, false},
		{"0,5", 0, false},
		{"0.5x", 0, false},
		{"abc", 0, false},
		{"-0", 0, false},
		{"01", 0, false},
		{"1e-1", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseQValue(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseQValue(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// TestWeight_RFC9110_12_5_3 checks the weight the field gives one coding:
// its own entry, else "*", else 0.
func TestWeight_RFC9110_12_5_3(t *testing.T) {
	tests := []struct {
		field  string
		coding Coding
		want   int
	}{
		{"gzip", Gzip, 1000},
		{"gzip", Brotli, 0},
		{"", Gzip, 0},
		{"gzip;q=0.5", Gzip, 500},
		{"gzip; q=0.123", Gzip, 123},
		{"gzip;q=1.000", Gzip, 1000},
		{"gzip;q=0", Gzip, 0},
		{"gzip;level=1;q=0.7", Gzip, 700}, // other parameters ignored
		{"*", Brotli, 1000},
		{"*;q=0.3", Zstd, 300},
		{"*;q=0.3, br;q=0.9", Brotli, 900}, // an entry beats "*", wherever it stands
		{"br;q=0.9, *;q=0.3", Brotli, 900},
		{"*;q=0.3", Identity, 300}, // "*" covers identity too
		{"x-gzip;q=0.8", Gzip, 800},
		{"X-GZIP", Gzip, 1000},

		// A weight that is not a qvalue refuses the coding, which stays
		// listed: "*" does not cover it (§12.5.3). static's parser did
		// this; the middleware's used to drop the element, so that
		// "*" granted the coding.
		{"gzip;q=", Gzip, 0},
		{"gzip;q=abc", Gzip, 0},
		{"gzip;q=0.1234", Gzip, 0},
		{"gzip;q=2", Gzip, 0},
		{"gzip;q=01", Gzip, 0},
		{"gzip;q=1.001", Gzip, 0},
		{"*, gzip;q=2", Gzip, 0},
		{"*, gzip;q=-1", Gzip, 0},
		{"gzip;q=2, gzip", Gzip, 0}, // the first entry counts, malformed or not
		{"*;q=2, *", Brotli, 0},

		// The first q parameter is the weight (static's parser took the last).
		{"zstd;q=0.1;q=1", Zstd, 100},
		// The first "*" counts, as the first entry of a coding does (static's
		// parser took the last "*").
		{"*;q=0.2, *;q=0.9", Brotli, 200},
		{"gzip;q=0.4, gzip;q=0.9", Gzip, 400},

		// Names are compared in ASCII only (static's parser folded Unicode:
		// "zſtd" with a long s was zstd), and only SP and HTAB are
		// whitespace (RFC 9110 §5.6.3; static's trimmed U+00A0 and U+0085).
		{"z\u017ftd", Zstd, 0},
		{"gzip\u00a0", Gzip, 0},
		{"\u0085gzip", Gzip, 0},
		{" \tgzip\t ;\tq=0.5 ", Gzip, 500},
	}
	for _, tt := range tests {
		ae := ParseAcceptEncoding(tt.field)
		if got := ae.Weight(tt.coding); got != tt.want {
			t.Errorf("Accept-Encoding: %q: Weight(%v) = %d; want %d", tt.field, tt.coding, got, tt.want)
		}
	}
}

// TestNegotiate_RFC9110_12_5_3 walks RFC 9110 §12.5.3: weights, "*",
// identity, ties broken by the server's order, and malformed entries.
func TestNegotiate_RFC9110_12_5_3(t *testing.T) {
	gzipFirst := []Coding{Gzip, Brotli}
	tests := []struct {
		field  string
		offers []Coding
		want   Coding
	}{
		// RFC 9110 §12.5.3 examples.
		{"compress, gzip", allOffers, Gzip},
		{"", allOffers, Identity},
		{"*", allOffers, Zstd},
		{"compress;q=0.5, gzip;q=1.0", allOffers, Gzip},
		{"gzip;q=1.0, identity; q=0.5, *;q=0", allOffers, Gzip},

		// Browsers: every coding at q=1, the server's order decides.
		{"gzip, deflate, br, zstd", allOffers, Zstd},
		{"gzip, deflate, br", allOffers, Brotli},
		{"gzip, deflate, br, zstd", gzipFirst, Gzip},
		{"deflate", gzipFirst, Identity}, // deflate not offered

		// Weights beat the server's order.
		{"zstd;q=0.5, gzip", allOffers, Gzip},
		{"br;q=0.9, zstd;q=0.8", allOffers, Brotli},
		{"gzip;q=0.001, deflate;q=0.002", allOffers, Deflate},
		{"gzip;q=0", allOffers, Identity},
		{"gzip;q=0.000", allOffers, Identity},

		// "*" covers what is not listed; a listed q=0 stays refused.
		{"*;q=0.5, zstd;q=0", allOffers, Brotli},
		{"*;q=0", allOffers, Identity},
		{"gzip, *;q=0", allOffers, Gzip},
		{"*;q=0.3, gzip;q=0.2", allOffers, Zstd},

		// Identity: wins only with a higher weight, its own or "*"'s.
		{"gzip;q=0.5, identity", allOffers, Identity},
		{"gzip;q=0.5, identity;q=0.5", allOffers, Gzip}, // ties go to the coding
		{"gzip;q=0.5", allOffers, Gzip},
		{"identity", allOffers, Identity},
		{"identity;q=0", allOffers, Identity}, // nothing acceptable: identity anyway
		{"*;q=0.5, gzip;q=0.4", []Coding{Gzip}, Identity},
		{"*;q=0.5, br;q=0.4", allOffers, Zstd},

		// Names: case-insensitive, x-gzip is gzip, unknown ones ignored.
		{"GZIP", allOffers, Gzip},
		{"Br;Q=1", allOffers, Brotli},
		{"x-gzip", allOffers, Gzip},
		{"compress, sdch, lzma", allOffers, Identity},
		{"zstd2, gzipx", allOffers, Identity},

		// Whitespace and empty list elements (RFC 9110 §5.6.1).
		{" , ,gzip ,\t", allOffers, Gzip},
		{"gzip\t;\tq=0.5 , br ; q=0.6", allOffers, Brotli},

		// Malformed weights refuse the coding named.
		{"zstd;q=2, gzip", allOffers, Gzip},
		{"zstd;q=, gzip", allOffers, Gzip},
		{"zstd;q=0.5000, gzip;q=0.1", allOffers, Gzip},
		{"*, zstd;q=2", allOffers, Brotli},          // listed, so "*" does not cover zstd
		{"zstd;q = 0, gzip;q=0.1", allOffers, Gzip}, // spaces around "=": lenient
		{"zstd;q=\t1 , gzip;q=0.1", allOffers, Zstd},
		{"zstd;level=3, gzip;q=0.1", allOffers, Zstd},   // other parameters ignored
		{"zstd;q=0.1;q=1, gzip;q=0.2", allOffers, Gzip}, // the first q counts

		// Repeated entries: the first one counts.
		{"gzip;q=0, gzip", allOffers, Identity},
		{"gzip, gzip;q=0", allOffers, Gzip},
	}
	for _, tt := range tests {
		ae := ParseAcceptEncoding(tt.field)
		if got := ae.Negotiate(tt.offers); got != tt.want {
			t.Errorf("Accept-Encoding: %q offering %v: got %v; want %v", tt.field, tt.offers, got, tt.want)
		}
	}
}

// TestAddFieldLines checks that several field lines form one list
// (RFC 9110 §5.3), the first entry of a coding counting across lines.
func TestAddFieldLines(t *testing.T) {
	var ae AcceptEncoding
	if got := ae.Negotiate(allOffers); got != Identity {
		t.Errorf("zero AcceptEncoding: Negotiate = %v; want identity", got)
	}
	ae.Add("identity")
	ae.Add("gzip;q=0.5, br;q=0")
	ae.Add("br, *;q=0.1")
	for _, tt := range []struct {
		c    Coding
		want int
	}{{Identity, 1000}, {Gzip, 500}, {Brotli, 0}, {Zstd, 100}} {
		if got := ae.Weight(tt.c); got != tt.want {
			t.Errorf("after three lines: Weight(%v) = %d; want %d", tt.c, got, tt.want)
		}
	}
}

func TestParseCoding(t *testing.T) {
	for _, tt := range []struct {
		name string
		want Coding
		ok   bool
	}{
		{"identity", Identity, true}, {"zstd", Zstd, true}, {"br", Brotli, true},
		{"gzip", Gzip, true}, {"deflate", Deflate, true}, {"x-gzip", Gzip, true},
		{"GZip", Gzip, true}, {"BR", Brotli, true}, {"compress", Identity, false},
		{"", Identity, false}, {"*", Identity, false}, {"z\u017ftd", Identity, false},
	} {
		if got, ok := ParseCoding(tt.name); got != tt.want || ok != tt.ok {
			t.Errorf("ParseCoding(%q) = %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
	for c := range NumCodings {
		if got, ok := ParseCoding(c.String()); got != c || !ok {
			t.Errorf("ParseCoding(%v.String()) = %v, %v; want %v, true", c, got, ok, c)
		}
	}
}

func TestAcceptEncodingAllocs(t *testing.T) {
	const field = "gzip;q=0.8, deflate;q=0.5, br;q=0.9, zstd, identity;q=0.1, *;q=0"
	allocs := testing.AllocsPerRun(100, func() {
		ae := ParseAcceptEncoding(field)
		ae.Add("x-gzip;q=1, compress")
		_ = ae.Negotiate(allOffers)
		_ = ae.Rank(Gzip)
	})
	if allocs != 0 {
		t.Errorf("ParseAcceptEncoding + Add + Negotiate + Rank: %v allocations; want 0", allocs)
	}
}

func BenchmarkNegotiate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		ae := ParseAcceptEncoding("gzip, deflate, br, zstd")
		_ = ae.Negotiate(allOffers)
	}
}

// refQValue is the qvalue grammar of RFC 9110 §12.4.2, as a regexp.
var refQValue = regexp.MustCompile(`^(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$`)

// refAcceptEncoding is a second, deliberately plain reading of the field,
// with splits, a map and a regexp, for the differential fuzz test.
func refAcceptEncoding(field string) (weights map[string]int, star int, hasStar bool) {
	weights = map[string]int{}
	star = -1
	for _, elem := range strings.Split(field, ",") {
		parts := strings.Split(elem, ";")
		name := strings.ToLower(strings.Trim(parts[0], " \t"))
		if name == "x-gzip" {
			name = "gzip"
		}
		q := 1000
		for _, p := range parts[1:] {
			key, value, _ := strings.Cut(p, "=")
			if key = strings.Trim(key, " \t"); key != "q" && key != "Q" {
				continue
			}
			q = 0 // not a qvalue: refused
			if value = strings.Trim(value, " \t"); refQValue.MatchString(value) {
				whole, frac, _ := strings.Cut(value, ".")
				q, _ = strconv.Atoi(whole + (frac + "000")[:3])
			}
			break
		}
		if name == "" {
			continue
		}
		if name == "*" {
			if !hasStar {
				star, hasStar = q, true
			}
			continue
		}
		if _, seen := weights[name]; !seen {
			weights[name] = q
		}
	}
	return weights, star, hasStar
}

func refWeight(weights map[string]int, star int, hasStar bool, name string) int {
	if q, ok := weights[name]; ok {
		return q
	}
	if hasStar {
		return star
	}
	return 0
}

// FuzzAcceptEncoding checks that the parser never panics, that the weight
// it finds for every coding is the one a second implementation finds, and
// that the coding Negotiate chooses is one the client accepts, weighted at
// least as high as every other offer and identity.
func FuzzAcceptEncoding(f *testing.F) {
	for _, seed := range []string{
		"compress, gzip", "", "*", "compress;q=0.5, gzip;q=1.0",
		"gzip;q=1.0, identity; q=0.5, *;q=0", "gzip, deflate, br, zstd",
		"identity;q=0", "*;q=0", "x-gzip;Q=0.5", "br;q=1.000, zstd;q=0.999",
		"gzip;q=0.", ";;,,;q=1", "zstd;q=0.5;q=1", "\tbr\t;\tq=0.7\t",
		"*, gzip;q=2", "*;q=0.2, *;q=0.9", "z\u017ftd", "gzip\u00a0",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, field string) {
		ae := ParseAcceptEncoding(field)
		got := ae.Negotiate(allOffers)
		weights, star, hasStar := refAcceptEncoding(field)
		for c := range NumCodings {
			if want := refWeight(weights, star, hasStar, c.String()); ae.Weight(c) != want {
				t.Fatalf("Accept-Encoding: %q: Weight(%v) = %d; the reference says %d", field, c, ae.Weight(c), want)
			}
		}
		identity := refWeight(weights, star, hasStar, "identity")
		if got == Identity {
			for _, c := range allOffers {
				if q := refWeight(weights, star, hasStar, c.String()); q > 0 && q >= identity {
					t.Fatalf("Accept-Encoding: %q: chose identity; %v is acceptable at q=%d", field, c, q)
				}
			}
			return
		}
		q := refWeight(weights, star, hasStar, got.String())
		if q <= 0 || q < identity {
			t.Fatalf("Accept-Encoding: %q: chose %v at q=%d; identity weighs %d", field, got, q, identity)
		}
		for _, c := range allOffers {
			if other := refWeight(weights, star, hasStar, c.String()); other > q {
				t.Fatalf("Accept-Encoding: %q: chose %v at q=%d over %v at q=%d", field, got, q, c, other)
			}
		}
	})
}
