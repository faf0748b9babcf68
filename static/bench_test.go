package static

// Benchmarks of a whole file response over loopback keep-alive: a strand
// server with this package, and its net/http twin (http.FileServer), read
// by the same allocation-free raw client. Compare with benchstat:
//
//	go test -run '^$' -bench . -count 10 ./static | tee new.txt

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

func BenchmarkServe1KiB(b *testing.B)   { benchServe(b, 1<<10, nil) }
func BenchmarkServe256KiB(b *testing.B) { benchServe(b, 256<<10, nil) } // too large for the cache
func BenchmarkServe10MiB(b *testing.B)  { benchServe(b, 10<<20, nil) }

// BenchmarkServe1KiBNoCache opens the file for every request, as a
// cache full of other files would not.
func BenchmarkServe1KiBNoCache(b *testing.B) { benchServe(b, 1<<10, &Options{CacheMaxBytes: -1}) }

func benchServe(b *testing.B, size int, opt *Options) {
	root := b.TempDir()
	if err := os.WriteFile(filepath.Join(root, "f.bin"), bytes.Repeat([]byte("0123456789abcdef"), size/16), 0o644); err != nil {
		b.Fatal(err)
	}
	b.Run("strand", func(b *testing.B) {
		addr, _ := startServer(b, mustDir(b, root, opt))
		benchGet(b, addr, size)
	})
	b.Run("nethttp", func(b *testing.B) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		srv := &http.Server{Handler: http.FileServer(http.Dir(root))}
		go func() { _ = srv.Serve(ln) }()
		b.Cleanup(func() { srv.Close() })
		benchGet(b, ln.Addr().String(), size)
	})
}

// benchGet fetches /f.bin over one keep-alive connection per iteration.
func benchGet(b *testing.B, addr string, size int) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	req := []byte("GET /f.bin HTTP/1.1\r\nHost: bench\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n")
	br := bufio.NewReaderSize(conn, 64<<10)
	buf := make([]byte, 256<<10)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := conn.Write(req); err != nil {
			b.Fatal(err)
		}
		n, err := readResponse(br, buf)
		if err != nil {
			b.Fatal(err)
		}
		if n != int64(size) {
			b.Fatalf("body of %d bytes; want %d", n, size)
		}
	}
}

var errStatus = errors.New("bench: status is not 200")

// readResponse reads a 200 response with a Content-Length, discarding its
// body into buf, without allocating.
func readResponse(br *bufio.Reader, buf []byte) (int64, error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return 0, err
	}
	if !bytes.HasPrefix(line, []byte("HTTP/1.1 200 ")) {
		return 0, errStatus
	}
	n := int64(-1)
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return 0, err
		}
		if len(line) <= 2 {
			break
		}
		if name, value, ok := bytes.Cut(line, []byte(":")); ok && bytes.EqualFold(name, []byte("Content-Length")) {
			v, err := strconv.ParseInt(string(bytes.TrimSpace(value)), 10, 64)
			if err != nil {
				return 0, err
			}
			n = v
		}
	}
	if n < 0 {
		return 0, errors.New("bench: no Content-Length")
	}
	var got int64
	for got < n {
		m, err := br.Read(buf[:min(int64(len(buf)), n-got)])
		got += int64(m)
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return got, err
		}
	}
	return got, nil
}
