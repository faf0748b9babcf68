package strand_test

// Hot-path benchmarks: the CPU cost of one pipelined request, with no
// network in the way. A batchConn stands in for the socket: each Read
// hands the server a batch of 16 pipelined requests (as wrk does with
// ../shared/bench/wrk/pipeline.lua) and writes are dropped, so what is
// measured is the connection loop of conn.go, the parser of
// internal/http1, Request filling, the router and the response writer,
// with the system calls of a real socket left out.
//
// Run them with one engine, since they use none and TestMain would run
// them once per engine:
//
//	STRAND_TEST_ENGINES=goroutine go test -run '^$' -bench HotPath -benchmem
//
// Their net/http twin is BenchmarkNetHTTPPipelined16 (bench_test.go), over
// loopback. Mind that the code layout of a build moves these figures by
// several percent, up or down, for changes that do not touch the hot path
// at all: compare over builds with different layouts, or count
// instructions (valgrind --tool=callgrind), before believing a small gain.

import (
	"io"
	"net"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/router"
)

// pipelineDepth is how many requests wrk's pipeline.lua sends per write.
const pipelineDepth = 16

// wrkRequest is the request wrk sends for http://127.0.0.1:8080/plaintext.
const wrkRequest = "GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n"

// fieldsRequest has the fields of a typical non-browser client.
const fieldsRequest = "GET /plaintext HTTP/1.1\r\nHost: bench\r\nUser-Agent: strand-bench\r\nAccept: */*\r\n\r\n"

// plaintextResponse is the answer to both, its Date masked by dateField.
const plaintextResponse = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: *\r\nContent-Length: 13\r\n\r\nHello, World!"

var dateField = regexp.MustCompile(`Date: [^\r]*\r\n`)

// helloRouter routes like examples/hello, the benchmark server.
func helloRouter() strand.Handler {
	r := router.New()
	r.Get("/", func(w strand.ResponseWriter, r *strand.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.WriteString("Strand says hello. Try /plaintext, /json, /echo, /health.\n")
	})
	r.Get("/plaintext", func(w strand.ResponseWriter, r *strand.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.WriteString("Hello, World!")
	})
	r.Post("/echo", func(w strand.ResponseWriter, r *strand.Request) {
		_, _ = io.Copy(w, r.Body)
	})
	r.Get("/health", func(w strand.ResponseWriter, r *strand.Request) {
		_, _ = w.WriteString("ok\n")
	})
	return r
}

// plaintextHandler is helloRouter's /plaintext without the router.
var plaintextHandler = strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.WriteString("Hello, World!")
})

// batchConn is a net.Conn with no network behind it. Reads are served
// from batch; once a batch is used up, the next Read asks next whether to
// start another, and returns io.EOF if not. Writes are counted, kept in
// out when keep is set, and dropped.
type batchConn struct {
	batch   []byte
	pos     int // read offset in batch
	next    func() bool
	written int
	keep    bool
	out     []byte
}

func newBatchConn(req string, depth int, next func() bool) *batchConn {
	batch := []byte(strings.Repeat(req, depth))
	return &batchConn{batch: batch, pos: len(batch), next: next}
}

func (c *batchConn) Read(p []byte) (int, error) {
	if c.pos == len(c.batch) {
		if !c.next() {
			return 0, io.EOF
		}
		c.pos = 0
	}
	n := copy(p, c.batch[c.pos:])
	c.pos += n
	return n, nil
}

func (c *batchConn) Write(p []byte) (int, error) {
	c.written += len(p)
	if c.keep {
		c.out = append(c.out, p...)
	}
	return len(p), nil
}

func (c *batchConn) Close() error                       { return nil }
func (c *batchConn) LocalAddr() net.Addr                { return batchAddr }
func (c *batchConn) RemoteAddr() net.Addr               { return batchAddr }
func (c *batchConn) SetDeadline(t time.Time) error      { return nil }
func (c *batchConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *batchConn) SetWriteDeadline(t time.Time) error { return nil }

var batchAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}

