package engine

import "time"

// Epoll serves connections on a pool of goroutines while they have work
// and parks them in epoll instances while they wait for a request: an
// idle connection holds no goroutine (and, on the Session's side, no
// buffer). It runs on Linux only; elsewhere Serve fails with
// netpoll.ErrUnsupported.
//
// The zero value is ready to use.
type Epoll struct {
	// Pollers is the number of epoll instances, each with one goroutine
	// waiting on it. Zero means GOMAXPROCS.
	Pollers int

	// ParkAfter is how long a busy connection waiting for its next
	// request keeps its goroutine before it is parked; other connections
	// park at once. Zero means DefaultParkAfter; negative parks every
	// connection at once. See DefaultParkAfter.
	ParkAfter time.Duration

	// ReleaseAfter is how long a connection stays parked before it gives
	// up its net.Conn (and the Go runtime's state for it, about 850
	// bytes) for a bare duplicate of its descriptor; the next request
	// makes a net.Conn of it again, for about 15 system calls (see
	// Session.Release). Sessions may release themselves earlier, as they
	// park (see SessionOptions.Release). Zero means DefaultReleaseAfter;
	// negative never releases.
	ReleaseAfter time.Duration

	// MaxIdleWorker is how long a parked worker waits for work before it
	// exits. Zero means 10 seconds.
	MaxIdleWorker time.Duration
}
