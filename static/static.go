package static

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/strandhttp/strand"
)

// Options configure a file server. The zero value serves files with
// index.html for directories, no listings, dotfiles hidden, symlinks kept
// inside the root, and precompressed siblings used when present.
type Options struct {
	// Listing turns on directory listings for directories without an
	// index file.
	Listing bool

	// IndexFile is served for a directory; "" means "index.html", "-"
	// means none.
	IndexFile string

	// SPAFallback, when set (e.g. "/index.html"), is served with 200 for
	// GET and HEAD requests that accept HTML and match no file, as a
	// single-page application's client-side router expects.
	SPAFallback string

	// ShowHidden serves dotfiles and dot-directories ("/.env", "/.git/"),
	// hidden by default. "/.well-known/" is always served.
	ShowHidden bool

	// AllowSymlinksOutside lets symbolic links point outside the root
	// directory (Dir only). By default such links are refused.
	AllowSymlinksOutside bool

	// NoPrecompressed turns off serving file.br, file.zst and file.gz in
	// place of a compressible file.
	NoPrecompressed bool

	// CacheControl sets Cache-Control by path: the first rule whose
	// Pattern matches (path.Match, against the URL path if the pattern
	// has a '/', else against the file name) gives the value.
	CacheControl []CacheRule

	// MaxRanges bounds the ranges of one request after merging; beyond
	// it the whole file is sent. Zero means 16.
	MaxRanges int

	// ErrorLog receives unexpected file system errors; nil means
	// slog.Default().
	ErrorLog *slog.Logger
}

// CacheRule is one Cache-Control rule.
type CacheRule struct {
	Pattern string // "*.css", "/assets/*"
	Value   string // "public, max-age=31536000, immutable"
}

// Handler serves files from a file system.
type Handler struct {
	fsys fs.FS
	opt  Options
}

// FS returns a handler serving the files of fsys.
func FS(fsys fs.FS, opt *Options) *Handler {
	h := &Handler{fsys: fsys}
	if opt != nil {
		h.opt = *opt
	}
	if h.opt.IndexFile == "" {
		h.opt.IndexFile = "index.html"
	}
	if h.opt.MaxRanges <= 0 {
		h.opt.MaxRanges = 16
	}
	if h.opt.ErrorLog == nil {
		h.opt.ErrorLog = slog.Default()
	}
	return h
}

// Dir returns a handler serving the directory root of the OS file system.
// Unless opt.AllowSymlinksOutside, it opens files through an os.Root, so
// that no path, link or race can reach a file outside root. The directory
// must exist; Dir fails with an *fs.PathError otherwise (syscall.ENOTDIR
// for a file).
func Dir(root string, opt *Options) (*Handler, error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, &fs.PathError{Op: "open", Path: root, Err: syscall.ENOTDIR}
	}
	if opt != nil && opt.AllowSymlinksOutside {
		return FS(os.DirFS(root), opt), nil
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, err
	}
	return FS(r.FS(), opt), nil
}

// ServeHTTP serves the file named by the request path.
func (h *Handler) ServeHTTP(w strand.ResponseWriter, r *strand.Request) {
	switch r.Method {
	case "GET", "HEAD":
	case "OPTIONS":
		w.Header().Set("Allow", "GET, HEAD, OPTIONS")
		w.WriteHeader(strand.StatusNoContent)
		return
	default:
		w.Header().Set("Allow", "GET, HEAD, OPTIONS")
		strand.Error(w, "405 method not allowed", strand.StatusMethodNotAllowed)
		return
	}
	name, ok := h.resolve(r.Path)
	if !ok {
		strand.Error(w, "400 bad request", strand.StatusBadRequest)
		return
	}
	h.serve(w, r, name, r.Path)
}

// resolve turns a URL path into a name in the file system (fs.ValidPath
// form: no leading slash, "." for the root). It refuses NUL bytes and
// backslashes, and any ".." segment, whatever encoding it arrived in: the
// path has been percent-decoded exactly once by the server.
func (h *Handler) resolve(p string) (string, bool) {
	if p == "" || p[0] != '/' || strings.ContainsAny(p, "\x00\\") {
		return "", false
	}
	name := strings.Trim(p, "/")
	if name == "" {
		return ".", true
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", false
		}
	}
	return name, fs.ValidPath(name)
}

