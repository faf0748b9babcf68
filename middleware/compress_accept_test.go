package middleware

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var compressAllCodings = []contentCoding{codingZstd, codingBrotli, codingGzip, codingDeflate}

func TestAcceptEncodingQValue(t *testing.T) {
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
		{"0.999", 999, true},
		{"1.000", 1000, true},
		{"1.0", 1000, true},
		{"1.001", 0, false},
		{"0.0001", 0, false}, // four digits: beyond the grammar
		{"2", 0, false},
		{"", 0, false},
		{".5", 0, false},
		{"0,5", 0, false},
		{"0.5x", 0, false},
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

// TestAcceptEncodingNegotiate walks RFC 9110 §12.5.3: weights, "*",
// identity, ties broken by the server's order, and malformed entries.
func TestAcceptEncodingNegotiate(t *testing.T) {
	serverOrder := []contentCoding{codingZstd, codingBrotli, codingGzip, codingDeflate}
	gzipFirst := []contentCoding{codingGzip, codingBrotli}
	tests := []struct {
		field string
		prefs []contentCoding
		want  contentCoding
	}{
		// RFC 9110 §12.5.3 examples.
		{"compress, gzip", serverOrder, codingGzip},
		{"", serverOrder, codingIdentity},
		{"*", serverOrder, codingZstd},
		{"compress;q=0.5, gzip;q=1.0", serverOrder, codingGzip},
		{"gzip;q=1.0, identity; q=0.5, *;q=0", serverOrder, codingGzip},

		// Browsers: every coding at q=1, the server's order decides.
		{"gzip, deflate, br, zstd", serverOrder, codingZstd},
		{"gzip, deflate, br", serverOrder, codingBrotli},
		{"gzip, deflate, br, zstd", gzipFirst, codingGzip},
		{"deflate", gzipFirst, codingIdentity}, // deflate not offered

		// Weights beat the server's order.
		{"zstd;q=0.5, gzip", serverOrder, codingGzip},
		{"br;q=0.9, zstd;q=0.8", serverOrder, codingBrotli},
		{"gzip;q=0.001, deflate;q=0.002", serverOrder, codingDeflate},
		{"gzip;q=0", serverOrder, codingIdentity},
		{"gzip;q=0.000", serverOrder, codingIdentity},

		// "*" covers what is not listed; a listed q=0 stays refused.
		{"*;q=0.5, zstd;q=0", serverOrder, codingBrotli},
		{"*;q=0", serverOrder, codingIdentity},
		{"gzip, *;q=0", serverOrder, codingGzip},
		{"*;q=0.3, gzip;q=0.2", serverOrder, codingZstd},

		// Identity: wins only with an explicit, higher weight.
		{"gzip;q=0.5, identity", serverOrder, codingIdentity},
		{"gzip;q=0.5, identity;q=0.5", serverOrder, codingGzip}, // ties go to the coding
		{"gzip;q=0.5", serverOrder, codingGzip},
		{"identity", serverOrder, codingIdentity},
		{"identity;q=0", serverOrder, codingIdentity}, // nothing acceptable: identity anyway
		{"*;q=0.5, gzip;q=0.4", []contentCoding{codingGzip}, codingIdentity},

		// Names: case-insensitive, x-gzip is gzip, unknown ones ignored.
		{"GZIP", serverOrder, codingGzip},
		{"Br;Q=1", serverOrder, codingBrotli},
		{"x-gzip", serverOrder, codingGzip},
		{"compress, sdch, lzma", serverOrder, codingIdentity},
		{"zstd2, gzipx", serverOrder, codingIdentity},

		// Whitespace and empty list elements (RFC 9110 §5.6.1).
		{" , ,gzip ,\t", serverOrder, codingGzip},
		{"gzip\t;\tq=0.5 , br ; q=0.6", serverOrder, codingBrotli},

		// Malformed weights drop the element, neither granting nor refusing.
		{"zstd;q=2, gzip", serverOrder, codingGzip},
		{"zstd;q=, gzip", serverOrder, codingGzip},
		{"zstd;q=0.5000, gzip;q=0.1", serverOrder, codingGzip},
		{"zstd;q = 0, gzip;q=0.1", serverOrder, codingGzip}, // spaces around "=": lenient
		{"zstd;q=\t1 , gzip;q=0.1", serverOrder, codingZstd},
		{"zstd;level=3, gzip;q=0.1", serverOrder, codingZstd},   // other parameters ignored
		{"zstd;q=0.1;q=1, gzip;q=0.2", serverOrder, codingGzip}, // the first q counts

		// Repeated entries: the first one counts.
		{"gzip;q=0, gzip", serverOrder, codingIdentity},
		{"gzip, gzip;q=0", serverOrder, codingGzip},
	}
	for _, tt := range tests {
		ae := parseAcceptEncoding(tt.field)
		if got := ae.negotiate(tt.prefs); got != tt.want {
			t.Errorf("Accept-Encoding: %q offering %v: got %v; want %v", tt.field, tt.prefs, got, tt.want)
		}
	}
}

func TestAcceptEncodingAllocs(t *testing.T) {
	const field = "gzip;q=0.8, deflate;q=0.5, br;q=0.9, zstd, identity;q=0.1, *;q=0"
	allocs := testing.AllocsPerRun(100, func() {
		ae := parseAcceptEncoding(field)
		_ = ae.negotiate(compressAllCodings)
	})
	if allocs != 0 {
		t.Errorf("parseAcceptEncoding + negotiate: %v allocations; want 0", allocs)
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
		q, ok := 1000, true
		for _, p := range parts[1:] {
			key, value, _ := strings.Cut(p, "=")
			if key = strings.Trim(key, " \t"); key != "q" && key != "Q" {
				continue
			}
			value = strings.Trim(value, " \t")
			if ok = refQValue.MatchString(value); ok {
				whole, frac, _ := strings.Cut(value, ".")
				n, _ := strconv.Atoi(whole + (frac + "000")[:3])
				q = n
			}
			break
		}
		if !ok || name == "" {
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

// FuzzAcceptEncoding checks that the parser never panics and that the
// coding it chooses is one the client accepts, weighted at least as high
// as every other offer, by a second implementation.
func FuzzAcceptEncoding(f *testing.F) {
	for _, seed := range []string{
		"compress, gzip", "", "*", "compress;q=0.5, gzip;q=1.0",
		"gzip;q=1.0, identity; q=0.5, *;q=0", "gzip, deflate, br, zstd",
		"identity;q=0", "*;q=0", "x-gzip;Q=0.5", "br;q=1.000, zstd;q=0.999",
		"gzip;q=0.", ";;,,;q=1", "zstd;q=0.5;q=1", "\tbr\t;\tq=0.7\t",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, field string) {
		ae := parseAcceptEncoding(field)
		got := ae.negotiate(compressAllCodings)
		weights, star, hasStar := refAcceptEncoding(field)
		for c := range numCodings {
			if want := refWeight(weights, star, hasStar, c.String()); int(ae.weight(c)) != want {
				t.Fatalf("Accept-Encoding: %q: weight(%v) = %d; the reference says %d", field, c, ae.weight(c), want)
			}
		}
		if got == codingIdentity {
			for _, c := range compressAllCodings {
				if q := refWeight(weights, star, hasStar, c.String()); q > 0 &&
					q >= refWeight(weights, star, hasStar, "identity") {
					t.Fatalf("Accept-Encoding: %q: chose identity; %v is acceptable at q=%d", field, c, q)
				}
			}
			return
		}
		q := refWeight(weights, star, hasStar, got.String())
		if q <= 0 {
			t.Fatalf("Accept-Encoding: %q: chose %v, which the client refuses", field, got)
		}
		for _, c := range append(compressAllCodings, codingIdentity) {
			if other := refWeight(weights, star, hasStar, c.String()); other > q {
				t.Fatalf("Accept-Encoding: %q: chose %v at q=%d over %v at q=%d", field, got, q, c, other)
			}
		}
	})
}
