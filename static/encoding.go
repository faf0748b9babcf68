package static

import "strings"

// precompressed lists the sibling files looked for next to a compressible
// file, in the server's order of preference: brotli and zstd compress web
// assets better than gzip.
var precompressed = [...]struct {
	coding, ext string
}{
	{"br", ".br"},
	{"zstd", ".zst"},
	{"gzip", ".gz"},
}

// acceptsEncoding returns the q-value (0 to 1000) Accept-Encoding gives to
// coding (RFC 9110 §12.5.3): its own entry, else "*", else 0. "x-gzip" is
// an alias of gzip (§8.4.1.3).
func acceptsEncoding(accept, coding string) int {
	star := -1
	for rest := accept; rest != ""; {
		var elem string
		elem, rest, _ = strings.Cut(rest, ",")
		name, params, _ := strings.Cut(elem, ";")
		name = strings.TrimSpace(name)
		if strings.EqualFold(name, "x-gzip") {
			name = "gzip"
		}
		q := 1000
		for params != "" {
			var p string
			p, params, _ = strings.Cut(params, ";")
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				q = parseQ(strings.TrimSpace(v))
			}
		}
		switch {
		case strings.EqualFold(name, coding):
			return q
		case name == "*":
			star = q
		}
	}
	return max(star, 0)
}

// parseQ parses a qvalue ("0", "0.5", "1.000") into thousandths; a
// malformed one counts as 0, refusing the coding.
func parseQ(v string) int {
	if v == "" || len(v) > 5 || (v[0] != '0' && v[0] != '1') {
		return 0
	}
	if len(v) == 1 {
		return int(v[0]-'0') * 1000
	}
	if v[1] != '.' {
		return 0
	}
	n := 0
	for i := 2; i < 5; i++ {
		n *= 10
		if i < len(v) {
			if v[i] < '0' || v[i] > '9' {
				return 0
			}
			n += int(v[i] - '0')
		}
	}
	if v[0] == '1' && n != 0 {
		return 0
	}
	return int(v[0]-'0')*1000 + n
}
