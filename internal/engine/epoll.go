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

	// Inline runs sessions on the pollers themselves, with no hand-off to
	// a worker, whenever what they do next cannot block (see
	// Mode Inline): set it when the handler never blocks.
	Inline bool

	// MaxWorkers bounds the pool of workers that run sessions while they
	// do not wait (blocking handlers, first requests, bodies still on the
	// wire); sessions that find them all busy wait their turn in a queue,
	// first come first served. Zero means no bound but the number of
	// connections (a session runs on one worker at a time). A worker
	// stays busy for as long as its handler blocks, and a hijacked
	// connection's handler keeps it for the connection's life: bound it
	// well above the handlers expected to block at once.
	MaxWorkers int

	// MaxIdleWorker is how long a parked worker waits for work before it
	// exits. Zero means 10 seconds.
	MaxIdleWorker time.Duration
}
