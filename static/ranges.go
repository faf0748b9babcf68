package static

// This file parses and answers range requests (RFC 9110 §14).
//
//	Range: bytes=0-499          the first 500 bytes
//	Range: bytes=500-           from byte 500 to the end
//	Range: bytes=-200           the last 200 bytes
//	Range: bytes=0-0, -1        several ranges: multipart/byteranges
//
// Ranges are bounded to stop amplification: overlapping and adjacent
// ranges are merged (RFC 9110 §14.2 allows it), and a request for more than
// Options.MaxRanges ranges after merging is served as a whole 200 response.

import (
	"crypto/rand"
	"encoding/hex"
	"math"
	"slices"
	"strconv"
	"strings"
)

type byteRange struct {
	start, length int64
}

func (r byteRange) contentRange(size int64) string {
	return "bytes " + strconv.FormatInt(r.start, 10) + "-" +
		strconv.FormatInt(r.start+r.length-1, 10) + "/" + strconv.FormatInt(size, 10)
}

// rangeResult is what a Range field asks of a file of a given size.
type rangeResult int

const (
	rangeIgnore        rangeResult = iota // serve the whole file (200)
	rangeSatisfiable                      // serve the ranges (206)
	rangeUnsatisfiable                    // 416
)

// parseRange parses a Range field value for a file of size bytes. A field
// that is malformed or uses another unit is ignored (RFC 9110 §14.2: a
// server MAY ignore Range; it MUST ignore unknown units).
func parseRange(v string, size int64, maxRanges int) ([]byteRange, rangeResult) {
	unit, set, ok := strings.Cut(v, "=")
	if !ok || !strings.EqualFold(strings.TrimSpace(unit), "bytes") {
		return nil, rangeIgnore
	}
	var ranges []byteRange
	count := 0
	for _, spec := range strings.Split(set, ",") {
		spec = strings.TrimSpace(spec)
		if spec == "" {
			continue // empty list elements are allowed (RFC 9110 §5.6.1)
		}
		if count++; count > 4*maxRanges {
			return nil, rangeIgnore // far too many to be a real client
		}
		first, last, ok := strings.Cut(spec, "-")
		if !ok {
			return nil, rangeIgnore
		}
		var r byteRange
		switch {
		case first == "": // suffix-range: the last N bytes
			n, ok := parseUint(last)
			if !ok {
				return nil, rangeIgnore
			}
			if n == 0 || size == 0 {
				continue // unsatisfiable (§14.1.3)
			}
			n = min(n, size)
			r = byteRange{size - n, n}
		default:
			start, ok := parseUint(first)
			if !ok {
				return nil, rangeIgnore
			}
			end := size - 1
			if last != "" {
				e, ok := parseUint(last)
				if !ok || e < start {
					return nil, rangeIgnore // invalid range-spec (§14.1.1)
				}
				end = min(e, size-1)
			}
			if start >= size {
				continue // unsatisfiable
			}
			r = byteRange{start, end - start + 1}
		}
		ranges = append(ranges, r)
	}
	if count == 0 {
		return nil, rangeIgnore
	}
	if len(ranges) == 0 {
		return nil, rangeUnsatisfiable
	}
	ranges = coalesce(ranges)
	if len(ranges) > maxRanges {
		return nil, rangeIgnore
	}
	return ranges, rangeSatisfiable
}

// coalesce sorts ranges and merges those that overlap or touch, so that no
// byte is sent twice.
func coalesce(rs []byteRange) []byteRange {
	if len(rs) < 2 {
		return rs
	}
	slices.SortFunc(rs, func(a, b byteRange) int {
		switch {
		case a.start < b.start:
			return -1
		case a.start > b.start:
			return 1
		}
		return 0
	})
	out := rs[:1]
	for _, r := range rs[1:] {
		last := &out[len(out)-1]
		if r.start <= last.start+last.length {
			last.length = max(last.start+last.length, r.start+r.length) - last.start
			continue
		}
		out = append(out, r)
	}
	return out
}

// parseUint parses 1*DIGIT. A number too large for an int64 is valid and
// saturates: "bytes=0-99999999999999999999" asks for the whole file, and
// a first-pos that large is past any end (RFC 9110 §14.1.1 bounds neither).
func parseUint(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > (math.MaxInt64-9)/10 {
			n = math.MaxInt64
			continue
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// multipart describes a multipart/byteranges body (RFC 9110 §14.6): each
// part is a header (boundary, Content-Type, Content-Range) then its bytes.
type multipart struct {
	boundary string
	headers  []string // one per range
	closing  string
	length   int64 // the whole body's length
}

func newMultipart(ranges []byteRange, ctype string, size int64) *multipart {
	var rb [12]byte
	_, _ = rand.Read(rb[:])
	m := &multipart{boundary: hex.EncodeToString(rb[:])}
	for i, r := range ranges {
		var b strings.Builder
		if i > 0 {
			b.WriteString("\r\n")
		}
		b.WriteString("--" + m.boundary + "\r\n")
		if ctype != "" {
			b.WriteString("Content-Type: " + ctype + "\r\n")
		}
		b.WriteString("Content-Range: " + r.contentRange(size) + "\r\n\r\n")
		m.headers = append(m.headers, b.String())
		m.length += int64(b.Len()) + r.length
	}
	m.closing = "\r\n--" + m.boundary + "--\r\n"
	m.length += int64(len(m.closing))
	return m
}
