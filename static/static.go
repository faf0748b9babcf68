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
	"github.com/strandhttp/strand/internal/method"
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

	// CacheMaxBytes bounds the memory of the small-file cache of a Dir
	// handler (FS handlers have none): files of up to 64 KiB requested
	// more than once are kept in memory with their response fields worked
	// out, and served without touching the file system. An entry is checked against the file at
	// most once a second, so a file changed on disk may be served in its
	// old version for about a second. Zero means 32 MiB; a negative value
	// turns the cache off.
	CacheMaxBytes int64

	// ErrorLog receives unexpected file system errors; nil means
	// slog.Default().
	ErrorLog *slog.Logger
}

// CacheRule is one Cache-Control rule.
type CacheRule struct {
	Pattern string // "*.css", "/assets/*"
	Value   string // "public, max-age=31536000, immutable"
}

// Handler serves files from a file system. It is safe for concurrent use.
type Handler struct {
	// Immutable after FS or Dir.
	fsys  fs.FS
	opt   Options
	open  func(name string) (fs.File, error) // fsys.Open, or Dir's openat2
	cache *fileCache                         // Dir's small files; nil for none
	now   func() time.Time                   // time.Now; tests move a clock of their own
}

// FS returns a handler serving the files of fsys.
func FS(fsys fs.FS, opt *Options) *Handler {
	h := &Handler{fsys: fsys, now: time.Now}
	if opt != nil {
		h.opt = *opt
	}
	if h.opt.IndexFile == "" {
		h.opt.IndexFile = "index.html"
	}
	if h.opt.MaxRanges <= 0 {
		h.opt.MaxRanges = 16
	}
	if h.opt.CacheMaxBytes == 0 {
		h.opt.CacheMaxBytes = defaultCacheMax
	}
	if h.opt.ErrorLog == nil {
		h.opt.ErrorLog = slog.Default()
	}
	if fsys != nil {
		h.open = fsys.Open
	}
	return h
}

