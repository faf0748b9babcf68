package static

import (
	"path"
	"strings"
)

// mimeTypes maps a lower-case file extension to its media type. Text types
// carry charset=utf-8: browsers otherwise guess the charset of text they
// are given. The table covers the web's common formats; anything else is
// sniffed from the file's first bytes (sniff.go).
var mimeTypes = map[string]string{
	// Documents and code.
	".html":        "text/html; charset=utf-8",
	".htm":         "text/html; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".cjs":         "text/javascript; charset=utf-8",
	".json":        "application/json",
	".map":         "application/json",
	".webmanifest": "application/manifest+json",
	".jsonld":      "application/ld+json",
	".xml":         "application/xml",
	".xhtml":       "application/xhtml+xml",
	".rss":         "application/rss+xml",
	".atom":        "application/atom+xml",
	".txt":         "text/plain; charset=utf-8",
	".text":        "text/plain; charset=utf-8",
	".md":          "text/markdown; charset=utf-8",
	".csv":         "text/csv; charset=utf-8",
	".tsv":         "text/tab-separated-values; charset=utf-8",
	".ics":         "text/calendar; charset=utf-8",
	".vtt":         "text/vtt; charset=utf-8",
	".yaml":        "application/yaml",
	".yml":         "application/yaml",
	".toml":        "application/toml",
	".wasm":        "application/wasm",
	".pdf":         "application/pdf",
	".rtf":         "application/rtf",
	// Images.
	".png":  "image/png",
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
	".gif":  "image/gif",
	".webp": "image/webp",
	".avif": "image/avif",
	".svg":  "image/svg+xml",
	".ico":  "image/vnd.microsoft.icon",
	".bmp":  "image/bmp",
	".tif":  "image/tiff",
	".tiff": "image/tiff",
	".apng": "image/apng",
	// Fonts.
	".woff":  "font/woff",
	".woff2": "font/woff2",
	".ttf":   "font/ttf",
	".otf":   "font/otf",
	".eot":   "application/vnd.ms-fontobject",
	// Audio and video.
	".mp3":  "audio/mpeg",
	".ogg":  "audio/ogg",
	".oga":  "audio/ogg",
	".opus": "audio/opus",
	".wav":  "audio/wav",
	".flac": "audio/flac",
	".aac":  "audio/aac",
	".m4a":  "audio/mp4",
	".mp4":  "video/mp4",
	".m4v":  "video/mp4",
	".webm": "video/webm",
	".ogv":  "video/ogg",
	".mov":  "video/quicktime",
	".m3u8": "application/vnd.apple.mpegurl",
	".ts":   "video/mp2t",
	// Archives and binaries.
	".zip":  "application/zip",
	".gz":   "application/gzip",
	".tgz":  "application/gzip",
	".br":   "application/x-brotli",
	".zst":  "application/zstd",
	".bz2":  "application/x-bzip2",
	".xz":   "application/x-xz",
	".tar":  "application/x-tar",
	".7z":   "application/x-7z-compressed",
	".bin":  "application/octet-stream",
	".exe":  "application/octet-stream",
	".dmg":  "application/octet-stream",
	".iso":  "application/octet-stream",
	".deb":  "application/vnd.debian.binary-package",
	".apk":  "application/vnd.android.package-archive",
	".jar":  "application/java-archive",
	".epub": "application/epub+zip",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".odt":  "application/vnd.oasis.opendocument.text",
}

// typeByExtension returns the media type of name's extension, or "".
func typeByExtension(name string) string {
	ext := path.Ext(name)
	if ext == "" {
		return ""
	}
	if t, ok := mimeTypes[ext]; ok {
		return t
	}
	return mimeTypes[strings.ToLower(ext)]
}

// compressible reports whether a media type is worth compressing: text and
// the structured text formats. Precompressed siblings are looked for only
// for these.
func compressible(ctype string) bool {
	mt, _, _ := strings.Cut(ctype, ";")
	switch {
	case strings.HasPrefix(mt, "text/"),
		strings.HasSuffix(mt, "+json"), strings.HasSuffix(mt, "+xml"):
		return true
	}
	switch mt {
	case "application/json", "application/xml", "application/javascript",
		"application/wasm", "image/svg+xml", "application/yaml", "application/toml",
		"image/vnd.microsoft.icon", "image/bmp", "font/ttf", "font/otf":
		return true
	}
	return false
}
