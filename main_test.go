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
// habit 15. STRAND_TEST_ENGINES (e.g. "epoll") narrows it.
var testEngine string

func TestMain(m *testing.M) {
	engines := []string{EngineGoroutine}
	if engine.EpollSupported {
		engines = append(engines, EngineEpoll)
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

// useTestEngine gives s the engine under test unless it chose one, and
// names it in the log of a failed test.
func useTestEngine(t testing.TB, s *Server) {
	if s.Engine == "" {
		s.Engine = testEngine
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("engine: %s", s.Engine)
		}
	})
}