// Dir returns a handler serving the directory root of the OS file system.
// Unless opt.AllowSymlinksOutside, no path, link or race can reach a file
// outside root: on Linux files are opened with openat2(2) and
// RESOLVE_BENEATH, elsewhere (or on kernels without openat2) through an
// os.Root. Only regular files and directories are served. Small files are
// cached in memory (Options.CacheMaxBytes). The directory must exist; Dir
// fails with an *fs.PathError otherwise (syscall.ENOTDIR for a file).
func Dir(root string, opt *Options) (*Handler, error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, &fs.PathError{Op: "open", Path: root, Err: syscall.ENOTDIR}
	}
	outside := opt != nil && opt.AllowSymlinksOutside
	var fsys fs.FS
	if outside {
		fsys = os.DirFS(root)
	} else {
		r, err := os.OpenRoot(root)
		if err != nil {
			return nil, err
		}
		fsys = r.FS()
	}
	h := FS(fsys, opt)
	if dr := newDirRoot(root, outside); dr != nil {
		h.open = dr.open
	}
	if h.opt.CacheMaxBytes > 0 {
		h.cache = newFileCache(h.opt.CacheMaxBytes)
	}
	return h, nil
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
		if _, ok := method.Registered(r.Method); !ok {
			// Not a method of RFC 9110 (or PATCH): "the server does not
			// recognize the request method", 501 (§15.6.2), not 405.
			strand.Error(w, "501 method not implemented", strand.StatusNotImplemented)
			return
		}
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
	for rest := name; rest != ""; {
		var seg string
		seg, rest, _ = strings.Cut(rest, "/")
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
	for i, rest := 0, name; rest != ""; i++ {
		var seg string
		seg, rest, _ = strings.Cut(rest, "/")
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
	if h.cache != nil && h.serveCached(w, r, name, urlPath) {
		return
	}
	f, err := h.open(name)
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
		if f, err := h.open(index); err == nil {
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
	if _, ok := dir.(fs.ReadDirFile); !ok && h.fsys != nil {
		// Dir's openat2 files cannot list: open it again through fsys.
		d, err := h.fsys.Open(name)
		if err != nil {
			h.openError(w, r, err)
			return
		}
		defer d.Close()
		dir = d
	}
	h.serveListing(w, r, dir, urlPath)
}

// serveFile sends a regular file, or a precompressed sibling of it, with
// validators, preconditions and ranges. A file small enough for the cache
// is loaded into it and sent from memory.
func (h *Handler) serveFile(w strand.ResponseWriter, r *strand.Request, f fs.File, st fs.FileInfo, name, urlPath string) {
	now := h.now()
	if h.cache != nil && st.Mode().IsRegular() && st.Size() <= maxCachedFile && h.cache.admit(name) {
		if e := h.load(f, st, name, now); e != nil {
			h.cache.put(e)
			if rp, ok := e.choose(r); ok {
				h.respond(w, r, rp, urlPath, e.vary, now)
				return
			}
			// The client's choice is a sibling too large for the cache.
		}
	}
	rp := rep{v: newValidators(st), size: st.Size(), f: f}
	rp.ctype = typeByExtension(name)
	if rp.ctype == "" {
		var err error
		if rp.ctype, rp.f, err = sniffFile(f); err != nil {
			h.internalError(w, err)
			return
		}
	}
	vary := !h.opt.NoPrecompressed && compressible(rp.ctype)
	if vary {
		if cf, cst, coding := h.sibling(r, name); cf != nil {
			defer cf.Close()
			rp = rep{ctype: rp.ctype, coding: coding, v: newValidators(cst), size: cst.Size(), f: cf}
		}
	}
	h.respond(w, r, &rp, urlPath, vary, now)
}

// rep is one representation of a file, as a response sends it: the
// file's own bytes or a precompressed sibling's, from the file system or
// from the cache.
type rep struct {
	ctype   string     // Content-Type
	coding  string     // Content-Encoding; "" for none
	v       validators // zero when the file system keeps no times
	lastMod string     // Last-Modified of v, worked out ahead; "" if not
	size    int64
	length  string  // Content-Length of the whole, worked out ahead; "" if not
	f       fs.File // the bytes in a file, or
	data    []byte  // the bytes in memory (immutable: shared by requests)
}

// newValidators returns the validators of the file st describes.
func newValidators(st fs.FileInfo) validators {
	mod := st.ModTime()
	if mod.IsZero() {
		// A file system without modification times (embed.FS) gets no
		// validators: an entity tag from the size alone would be the same
		// for two versions of equal size, and a client would keep the old.
		return validators{}
	}
	return validators{etag: makeETag(st.Size(), mod), modTime: mod.UTC().Truncate(time.Second)}
}

// lastModified returns the Last-Modified value of rp at time now: never
// later than the Date of the response (RFC 9110 §8.8.2.1).
func (rp *rep) lastModified(now time.Time) string {
	switch {
	case rp.v.modTime.After(now):
		return now.UTC().Truncate(time.Second).Format(strand.TimeFormat)
	case rp.lastMod != "":
		return rp.lastMod
	}
	return rp.v.modTime.Format(strand.TimeFormat)
}

// respond sends rp with validators (ETag, RFC 9110 §8.8.3; Last-Modified,
// §8.8.2), after the preconditions, whole or in ranges. vary says the
// response depends on Accept-Encoding.
func (h *Handler) respond(w strand.ResponseWriter, r *strand.Request, rp *rep, urlPath string, vary bool, now time.Time) {
	hdr := w.Header()
	if cc := h.cacheControl(urlPath); cc != "" {
		hdr.Set("Cache-Control", cc)
	}
	if vary {
		hdr.Add("Vary", "Accept-Encoding")
	}
	if rp.coding != "" {
		hdr.Set("Content-Encoding", rp.coding)
	}
	if rp.v.etag != "" {
		hdr.Set("Etag", rp.v.etag) // the canonical spelling: Set allocates no copy
		hdr.Set("Last-Modified", rp.lastModified(now))
	}
	// Ranges need a file that can start anywhere (RFC 9110 §14.3): not a
	// compressed zip entry, say, which reads only from its beginning.
	canRange := rp.data != nil || seekable(rp.f)
	if canRange {
		hdr.Set("Accept-Ranges", "bytes")
	}
	out := evaluate(r, rp.v)
	switch out {
	case notModified:
		hdr.Del("Content-Type")
		w.WriteHeader(strand.StatusNotModified)
		return
	case failed:
		fileError(w, "412 precondition failed", strand.StatusPreconditionFailed)
		return
	}
	hdr.Set("Content-Type", rp.ctype)
	// Range is a single field, not a list (RFC 9110 §14.2): sent twice it
	// is ambiguous, and ignored as an invalid one may be: the whole file.
	if rv, ok := r.Header.Lookup("Range"); ok && canRange && out == proceed && r.Method == "GET" &&
		len(r.Header.Values("Range")) == 1 {
		ranges, res := parseRange(rv, rp.size, h.opt.MaxRanges)
		switch res {
		case rangeUnsatisfiable:
			hdr.Set("Content-Range", "bytes */"+strconv.FormatInt(rp.size, 10))
			fileError(w, "416 range not satisfiable", strand.StatusRequestedRangeNotSatisfiable)
			return
		case rangeSatisfiable:
			h.serveRanges(w, rp, ranges)
			return
		}
	}
	length := rp.length
	if length == "" {
		length = strconv.FormatInt(rp.size, 10)
	}
	hdr.Set("Content-Length", length)
	w.WriteHeader(strand.StatusOK)
	if r.Method == "HEAD" {
		return
	}
	copyBody(w, rp, 0, rp.size)
}

// fileError answers 412 or 416 for a file: the plain-text error body is
// not in the Content-Encoding of a precompressed sibling.
func fileError(w strand.ResponseWriter, msg string, code int) {
	w.Header().Del("Content-Encoding")
	strand.Error(w, msg, code)
}

// codingOrder returns the indexes in precompressed of the codings r
// accepts, best first: the client's q-values rank them (RFC 9110
// §12.5.3), the server's order breaks ties.
func codingOrder(r *strand.Request) (order [len(precompressed)]int, n int) {
	accept, ok := listField(&r.Header, "Accept-Encoding")
	if !ok || accept == "" {
		return order, 0
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
			return order, n
		}
		q[best] = 0
		order[n] = best
		n++
	}
}

// sibling opens the precompressed sibling of name the client prefers, or
// returns nil; a coding without a sibling file gives way to the next.
func (h *Handler) sibling(r *strand.Request, name string) (fs.File, fs.FileInfo, string) {
	order, n := codingOrder(r)
	for _, i := range order[:n] {
		p := precompressed[i]
		f, err := h.open(name + p.ext)
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
	return nil, nil, ""
}

// serveRanges sends one range as 206 with Content-Range, several as a
// multipart/byteranges body.
func (h *Handler) serveRanges(w strand.ResponseWriter, rp *rep, ranges []byteRange) {
	hdr := w.Header()
	if len(ranges) == 1 {
		rg := ranges[0]
		hdr.Set("Content-Range", rg.contentRange(rp.size))
		hdr.Set("Content-Length", strconv.FormatInt(rg.length, 10))
		w.WriteHeader(strand.StatusPartialContent)
		copyBody(w, rp, rg.start, rg.length)
		return
	}
	m := newMultipart(ranges, rp.ctype, rp.size)
	hdr.Set("Content-Type", "multipart/byteranges; boundary="+m.boundary)
	hdr.Set("Content-Length", strconv.FormatInt(m.length, 10))
	w.WriteHeader(strand.StatusPartialContent)
	for i, rg := range ranges {
		if _, err := w.WriteString(m.headers[i]); err != nil {
			return
		}
		if !copyBody(w, rp, rg.start, rg.length) {
			return
		}
	}
	_, _ = w.WriteString(m.closing)
}

// copyBody sends n bytes of rp from offset. Bytes in memory are written;
// a file reaches the socket through the ResponseWriter's ReadFrom, which
// uses sendfile where it can (for an *os.File or Dir's openat2 files), so
// its body never sits whole in memory.
func copyBody(w strand.ResponseWriter, rp *rep, offset, n int64) bool {
	if rp.data != nil {
		_, err := w.Write(rp.data[offset : offset+n])
		return err == nil
	}
	var src io.Reader = rp.f
	if offset > 0 {
		s, ok := rp.f.(io.Seeker)
		if !ok {
			ra, ok := rp.f.(io.ReaderAt)
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
			if h.cache != nil && !strings.HasSuffix(fb, "/") && h.serveCached(w, r, name, fb) {
				return
			}
			if f, err := h.open(name); err == nil {
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

// errSpecialFile refuses a FIFO, a socket or a device: Dir serves
// regular files and directories only.
var errSpecialFile = errors.New("static: not a regular file or directory")

// openError maps a file system error to a status without revealing paths.
func (h *Handler) openError(w strand.ResponseWriter, r *strand.Request, err error) {
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrInvalid),
		// "/file.txt/x", a name longer than the file system allows, a
		// loop of links: nothing there, as far as the client may know.
		errors.Is(err, syscall.ENOTDIR), errors.Is(err, syscall.ENAMETOOLONG),
		errors.Is(err, syscall.ELOOP),
		// openat2 refusing a step out of the root (RESOLVE_BENEATH), and
		// a FIFO, socket or device, which is no file to serve.
		errors.Is(err, syscall.EXDEV), errors.Is(err, errSpecialFile):
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
