package static

// This file evaluates conditional requests (RFC 9110 §13) against a file's
// validators: a strong entity tag and its modification time.
//
// The preconditions are evaluated in the order of RFC 9110 §13.2.2:
//
//  1. If-Match: false -> 412.
//  2. else If-Unmodified-Since: modified since -> 412.
//  3. If-None-Match: matches -> 304 for GET and HEAD, else 412.
//  4. else If-Modified-Since (GET and HEAD only): not modified -> 304.
//  5. If-Range (with Range, GET only): if it does not match, the Range
//     field is ignored and the whole file is sent.

import (
	"strconv"
	"strings"
	"time"

	"github.com/strandhttp/strand"
)

// makeETag builds a strong entity tag from a file's size and modification
// time (RFC 9110 §8.8.3): it changes whenever either does, which for files
// written in place is the practical proxy for "content changed".
func makeETag(size int64, mod time.Time) string {
	b := make([]byte, 0, 40)
	b = append(b, '"')
	b = strconv.AppendInt(b, mod.UnixNano(), 36)
	b = append(b, '-')
	b = strconv.AppendInt(b, size, 36)
	b = append(b, '"')
	return string(b)
}

// outcome of the preconditions.
type outcome int

const (
	proceed        outcome = iota // serve the request
	notModified                   // 304
	failed                        // 412
	proceedNoRange                // serve, ignoring Range (If-Range did not match)
)

// validators are what conditions are checked against.
type validators struct {
	etag    string    // strong entity tag, quoted
	modTime time.Time // truncated to seconds, as HTTP dates are
}

// evaluate applies the preconditions of r to v.
func evaluate(r *strand.Request, v validators) outcome {
	h := &r.Header
	getOrHead := r.Method == "GET" || r.Method == "HEAD"
	if im, ok := listField(h, "If-Match"); ok {
		if !matchETag(im, v.etag, true) {
			return failed
		}
	} else if t, ok := dateField(h, "If-Unmodified-Since"); ok {
		if !v.modTime.IsZero() && v.modTime.After(t) {
			return failed
		}
	}
	if inm, ok := listField(h, "If-None-Match"); ok {
		if matchETag(inm, v.etag, false) {
			if getOrHead {
				return notModified
			}
			return failed
		}
	} else if t, ok := dateField(h, "If-Modified-Since"); ok && getOrHead {
		if !v.modTime.IsZero() && !v.modTime.After(t) {
			return notModified
		}
	}
	if ir, ok := h.Lookup("If-Range"); ok && r.Method == "GET" && h.Has("Range") {
		if !ifRangeMatches(ir, v) {
			return proceedNoRange
		}
	}
	return proceed
}

// listField returns a list-valued field, its field lines joined: a list
// may arrive split over several lines (RFC 9110 §5.3).
func listField(h *strand.Header, name string) (string, bool) {
	v, ok := h.Lookup(name)
	if ok && fieldLines(h, name) > 1 {
		v = strings.Join(h.Values(name), ",")
	}
	return v, ok
}

// fieldLines counts the lines of the named field, without allocating.
func fieldLines(h *strand.Header, name string) int {
	n := 0
	for k := range h.All() {
		if strings.EqualFold(k, name) {
			n++
		}
	}
	return n
}

// dateField returns the date of a field that must hold exactly one
// HTTP-date; an invalid date, or more than one, is as if the field were
// absent (RFC 9110 §13.1.3, §13.1.4).
func dateField(h *strand.Header, name string) (time.Time, bool) {
	v, ok := h.Lookup(name)
	if !ok || fieldLines(h, name) > 1 {
		return time.Time{}, false
	}
	return parseHTTPDate(v)
}

// matchETag reports whether the field value list (or "*") matches etag,
// by strong comparison (If-Match, RFC 9110 §13.1.1) or weak comparison
// (If-None-Match, §13.1.2).
func matchETag(list, etag string, strong bool) bool {
	if strings.TrimSpace(list) == "*" {
		return true
	}
	for list != "" {
		tag, rest, ok := nextETag(list)
		if !ok {
			return false
		}
		list = rest
		weak := strings.HasPrefix(tag, "W/")
		if weak {
			if strong {
				continue // a weak tag never matches strongly
			}
			tag = tag[2:]
		}
		if tag == etag {
			return true
		}
	}
	return false
}

// nextETag splits the first entity-tag off a comma-separated list:
// entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE (RFC 9110 §8.8.3).
func nextETag(s string) (tag, rest string, ok bool) {
	s = strings.TrimLeft(s, " \t,")
	if s == "" {
		return "", "", true
	}
	start := 0
	if strings.HasPrefix(s, "W/") {
		start = 2
	}
	if len(s) <= start || s[start] != '"' {
		return "", "", false
	}
	end := strings.IndexByte(s[start+1:], '"')
	if end < 0 {
		return "", "", false
	}
	end += start + 2
	rest = strings.TrimLeft(s[end:], " \t")
	if rest != "" && rest[0] != ',' {
		return "", "", false
	}
	return s[:end], rest, true
}

// ifRangeMatches evaluates If-Range (RFC 9110 §13.1.5): an entity tag must
// match strongly; a date must equal the modification time exactly.
func ifRangeMatches(v string, val validators) bool {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "\"") || strings.HasPrefix(v, "W/") {
		return !strings.HasPrefix(v, "W/") && v == val.etag
	}
	t, ok := parseHTTPDate(v)
	return ok && !val.modTime.IsZero() && t.Equal(val.modTime)
}

// HTTP date formats a recipient must accept (RFC 9110 §5.6.7).
var dateLayouts = []string{
	"Mon, 02 Jan 2006 15:04:05 GMT",  // IMF-fixdate
	"Monday, 02-Jan-06 15:04:05 GMT", // obsolete RFC 850
	"Mon Jan _2 15:04:05 2006",       // obsolete asctime
}

// parseHTTPDate parses an HTTP date in any of the three formats.
func parseHTTPDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for i, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			if i == 1 {
				t = rfc850Century(t, time.Now())
			}
			return t, true
		}
	}
	return time.Time{}, false
}

// rfc850Century places the two-digit year of an rfc850-date: a date that
// appears to be more than 50 years in the future is in the most recent
// past year with the same last two digits (RFC 9110 §5.6.7). time.Parse
// alone maps 69-99 to the 1900s and 00-68 to the 2000s, whenever "now" is.
func rfc850Century(t, now time.Time) time.Time {
	y := now.Year() - now.Year()%100 + t.Year()%100
	if y > now.Year()+50 {
		y -= 100
	}
	return time.Date(y, t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
}
