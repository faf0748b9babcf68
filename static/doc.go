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
// through an os.Root, which also refuses symbolic links that lead out of
// the root. Dotfiles are hidden unless Options.ShowHidden. Error responses
// never name a file system path.
//
// # Zero copy
//
// Bodies are copied with io.Copy to the ResponseWriter; when the file is
// an *os.File and the connection plain TCP, the server hands it to the
// kernel (sendfile), and the file is never read into user memory.
package static
