package http1

// This file parses a request head (RFC 9112 §2-§6): the request line, the
// field lines, and the framing facts a server needs before it reads a body.
//
// Parsing is split in two so that a slow client costs linear work:
//
//   - Parser.Scan looks for the end of the head as bytes arrive. It resumes
//     where the previous call stopped, checks every LF for its CR, and
//     enforces the size limits on partial input, so an oversized head is
//     refused as soon as it crosses a limit instead of when it ends.
//   - ParseHead parses a complete head in one pass, with no allocation: the
//     Head it fills holds slices of the bytes it was given.

import (
	"bytes"

	"github.com/strandhttp/strand/internal/ascii"
)

// Default limits, used where a Limits field is zero.
const (
	DefaultMaxRequestLine = 8 << 10  // 8 KiB of request line (nginx's large buffer)
	DefaultMaxHeaderBytes = 32 << 10 // 32 KiB of head in all
	DefaultMaxFields      = 100      // field lines
)

// Limits bounds what the parser accepts; a zero field takes its default.
type Limits struct {
	MaxRequestLine int // request line without CRLF; longer is 414; at most MaxHeaderBytes
	MaxHeaderBytes int // whole head, request line and empty line included; larger is 431
	MaxFields      int // number of field lines; more is 431
}

func (l Limits) withDefaults() Limits {
	if l.MaxRequestLine <= 0 {
		l.MaxRequestLine = DefaultMaxRequestLine
	}
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if l.MaxFields <= 0 {
		l.MaxFields = DefaultMaxFields
	}
	// A request line cannot be longer than the head that holds it; the clamp
	// keeps the 414/431 choice the same however the bytes arrive.
	l.MaxRequestLine = min(l.MaxRequestLine, l.MaxHeaderBytes)
	return l
}

// TargetForm is the form of a request-target (RFC 9112 §3.2).
type TargetForm uint8

const (
	FormOrigin    TargetForm = iota // "/path?query"
	FormAbsolute                    // "http://host/path?query"
	FormAuthority                   // "host:port", CONNECT only
	FormAsterisk                    // "*", OPTIONS only
)

// Field is one field line: a name (a token, as received) and a value with
// surrounding whitespace removed. Both alias the parsed bytes.
type Field struct {
	Name, Value []byte
}

// Head is a parsed request head. Every byte slice aliases the buffer given
// to ParseHead and is valid while that buffer is.
type Head struct {
	Method []byte
	Target []byte
	Form   TargetForm
	Minor  int // HTTP/1.Minor: 0 or 1
	Fields []Field

	// Framing and connection facts derived from the fields.
	ContentLength int64  // -1 when absent (or when Chunked)
	Chunked       bool   // Transfer-Encoding: chunked
	Close         bool   // the connection closes after this exchange
	Expect100     bool   // Expect: 100-continue in an HTTP/1.1 request
	Host          []byte // the Host field value; nil when absent
	Upgrade       bool   // Connection lists "upgrade"
}

// Reset clears h for reuse, keeping the Fields array.
func (h *Head) Reset() {
	*h = Head{Fields: h.Fields[:0], ContentLength: -1}
}

// Parser finds the end of one request head in a growing buffer. Its state is
// the scan position in the buffer passed to Scan, so the caller must pass
// the same bytes again, possibly extended, until Scan succeeds or fails, and
// call Reset before the next head. The zero Parser uses the default limits.
type Parser struct {
	Limits Limits

	scanned    int  // bytes of buf already searched for LF
	lineDone   bool // the request line's LF has been seen
	methodDone bool // the SP ending the method has been seen
}

// Reset prepares p for a new head.
func (p *Parser) Reset() { p.scanned, p.lineDone, p.methodDone = 0, false, false }

