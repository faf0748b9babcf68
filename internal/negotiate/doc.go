// Package negotiate reads the Accept-Encoding request field and chooses a
// content coding by it (proactive negotiation, RFC 9110 §12.1). The
// compression middleware uses it to pick the coding it compresses a
// response in; the static file server, to pick a precompressed sibling.
//
// # Accept-Encoding
//
// RFC 9110 §12.5.3 defines the field as a list of content codings, each
// with an optional weight:
//
//	Accept-Encoding = #( codings [ weight ] )
//	codings         = content-coding / "identity" / "*"
//	weight          = OWS ";" OWS "q=" qvalue
//
// "identity" stands for no coding at all, and "*" for every coding the
// field does not list by name (identity included). Coding names are
// case-insensitive (§8.4.1), and "x-gzip" is gzip (§8.4.1.3). A request
// without the field lets the server send any coding; an empty field asks
// for none. Identity is acceptable unless "identity;q=0", or "*;q=0"
// without an identity entry, excludes it.
//
// # Qvalues
//
// A weight ranks the client's preference from 0 (not acceptable) to 1
// (most preferred), the default (RFC 9110 §12.4.2):
//
//	qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
//
// Three decimals is all the grammar allows, so weights are kept here as
// integers in thousandths ("q=0.5" is 500) and no floating point is
// involved.
//
// # Where the RFC leaves a choice
//
//   - A coding listed with a weight that is not a qvalue ("q=2",
//     "q=0.5000") is refused: it is still listed, so "*" does not cover it
//     (§12.5.3), and sending identity instead is always safe.
//   - When a coding, or "*", is listed twice, the first entry counts; when
//     an entry has two q parameters, the first is its weight. Other
//     parameters are ignored.
//   - Spaces around "=" ("q = 0") are outside the grammar but honoured:
//     their meaning is plain.
//   - Identity is chosen over an offered coding only when the client gives
//     it a strictly higher weight; and when nothing at all is acceptable,
//     [AcceptEncoding.Negotiate] still answers identity rather than 406,
//     which §12.5.3 allows.
//
// Parsing never allocates: [AcceptEncoding] is a small value holding one
// weight per coding Strand knows.
//
// # Example
//
//	ae := negotiate.ParseAcceptEncoding("gzip;q=0.8, br, *;q=0")
//	ae.Negotiate([]negotiate.Coding{negotiate.Zstd, negotiate.Gzip}) // Gzip
package negotiate
