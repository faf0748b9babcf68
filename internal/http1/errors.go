package http1

import (
	"errors"
	"strconv"
)

// ErrNeedMore is returned by the incremental parsers when the bytes given so
// far do not hold a complete element; call again with more.
var ErrNeedMore = errors.New("http1: need more bytes")

// Error is a protocol error found in a request. Status is the response code
// a server answers with (400, 414, 431, 501, 505, ...); Reason is a short,
// safe text for the response body and logs. After an Error the connection's
// framing is unknown and it must be closed once the answer is sent.
type Error struct {
	Status int
	Reason string
}

func (e *Error) Error() string {
	return "http1: " + strconv.Itoa(e.Status) + " " + e.Reason
}

// Errors are values shared by every parse; they are never mutated.
func bad(reason string) *Error { return &Error{Status: 400, Reason: reason} }

var (
	errBareLF           = bad("bare LF line terminator")
	errBareCR           = bad("bare CR in request")
	errRequestLine      = bad("malformed request line")
	errMethod           = bad("malformed method")
	errTarget           = bad("malformed request target")
	errVersion          = bad("malformed HTTP version")
	errVersionSupport   = &Error{Status: 505, Reason: "HTTP version not supported"}
	errURITooLong       = &Error{Status: 414, Reason: "request target too long"}
	errHeaderTooLarge   = &Error{Status: 431, Reason: "request header fields too large"}
	errTooManyFields    = &Error{Status: 431, Reason: "too many header fields"}
	errObsFold          = bad("obsolete line folding")
	errFieldName        = bad("malformed header field name")
	errSpaceBeforeColon = bad("whitespace before colon in header field")
	errFieldValue       = bad("invalid character in header field value")
	errNoHost           = bad("missing Host header")
	errManyHosts        = bad("more than one Host header")
	errHost             = bad("malformed Host header")
	errContentLength    = bad("malformed or conflicting Content-Length")
	errCLAndTE          = bad("both Transfer-Encoding and Content-Length")
	errTENotChunked     = bad("Transfer-Encoding does not end in chunked")
	errTEChunkedTwice   = bad("chunked applied more than once")
	errTEChunkedParams  = bad("parameters on the chunked coding")
	errTE10             = bad("Transfer-Encoding in an HTTP/1.0 request")
	errTEUnsupported    = &Error{Status: 501, Reason: "unsupported transfer coding"}
	errExpectation      = &Error{Status: 417, Reason: "unsupported expectation"}
	errChunkSize        = bad("malformed chunk size")
	errChunkTooLarge    = bad("chunk size too large")
	errChunkExt         = bad("malformed or oversized chunk extension")
	errChunkCRLF        = bad("missing CRLF after chunk data")
	errTrailer          = bad("malformed trailer field")
	errTrailerTooLarge  = bad("trailer section too large")
)
