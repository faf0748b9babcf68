// Package strand is an HTTP server written from the socket up: its own
// HTTP/1.1 codec, connection loop and response writer, with an API shaped
// like net/http's.
//
//	srv := &strand.Server{
//		Addr: "127.0.0.1:8080",
//		Handler: strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
//			w.Header().Set("Content-Type", "text/plain")
//			w.WriteString("Hello, World!")
//		}),
//	}
//	log.Fatal(srv.ListenAndServe())
//
// # Lifetimes
//
// A keep-alive request is served without allocating: the server reuses one
// Request per connection, and the Request's strings (Path, header names and
// values) point into a copy of the request head that is overwritten by the
// next request. Everything a handler is given is valid until its ServeHTTP
// returns. To keep something, copy it: strings.Clone for a string,
// Request.Clone for the whole request. The request Body is the exception:
// it is never reused, and reading it after the handler returned fails with
// ErrBodyReadAfterClose instead of returning someone else's bytes.
//
// Build or test with the strand_debug tag to have the server poison a
// request's memory when its handler returns: a handler that kept a string
// then reads 0xDE bytes, and the mistake shows up in tests.
//
// # Concurrency
//
// Each connection is served by one goroutine at a time, taken from a pool
// of reused goroutines. Requests on one connection are handled in order,
// one after the other (pipelined requests are answered in order, their
// responses gathered into as few writes as possible). Handlers for
// different connections run concurrently and must synchronise any state
// they share. A handler may start goroutines, but only the handler's own
// goroutine may use the ResponseWriter and Request, and only until
// ServeHTTP returns.
//
// # Limits
//
// A server facing the Internet must bound everything a client can make it
// hold. Each limit below is a Server field; zero takes the default.
//
//	Limit                  Default    Beyond it
//	MaxRequestLineBytes    8 KiB      414 URI Too Long
//	MaxHeaderBytes         32 KiB     431 Request Header Fields Too Large
//	MaxHeaderCount         100        431
//	MaxBodyBytes           10 MiB     413 Content Too Large (before reading, when declared)
//	ReadHeaderTimeout      10 s       408, connection closed
//	ReadTimeout            60 s       body read fails (no progress for that long)
//	WriteTimeout           60 s       connection closed (client accepts no bytes)
//	IdleTimeout            60 s       idle keep-alive connection closed
//	MaxRequestsPerConn     unlimited  "Connection: close" on the last one
//	MaxConns               50,000     503 Service Unavailable, closed
//	unread body drained    256 KiB    beyond it the connection closes
//	chunk extensions       4 KiB/line, 64 KiB/body beyond the data, 400
//	trailer section        16 KiB, 64 fields, 400
//
// Read and write deadlines are moved lazily, at most once per eighth of
// their timeout (and at least once a second), so a timeout may fire up to
// an eighth of itself, and never more than a second, earlier than
// configured. A negative ReadHeaderTimeout, IdleTimeout, ReadTimeout or
// WriteTimeout disables that timeout; negative size limits take their
// defaults.
//
// # Errors
//
// A request the codec cannot accept is answered with its status code and a
// one-line plain-text reason, and the connection is closed: once framing is
// in doubt, nothing after it can be trusted. The choices Strand makes where
// RFC 9112 leaves a choice are listed, with their sections, in the
// documentation of internal/http1 and in docs/protocol.md.
//
// A handler's panic is recovered and logged with its stack through
// Server.ErrorLog; the client gets 500 if nothing was sent yet, or a
// connection closed mid-response otherwise. Panicking with ErrAbortHandler
// aborts without a log line.
package strand
