// Package http1 is Strand's HTTP/1.1 codec (RFC 9112): a pure, incremental
// parser of request heads, a chunked-body decoder and the small encoders a
// response needs. It never touches a socket: callers hand it bytes and it
// answers "need more" ([ErrNeedMore]), "complete", or an [*Error] carrying
// the status code to answer with. Both connection engines and the fuzzers
// drive the same code.
//
// # Choices the RFCs leave open
//
// Strand is a strict recipient: where RFC 9112 lets a server either accept or
// reject a deviation, it rejects, because every leniency is a place where a
// proxy in front of it may frame the message differently (request
// smuggling). Each choice below names the section that allows it.
//
//   - Bare LF as a line terminator is refused with 400 (§2.2 allows a
//     recipient to accept it; it "MAY"). A bare CR anywhere is refused
//     (§2.2: "MUST either consider ... invalid or replace").
//   - Up to MaxRequestLine bytes of empty lines (CRLF) before the request
//     line are skipped (§2.2 "SHOULD ignore at least one empty line").
//   - The request line is split on single SP only (§3: whitespace-delimited
//     parsing is a MAY); extra or other whitespace gives 400.
//   - HTTP/1.0 and HTTP/1.1 are served, and a later 1.x as 1.1 (§2.3: a
//     recipient SHOULD process a higher minor version as the highest it
//     implements); another major version gets 505 (RFC 9110 §15.6.6), a
//     malformed version 400.
//   - Field lines: whitespace between name and colon is 400 (§5.1, MUST);
//     obs-fold is 400 (§5.2 allows rejecting it); NUL, CR, LF, other
//     controls but HTAB, and DEL inside a value are 400 (RFC 9110 §5.5).
//   - Host: required in HTTP/1.1, at most once, and syntactically valid
//     (§3.2, MUST 400). An absolute-form target needs a non-empty host
//     (RFC 9110 §4.2.1, MUST reject); an authority-form one a host and port.
//   - Content-Length: a comma list or repeated lines of one identical value
//     are accepted as that value (RFC 9110 §8.6 allows it); differing or
//     malformed values, empty list elements ("5,") and values of more than
//     18 digits are 400 and the connection closes (§6.3 rule 5).
//   - Transfer-Encoding together with Content-Length is 400 (§6.1 allows
//     rejecting; §6.3 rule 3 says TE wins otherwise). Transfer-Encoding in
//     an HTTP/1.0 request is 400 (§6.1 says the framing is faulty). A coding
//     list whose final coding is not chunked is 400 (§6.3 rule 4, MUST);
//     chunked applied twice is 400 (§6.1); chunked with parameters is 400
//     (§7.1 SHOULD); a known framing but a coding Strand does not decode
//     (gzip, chunked) is 501 (§6.1 SHOULD).
//   - Expect: 100-continue is honoured in HTTP/1.1 and ignored in HTTP/1.0
//     (RFC 9110 §10.1.1, MUST ignore); any other expectation is 417 (§10.1.1
//     MAY); empty list elements are no expectation (RFC 9110 §5.6.1).
//   - Chunked bodies: the chunk size is at most 15 hex digits of value, so it
//     cannot overflow; chunk extensions are bounded in length and ignored
//     (§7.1.1 "MUST ignore unrecognized chunk extensions"); whitespace after
//     the size is accepted only before a ";" (the BWS of the grammar); the
//     CRLF after chunk data must be exactly CRLF; trailer fields follow the
//     same rules as header fields and are bounded in size and count.
//
// Every error ends the connection: once framing is in doubt the only safe
// thing to do with the rest of the byte stream is to drop it.
package http1
