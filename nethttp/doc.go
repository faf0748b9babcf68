// Package nethttp connects Strand and net/http in both directions, so that
// the handlers written for one run on the other's server:
//
//	Handler(h http.Handler) strand.Handler     pprof, promhttp, chi on Strand
//	FromStrand(h strand.Handler) http.Handler  Strand handlers under net/http
//
// It is the only Strand package that imports net/http outside tests.
//
// # Example
//
// Serve net/http/pprof from a Strand router:
//
//	mux := router.New()
//	mux.Handle("GET", "/debug/pprof/*name", nethttp.Handler(http.HandlerFunc(pprof.Index)))
//
// pprof.Index reads the whole path from the URL, so it is registered with a
// catch-all pattern rather than with Mount, which strips the prefix from
// Path (and so from URL.Path), as http.StripPrefix does.
//
// # Lifetimes
//
// A Strand server recycles a request's memory once the handler returns;
// net/http handlers assume a request's strings are theirs forever. Handler
// therefore copies the strings of each request (target, path, query, host
// and header fields) into a single block before calling the handler: one
// allocation, however many fields. FromStrand copies nothing: net/http's
// strings are never reused.
//
// # Differences
//
// Each side keeps its own rules for what its handlers see; where the two
// servers differ, the adapter does what the handler's own server would do:
//
//   - Handler sniffs a missing Content-Type from the first Write (not from
//     the first 512 buffered bytes, as net/http does across writes);
//     FromStrand never sniffs, as Strand does not.
//   - net/http handlers may set a trailer named "Trailer:Name" without
//     announcing it; Strand must announce a trailer in the head, so such a
//     trailer reaches the client only when the head was still unsent when
//     the handler returned (a body under 8 KiB, never flushed). Trailers
//     announced in the Trailer field always work, in both directions.
//   - Setting a header field to nil does not suppress Strand's Date field.
//   - http.ResponseController's SetReadDeadline, SetWriteDeadline and
//     EnableFullDuplex report http.ErrNotSupported under Handler: Strand's
//     deadlines are the server's (ReadTimeout, WriteTimeout).
//   - Path values set by a Strand router are not visible through
//     http.Request.PathValue, nor net/http's through strand.Request.PathValue.
//
// # Cost
//
// BenchmarkAdapter in this package measures both directions against the
// same handler written natively, in process and over a loopback
// connection: go test -bench Adapter -benchmem ./nethttp/
package nethttp
