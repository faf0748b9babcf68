package http1

// This file decodes the chunked transfer coding (RFC 9112 §7.1):
//
//	chunked-body   = *chunk last-chunk trailer-section CRLF
//	chunk          = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
//	last-chunk     = 1*("0") [ chunk-ext ] CRLF
//	chunk-ext      = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
//
// The decoder is a byte-level state machine so that it can stop anywhere, in
// the middle of a size line or of a CRLF, and resume with the next bytes the
// network delivers. Chunk data is not copied: Decode returns it as a slice
// of its input.

import (
	"bytes"
	"strconv"

	"github.com/strandhttp/strand/internal/ascii"
)

// Limits of the chunked decoder, fixed: they bound work per byte, not what
// a legitimate sender needs.
const (
	maxChunkLine    = 4096     // size line with its extensions, per chunk
	maxChunkSize    = 1 << 60  // 15 hex digits: the size never overflows
	maxChunkExtAll  = 64 << 10 // extension bytes beyond the body's size, per body
	MaxTrailerBytes = 16 << 10
	MaxTrailers     = 64
)

type chunkState uint8

const (
	stSize    chunkState = iota // hex digits of chunk-size
	stSizeBWS                   // whitespace after the size, before ";"
	stExt                       // chunk-ext, up to CR
	stSizeLF                    // LF ending the size line
	stData                      // chunk-data
	stDataCR                    // CR after chunk-data
	stDataLF                    // LF after chunk-data
	stTrailer                   // a trailer line (or the final empty line)
	stDone                      // the whole chunked body has been read
)

// ChunkedDecoder decodes one chunked body. The zero value is ready to use;
// Reset prepares it for the next body.
type ChunkedDecoder struct {
	state    chunkState
	digits   int   // hex digits read of the current size
	size     int64 // current chunk's size, then bytes of it left to read
	line     int   // bytes of the current size line
	extBytes int64 // extension bytes so far in this body
	data     int64 // data bytes so far in this body

	trailer  []byte  // the trailer section as received
	lineOff  int     // start of the current trailer line in trailer
	trailers []Field // parsed trailer fields, aliasing trailer
}

// Reset prepares d for a new body, keeping its trailer storage.
func (d *ChunkedDecoder) Reset() {
	*d = ChunkedDecoder{trailer: d.trailer[:0], trailers: d.trailers[:0]}
}

// Done reports whether the final chunk and trailer section have been read.
func (d *ChunkedDecoder) Done() bool { return d.state == stDone }

// Trailers returns the trailer fields once Done. They alias storage owned
// by d, valid until Reset.
func (d *ChunkedDecoder) Trailers() []Field { return d.trailers }

// Decode consumes bytes of src. It returns chunk data found (a subslice of
// src, at most max bytes) and the number of bytes of src consumed, framing
// included. It stops after a run of data so that the caller can deliver it,
// when src is exhausted, or when the body ends (Done). A max of zero or less
// stops at the first data byte. An error means the body is malformed and the
// connection must be closed.
func (d *ChunkedDecoder) Decode(src []byte, max int) (data []byte, n int, err error) {
	limit := int64(max)
	if limit < 0 {
		limit = 0
	}
	for n < len(src) && d.state != stDone {
		if d.state == stData {
			k := int(min(d.size, int64(len(src)-n), limit))
			data = src[n : n+k]
			n += k
			d.size -= int64(k)
			d.data += int64(k)
			if d.size == 0 {
				d.state = stDataCR
			}
			return data, n, nil
		}
		c := src[n]
		n++
		if d.state == stTrailer {
			if err := d.trailerByte(c); err != nil {
				return nil, n, err
			}
			continue
		}
		if err := d.framingByte(c); err != nil {
			return nil, n, err
		}
	}
	return nil, n, nil
}

// framingByte advances the size-line and data-CRLF states by one byte.
func (d *ChunkedDecoder) framingByte(c byte) error {
	if d.state <= stSizeLF {
		d.line++
		if d.line > maxChunkLine {
			return errChunkExt
		}
	}
	switch d.state {
	case stSize:
		switch {
		case isHex(c):
			if d.size >= maxChunkSize>>4 {
				return errChunkTooLarge
			}
			d.size = d.size<<4 | int64(unhex(c))
			d.digits++
		case d.digits == 0:
			return errChunkSize
		case c == ' ' || c == '\t':
			d.state = stSizeBWS
		case c == ';':
			d.state = stExt
		case c == '\r':
			d.state = stSizeLF
		default:
			return errChunkSize
		}
	case stSizeBWS:
		switch c {
		case ' ', '\t':
		case ';':
			d.state = stExt
		default:
			return errChunkSize
		}
	case stExt:
		// Extensions are ignored (§7.1.1) but bounded: per line above, and
		// per body so that a flood of tiny chunks with long extensions
		// cannot cost far more than the data it carries.
		d.extBytes++
		if d.extBytes > maxChunkExtAll+d.data {
			return errChunkExt
		}
		switch {
		case c == '\r':
			d.state = stSizeLF
		case !ascii.IsFieldValueChar(c):
			return errChunkExt
		}
	case stSizeLF:
		if c != '\n' {
			return errBareCR
		}
		d.line, d.digits = 0, 0
		if d.size == 0 {
			d.state = stTrailer
		} else {
			d.state = stData
		}
	case stDataCR:
		if c != '\r' {
			return errChunkCRLF
		}
		d.state = stDataLF
	case stDataLF:
		if c != '\n' {
			return errChunkCRLF
		}
		d.state = stSize
	}
	return nil
}

// trailerByte collects one byte of the trailer section (RFC 9112 §7.1.2),
// parsing each line as it completes. Parsed lines stay in d.trailer, where
// the fields alias them; d.lineOff marks where the current line starts.
func (d *ChunkedDecoder) trailerByte(c byte) error {
	if len(d.trailer) >= MaxTrailerBytes {
		return errTrailerTooLarge
	}
	if c != '\n' {
		d.trailer = append(d.trailer, c)
		return nil
	}
	line := d.trailer[d.lineOff:]
	if len(line) == 0 || line[len(line)-1] != '\r' {
		return errBareLF
	}
	line = line[:len(line)-1]
	if len(line) == 0 {
		d.state = stDone
		return nil
	}
	if bytes.IndexByte(line, '\r') >= 0 {
		return errBareCR
	}
	if len(d.trailers) == MaxTrailers {
		return errTrailerTooLarge
	}
	name, value, err := parseFieldLine(line)
	if err != nil {
		return errTrailer
	}
	d.trailers = append(d.trailers, Field{Name: name, Value: value})
	// Later appends may move d.trailer; the fields keep the old array alive
	// and its bytes never change, so they stay valid.
	d.lineOff = len(d.trailer)
	return nil
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// AppendChunkHeader appends the size line of a chunk of n bytes.
func AppendChunkHeader(dst []byte, n int) []byte {
	dst = strconv.AppendUint(dst, uint64(n), 16)
	return append(dst, '\r', '\n')
}
