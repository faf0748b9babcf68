package strand

import "net"

// ServeConnForTest serves rwc on the calling goroutine through the
// connection loop of conn.go, as an engine's worker does after accepting
// it, and returns once the connection has ended. It lets the hot-path
// benchmarks of the external test package (hotpath_test.go), which may
// import router, drive the real code path over a fake connection.
func ServeConnForTest(s *Server, rwc net.Conn) {
	c := newConn(s, rwc)
	if s.trackConn(c) != connTracked {
		rwc.Close()
		return
	}
	c.serve()
}

// RaceEnabled reports whether the race detector is on, for the external
// tests' allocation budgets.
const RaceEnabled = raceEnabled
