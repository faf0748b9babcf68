package middleware

import (
	"strconv"
	"strings"

	"github.com/strandhttp/strand/internal/ascii"
)

// defaultCompressTypes is the content-type allow list used when
// CompressOptions.ContentTypes is nil: formats that are text underneath.
// Images, audio, video, archives and WOFF fonts are already compressed.
var defaultCompressTypes = [...]string{
	"text/*",
	"*/*+json",
	"*/*+xml",
	"application/json",
	"application/x-ndjson",
	"application/javascript",
	"application/x-javascript",
	"application/ecmascript",
	"application/xml",
	"application/yaml",
	"application/wasm",
	"application/vnd.ms-fontobject",
	"font/ttf",
	"font/otf",
	"image/bmp",
	"image/x-icon",
	"image/vnd.microsoft.icon",
}

// mediaPattern is one entry of the content-type allow list: "type/sub",
// "type/*" or "*/*+suffix" (also "type/*+suffix"). Fields are lower case;
// immutable once compiled.
type mediaPattern struct {
	typ    string // "" matches any type
	sub    string // "" matches any subtype
	suffix string // "+json": the subtype must end with it (RFC 6838 §4.2.8)
}

// compileMediaPatterns compiles patterns, panicking on a malformed one.
func compileMediaPatterns(patterns []string) []mediaPattern {
	out := make([]mediaPattern, 0, len(patterns))
	for _, s := range patterns {
		typ, sub, ok := strings.Cut(strings.ToLower(s), "/")
		if !ok || typ == "" || sub == "" {
			panic("middleware: Compress content type " + strconv.Quote(s) + " is not type/subtype")
		}
		var p mediaPattern
		if typ != "*" {
			p.typ = typ
		}
		switch {
		case sub == "*":
		case strings.HasPrefix(sub, "*+"):
			p.suffix = sub[1:]
		default:
			p.sub = sub
		}
		if p.typ != "" && !ascii.IsToken(p.typ) || p.sub != "" && !ascii.IsToken(p.sub) ||
			p.suffix != "" && !ascii.IsToken(p.suffix) || p.typ == "" && p.sub != "" {
			panic("middleware: Compress content type " + strconv.Quote(s) +
				` is not "type/subtype", "type/*" or "*/*+suffix"`)
		}
		out = append(out, p)
	}
	return out
}

// matchMediaType reports whether the Content-Type value v ("text/html;
// charset=utf-8") matches one of patterns. It never allocates.
func matchMediaType(patterns []mediaPattern, v string) bool {
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v = v[:i]
	}
	typ, sub, ok := strings.Cut(ascii.TrimOWS(v), "/")
	if !ok {
		return false
	}
	for _, p := range patterns {
		if p.typ != "" && !ascii.EqualFold(typ, p.typ) {
			continue
		}
		switch {
		case p.sub != "":
			if ascii.EqualFold(sub, p.sub) {
				return true
			}
		case p.suffix != "":
			if len(sub) > len(p.suffix) && ascii.EqualFold(sub[len(sub)-len(p.suffix):], p.suffix) {
				return true
			}
		default:
			return true
		}
	}
	return false
}
