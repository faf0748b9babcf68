package static

import (
	"strconv"
	"strings"
)

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
	for _, elem := range strings.Split(accept, ",") {
		name, params, _ := strings.Cut(elem, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "x-gzip" {
			name = "gzip"
		}
		q := 1000
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				q = parseQ(strings.TrimSpace(v))
			}
		}
		switch name {
		case coding:
			return q
		case "*":
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
	frac := v[2:] + strings.Repeat("0", 3-len(v[2:]))
	n, err := strconv.Atoi(frac)
	if err != nil || v[0] == '1' && n != 0 {
		return 0
	}
	return int(v[0]-'0')*1000 + n
}
