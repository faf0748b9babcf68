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
	p := &pool{h: h, maxIdle: g.MaxIdleWorker, stop: make(chan struct{})}
	if p.maxIdle <= 0 {
		p.maxIdle = 10 * time.Second
	}
	go p.reap()
	defer close(p.stop)
	return acceptLoop(ln, p.dispatch)
}

// pool is a stack of parked workers. mu guards ready; a worker is either on
// the stack (parked on its channel) or serving a connection, never both.
type pool struct {
	h       ConnHandler
	maxIdle time.Duration
	stop    chan struct{}

	mu     sync.Mutex
	ready  []*worker // parked workers; the top is the most recently used
	closed bool      // Serve has returned: workers exit instead of parking
}

type worker struct {
	conns    chan net.Conn // a nil conn tells the worker to exit
	lastUsed time.Time     // when it parked; guarded by pool.mu
}

func (p *pool) dispatch(c net.Conn) {
	p.mu.Lock()
	n := len(p.ready)
	if n > 0 {
		w := p.ready[n-1]
		p.ready[n-1] = nil
		p.ready = p.ready[:n-1]
		p.mu.Unlock()
		w.conns <- c
		return
	}
	p.mu.Unlock()
	w := &worker{conns: make(chan net.Conn, 1)}
	go p.run(w, c)
}

// run serves c, then parks and serves whatever it is handed next.
func (p *pool) run(w *worker, c net.Conn) {
	for c != nil {
		p.h.ServeConn(c)
		w.lastUsed = time.Now()
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return
		}
		p.ready = append(p.ready, w)
		p.mu.Unlock()
		c = <-w.conns
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
				w.conns <- nil
			}
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
				w.conns <- nil
			}
		}
	}
}
