package static

import (
	"bytes"
	"unicode/utf8"
)

// sniffLen is how much of a file is examined to guess its type.
const sniffLen = 512

// signature is a magic-number rule: data starting with prefix (after
// skipping leading whitespace, for markup) is of type ctype.
type signature struct {
	prefix   string
	ctype    string
	skipWS   bool // markup may start after whitespace
	foldCase bool // markup tags match without regard to case
}

// signatures are checked in order. They follow the file formats' own magic
// numbers (and, for markup, the first tag).
var signatures = []signature{
	{"<!DOCTYPE HTML", "text/html; charset=utf-8", true, true},
	{"<HTML", "text/html; charset=utf-8", true, true},
	{"<HEAD", "text/html; charset=utf-8", true, true},
	{"<BODY", "text/html; charset=utf-8", true, true},
	{"<SCRIPT", "text/html; charset=utf-8", true, true},
	{"<?xml", "text/xml; charset=utf-8", true, false},
	{"<svg", "image/svg+xml", true, false},
	{"%PDF-", "application/pdf", false, false},
	{"\x89PNG\r\n\x1a\n", "image/png", false, false},
	{"\xff\xd8\xff", "image/jpeg", false, false},
	{"GIF87a", "image/gif", false, false},
	{"GIF89a", "image/gif", false, false},
	{"BM", "image/bmp", false, false},
	{"\x00\x00\x01\x00", "image/vnd.microsoft.icon", false, false},
	{"wOFF", "font/woff", false, false},
	{"wOF2", "font/woff2", false, false},
	{"\x1f\x8b\x08", "application/gzip", false, false},
	{"PK\x03\x04", "application/zip", false, false},
	{"\x28\xb5\x2f\xfd", "application/zstd", false, false},
	{"\x00asm", "application/wasm", false, false},
	{"OggS\x00", "application/ogg", false, false},
	{"ID3", "audio/mpeg", false, false},
	{"fLaC", "audio/flac", false, false},
	{"\x1a\x45\xdf\xa3", "video/webm", false, false},
	{"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed", false, false},
}

// sniff guesses the media type of data, the first bytes of a file: a known
// signature, else UTF-8 text without control bytes is text/plain, else
// application/octet-stream.
func sniff(data []byte) string {
	if len(data) > sniffLen {
		data = data[:sniffLen]
	}
	trimmed := bytes.TrimLeft(data, "\t\n\x0c\r ")
	for _, s := range signatures {
		d := data
		if s.skipWS {
			d = trimmed
		}
		if len(d) < len(s.prefix) {
			continue
		}
		head := d[:len(s.prefix)]
		if s.foldCase && bytes.EqualFold(head, []byte(s.prefix)) || string(head) == s.prefix {
			return s.ctype
		}
	}
	// RIFF containers: WebP, WAV, AVI.
	if len(data) >= 12 && string(data[:4]) == "RIFF" {
		switch string(data[8:12]) {
		case "WEBP":
			return "image/webp"
		case "WAVE":
			return "audio/wav"
		case "AVI ":
			return "video/x-msvideo"
		}
	}
	// ISO base media: MP4, AVIF.
	if len(data) >= 12 && string(data[4:8]) == "ftyp" {
		if string(data[8:12]) == "avif" {
			return "image/avif"
		}
		return "video/mp4"
	}
	if isText(data) {
		return "text/plain; charset=utf-8"
	}
	return "application/octet-stream"
}

// isText reports whether data looks like UTF-8 text: valid UTF-8 (a rune
// cut by the sniff window is allowed) without control bytes other than
// whitespace.
func isText(data []byte) bool {
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size == 1 {
			if !utf8.FullRune(data) {
				return true // cut by the window
			}
			return false
		}
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f' || r == 0x7f {
			return false
		}
		data = data[size:]
	}
	return true
}
