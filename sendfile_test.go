package strand

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// TestReadFrom checks ResponseWriter.ReadFrom: a file with a declared
// length goes to the kernel (sendfile), in pieces when it is large; any
// other case copies through Write; the bytes are right either way.
func TestReadFrom(t *testing.T) {
	data := pseudoRandom(sendfilePiece+1<<20+5, 9) // more than one piece
	path := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	open := func() *os.File {
		f, err := os.Open(path)
		if err != nil {
			panic(err)
		}
		return f
	}
	tests := []struct {
		name     string
		method   string
		serve    func(w ResponseWriter) (int64, error)
		want     []byte
		zeroCopy int64 // -1: not checked
		closed   bool
	}{
		{"declared file", "GET", func(w ResponseWriter) (int64, error) {
			f := open()
			defer f.Close()
			w.Header().Set("Content-Length", strconv.Itoa(len(data)))
			return w.(io.ReaderFrom).ReadFrom(f)
		}, data, int64(len(data)), false},
		{"limited file through io.Copy", "GET", func(w ResponseWriter) (int64, error) {
			f := open()
			defer f.Close()
			w.Header().Set("Content-Length", "1000")
			return io.Copy(w, io.LimitReader(f, 1000))
		}, data[:1000], 1000, false},
		{"bare file through io.Copy (os's wrapper without WriteTo)", "GET", func(w ResponseWriter) (int64, error) {
			f := open()
			defer f.Close()
			w.Header().Set("Content-Length", strconv.Itoa(len(data)))
			return io.Copy(w, f)
		}, data, int64(len(data)), false},
		{"declared empty", "GET", func(w ResponseWriter) (int64, error) {
			f := open()
			defer f.Close()
			w.Header().Set("Content-Length", "0")
			return w.(io.ReaderFrom).ReadFrom(io.LimitReader(f, 0))
		}, nil, 0, false},
		{"a descriptor sendfile cannot read (a pipe)", "GET", func(w ResponseWriter) (int64, error) {
			pr, pw, err := os.Pipe()
			if err != nil {
				return 0, err
			}
			defer pr.Close()
			go func() {
				_, _ = pw.Write(data[:3000])
				pw.Close()
			}()
			w.Header().Set("Content-Length", "3000")
			return w.(io.ReaderFrom).ReadFrom(io.LimitReader(pr, 3000))
		}, data[:3000], -1, false},
		{"bytes written first", "GET", func(w ResponseWriter) (int64, error) {
			f := open()
			defer f.Close()
			w.Header().Set("Content-Length", "1010")
			_, _ = w.Write([]byte("0123456789"))
			return w.(io.ReaderFrom).ReadFrom(io.LimitReader(f, 1000))
		}, append([]byte("0123456789"), data[:1000]...), 1000, false},
		{"undeclared length", "GET", func(w ResponseWriter) (int64, error) {
			f := open()
			defer f.Close()
			return w.(io.ReaderFrom).ReadFrom(io.LimitReader(f, 3000))
		}, data[:3000], 0, false},
		{"not a file", "GET", func(w ResponseWriter) (int64, error) {
			w.Header().Set("Content-Length", "5")
			return w.(io.ReaderFrom).ReadFrom(io.LimitReader(zeros{}, 5))
		}, make([]byte, 5), 0, false},
		{"HEAD", "HEAD", func(w ResponseWriter) (int64, error) {
			f := open()
			defer f.Close()
			w.Header().Set("Content-Length", "1000")
			return w.(io.ReaderFrom).ReadFrom(io.LimitReader(f, 1000))
		}, nil, 0, false},
		{"file shorter than declared", "GET", func(w ResponseWriter) (int64, error) {
			f := open()
			defer f.Close()
			w.Header().Set("Content-Length", "2000")
			return w.(io.ReaderFrom).ReadFrom(io.LimitReader(f, 1500))
		}, nil, 1500, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			type result struct {
				n   int64
				err error
			}
			results := make(chan result, 1)
			h := HandlerFunc(func(w ResponseWriter, r *Request) {
				n, err := tt.serve(w)
				results <- result{n, err}
			})
			s := &Server{Handler: h}
			addr := serve(t, s)
			c := dialRaw(t, addr)
			c.send(t, tt.method+" / HTTP/1.1\r\nHost: x\r\n\r\n")
			resp, err := readRawResponse(c.br, tt.method)
			res := recv(t, results, "the handler")
			if tt.closed {
				if err == nil {
					t.Fatalf("read a complete response of %d bytes; want it cut short", len(resp.Body))
				}
				c.expectClosed(t)
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if got, want := fmt.Sprintf("%x", sha256.Sum256(resp.Body)), fmt.Sprintf("%x", sha256.Sum256(tt.want)); got != want {
					t.Errorf("body of %d bytes, sha256 %s; want %d bytes, %s", len(resp.Body), got, len(tt.want), want)
				}
				if res.err != nil {
					t.Errorf("ReadFrom error: %v", res.err)
				}
			}
			if got := s.Stats().ZeroCopyBytes; got != tt.zeroCopy && tt.zeroCopy >= 0 {
				t.Errorf("ZeroCopyBytes = %d; want %d", got, tt.zeroCopy)
			}
		})
	}
}

// zeros is an endless reader of zero bytes that is not a file.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestReadFromAfterHijack checks that ReadFrom refuses a hijacked writer.
func TestReadFromAfterHijack(t *testing.T) {
	errc := make(chan error, 1)
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		conn, _, err := w.(Hijacker).Hijack()
		if err != nil {
			errc <- err
			return
		}
		defer conn.Close()
		_, err = w.(io.ReaderFrom).ReadFrom(zeros{})
		errc <- err
	})
	addr := serve(t, &Server{Handler: h})
	c := dialRaw(t, addr)
	c.send(t, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if err := recv(t, errc, "the handler"); !errors.Is(err, ErrHijacked) {
		t.Fatalf("ReadFrom after Hijack = %v; want ErrHijacked", err)
	}
	c.expectClosed(t)
}