// hidden reports whether name has a dot segment that is hidden. Only the
// top-level ".well-known" is exempt (RFC 8615 §3): "/a/.well-known/" is a
// dot-directory like any other.
func (h *Handler) hidden(name string) bool {
	if h.opt.ShowHidden || name == "." {
		return false
	}
	for i, seg := range strings.Split(name, "/") {
		if strings.HasPrefix(seg, ".") && (i > 0 || seg != ".well-known") {
			return true
		}
	}
	return false
}

// serve answers for the file or directory name; urlPath is the request's.
func (h *Handler) serve(w strand.ResponseWriter, r *strand.Request, name, urlPath string) {
	if h.hidden(name) {
		h.notFound(w, r)
		return
	}
	f, err := h.fsys.Open(name)
	if err != nil {
		h.openError(w, r, err)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		h.openError(w, r, err)
		return
	}
	if st.IsDir() {
		h.serveDir(w, r, f, name, urlPath)
		return
	}
	if strings.HasSuffix(urlPath, "/") {
		h.notFound(w, r) // a file named like a directory
		return
	}
	h.serveFile(w, r, f, st, name, urlPath)
}

// serveDir redirects to the slash form, serves the index file, or lists.
func (h *Handler) serveDir(w strand.ResponseWriter, r *strand.Request, dir fs.File, name, urlPath string) {
	if !strings.HasSuffix(urlPath, "/") {
		// Relative, so that it is right under any mount prefix; the last
		// segment percent-encoded (a name may hold ' ', '?', '#' or '%'),
		// and "./" before a name with ':' that would read as a scheme
		// (RFC 3986 §4.2).
		loc := url.PathEscape(path.Base(urlPath)) + "/"
		if strings.Contains(loc, ":") {
			loc = "./" + loc
		}
		if r.RawQuery != "" {
			loc += "?" + r.RawQuery
		}
		w.Header().Set("Location", loc)
		w.WriteHeader(strand.StatusMovedPermanently)
		return
	}
	if h.opt.IndexFile != "-" {
		index := path.Join(name, h.opt.IndexFile)
		if f, err := h.fsys.Open(index); err == nil {
			defer f.Close()
			if st, err := f.Stat(); err == nil && !st.IsDir() {
				h.serveFile(w, r, f, st, index, urlPath+h.opt.IndexFile)
				return
			}
		}
	}
	if !h.opt.Listing {
		h.notFound(w, r)
		return
	}
	h.serveListing(w, r, dir, urlPath)
}

// serveFile sends a regular file, or a precompressed sibling of it, with
// validators, preconditions and ranges.
func (h *Handler) serveFile(w strand.ResponseWriter, r *strand.Request, f fs.File, st fs.FileInfo, name, urlPath string) {
	ctype := typeByExtension(name)
	if ctype == "" {
		var err error
		if ctype, f, err = sniffFile(f); err != nil {
			h.internalError(w, err)
			return
		}
	}
	hdr := w.Header()
	if cc := h.cacheControl(urlPath); cc != "" {
		hdr.Set("Cache-Control", cc)
	}
	if !h.opt.NoPrecompressed && compressible(ctype) {
		hdr.Add("Vary", "Accept-Encoding")
		if cf, cst, coding := h.sibling(r, name); cf != nil {
			defer cf.Close()
			hdr.Set("Content-Encoding", coding)
			f, st = cf, cst
		}
	}
	size := st.Size()
	v := setValidators(hdr, st)
	// Ranges need a file that can start anywhere (RFC 9110 §14.3): not a
	// compressed zip entry, say, which reads only from its beginning.
	canRange := seekable(f)
	if canRange {
		hdr.Set("Accept-Ranges", "bytes")
	}
	out := evaluate(r, v)
	switch out {
	case notModified:
		hdr.Del("Content-Type")
		w.WriteHeader(strand.StatusNotModified)
		return
	case failed:
		fileError(w, "412 precondition failed", strand.StatusPreconditionFailed)
		return
	}
	hdr.Set("Content-Type", ctype)
	if rv, ok := r.Header.Lookup("Range"); ok && canRange && out == proceed && r.Method == "GET" {
		ranges, res := parseRange(rv, size, h.opt.MaxRanges)
		switch res {
		case rangeUnsatisfiable:
			hdr.Set("Content-Range", "bytes */"+strconv.FormatInt(size, 10))
			fileError(w, "416 range not satisfiable", strand.StatusRequestedRangeNotSatisfiable)
			return
		case rangeSatisfiable:
			h.serveRanges(w, r, f, ranges, ctype, size)
			return
		}
	}
	hdr.Set("Content-Length", strconv.FormatInt(size, 10))
	w.WriteHeader(strand.StatusOK)
	if r.Method == "HEAD" {
		return
	}
	h.copyBody(w, f, 0, size)
}

