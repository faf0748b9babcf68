// Package enginetest runs a package's tests once per connection engine:
// the engine matrix of STYLE.md habit 15. A package that starts servers in
// its tests calls Main from its TestMain and gives every server it starts
// Engine (tests that choose an engine themselves keep their choice):
//
//	func TestMain(m *testing.M) { enginetest.Main(m) }
//
//	srv := &strand.Server{Handler: h, Engine: enginetest.Engine}
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
	"slices"
	"strings"
	"testing"

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
