package middleware

// This file implements content-coding negotiation (RFC 9110 §12.5.3): a
// parser for the Accept-Encoding field that never allocates, and the choice
// of one coding from the weights it finds and the server's order of
// preference.
//
//	Accept-Encoding = #( codings [ weight ] )
//	codings         = content-coding / "identity" / "*"
//	weight          = OWS ";" OWS "q=" qvalue
//	qvalue          = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
//
// Weights are kept in thousandths ("q=0.5" is 500), which is exactly the
// precision the grammar allows, so that no floating point is involved.

import (
	"strings"

	"github.com/strandhttp/strand/internal/ascii"
)

// contentCoding is a content coding the middleware can produce, or
// identity (RFC 9110 §8.4.1).
type contentCoding uint8

const (
	codingIdentity contentCoding = iota
	codingZstd                   // RFC 8878, RFC 9659
	codingBrotli                 // "br", RFC 7932
	codingGzip                   // RFC 1952
	codingDeflate                // zlib (RFC 1950) around deflate (RFC 1951)
	numCodings
)

var codingNames = [numCodings]string{"identity", "zstd", "br", "gzip", "deflate"}

// String returns the coding's name as sent in Content-Encoding.
func (c contentCoding) String() string { return codingNames[c] }

// codingByName returns the coding named s, compared without regard to case
// (RFC 9110 §8.4.1); "x-gzip" is gzip (§8.4.1.3).
func codingByName(s string) (contentCoding, bool) {
	for c, name := range codingNames {
		if ascii.EqualFold(s, name) {
			return contentCoding(c), true
		}
	}
	if ascii.EqualFold(s, "x-gzip") {
		return codingGzip, true
	}
	return codingIdentity, false
}

// qUnlisted marks a coding that the field does not name.
const qUnlisted = -1

// acceptEncoding is a parsed Accept-Encoding field.
type acceptEncoding struct {
	// q holds the weight the client gives each coding, identity included,
	// in thousandths, or qUnlisted.
	q [numCodings]int16
	// star is the weight of "*", which covers every coding not listed
	// (identity included), or qUnlisted.
	star int16
}

// parseAcceptEncoding parses an Accept-Encoding field value. Codings it
// does not know are ignored, as are elements whose weight does not follow
// the grammar (a client that writes "q=0.5000" or "q=2" gets neither the
// coding refused nor granted). When a coding is listed twice, the first
// entry counts.
func parseAcceptEncoding(v string) acceptEncoding {
	ae := acceptEncoding{star: qUnlisted}
	for i := range ae.q {
		ae.q[i] = qUnlisted
	}
	ae.add(v)
	return ae
}

// add parses one more field line into ae, for a request that sends the
// field more than once (RFC 9110 §5.3).
func (ae *acceptEncoding) add(v string) {
	for v != "" {
		var elem, params string
		elem, v, _ = strings.Cut(v, ",")
		elem, params, _ = strings.Cut(elem, ";")
		name := ascii.TrimOWS(elem)
		q, ok := parseWeight(params)
		if !ok || name == "" {
			continue
		}
		if name == "*" {
			if ae.star == qUnlisted {
				ae.star = q
			}
			continue
		}
		if c, known := codingByName(name); known && ae.q[c] == qUnlisted {
			ae.q[c] = q
		}
	}
}

// parseWeight returns the weight in a list of parameters ("q=0.5",
// " q=1 ; x=y"): 1000 when there is no q parameter, and false when the
// first one is malformed. Other parameters are ignored.
func parseWeight(params string) (int16, bool) {
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		name, value, _ := strings.Cut(p, "=")
		if name = ascii.TrimOWS(name); name == "q" || name == "Q" {
			// Spaces around "=" are outside the grammar, but "q = 0" is
			// plainly a refusal: honour it rather than ignore it.
			return parseQValue(ascii.TrimOWS(value))
		}
	}
	return 1000, true
}

// parseQValue parses a qvalue (RFC 9110 §12.4.2) into thousandths.
func parseQValue(s string) (int16, bool) {
	if s == "" || s[0] != '0' && s[0] != '1' {
		return 0, false
	}
	whole := int16(s[0]-'0') * 1000
	s = s[1:]
	if s == "" {
		return whole, true
	}
	if s[0] != '.' || len(s) > 4 {
		return 0, false
	}
	var frac int16
	scale := int16(100)
	for i := 1; i < len(s); i++ {
		d := s[i]
		if d < '0' || d > '9' {
			return 0, false
		}
		frac += int16(d-'0') * scale
		scale /= 10
	}
	if whole == 1000 && frac != 0 {
		return 0, false
	}
	return whole + frac, true
}

// weight returns the weight the client gives c: its own entry, else that
// of "*", else 0 (not acceptable).
func (ae *acceptEncoding) weight(c contentCoding) int16 {
	if q := ae.q[c]; q != qUnlisted {
		return q
	}
	if ae.star != qUnlisted {
		return ae.star
	}
	return 0
}

// negotiate chooses the coding for a response: the one among prefs (the
// codings the server offers, most preferred first) with the highest
// non-zero weight, ties going to the earlier one in prefs. Identity wins
// only when the client gives it a weight, directly or through "*", higher
// than every offered coding's; unlisted, it is acceptable but last
// (RFC 9110 §12.5.3).
//
// When nothing is acceptable, not even identity ("identity;q=0" or
// "*;q=0"), negotiate still returns identity: the alternative, 415 or
// 406, would withhold the content for a preference the client is unlikely
// to mean, and RFC 9110 §12.5.3 leaves the choice to the server.
func (ae *acceptEncoding) negotiate(prefs []contentCoding) contentCoding {
	best, bestQ := codingIdentity, int16(0)
	for _, c := range prefs {
		if q := ae.weight(c); q > bestQ {
			best, bestQ = c, q
		}
	}
	if ae.weight(codingIdentity) > bestQ {
		return codingIdentity
	}
	return best
}