// setValidators sends the validators of the file st describes, ETag
// (RFC 9110 §8.8.3) and Last-Modified (§8.8.2), and returns them.
func setValidators(hdr *strand.Header, st fs.FileInfo) validators {
	mod := st.ModTime()
	if mod.IsZero() {
		// A file system without modification times (embed.FS) gets no
		// validators: an entity tag from the size alone would be the same
		// for two versions of equal size, and a client would keep the old.
		return validators{}
	}
	v := validators{etag: makeETag(st.Size(), mod), modTime: mod.UTC().Truncate(time.Second)}
	hdr.Set("ETag", v.etag)
	lm := v.modTime
	if now := time.Now().UTC(); lm.After(now) {
		lm = now.Truncate(time.Second) // never later than Date (§8.8.2.1)
	}
	hdr.Set("Last-Modified", lm.Format(strand.TimeFormat))
	return v
}

// fileError answers 412 or 416 for a file: the plain-text error body is
// not in the Content-Encoding of a precompressed sibling.
func fileError(w strand.ResponseWriter, msg string, code int) {
	w.Header().Del("Content-Encoding")
	strand.Error(w, msg, code)
}

// sibling opens the precompressed sibling of name the client prefers, or
// returns nil. The client's q-values rank the codings (RFC 9110 §12.5.3),
// the server's order (precompressed) breaks ties; a coding without a
// sibling file gives way to the next.
func (h *Handler) sibling(r *strand.Request, name string) (fs.File, fs.FileInfo, string) {
	accept := r.Header.Get("Accept-Encoding")
	if accept == "" {
		return nil, nil, ""
	}
	if vs := r.Header.Values("Accept-Encoding"); len(vs) > 1 {
		accept = strings.Join(vs, ",") // a list split over field lines (§5.3)
	}
	var q [len(precompressed)]int
	for i, p := range precompressed {
		q[i] = acceptsEncoding(accept, p.coding)
	}
	for {
		best := -1
		for i := range q {
			if q[i] > 0 && (best < 0 || q[i] > q[best]) {
				best = i
			}
		}
		if best < 0 {
			return nil, nil, ""
		}
		q[best] = 0
		p := precompressed[best]
		f, err := h.fsys.Open(name + p.ext)
		if err != nil {
			continue
		}
		st, err := f.Stat()
		if err != nil || !st.Mode().IsRegular() {
			f.Close()
			continue
		}
		return f, st, p.coding
	}
}

// serveRanges sends one range as 206 with Content-Range, several as a
// multipart/byteranges body.
func (h *Handler) serveRanges(w strand.ResponseWriter, r *strand.Request, f fs.File, ranges []byteRange, ctype string, size int64) {
	hdr := w.Header()
	if len(ranges) == 1 {
		rg := ranges[0]
		hdr.Set("Content-Range", rg.contentRange(size))
		hdr.Set("Content-Length", strconv.FormatInt(rg.length, 10))
		w.WriteHeader(strand.StatusPartialContent)
		h.copyBody(w, f, rg.start, rg.length)
		return
	}
	m := newMultipart(ranges, ctype, size)
	hdr.Set("Content-Type", "multipart/byteranges; boundary="+m.boundary)
	hdr.Set("Content-Length", strconv.FormatInt(m.length, 10))
	w.WriteHeader(strand.StatusPartialContent)
	for i, rg := range ranges {
		if _, err := w.WriteString(m.headers[i]); err != nil {
			return
		}
		if !h.copyBody(w, f, rg.start, rg.length) {
			return
		}
	}
	_, _ = w.WriteString(m.closing)
}

