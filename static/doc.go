// Package static serves files: from an fs.FS, or from an OS directory with
// its paths kept inside it.
//
// It picks the media type from the extension (falling back to sniffing the
// first 512 bytes), sends strong ETags and Last-Modified, evaluates the
// conditional request fields in the order RFC 9110 §13.2.2 gives, answers
// byte ranges (single, suffix, open, and several as multipart/byteranges,
// merged and bounded against amplification), serves precompressed
// siblings (file.br, file.zst, file.gz) to clients that accept them (their
// q-values first, then br, zstd, gzip), and lists directories as HTML or
// JSON when asked to. Files without a modification time (embed.FS) get no
// validators, and files that cannot seek (compressed zip entries) no
// ranges.
//
// # Safety
//
// No file outside the root is served, whatever the request's encoding:
// the request path is decoded exactly once by the server, then any "..",
// empty or "." segment, NUL byte or backslash is refused. Dir opens files
// so that symbolic links leading out of the root are refused too: on Linux
// with openat2(2) and RESOLVE_BENEATH (one system call, resolved by the
// kernel beneath the root's descriptor), elsewhere or on kernels before
// 5.6 through an os.Root. Dir serves regular files and directories only: a
// FIFO, socket or device is not found (and a FIFO is opened without
// blocking, on Linux). Dotfiles are hidden unless Options.ShowHidden.
// Error responses never name a file system path.
//
// # Cache
//
// A Dir handler keeps files of up to 64 KiB in memory from the second
// time they are requested, up to Options.CacheMaxBytes in all (32 MiB
// unless set; negative turns it off), with their content type, entity
// tag, Last-Modified and Content-Length worked out, and which
// precompressed siblings exist. A cached file is
// served without a system call on the file system, its head and body in
// one write. An entry is checked against the file system (fstat of the
// file and its siblings, opened as for serving) at most once a second, so
// a file changed on disk can be served in its old version for about a
// second after the change, and a file deleted or moved out of reach for as
// long. When the cache is full, entries not used lately are evicted
// first (CLOCK, an approximation of least recently used).
// Preconditions, ranges and precompressed siblings are answered from the
// cache exactly as from the file system.
//
// # Zero copy
//
// Bodies of files not in the cache are copied with io.Copy to the
// ResponseWriter; when the file is an *os.File (or Dir's own kind on
// Linux) and the connection plain TCP, the server hands it to the kernel
// (sendfile), and the file is never read into user memory.
package static