// Scan reports the length of the complete head at the start of buf, empty
// lines before it and the final CRLF CRLF included. It returns ErrNeedMore
// while the head is incomplete and within limits, or an *Error.
//
// Each error is reported at the first byte that proves it, and the earliest
// one wins, so the result does not depend on how the bytes were split
// between calls: an oversized or garbage head is refused as soon as the
// offending byte arrives, with the same status it would get at once.
func (p *Parser) Scan(buf []byte) (int, error) {
	lim := p.Limits.withDefaults()
	start := 0
	for len(buf)-start >= 2 && buf[start] == '\r' && buf[start+1] == '\n' {
		start += 2
		if start > lim.MaxRequestLine {
			return 0, errRequestLine
		}
	}
	from := max(p.scanned, start)
	for {
		end := len(buf)
		i := bytes.IndexByte(buf[from:], '\n')
		if i >= 0 {
			end = from + i
		}
		// Past the request line, a line that ends within MaxHeaderBytes
		// has nothing for scanSpan to find: the common case skips the call.
		if !p.lineDone || end-start > lim.MaxHeaderBytes {
			if err := p.scanSpan(buf, start, from, end, lim); err != nil {
				return 0, err
			}
		}
		if i < 0 {
			break
		}
		lf := end
		switch {
		case lf == start || buf[lf-1] != '\r':
			return 0, errBareLF
		case lf+1-start > lim.MaxHeaderBytes:
			return 0, errHeaderTooLarge
		case !p.lineDone:
			p.lineDone = true
		case buf[lf-2] == '\n' && buf[lf-3] == '\r':
			// lf-3 is in the head: the request line's LF is at start+2 or
			// later (start skips every CRLF), so this one is at start+4.
			return lf + 1, nil
		}
		from = lf + 1
	}
	p.scanned = len(buf)
	return 0, ErrNeedMore
}

// scanSpan checks buf[from:end], bytes of one line that hold no LF, for the
// errors that need no line end to be seen, and returns the one found at the
// lowest offset:
//
//   - 414 when the request line passes MaxRequestLine bytes. Its last
//     allowed byte is followed by a CR that may start its CRLF, so a CR in
//     that place proves nothing until the next byte arrives.
//   - 400 for a method byte that is not a tchar. This fails fast on bytes
//     that cannot start a request: a TLS handshake on a plain port, binary
//     garbage. A CR is let through for ParseHead to report as a bare CR.
//   - 431 when the head passes MaxHeaderBytes.
//
// Only bytes not seen by an earlier call are checked, so a head sent one
// byte at a time costs linear work.
func (p *Parser) scanSpan(buf []byte, start, from, end int, lim Limits) error {
	first, err := end, error(nil) // offset and error found first
	if !p.lineDone {
		if x := start + lim.MaxRequestLine; x < end {
			if buf[x] == '\r' {
				x++
			}
			if from <= x && x < end {
				first, err = x, errURITooLong
			}
		}
		for k := from; k < first && !p.methodDone; k++ {
			switch c := buf[k]; {
			case c == ' ':
				p.methodDone = true
			case !ascii.IsTokenChar(c) && c != '\r':
				first, err = k, errMethod
			}
		}
	}
	if y := start + lim.MaxHeaderBytes; from <= y && y < first {
		err = errHeaderTooLarge
	}
	return err
}

// Parse scans buf and, once the head is complete, parses it into h. It
// returns the head's length in buf.
func (p *Parser) Parse(buf []byte, h *Head) (int, error) {
	n, err := p.Scan(buf)
	if err != nil {
		return 0, err
	}
	return n, ParseHead(buf[:n], h, p.Limits)
}

// ParseHead parses a complete head, as delimited by Parser.Scan, into h.
func ParseHead(buf []byte, h *Head, lim Limits) error {
	lim = lim.withDefaults()
	h.Reset()
	for len(buf) >= 2 && buf[0] == '\r' && buf[1] == '\n' {
		buf = buf[2:]
	}
	line, rest, err := nextLine(buf)
	if err != nil {
		return err
	}
	if err := h.parseRequestLine(line); err != nil {
		return lineError(line, err)
	}
	var f fieldFacts
	for {
		line, rest, err = nextLine(rest)
		if err != nil {
			return err
		}
		if len(line) == 0 {
			break
		}
		if len(h.Fields) == lim.MaxFields {
			return lineError(line, errTooManyFields)
		}
		// A line that the next one continues (obs-fold) is refused as
		// folded before its own value is judged: the value it holds is
		// not the whole value, so "malformed Content-Length" would blame
		// the wrong thing (RFC 9112 §5.2: reject obs-fold with 400).
		if len(rest) > 0 && (rest[0] == ' ' || rest[0] == '\t') {
			return lineError(line, errObsFold)
		}
		name, value, err := parseFieldLine(line)
		if err != nil {
			return lineError(line, err)
		}
		// Filled in place: a Field built aside and then copied in made
		// the parse of a browser's head 9 % slower (BenchmarkParseHead).
		h.Fields = append(h.Fields, Field{})
		fl := &h.Fields[len(h.Fields)-1]
		fl.Name, fl.Value = name, value
		if err := f.note(h, name, value); err != nil {
			return err // the line parsed: it holds no CR
		}
	}
	return f.finish(h)
}