// copyBody sends n bytes of f from offset. An *os.File reaches the socket
// through the ResponseWriter's ReadFrom, which uses sendfile where it can;
// the body never sits whole in memory.
func (h *Handler) copyBody(w strand.ResponseWriter, f fs.File, offset, n int64) bool {
	var src io.Reader = f
	if offset > 0 {
		s, ok := f.(io.Seeker)
		if !ok {
			ra, ok := f.(io.ReaderAt)
			if !ok {
				return false
			}
			src = io.NewSectionReader(ra, offset, n)
		} else if _, err := s.Seek(offset, io.SeekStart); err != nil {
			return false
		}
	}
	_, err := io.Copy(w, io.LimitReader(src, n))
	return err == nil
}

// sniffFile reads the first bytes of f to guess its type. It returns the
// file to send: f rewound, or, when f cannot seek, f behind a reader that
// replays the bytes sniffed.
func sniffFile(f fs.File) (string, fs.File, error) {
	var buf [sniffLen]byte
	n, err := io.ReadFull(f, buf[:])
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return "", nil, err
	}
	ctype := sniff(buf[:n])
	if s, ok := f.(io.Seeker); ok {
		if _, err := s.Seek(0, io.SeekStart); err != nil {
			return "", nil, err
		}
		return ctype, f, nil
	}
	head := append([]byte(nil), buf[:n]...)
	return ctype, &replayFile{File: f, r: io.MultiReader(bytes.NewReader(head), f)}, nil
}

// replayFile is a file whose first bytes, already read, are read again.
type replayFile struct {
	fs.File
	r io.Reader
}

func (f *replayFile) Read(p []byte) (int, error) { return f.r.Read(p) }

// seekable reports whether f can be read from any offset.
func seekable(f fs.File) bool {
	switch f.(type) {
	case io.Seeker, io.ReaderAt:
		return true
	}
	return false
}

func (h *Handler) cacheControl(urlPath string) string {
	for _, rule := range h.opt.CacheControl {
		target := urlPath
		if !strings.Contains(rule.Pattern, "/") {
			target = path.Base(urlPath)
		}
		if ok, _ := path.Match(rule.Pattern, target); ok {
			return rule.Value
		}
	}
	return ""
}

// notFound answers 404, or the SPA fallback when configured.
func (h *Handler) notFound(w strand.ResponseWriter, r *strand.Request) {
	if fb := h.opt.SPAFallback; fb != "" && acceptsHTML(r) {
		if name, ok := h.resolve(fb); ok && !h.hidden(name) {
			if f, err := h.fsys.Open(name); err == nil {
				defer f.Close()
				if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
					h.serveFile(w, r, f, st, name, fb)
					return
				}
			}
		}
	}
	strand.Error(w, "404 page not found", strand.StatusNotFound)
}

func acceptsHTML(r *strand.Request) bool {
	a := r.Header.Get("Accept")
	return strings.Contains(a, "text/html") || strings.Contains(a, "*/*") || a == ""
}

// openError maps a file system error to a status without revealing paths.
func (h *Handler) openError(w strand.ResponseWriter, r *strand.Request, err error) {
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrInvalid),
		// "/file.txt/x", a name longer than the file system allows, a
		// loop of links: nothing there, as far as the client may know.
		errors.Is(err, syscall.ENOTDIR), errors.Is(err, syscall.ENAMETOOLONG),
		errors.Is(err, syscall.ELOOP):
		h.notFound(w, r)
	case errors.Is(err, fs.ErrPermission):
		strand.Error(w, "403 forbidden", strand.StatusForbidden)
	default:
		// os.Root refuses links that leave the root with an error of its
		// own; those are not found, as far as the client may know.
		if strings.Contains(err.Error(), "escapes from parent") || strings.Contains(err.Error(), "path escapes") {
			h.notFound(w, r)
			return
		}
		h.internalError(w, err)
	}
}

func (h *Handler) internalError(w strand.ResponseWriter, err error) {
	h.opt.ErrorLog.Error("static: file system error", "err", err)
	strand.Error(w, "500 internal server error", strand.StatusInternalServerError)
}
