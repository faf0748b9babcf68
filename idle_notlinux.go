//go:build !linux

package strand

// Release implements engine.Session: only the epoll engine, on Linux,
// releases connections (see idle_linux.go).
func (c *conn) Release() (fd int, ok bool) { return 0, false }

func (c *conn) reattach() bool { return true }

func (c *conn) releaseSelf() {}

func (c *conn) closeReleased() {}

// Only released connections are served Inline.
func (c *conn) readFD([]byte) (int, error)  { return 0, errWouldBlock }
func (c *conn) writeFD([]byte) (int, error) { return 0, errWouldBlock }
