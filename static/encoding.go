package static

import "github.com/strandhttp/strand/internal/negotiate"

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

// acceptsEncoding returns the rank (0 to 1000) Accept-Encoding gives to
// coding against the file as it is (RFC 9110 §12.5.3): the coding's
// q-value, its own entry's or else that of "*", or 0 when the client
// refuses it or prefers identity to it. The parsing and the rule are
// [negotiate.AcceptEncoding.Rank]'s, which the compression middleware
// shares.
func acceptsEncoding(accept, coding string) int {
	c, ok := negotiate.ParseCoding(coding)
	if !ok || c == negotiate.Identity {
		return 0
	}
	ae := negotiate.ParseAcceptEncoding(accept)
	return ae.Rank(c)
}
