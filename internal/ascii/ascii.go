// Package ascii holds the byte classes and case helpers that HTTP's grammar
// is written in (RFC 9110 §5.6.2 tokens, RFC 5234 core rules). Every function
// works on bytes and never allocates; the tables are immutable after
// initialisation by composite literal.
package ascii

// tokenTable marks the bytes allowed in a token (RFC 9110 §5.6.2):
//
//	tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
//	        "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
var tokenTable = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

// IsTokenChar reports whether c is a tchar.
func IsTokenChar(c byte) bool { return tokenTable[c] }

// IsToken reports whether s is a non-empty token.
func IsToken[T ~string | ~[]byte](s T) bool {
	if len(s) == 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tokenTable[s[i]] {
			return false
		}
	}
	return true
}

// IsFieldValueChar reports whether c may appear inside a field value
// (RFC 9110 §5.5: field-vchar = VCHAR / obs-text, plus SP and HTAB between
// them). NUL, CR, LF, the other controls and DEL are refused.
func IsFieldValueChar(c byte) bool {
	return c >= 0x20 && c != 0x7f || c == '\t'
}

// fieldValueTable is IsFieldValueChar as a table: field values are the
// bulk of a head, and one lookup a byte is cheaper than its comparisons.
var fieldValueTable = func() (t [256]bool) {
	for c := range t {
		t[c] = IsFieldValueChar(byte(c))
	}
	return t
}()

// ValidFieldValue reports whether every byte of v is allowed in a field value.
func ValidFieldValue[T ~string | ~[]byte](v T) bool {
	for i := 0; i < len(v); i++ {
		if !fieldValueTable[v[i]] {
			return false
		}
	}
	return true
}

// Lower returns c lower-cased if it is an ASCII capital letter.
func Lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// Upper returns c upper-cased if it is an ASCII small letter.
func Upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// EqualFold reports whether a and b are equal under ASCII case folding.
// Bytes outside ASCII letters must match exactly; no Unicode folding is done,
// as HTTP's case-insensitive tokens are ASCII.
func EqualFold[A, B ~string | ~[]byte](a A, b B) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] && Lower(a[i]) != Lower(b[i]) {
			return false
		}
	}
	return true
}

// TrimOWS removes optional whitespace (SP and HTAB, RFC 9110 §5.6.3) from
// both ends of s.
func TrimOWS[T ~string | ~[]byte](s T) T {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// CanonicalInPlace rewrites a token header name into its canonical form
// ("content-type" -> "Content-Type"): the first letter and every letter after
// a hyphen upper-cased, the others lower-cased.
func CanonicalInPlace(b []byte) {
	upper := true
	for i, c := range b {
		if upper {
			b[i] = Upper(c)
		} else {
			b[i] = Lower(c)
		}
		upper = c == '-'
	}
}

// IsCanonical reports whether s is already in canonical header-name form.
func IsCanonical[T ~string | ~[]byte](s T) bool {
	upper := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if upper && 'a' <= c && c <= 'z' || !upper && 'A' <= c && c <= 'Z' {
			return false
		}
		upper = c == '-'
	}
	return true
}

// HasTokenFold reports whether the comma-separated list v contains the token
// tok, compared case-insensitively (the syntax of Connection, RFC 9110 §7.6.1,
// and of Transfer-Encoding, RFC 9112 §6.1).
func HasTokenFold[A, B ~string | ~[]byte](v A, tok B) bool {
	for len(v) > 0 {
		i := 0
		for i < len(v) && v[i] != ',' {
			i++
		}
		if EqualFold(TrimOWS(v[:i]), tok) {
			return true
		}
		if i == len(v) {
			break
		}
		v = v[i+1:]
	}
	return false
}
