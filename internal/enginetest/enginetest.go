// Package enginetest runs a package's tests once per connection engine:
// the engine matrix of STYLE.md habit 15. A package that starts servers in
// its tests calls Main from its TestMain and gives every server it starts
// Engine (tests that choose an engine themselves keep their choice):
//
//	func TestMain(m *testing.M) { enginetest.Main(m) }
//
//	srv := &strand.Server{Handler: h, Engine: enginetest.Engine}
//
// CheckGoroutines is the goroutine-leak check such servers' tests make.
//
// The engines are the goroutine engine and, where it is supported (Linux),
// the epoll engine, and whichever others the package names (the root
// package adds one that marks every handler NonBlocking). The environment
// variable STRAND_TEST_ENGINES (for instance "epoll") narrows the list.
package enginetest

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/strandhttp/strand/internal/engine"
)

// Engine is the engine of the pass under way, for Server.Engine. It is
// "goroutine" outside Main (a test binary without it, or a benchmark run
// by hand).
var Engine = "goroutine"

// Engines returns the engines Main runs the tests on: "goroutine", then
// "epoll" where supported, then extra, in that order; STRAND_TEST_ENGINES
// keeps those of them it names, in its own order.
func Engines(extra ...string) []string {
	all := []string{"goroutine"}
	if engine.EpollSupported {
		all = append(all, "epoll")
		all = append(all, extra...)
	}
	v := os.Getenv("STRAND_TEST_ENGINES")
	if v == "" {
		return all
	}
	var picked []string
	for _, e := range strings.Split(v, ",") {
		if slices.Contains(all, e) {
			picked = append(picked, e)
		}
	}
	return picked
}

// Main runs the tests once per engine of Engines(extra...), setting Engine
// before each pass, and exits with the first failing pass's code (the
// passes after it are not run). With more than one engine, each pass is
// announced ("=== engine epoll") and a failing one named.
//
// With -test.fuzz, only the first engine's pass runs: the fuzz target
// fuzzes once, for the budget asked, not once per engine.
func Main(m *testing.M, extra ...string) {
	engines := Engines(extra...)
	flag.Parse()
	if f := flag.Lookup("test.fuzz"); f != nil && f.Value.String() != "" && len(engines) > 1 {
		engines = engines[:1]
	}
	if len(engines) == 0 {
		fmt.Println("enginetest: STRAND_TEST_ENGINES names no engine this package runs on; nothing to do")
		os.Exit(0)
	}
	code := 0
	for _, e := range engines {
		Engine = e
		if len(engines) > 1 {
			fmt.Printf("=== engine %s\n", e)
		}
		if code = m.Run(); code != 0 {
			fmt.Printf("--- FAIL with engine %s\n", e)
			break
		}
	}
	os.Exit(code)
}

// checked holds the tests CheckGoroutines checks.
var checked sync.Map

// LeakTimeout is how long CheckGoroutines waits for the goroutines of a
// test to end.
const LeakTimeout = 10 * time.Second

// CheckGoroutines records the number of goroutines and, at cleanup, waits
// up to LeakTimeout for it to come back to that number, failing with
// every stack if it does not. Call it before starting a server, so that
// its cleanup runs after the server's close (cleanups run last-in,
// first-out). A test that starts several servers may call it for each:
// the first call's count is the one checked. Not for parallel tests: it
// counts the whole process.
func CheckGoroutines(tb testing.TB) {
	tb.Helper()
	if _, dup := checked.LoadOrStore(tb, true); dup {
		return
	}
	base := runtime.NumGoroutine()
	tb.Cleanup(func() {
		defer checked.Delete(tb)
		deadline := time.Now().Add(LeakTimeout)
		for {
			n := runtime.NumGoroutine()
			if n <= base {
				return
			}
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				buf = buf[:runtime.Stack(buf, true)]
				tb.Errorf("%d goroutines after the test; want at most %d as before it:\n%s", n, base, buf)
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
}
