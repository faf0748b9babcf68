package static

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/strandhttp/strand"
)

// The sparse file: 1 GiB of holes, with a marker in the middle.
const (
	sparseSize = 1 << 30
	sparseMid  = 512 << 20
	marker     = "MIDDLE-MARKER"
)

// TestSparseGiBFlatMemory serves a 1 GiB sparse file over plain TCP to a
// client that reads and discards it, and checks that the server's memory
// stays flat (RSS growth under 16 MiB while it streams) and that the bytes
// went through sendfile (Server.Stats().ZeroCopyBytes). Then a range in
// the middle of the file, and two ranges around its ends, on the same
// keep-alive connection.
func TestSparseGiBFlatMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 1 GiB")
	}
	rss := newRSSReader(t)
	root := t.TempDir()
	writeSparse(t, filepath.Join(root, "big.bin"))
	addr, srv := startServer(t, mustDir(t, root, nil))
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Minute))
	br := bufio.NewReaderSize(conn, 64<<10)

	growth := streamMeasured(t, conn, br, rss)
	if growth >= 16<<20 {
		t.Errorf("RSS grew by %d KiB while serving 1 GiB; want under 16 MiB", growth>>10)
	}
	zc := waitZeroCopy(srv, sparseSize)
	if zc < sparseSize {
		t.Errorf("ZeroCopyBytes = %d after serving 1 GiB; want >= %d (the sendfile path)", zc, sparseSize)
	}

	// 1 MiB from the marker.
	res := exchange(t, conn, br, fmt.Sprintf("Range: bytes=%d-%d", sparseMid, sparseMid+(1<<20)-1))
	wantRange := fmt.Sprintf("bytes %d-%d/%d", sparseMid, sparseMid+(1<<20)-1, sparseSize)
	if res.status != 206 || res.header.Get("Content-Range") != wantRange || len(res.body) != 1<<20 {
		t.Fatalf("middle range = %d %q %d bytes; want 206 %q 1 MiB", res.status, res.header.Get("Content-Range"), len(res.body), wantRange)
	}
	if !strings.HasPrefix(res.body, marker) || strings.Count(res.body[len(marker):], "\x00") != len(res.body)-len(marker) {
		t.Errorf("middle range body does not start with the marker followed by zeros")
	}
	if got := waitZeroCopy(srv, zc+1<<20) - zc; got != 1<<20 {
		t.Errorf("ZeroCopyBytes grew by %d for a 1 MiB range; want %d", got, 1<<20)
	}

	// Two ranges at the ends: a multipart body whose parts also go by
	// sendfile, between the part headers.
	zc = srv.Stats().ZeroCopyBytes
	res = exchange(t, conn, br, "Range: bytes=0-9,-10")
	parts := readByteranges(t, "two ranges of 1 GiB", res)
	if len(parts) != 2 || parts[0].contentRange != "bytes 0-9/1073741824" ||
		parts[1].contentRange != "bytes 1073741814-1073741823/1073741824" ||
		parts[0].body != strings.Repeat("\x00", 10) || parts[1].body != strings.Repeat("\x00", 10) {
		t.Errorf("two ranges of 1 GiB = %+v", parts)
	}
	if got := waitZeroCopy(srv, zc+20) - zc; got != 20 {
		t.Errorf("ZeroCopyBytes grew by %d for two 10-byte parts; want 20", got)
	}
}

// writeSparse creates the sparse file: a truncate makes holes, which take
// no disk space.
func writeSparse(t *testing.T, name string) {
	t.Helper()
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(sparseSize); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte(marker), sparseMid); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// streamMeasured fetches the whole file, discarding it, while sampling
// the resident set size; it returns the largest growth seen.
func streamMeasured(t *testing.T, conn net.Conn, br *bufio.Reader, rss *rssReader) int64 {
	t.Helper()
	buf := make([]byte, 256<<10)
	runtime.GC()
	debug.FreeOSMemory()
	before := rss.bytes()
	var peak atomic.Int64
	peak.Store(before)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if r := rss.bytes(); r > peak.Load() {
					peak.Store(r)
				}
			}
		}
	})
	start := time.Now()
	head, n, err := getDiscard(conn, br, buf, "GET /big.bin HTTP/1.1\r\nHost: test\r\n\r\n")
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("reading the 1 GiB body: %v after %d bytes", err, n)
	}
	elapsed := time.Since(start)
	runtime.GC()
	after := rss.bytes()
	if head.StatusCode != 200 || n != sparseSize {
		t.Fatalf("GET /big.bin = %d with %d bytes; want 200 with %d", head.StatusCode, n, sparseSize)
	}
	t.Logf("1 GiB in %v (%.0f MiB/s); RSS %d MiB before, peak %d MiB, after %d MiB",
		elapsed.Round(time.Millisecond), float64(sparseSize>>20)/elapsed.Seconds(), before>>20, peak.Load()>>20, after>>20)
	return max(peak.Load(), after) - before
}

// exchange sends GET /big.bin with one more field on the connection and
// reads the whole response.
func exchange(t *testing.T, conn net.Conn, br *bufio.Reader, field string) *result {
	t.Helper()
	if _, err := io.WriteString(conn, "GET /big.bin HTTP/1.1\r\nHost: test\r\n"+field+"\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return &result{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// waitZeroCopy returns the server's ZeroCopyBytes once it reaches want, or
// after testTimeout: the server counts the bytes when sendfile returns,
// which may be a moment after the client has read them all.
func waitZeroCopy(srv *strand.Server, want int64) int64 {
	deadline := time.Now().Add(testTimeout)
	for {
		n := srv.Stats().ZeroCopyBytes
		if n >= want || time.Now().After(deadline) {
			return n
		}
		time.Sleep(time.Millisecond)
	}
}

// getDiscard sends req and reads the response body into buf, discarding
// it; it returns the head and the body's length.
func getDiscard(conn net.Conn, br *bufio.Reader, buf []byte, req string) (*http.Response, int64, error) {
	if _, err := io.WriteString(conn, req); err != nil {
		return nil, 0, err
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	var n int64
	for {
		m, err := resp.Body.Read(buf)
		n += int64(m)
		if err == io.EOF {
			return resp, n, nil
		}
		if err != nil {
			return resp, n, err
		}
	}
}

// rssReader reads the process's resident set size without allocating,
// so that sampling it does not itself grow the heap.
type rssReader struct {
	f   *os.File
	buf [128]byte
}

func newRSSReader(t testing.TB) *rssReader {
	t.Helper()
	f, err := os.Open("/proc/self/statm")
	if err != nil {
		t.Skipf("needs /proc/self/statm for the resident set size: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return &rssReader{f: f}
}

// bytes returns the resident set size: the second field of statm, in
// pages.
func (r *rssReader) bytes() int64 {
	n, _ := r.f.ReadAt(r.buf[:], 0)
	b := r.buf[:n]
	i := bytes.IndexByte(b, ' ')
	if i < 0 {
		return 0
	}
	var pages int64
	for _, c := range b[i+1:] {
		if c < '0' || c > '9' {
			break
		}
		pages = pages*10 + int64(c-'0')
	}
	return pages * int64(os.Getpagesize())
}