// nextLine splits off one CRLF-terminated line. Scan has checked that each
// LF follows a CR; a CR elsewhere is a bare CR, which nextLine leaves to
// lineError.
func nextLine(buf []byte) (line, rest []byte, err error) {
	i := bytes.IndexByte(buf, '\n')
	switch {
	case i < 0:
		return nil, nil, errRequestLine // not a head delimited by Scan
	case i == 0 || buf[i-1] != '\r':
		return nil, nil, errBareLF
	}
	return buf[:i-1], buf[i+1:], nil
}

// lineError is the error for a line that was refused with err: errBareCR
// if the line holds a CR, whatever else is wrong with it (RFC 9112 §2.2).
//
// No request line or field line that holds a CR parses (a CR is neither a
// tchar, nor a target byte, nor a field-vchar, nor OWS), so a bare CR is
// searched for only in a line that has already failed, not in every line:
// the result is the same as searching first, for one pass less per line.
func lineError(line []byte, err error) error {
	if bytes.IndexByte(line, '\r') >= 0 {
		return errBareCR
	}
	return err
}

// parseRequestLine parses request-line = method SP request-target SP
// HTTP-version (RFC 9112 §3).
func (h *Head) parseRequestLine(line []byte) error {
	// The method is the run of tchars before the first SP: one pass finds
	// its end and checks it.
	sp1 := 0
	for sp1 < len(line) && ascii.IsTokenChar(line[sp1]) {
		sp1++
	}
	if sp1 == 0 || sp1 == len(line) || line[sp1] != ' ' {
		if bytes.IndexByte(line, ' ') < 0 {
			return errRequestLine
		}
		return errMethod // empty, or a byte before the SP is not a tchar
	}
	h.Method = line[:sp1]
	rest := line[sp1+1:]
	sp2 := bytes.IndexByte(rest, ' ')
	if sp2 < 0 {
		return errRequestLine
	}
	h.Target = rest[:sp2]
	minor, err := parseVersion(rest[sp2+1:])
	if err != nil {
		return err
	}
	h.Minor = minor
	form, err := classifyTarget(h.Method, h.Target)
	h.Form = form
	return err
}

