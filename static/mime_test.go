package static

import (
	"strings"
	"testing"
)

// TestTypeByExtension checks the extension table: case folded, text with
// charset=utf-8, unknown extensions left to sniffing.
func TestTypeByExtension(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"index.html", "text/html; charset=utf-8"},
		{"INDEX.HTM", "text/html; charset=utf-8"},
		{"a/b/app.mjs", "text/javascript; charset=utf-8"},
		{"data.json", "application/json"},
		{"font.woff2", "font/woff2"},
		{"x.svg", "image/svg+xml"},
		{"x.wasm", "application/wasm"},
		{"Movie.MP4", "video/mp4"},
		{"notes.TXT", "text/plain; charset=utf-8"},
		{"archive.tar.gz", "application/gzip"},
		{"noext", ""},
		{"x.unknownext", ""},
		{".env", ""}, // path.Ext(".env") is ".env": not in the table
	} {
		if got := typeByExtension(tc.name); got != tc.want {
			t.Errorf("typeByExtension(%q) = %q; want %q", tc.name, got, tc.want)
		}
	}
	// Every text type in the table names its charset.
	for ext, ct := range mimeTypes {
		if strings.HasPrefix(ct, "text/") && !strings.HasSuffix(ct, "; charset=utf-8") {
			t.Errorf("mimeTypes[%q] = %q; want charset=utf-8 on text", ext, ct)
		}
	}
}

// TestSniff checks content sniffing of the first bytes of a file without
// a known extension.
func TestSniff(t *testing.T) {
	for _, tc := range []struct{ data, want string }{
		{"<!DOCTYPE html><html>", "text/html; charset=utf-8"},
		{"\n\t <html lang=en>", "text/html; charset=utf-8"},
		{"<HeAd>", "text/html; charset=utf-8"},
		{"<body>", "text/html; charset=utf-8"},
		{"<script>x</script>", "text/html; charset=utf-8"},
		{"<?xml version=\"1.0\"?>", "text/xml; charset=utf-8"},
		{"  <svg xmlns=\"http://www.w3.org/2000/svg\">", "image/svg+xml"},
		{"%PDF-1.7", "application/pdf"},
		{"\x89PNG\r\n\x1a\n....", "image/png"},
		{"\xff\xd8\xff\xe0", "image/jpeg"},
		{"GIF89a....", "image/gif"},
		{"GIF87a....", "image/gif"},
		{"BM....", "image/bmp"},
		{"\x00\x00\x01\x00\x01", "image/vnd.microsoft.icon"},
		{"wOFF....", "font/woff"},
		{"wOF2....", "font/woff2"},
		{"\x1f\x8b\x08\x00", "application/gzip"},
		{"PK\x03\x04", "application/zip"},
		{"\x28\xb5\x2f\xfd", "application/zstd"},
		{"\x00asm\x01\x00\x00\x00", "application/wasm"},
		{"OggS\x00\x02", "application/ogg"},
		{"ID3\x04", "audio/mpeg"},
		{"fLaC\x00", "audio/flac"},
		{"\x1a\x45\xdf\xa3\x01", "video/webm"},
		{"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"},
		{"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"},
		{"RIFF\x00\x00\x00\x00WAVEfmt ", "audio/wav"},
		{"RIFF\x00\x00\x00\x00AVI LIST", "video/x-msvideo"},
		{"RIFF\x00\x00\x00\x00XXXX", "application/octet-stream"},
		{"\x00\x00\x00\x20ftypavif", "image/avif"},
		{"\x00\x00\x00\x20ftypisom", "video/mp4"},
		{"plain text\n", "text/plain; charset=utf-8"},
		{"héllo wörld", "text/plain; charset=utf-8"},
		{"", "text/plain; charset=utf-8"},
		{"tab\tand\r\nform\ffeed", "text/plain; charset=utf-8"},
		{"bell\x07", "application/octet-stream"},
		{"del\x7f", "application/octet-stream"},
		{"bad \xff utf-8 in the middle", "application/octet-stream"},
		{strings.Repeat("a", 511) + "\xc3", "text/plain; charset=utf-8"}, // a rune cut by the window
		{strings.Repeat("a", 600) + "\x00", "text/plain; charset=utf-8"}, // beyond the window
	} {
		if got := sniff([]byte(tc.data)); got != tc.want {
			t.Errorf("sniff(%.30q) = %q; want %q", tc.data, got, tc.want)
		}
	}
}

// TestCompressible checks which types get precompressed siblings.
func TestCompressible(t *testing.T) {
	for _, tc := range []struct {
		ctype string
		want  bool
	}{
		{"text/html; charset=utf-8", true},
		{"text/css", true},
		{"application/json", true},
		{"application/ld+json", true},
		{"application/atom+xml", true},
		{"image/svg+xml", true},
		{"application/wasm", true},
		{"font/ttf", true},
		{"image/png", false},
		{"font/woff2", false},
		{"application/gzip", false},
		{"video/mp4", false},
		{"application/octet-stream", false},
	} {
		if got := compressible(tc.ctype); got != tc.want {
			t.Errorf("compressible(%q) = %v; want %v", tc.ctype, got, tc.want)
		}
	}
}
