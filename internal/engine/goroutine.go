package engine

import (
	"net"
	"sync"
	"time"
)

// Goroutine serves each connection on its own goroutine, reusing parked
// goroutines in last-in first-out order: the most recently used worker is
// the one most likely still in cache, and the ones at the bottom of the
// stack are the ones that idle long enough to be let go.
//
// The zero value is ready to use.
type Goroutine struct {
	// MaxIdleWorker is how long a parked worker waits for a connection
	// before it exits. Zero means 10 seconds.
	MaxIdleWorker time.Duration
}

// Serve implements Engine.
func (g *Goroutine) Serve(ln net.Listener, h ConnHandler) error {
	p := newPool(func(x any) { h.ServeConn(x.(net.Conn)) }, g.MaxIdleWorker)
	defer p.close()
	return acceptLoop(ln, func(c net.Conn) { p.dispatch(c) })
}

// newPool starts a pool whose workers call handle with each job; parked
// workers exit after maxIdle (zero: 10 seconds).
func newPool(handle func(any), maxIdle time.Duration) *pool {
	p := &pool{handle: handle, maxIdle: maxIdle, stop: make(chan struct{}), reaped: make(chan struct{})}
	if p.maxIdle <= 0 {
		p.maxIdle = 10 * time.Second
	}
	go p.reap()
	return p
}

// close tells parked workers to exit, and busy ones to exit once done.
func (p *pool) close() {
	close(p.stop)
	<-p.reaped
}

// pool is a stack of parked workers. mu guards ready; a worker is either on
// the stack (parked on its channel) or serving a connection, never both.
type pool struct {
	handle  func(any) // immutable
	maxIdle time.Duration
	stop    chan struct{}
	reaped  chan struct{} // closed when reap has told every parked worker to exit

	mu     sync.Mutex
	ready  []*worker // parked workers; the top is the most recently used
	closed bool      // Serve has returned: workers exit instead of parking
}

type worker struct {
	jobs     chan any  // a nil job tells the worker to exit
	lastUsed time.Time // when it parked; guarded by pool.mu
}

// dispatch hands job to a parked worker, or to a new one.
func (p *pool) dispatch(job any) {
	p.mu.Lock()
	n := len(p.ready)
	if n > 0 {
		w := p.ready[n-1]
		p.ready[n-1] = nil
		p.ready = p.ready[:n-1]
		p.mu.Unlock()
		w.jobs <- job
		return
	}
	p.mu.Unlock()
	w := &worker{jobs: make(chan any, 1)}
	go p.run(w, job)
}

// run does job, then parks and does whatever it is handed next.
func (p *pool) run(w *worker, job any) {
	for job != nil {
		p.handle(job)
		w.lastUsed = time.Now()
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return
		}
		p.ready = append(p.ready, w)
		p.mu.Unlock()
		job = <-w.jobs
	}
}

// reap tells workers parked longer than maxIdle to exit, oldest first; they
// sit at the bottom of the stack.
func (p *pool) reap() {
	t := time.NewTicker(p.maxIdle / 2)
	defer t.Stop()
	var expired []*worker
	for {
		select {
		case <-p.stop:
			p.mu.Lock()
			p.closed = true
			expired = append(expired[:0], p.ready...)
			p.ready = p.ready[:0]
			p.mu.Unlock()
			for _, w := range expired {
				w.jobs <- nil
			}
			close(p.reaped)
			return
		case now := <-t.C:
			p.mu.Lock()
			i := 0
			for i < len(p.ready) && now.Sub(p.ready[i].lastUsed) > p.maxIdle {
				i++
			}
			expired = append(expired[:0], p.ready[:i]...)
			n := copy(p.ready, p.ready[i:])
			clear(p.ready[n:])
			p.ready = p.ready[:n]
			p.mu.Unlock()
			for _, w := range expired {
				w.jobs <- nil
			}
		}
	}
}