// parseVersion parses HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3).
func parseVersion(v []byte) (minor int, err error) {
	if len(v) != 8 || string(v[:5]) != "HTTP/" || v[6] != '.' || !isDigit(v[5]) || !isDigit(v[7]) {
		return 0, errVersion
	}
	if v[5] != '1' {
		return 0, errVersionSupport // another major version (RFC 9110 §15.6.6)
	}
	if v[7] > '1' {
		// A later 1.x is served as 1.1, the highest minor version Strand
		// implements (RFC 9112 §2.3, RFC 9110 §6.2).
		return 1, nil
	}
	return int(v[7] - '0'), nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// classifyTarget decides the request-target's form (RFC 9112 §3.2) and
// checks its characters: visible ASCII only, no fragment, well-formed
// percent-encodings.
func classifyTarget(method, t []byte) (TargetForm, error) {
	if len(t) == 0 {
		return 0, errTarget
	}
	for i := 0; i < len(t); i++ {
		if targetTable[t[i]] {
			continue
		}
		if t[i] != '%' || i+2 >= len(t) || !isHex(t[i+1]) || !isHex(t[i+2]) {
			return 0, errTarget
		}
	}
	connect := string(method) == "CONNECT"
	switch {
	case connect:
		// authority-form = uri-host ":" port (§3.2.3), CONNECT only.
		if !validAuthority(t, true, true) {
			return 0, errTarget
		}
		return FormAuthority, nil
	case t[0] == '/':
		return FormOrigin, nil
	case len(t) == 1 && t[0] == '*':
		if string(method) != "OPTIONS" {
			return 0, errTarget
		}
		return FormAsterisk, nil
	}
	// absolute-form (§3.2.2): scheme "://" authority path-abempty [ "?" query ].
	i := bytes.Index(t, []byte("://"))
	if i <= 0 || !validScheme(t[:i]) {
		return 0, errTarget
	}
	auth := t[i+3:]
	if j := bytes.IndexAny(auth, "/?"); j >= 0 {
		auth = auth[:j]
	}
	// An http(s) URI with an empty host is invalid (RFC 9110 §4.2.1);
	// Strand holds every scheme to that.
	if !validAuthority(auth, true, false) {
		return 0, errTarget
	}
	return FormAbsolute, nil
}

// targetTable marks the bytes a request-target may hold as themselves:
// visible ASCII, except "#", which would begin a fragment, and "%", which
// begins a percent-encoding and is checked with the two bytes after it.
var targetTable = func() (t [256]bool) {
	for c := '!'; c <= '~'; c++ {
		t[c] = c != '#' && c != '%'
	}
	return t
}()

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func validScheme(s []byte) bool {
	for i, c := range s {
		alpha := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !alpha && (i == 0 || !isDigit(c) && c != '+' && c != '-' && c != '.') {
			return false
		}
	}
	return true
}

// parseFieldLine splits field-line = field-name ":" OWS field-value OWS
// (RFC 9112 §5) and checks both parts.
func parseFieldLine(line []byte) (name, value []byte, err error) {
	if line[0] == ' ' || line[0] == '\t' {
		return nil, nil, errObsFold
	}
	// The name is the run of tchars before the colon: one pass finds the
	// colon and checks the name.
	colon := 0
	for colon < len(line) && ascii.IsTokenChar(line[colon]) {
		colon++
	}
	if colon == 0 || colon == len(line) || line[colon] != ':' {
		return nil, nil, fieldNameError(line)
	}
	name = line[:colon]
	value = ascii.TrimOWS(line[colon+1:])
	if !ascii.ValidFieldValue(value) {
		return nil, nil, errFieldValue
	}
	return name, value, nil
}

// fieldNameError says what is wrong with a field line whose name, the
// bytes before its first colon, is not a token: whitespace before the
// colon (RFC 9112 §5.1), or any other malformed name, or no colon at all.
func fieldNameError(line []byte) error {
	colon := bytes.IndexByte(line, ':')
	if colon > 0 && (line[colon-1] == ' ' || line[colon-1] == '\t') {
		return errSpaceBeforeColon
	}
	return errFieldName
}

// fieldFacts accumulates what the framing fields say across field lines.
type fieldFacts struct {
	hosts     int
	clSeen    bool
	teSeen    bool
	teChunked bool // chunked has been seen (it must stay last)
	teOther   bool // a coding other than chunked came before it
	keepAlive bool // Connection: keep-alive
	closeTok  bool // Connection: close
}

// note records the meaning of one field line. Names are compared without
// regard to case (RFC 9110 §5.1); the length switch keeps the common case of
// an unrelated field to one comparison.
func (f *fieldFacts) note(h *Head, name, value []byte) error {
	switch len(name) {
	case 4:
		if ascii.EqualFold(name, "host") {
			f.hosts++
			if f.hosts > 1 {
				return errManyHosts
			}
			if !validAuthority(value, false, false) {
				return errHost
			}
			h.Host = value
		}
	case 6:
		if ascii.EqualFold(name, "expect") {
			return expect(h, value)
		}
	case 10:
		if ascii.EqualFold(name, "connection") {
			f.closeTok = f.closeTok || ascii.HasTokenFold(value, "close")
			f.keepAlive = f.keepAlive || ascii.HasTokenFold(value, "keep-alive")
			if ascii.HasTokenFold(value, "upgrade") {
				h.Upgrade = true
			}
		}
	case 14:
		if ascii.EqualFold(name, "content-length") {
			return f.contentLength(h, value)
		}
	case 17:
		if ascii.EqualFold(name, "transfer-encoding") {
			if h.Minor == 0 {
				return errTE10 // whatever the codings (§6.1)
			}
			return f.transferEncoding(value)
		}
	}
	return nil
}

// expect reads Expect = #expectation (RFC 9110 §10.1.1). Empty list
// elements carry no expectation (RFC 9110 §5.6.1); 100-continue is honoured
// in HTTP/1.1 and ignored in HTTP/1.0; any other expectation is 417.
func expect(h *Head, value []byte) error {
	for len(value) > 0 {
		elem := value
		if i := bytes.IndexByte(value, ','); i >= 0 {
			elem, value = value[:i], value[i+1:]
		} else {
			value = nil
		}
		elem = ascii.TrimOWS(elem)
		switch {
		case len(elem) == 0:
		case ascii.EqualFold(elem, "100-continue"):
			h.Expect100 = h.Minor == 1
		default:
			return errExpectation
		}
	}
	return nil
}

// contentLength parses Content-Length = 1*DIGIT (RFC 9110 §8.6), accepting a
// list of identical values, and checks it against earlier lines.
//
// Content-Length is not a list-based field: the list form is tolerated only
// as repeated copies of one value, so every element, the last included, must
// be a number ("5," and "5,,5" are refused).
func (f *fieldFacts) contentLength(h *Head, value []byte) error {
	for {
		elem, rest, more := value, []byte(nil), false
		if i := bytes.IndexByte(value, ','); i >= 0 {
			elem, rest, more = value[:i], value[i+1:], true
		}
		n, ok := parseDecimal(ascii.TrimOWS(elem))
		if !ok || f.clSeen && n != h.ContentLength {
			return errContentLength
		}
		h.ContentLength, f.clSeen = n, true
		if !more {
			return nil
		}
		value = rest
	}
}

// parseDecimal parses 1*DIGIT into a non-negative int64, refusing overflow.
func parseDecimal(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 { // 18 digits cannot overflow int64
		return 0, false
	}
	var n int64
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// transferEncoding reads one Transfer-Encoding line (RFC 9112 §6.1), a list
// of codings of which chunked must be the last.
func (f *fieldFacts) transferEncoding(value []byte) error {
	f.teSeen = true
	codings := 0
	for elems := value; len(elems) > 0; {
		elem := elems
		if i := bytes.IndexByte(elems, ','); i >= 0 {
			elem, elems = elems[:i], elems[i+1:]
		} else {
			elems = nil
		}
		elem = ascii.TrimOWS(elem)
		if len(elem) == 0 {
			continue // empty list elements are allowed (RFC 9110 §5.6.1)
		}
		codings++
		params := false
		if i := bytes.IndexByte(elem, ';'); i >= 0 {
			elem, params = ascii.TrimOWS(elem[:i]), true // the coding is still named
		}
		if !ascii.IsToken(elem) {
			return errTENotChunked
		}
		switch {
		case f.teChunked:
			if ascii.EqualFold(elem, "chunked") {
				return errTEChunkedTwice
			}
			return errTENotChunked
		case ascii.EqualFold(elem, "chunked"):
			// "The chunked coding does not define any parameters. Their
			// presence SHOULD be treated as an error." (§7.1)
			if params {
				return errTEChunkedParams
			}
			f.teChunked = true
		default:
			f.teOther = true
		}
	}
	if codings == 0 {
		return errTENotChunked
	}
	return nil
}

// finish applies the rules that need every field: Host presence, the
// message body length (RFC 9112 §6.3) and persistence (§9.3).
func (f *fieldFacts) finish(h *Head) error {
	if h.Minor == 1 && f.hosts == 0 {
		return errNoHost
	}
	if f.teSeen {
		switch {
		case !f.teChunked:
			return errTENotChunked
		case f.clSeen:
			return errCLAndTE
		case f.teOther:
			return errTEUnsupported
		}
		h.Chunked = true
		h.ContentLength = -1
	}
	// Persistence (§9.3): HTTP/1.1 keeps the connection unless told to
	// close; HTTP/1.0 closes it unless asked to keep it alive.
	h.Close = f.closeTok || h.Minor == 0 && !f.keepAlive
	return nil
}

// validAuthority checks uri-host [ ":" port ] (RFC 3986 §3.2), the syntax of
// the Host field and of absolute-form and authority-form targets. needHost
// demands a non-empty host, as an http URI does (RFC 9110 §4.2.1); needPort
// a non-empty port, as authority-form does (RFC 9112 §3.2.3).
func validAuthority(b []byte, needHost, needPort bool) bool {
	host, port := b, []byte(nil)
	hasPort := false
	if len(b) > 0 && b[0] == '[' {
		end := bytes.IndexByte(b, ']')
		if end < 0 || !validIPLiteral(b[1:end]) {
			return false
		}
		host, port = b[:end+1], b[end+1:]
		if len(port) > 0 {
			if port[0] != ':' {
				return false
			}
			port, hasPort = port[1:], true
		}
	} else {
		// A reg-name or an IPv4address, up to the ":" before the port.
		// (A hex digit is never a ":", so an escape cannot run into it.)
	scan:
		for i := 0; i < len(b); i++ {
			switch c := b[i]; {
			case regNameTable[c]:
			case c == '%' && i+2 < len(b) && isHex(b[i+1]) && isHex(b[i+2]):
				i += 2
			case c == ':':
				host, port, hasPort = b[:i], b[i+1:], true
				break scan
			default:
				return false
			}
		}
	}
	for _, c := range port {
		if !isDigit(c) {
			return false
		}
	}
	return (!needHost || len(host) > 0) && (!needPort || hasPort && len(port) > 0)
}

// validIPLiteral checks the inside of "[...]" (RFC 3986 §3.2.2): an
// IPv6address or an IPvFuture. Zone identifiers (RFC 6874) are not accepted:
// RFC 9110 §4.2 http URIs do not carry them.
func validIPLiteral(b []byte) bool {
	if len(b) > 0 && (b[0] == 'v' || b[0] == 'V') {
		// IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
		dot := bytes.IndexByte(b, '.')
		if dot < 2 || dot == len(b)-1 {
			return false
		}
		for _, c := range b[1:dot] {
			if !isHex(c) {
				return false
			}
		}
		for _, c := range b[dot+1:] {
			if !isUnreserved(c) && !isSubDelim(c) && c != ':' {
				return false
			}
		}
		return true
	}
	return validIPv6(b)
}

// validIPv6 checks IPv6address (RFC 4291 §2.2, RFC 3986 §3.2.2): eight
// groups of one to four hex digits separated by ":", one run of groups
// elided as "::", and the last two groups possibly written as an IPv4
// address.
func validIPv6(b []byte) bool {
	groups, elided, i := 0, false, 0
	if len(b) >= 2 && b[0] == ':' && b[1] == ':' {
		elided, i = true, 2
	}
	for i < len(b) {
		j := i
		for j < len(b) && j-i < 5 && isHex(b[j]) {
			j++
		}
		if j < len(b) && b[j] == '.' {
			if !validIPv4(b[i:]) {
				return false
			}
			groups += 2
			break
		}
		if j == i || j-i > 4 {
			return false
		}
		groups++
		if j == len(b) {
			break
		}
		if b[j] != ':' || j+1 == len(b) {
			return false // not a separator, or a trailing single ":"
		}
		i = j + 1
		if b[i] == ':' {
			if elided {
				return false
			}
			elided, i = true, i+1
		}
	}
	if elided {
		return groups <= 7 // "::" stands for one group or more
	}
	return groups == 8
}

// validIPv4 checks IPv4address = dec-octet "." dec-octet "." dec-octet "."
// dec-octet, where a dec-octet is 0-255 without leading zeros (RFC 3986
// §3.2.2).
func validIPv4(b []byte) bool {
	for octet := 0; octet < 4; octet++ {
		if octet > 0 {
			if len(b) == 0 || b[0] != '.' {
				return false
			}
			b = b[1:]
		}
		n, digits := 0, 0
		for digits < len(b) && digits < 4 && isDigit(b[digits]) {
			n = n*10 + int(b[digits]-'0')
			digits++
		}
		if digits == 0 || digits > 3 || n > 255 || digits > 1 && b[0] == '0' {
			return false
		}
		b = b[digits:]
	}
	return len(b) == 0
}

// regNameTable marks the bytes a reg-name holds as themselves, not
// percent-encoded: unreserved / sub-delims (RFC 3986 §3.2.2). A Host
// field is checked at every request, so a lookup replaces the chain of
// comparisons of isUnreserved and isSubDelim, from which it is built.
var regNameTable = func() (t [256]bool) {
	for c := range t {
		t[c] = isUnreserved(byte(c)) || isSubDelim(byte(c))
	}
	return t
}()

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || isDigit(c) ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func isSubDelim(c byte) bool {
	switch c {
	case '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=':
		return true
	}
	return false
}
