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

	// MaxIdleWorker is how long a parked worker waits for work before it
	// exits. Zero means 10 seconds.
	MaxIdleWorker time.Duration
}