// TestHotPathResponses checks, byte for byte but for the date, what the
// benchmarks below are answered: optimisations of the hot path must not
// change it.
func TestHotPathResponses(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler strand.Handler
		req     string
	}{
		{"router/wrk", helloRouter(), wrkRequest},
		{"router/fields", helloRouter(), fieldsRequest},
		{"handler/wrk", plaintextHandler, wrkRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			batches := 3
			fc := newBatchConn(tc.req, pipelineDepth, func() bool {
				batches--
				return batches >= 0
			})
			fc.keep = true
			strand.ServeConnForTest(&strand.Server{Handler: tc.handler}, fc)
			got := dateField.ReplaceAllString(string(fc.out), "Date: *\r\n")
			want := strings.Repeat(plaintextResponse, 3*pipelineDepth)
			if got != want {
				t.Errorf("3 batches of %d %q: got\n%q\nwant\n%q", pipelineDepth, tc.req, got, want)
			}
			if n := len(dateField.FindAllString(string(fc.out), -1)); n != 3*pipelineDepth {
				t.Errorf("%d Date fields; want %d", n, 3*pipelineDepth)
			}
		})
	}
}

// TestHotPathAllocatesNothing guards the zero-allocation budget of a
// pipelined request once the connection's buffers are warm.
func TestHotPathAllocatesNothing(t *testing.T) {
	if strand.RaceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	const warm, measured = 100, 1000
	var before, after runtime.MemStats
	batches := 0
	fc := newBatchConn(wrkRequest, pipelineDepth, func() bool {
		batches++
		switch batches {
		case warm:
			runtime.ReadMemStats(&before)
		case warm + measured:
			runtime.ReadMemStats(&after)
			return false
		}
		return true
	})
	strand.ServeConnForTest(&strand.Server{Handler: helloRouter()}, fc)
	perRequest := float64(after.Mallocs-before.Mallocs) / (measured * pipelineDepth)
	// Allow for the odd allocation of another goroutine (a test's timer)
	// while the counters run: a real per-request allocation shows as 1.
	if perRequest >= 0.01 {
		t.Errorf("pipelined GET /plaintext: %.3f allocations per request; want 0", perRequest)
	}
}

// benchHotPath serves batches of pipelineDepth copies of req with h,
// b.N batches after a warm-up, and reports the time per request besides
// the time per batch (ns/op): wall time (ns/req) and the process's CPU
// time (cpu-ns/req), which a busy machine disturbs less.
func benchHotPath(b *testing.B, h strand.Handler, req string) {
	const warmBatches = 100
	warm := warmBatches
	var cpu time.Duration
	fc := newBatchConn(req, pipelineDepth, func() bool {
		switch {
		case warm > 0:
			warm--
			return true
		case cpu == 0:
			cpu = processCPU()
		}
		return b.Loop()
	})
	b.ReportAllocs()
	strand.ServeConnForTest(&strand.Server{Handler: h}, fc)
	requests := float64(b.N * pipelineDepth)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/requests, "ns/req")
	if end := processCPU(); cpu > 0 && end > 0 {
		b.ReportMetric(float64((end-cpu).Nanoseconds())/requests, "cpu-ns/req")
	}
	// Every response is plaintextResponse with a real date for its "*".
	per := len(plaintextResponse) - 1 + len("Sun, 06 Nov 1994 08:49:37 GMT")
	if want := (warmBatches + b.N) * pipelineDepth; fc.written != want*per {
		b.Fatalf("%d bytes written; want %d responses of %d", fc.written, want, per)
	}
}

// BenchmarkHotPathPipelined16 is wrk's pipelined GET /plaintext against
// examples/hello's router: the plaintext-pipe16 row of docs/benchmarks.md.
func BenchmarkHotPathPipelined16(b *testing.B) {
	benchHotPath(b, helloRouter(), wrkRequest)
}

// BenchmarkHotPathPipelined16Fields is the same with three more fields
// per request, for the cost of field lines.
func BenchmarkHotPathPipelined16Fields(b *testing.B) {
	benchHotPath(b, helloRouter(), fieldsRequest)
}

// BenchmarkHotPathPipelined16NoRouter is the same without the router, for
// the cost of the server alone.
func BenchmarkHotPathPipelined16NoRouter(b *testing.B) {
	benchHotPath(b, plaintextHandler, wrkRequest)
}
