package strand

import (
	"testing"

	"github.com/strandhttp/strand/internal/enginetest"
)

// The end-to-end helpers (serve, serveAsync, startServer) give servers
// that do not choose an engine enginetest.Engine: TestMain runs the
// package's tests once per engine, the engine matrix of STYLE.md habit 15
// (STRAND_TEST_ENGINES, e.g. "epoll", narrows it). The engine testInline,
// this package's own, is the epoll engine with every handler marked
// NonBlocking, so that the whole suite runs on the pollers too, blocking
// handlers included (see inline.go: they leave the poller, or stall it).
const testInline = "epoll-inline"

func TestMain(m *testing.M) { enginetest.Main(m, testInline) }

// testEngine is the engine of the pass under way.
func testEngine() string { return enginetest.Engine }

// skipInline skips a test whose handlers block in a way that the
// testInline engine cannot serve: they wait for each other, or for the
// client to leave (NonBlocking handlers are not told).
func skipInline(t testing.TB, why string) {
	t.Helper()
	if testEngine() == testInline {
		t.Skip("NonBlocking handlers", why)
	}
}

// useTestEngine gives s the engine under test unless it chose one, and
// names it in the log of a failed test.
func useTestEngine(t testing.TB, s *Server) {
	if s.Engine == "" {
		setEngine(s, testEngine())
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("engine: %s", s.Engine)
		}
	})
}

// setEngine gives s the engine named in the test matrix: testInline is the
// epoll engine with s's handler marked NonBlocking.
func setEngine(s *Server, name string) {
	s.Engine = name
	if name == testInline {
		s.Engine = EngineEpoll
		if !isNonBlocking(s.Handler) {
			s.Handler = NonBlocking(s.handler())
		}
	}
}
