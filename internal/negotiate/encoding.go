package negotiate

// This file parses Accept-Encoding into one weight per known coding and
// chooses a coding from those weights and the server's order of
// preference. The package documentation walks through the grammar and
// the choices made where RFC 9110 leaves them open.

import (
	"strings"

	"github.com/strandhttp/strand/internal/ascii"
)

// Coding is a content coding Strand can produce or serve, or identity
// (RFC 9110 §8.4.1).
type Coding uint8

const (
	Identity Coding = iota // no coding
	Zstd                   // RFC 8878, RFC 9659
	Brotli                 // "br", RFC 7932
	Gzip                   // RFC 1952
	Deflate                // zlib (RFC 1950) around deflate (RFC 1951)

	// NumCodings is the number of codings, identity included: an array
	// of that length holds one value per Coding.
	NumCodings
)

var codingNames = [NumCodings]string{"identity", "zstd", "br", "gzip", "deflate"}

// String returns the coding's name as sent in Content-Encoding.
func (c Coding) String() string { return codingNames[c] }

// ParseCoding returns the coding named s, compared without regard to case
// (RFC 9110 §8.4.1); "x-gzip" is gzip (§8.4.1.3).
func ParseCoding(s string) (Coding, bool) {
	for c, name := range codingNames {
		if ascii.EqualFold(s, name) {
			return Coding(c), true
		}
	}
	if ascii.EqualFold(s, "x-gzip") {
		return Gzip, true
	}
	return Identity, false
}

// star is the slot of "*" in AcceptEncoding.q, after the codings'.
const star = int(NumCodings)

// AcceptEncoding is a parsed Accept-Encoding field: the weight the client
// gives each known coding and "*". The zero value is a field with no
// entries; [AcceptEncoding.Add] adds field lines to it.
type AcceptEncoding struct {
	// q holds the weight of each coding, then of "*", in thousandths
	// (0 to 1000); meaningful only where listed has the slot's bit.
	q [NumCodings + 1]int16
	// listed has bit 1<<i set once slot i of q has had its entry.
	listed uint8
}

// ParseAcceptEncoding parses an Accept-Encoding field value. Codings it
// does not know are ignored.
func ParseAcceptEncoding(v string) AcceptEncoding {
	var ae AcceptEncoding
	ae.Add(v)
	return ae
}

// Add parses one more field line into ae, for a request that sends the
// field more than once: the lines form one list (RFC 9110 §5.3).
func (ae *AcceptEncoding) Add(v string) {
	for v != "" {
		var elem, params string
		elem, v, _ = strings.Cut(v, ",")
		elem, params, _ = strings.Cut(elem, ";")
		name := ascii.TrimOWS(elem)
		slot := star
		if name != "*" {
			c, known := ParseCoding(name)
			if !known {
				continue // unknown, or an empty list element (§5.6.1)
			}
			slot = int(c)
		}
		if ae.listed&(1<<slot) != 0 {
			continue // the first entry counts
		}
		ae.listed |= 1 << slot
		ae.q[slot] = parseWeight(params)
	}
}

// parseWeight returns the weight in a list of parameters ("q=0.5",
// " q=1 ; x=y"): 1000 when there is no q parameter, 0 when the first one
// is not a qvalue. Other parameters are ignored.
func parseWeight(params string) int16 {
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		name, value, _ := strings.Cut(p, "=")
		if name = ascii.TrimOWS(name); name == "q" || name == "Q" {
			// Spaces around "=" are outside the grammar, but "q = 0" is
			// plainly a refusal: honour it rather than ignore it.
			q, _ := parseQValue(ascii.TrimOWS(value))
			return q
		}
	}
	return 1000
}

// parseQValue parses a qvalue (RFC 9110 §12.4.2) into thousandths; it
// returns 0, false for anything outside the grammar.
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

// Weight returns the weight, in thousandths, the field gives c: its own
// entry's, else that of "*", else 0. An unlisted identity weighs 0 here
// too, though it stays acceptable (RFC 9110 §12.5.3): it comes after
// every coding the client accepts, as [AcceptEncoding.Negotiate] does.
func (ae *AcceptEncoding) Weight(c Coding) int {
	switch {
	case ae.listed&(1<<c) != 0:
		return int(ae.q[c])
	case ae.listed&(1<<star) != 0:
		return int(ae.q[star])
	}
	return 0
}

// Rank returns the weight c competes with when the response could also
// go out with no coding: [AcceptEncoding.Weight] of c when that is above
// 0 and no lower than identity's, else 0 (c is refused, or the client
// prefers identity). A server with several codings to offer sends the
// one of highest rank, its own order breaking ties, and identity when
// every rank is 0.
func (ae *AcceptEncoding) Rank(c Coding) int {
	if q := ae.Weight(c); q > 0 && q >= ae.Weight(Identity) {
		return q
	}
	return 0
}

// Negotiate chooses the coding for a response: among offers (the codings
// the server can send, most preferred first), the one of highest
// [AcceptEncoding.Rank], ties going to the earlier one; identity when no
// offer ranks above 0.
//
// When nothing is acceptable, not even identity ("identity;q=0" or
// "*;q=0"), Negotiate still returns identity: the alternative, 406 or
// 415, would withhold the content for a preference the client is unlikely
// to mean, and RFC 9110 §12.5.3 leaves the choice to the server.
func (ae *AcceptEncoding) Negotiate(offers []Coding) Coding {
	best, bestQ := Identity, 0
	for _, c := range offers {
		if q := ae.Rank(c); q > bestQ {
			best, bestQ = c, q
		}
	}
	return best
}
