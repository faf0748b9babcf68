package middleware

import (
	"io"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"

	"github.com/strandhttp/strand/internal/negotiate"
)

// CompressLevel trades compression speed for size. Each level maps onto
// every coding's own scale.
type CompressLevel int

const (
	// CompressDefault suits responses built per request: gzip and deflate
	// level 5, br quality 4, zstd level 3 ("default").
	CompressDefault CompressLevel = iota
	// CompressFastest spends the least CPU: gzip and deflate level 1, br
	// quality 1, zstd level 1 ("fastest").
	CompressFastest
	// CompressBest makes the smallest bodies, at many times the CPU: gzip
	// and deflate level 9, br quality 11, zstd "best" (about level 11).
	// Meant for bodies that are compressed once and served many times.
	CompressBest
)

// zstdWindow bounds the zstd window. RFC 9659 §3 requires encoders to
// stay within 8 MiB for the "zstd" content coding, which decoders may
// enforce; 1 MiB keeps each pooled encoder small at no visible cost on
// web-sized responses.
const zstdWindow = 1 << 20

// compressEncoder is what the four compressors have in common.
type compressEncoder interface {
	io.Writer
	Flush() error
	Close() error
	Reset(w io.Writer)
}

var (
	_ compressEncoder = (*gzip.Writer)(nil)
	_ compressEncoder = (*zlib.Writer)(nil)
	_ compressEncoder = (*brotli.Writer)(nil)
	_ compressEncoder = (*zstd.Encoder)(nil)
)

// encoderPools keeps idle encoders of one level, one pool per coding.
// Encoders hold tens to hundreds of kilobytes of tables and windows;
// reusing them is what makes compression affordable per request.
type encoderPools struct {
	level CompressLevel // immutable
	pools [negotiate.NumCodings]sync.Pool
}

// get returns an encoder for c writing to w.
func (p *encoderPools) get(c negotiate.Coding, w io.Writer) compressEncoder {
	if e, ok := p.pools[c].Get().(compressEncoder); ok {
		e.Reset(w)
		return e
	}
	return newEncoder(c, p.level, w)
}

// put returns an encoder, closed, for reuse; the next get resets it.
func (p *encoderPools) put(c negotiate.Coding, e compressEncoder) { p.pools[c].Put(e) }

// newEncoder builds an encoder; its errors can only be invalid levels,
// which the table below never holds.
func newEncoder(c negotiate.Coding, level CompressLevel, w io.Writer) compressEncoder {
	var (
		e   compressEncoder
		err error
	)
	switch c {
	case negotiate.Gzip:
		e, err = gzip.NewWriterLevel(w, flateLevels[level])
	case negotiate.Deflate:
		e, err = zlib.NewWriterLevel(w, flateLevels[level])
	case negotiate.Brotli:
		e = brotli.NewWriterLevel(w, brotliLevels[level])
	case negotiate.Zstd:
		e, err = zstd.NewWriter(w,
			zstd.WithEncoderLevel(zstdLevels[level]),
			zstd.WithEncoderConcurrency(1), // synchronous: no goroutines, Flush is exact
			zstd.WithWindowSize(zstdWindow),
			zstd.WithZeroFrames(true), // an empty body is still a valid frame
		)
	default:
		panic("middleware: no encoder for " + c.String())
	}
	if err != nil {
		panic("middleware: " + c.String() + " encoder: " + err.Error())
	}
	return e
}

var (
	flateLevels  = [...]int{CompressDefault: 5, CompressFastest: 1, CompressBest: 9}
	brotliLevels = [...]int{CompressDefault: 4, CompressFastest: 1, CompressBest: 11}
	zstdLevels   = [...]zstd.EncoderLevel{
		CompressDefault: zstd.SpeedDefault,
		CompressFastest: zstd.SpeedFastest,
		CompressBest:    zstd.SpeedBestCompression,
	}
)
