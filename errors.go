package strand

import "errors"

var (
	// ErrServerClosed is returned by Serve and ListenAndServe after
	// Shutdown or Close.
	ErrServerClosed = errors.New("strand: server closed")

	// ErrBodyTooLarge is returned by a request body's Read once the body
	// exceeds Server.MaxBodyBytes. The server closes the connection after
	// the response, and answers 413 if the handler wrote nothing.
	ErrBodyTooLarge = errors.New("strand: request body too large")

	// ErrBodyNotAllowed is returned by ResponseWriter.Write when the status
	// or method forbids a body (1xx, 204, 304).
	ErrBodyNotAllowed = errors.New("strand: request method or response status code does not allow body")

	// ErrContentLength is returned by ResponseWriter.Write when the handler
	// writes more than the Content-Length it declared.
	ErrContentLength = errors.New("strand: wrote more than the declared Content-Length")

	// ErrHijacked is returned by ResponseWriter methods after Hijack.
	ErrHijacked = errors.New("strand: connection has been hijacked")

	// ErrNotHijackable is returned by Hijack when the response has already
	// been committed in a way that forbids taking the connection over.
	ErrNotHijackable = errors.New("strand: connection cannot be hijacked")

	// ErrBodyReadAfterClose is returned by reading a request body after it
	// was closed or after its handler returned.
	ErrBodyReadAfterClose = errors.New("strand: invalid Read on closed request body")

	// ErrAbortHandler is a sentinel panic value to abort a handler without
	// the server logging a stack trace; the connection is closed.
	ErrAbortHandler = errors.New("strand: abort handler")
)

// ErrNotSupported is returned by Flush and Hijack when no writer in the
// chain supports the operation.
var ErrNotSupported = errors.New("strand: operation not supported by this ResponseWriter")
