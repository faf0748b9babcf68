package strand

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/strandhttp/strand/internal/engine"
)

// testEngine is the Server.Engine that the end-to-end helpers (serve,
// serveAsync, startServer) give servers that do not choose one. TestMain
// runs the package's tests once per engine: the engine matrix of STYLE.md
// habit 15. STRAND_TEST_ENGINES (e.g. "epoll") narrows it. The engine
// testInline is the epoll engine with every handler marked NonBlocking,
// so that the whole suite runs on the pollers too, blocking handlers
// included (see inline.go: they leave the poller, or stall it).
var testEngine string

const testInline = "epoll-inline"

func TestMain(m *testing.M) {
	engines := []string{EngineGoroutine}
	if engine.EpollSupported {
		engines = append(engines, EngineEpoll, testInline)
	}
	if v := os.Getenv("STRAND_TEST_ENGINES"); v != "" {
		engines = strings.Split(v, ",")
	}
	code := 0
	for i, e := range engines {
		testEngine = e
		if i > 0 || len(engines) > 1 {
			fmt.Printf("=== engine %s\n", e)
		}
		if code = m.Run(); code != 0 {
			fmt.Printf("--- FAIL with engine %s\n", e)
			break
		}
	}
	os.Exit(code)
}

// skipInline skips a test whose handlers block in a way that the
// testInline engine cannot serve: they wait for each other, or for the
// client to leave (NonBlocking handlers are not told).
func skipInline(t testing.TB, why string) {
	t.Helper()
	if testEngine == testInline {
		t.Skip("NonBlocking handlers", why)
	}
}

// useTestEngine gives s the engine under test unless it chose one, and
// names it in the log of a failed test.
func useTestEngine(t testing.TB, s *Server) {
	if s.Engine == "" {
		s.Engine = testEngine
		if testEngine == testInline {
			s.Engine = EngineEpoll
			if !isNonBlocking(s.Handler) {
				s.Handler = NonBlocking(s.handler())
			}
		}
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("engine: %s", s.Engine)
		}
	})
}
