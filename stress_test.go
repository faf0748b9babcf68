//go:build stress

package strand

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestStressKeepAlive drives 256 keep-alive connections, one request at
// a time each with a pause now and then (so that connections park and
// resume), for STRESS_SECONDS (default 20), on the engine under test, and
// fails if a request waits more than 2 s: a connection the engine lost. Run with: go test -tags stress -run TestStressKeepAlive -v .
func TestStressKeepAlive(t *testing.T) {
	secs, _ := strconv.Atoi(os.Getenv("STRESS_SECONDS"))
	if secs <= 0 {
		secs = 20
	}
	raiseFileLimit(t, 2000)
	addr := serve(t, &Server{Handler: hello})
	const conns = 256
	var done atomic.Bool
	var total atomic.Int64
	var worst atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	for range conns {
		wg.Go(func() {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			br := bufio.NewReader(c)
			req := []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
			for n := 0; !done.Load(); n++ {
				if n%50 == 49 {
					// A pause past DefaultParkAfter now and then: the
					// connection parks, and must be resumed.
					time.Sleep(time.Duration(80+n%7*20) * time.Millisecond)
				}
				start := time.Now()
				_ = c.SetDeadline(start.Add(5 * time.Second))
				if _, err := c.Write(req); err != nil {
					errs <- err
					return
				}
				if _, err := readRawResponse(br, "GET"); err != nil {
					errs <- fmt.Errorf("after %v: %w", time.Since(start), err)
					return
				}
				d := int64(time.Since(start))
				for old := worst.Load(); d > old && !worst.CompareAndSwap(old, d); old = worst.Load() {
				}
				total.Add(1)
			}
		})
	}
	for i := range secs {
		time.Sleep(time.Second)
		t.Logf("%2d s: %d requests, worst wait %v", i+1, total.Load(), time.Duration(worst.Load()))
		select {
		case err := <-errs:
			done.Store(true)
			t.Fatalf("a connection failed: %v", err)
		default:
		}
	}
	done.Store(true)
	wg.Wait()
	if w := time.Duration(worst.Load()); w > 2*time.Second {
		t.Fatalf("a request waited %v", w)
	}
}
