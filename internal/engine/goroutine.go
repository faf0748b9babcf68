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
// A worker's stack grows to what the handler needs, and only a garbage
// collection shrinks it again, which a server that allocates little
// rarely runs. So when the ConnHandler is a SessionHandler, a connection
// that waits for its next request does not wait on its worker for long
// (see DefaultParkAfter): the worker goes back to the pool, and the wait
// goes on on a new goroutine (Session.Wait), whose stack is small, until
// the client sends its next request; the connection then goes back to a
// worker. An idle connection holds a small goroutine and no buffer.
//
// The zero value is ready to use.
type Goroutine struct {
	// MaxIdleWorker is how long a parked worker waits for a connection
	// before it exits. Zero means 10 seconds.
	MaxIdleWorker time.Duration

	// ParkAfter is how long a busy connection waiting for its next
	// request keeps its worker before the wait moves to a goroutine of
	// its own; other connections move at once. Zero means
	// DefaultParkAfter; negative moves every connection at once.
	ParkAfter time.Duration
}

// Serve implements Engine.
func (g *Goroutine) Serve(ln net.Listener, h ConnHandler) error {
	var p *pool
	if sh, ok := h.(SessionHandler); ok {
		gs := &goroutineSessions{h: sh, parkAfter: g.ParkAfter}
		if gs.parkAfter == 0 {
			gs.parkAfter = DefaultParkAfter
		}
		p = newPool(gs.handle, g.MaxIdleWorker, 0)
		gs.pool = p
	} else {
		p = newPool(func(x any) { h.ServeConn(x.(net.Conn)) }, g.MaxIdleWorker, 0)
	}
	defer p.close()
	return acceptLoop(ln, func(c net.Conn) { p.dispatch(c) })
}

// goroutineSessions serves Sessions on the pool's workers, and their waits
// on goroutines of their own.
type goroutineSessions struct {
	h         SessionHandler // immutable
	parkAfter time.Duration  // immutable
	pool      *pool          // immutable once serving
}

// handle is the pool's job: a new connection or a session whose client
// has sent bytes.
func (gs *goroutineSessions) handle(job any) {
	var s Session
	switch j := job.(type) {
	case net.Conn:
		if s = gs.h.OpenSession(j, SessionOptions{ParkAfter: gs.parkAfter}); s == nil {
			return
		}
	case Session:
		s = j
	}
	if next, _ := s.Resume(OnWorker); next == WaitRead {
		go gs.wait(s)
	}
}

// wait is the goroutine that holds a parked session: Session.Wait keeps
// its stack small.
func (gs *goroutineSessions) wait(s Session) {
	if s.Wait() {
		gs.pool.dispatch(s)
	}
}

// newPool starts a pool whose workers call handle with each job; parked
// workers exit after maxIdle (zero: 10 seconds). At most max workers run
// (zero: no limit); jobs beyond them wait their turn, first come first
// served.
func newPool(handle func(any), maxIdle time.Duration, max int) *pool {
	p := &pool{handle: handle, maxIdle: maxIdle, max: max, stop: make(chan struct{}), reaped: make(chan struct{})}
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
// With a limit, jobs that come while max workers are busy queue; a worker
// takes the oldest before it parks, so the queue is empty whenever a
// worker is parked.
type pool struct {
	handle  func(any) // immutable
	maxIdle time.Duration
	max     int // most workers at once; 0: no limit; immutable
	stop    chan struct{}
	reaped  chan struct{} // closed when reap has told every parked worker to exit

	mu      sync.Mutex
	ready   []*worker // parked workers; the top is the most recently used
	workers int       // started and not exited
	queue   []any     // jobs waiting for a worker, oldest at head
	head    int       // index of the oldest in queue
	closed  bool      // Serve has returned: workers exit instead of parking
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
	if p.max > 0 && p.workers >= p.max {
		p.queue = append(p.queue, job)
		p.mu.Unlock()
		return
	}
	p.workers++
	p.mu.Unlock()
	w := &worker{jobs: make(chan any, 1)}
	go p.run(w, job)
}

// next takes the oldest queued job, or nil. p.mu must be held.
func (p *pool) next() any {
	if p.head == len(p.queue) {
		return nil
	}
	job := p.queue[p.head]
	p.queue[p.head] = nil
	if p.head++; p.head == len(p.queue) {
		p.queue, p.head = p.queue[:0], 0
	}
	return job
}

// run does job, then the queued ones, then parks and does whatever it is
// handed next.
func (p *pool) run(w *worker, job any) {
	defer func() {
		p.mu.Lock()
		p.workers--
		p.mu.Unlock()
	}()
	for job != nil {
		p.handle(job)
		p.mu.Lock()
		if job = p.next(); job != nil {
			p.mu.Unlock()
			continue
		}
		if p.closed {
			p.mu.Unlock()
			return
		}
		w.lastUsed = time.Now()
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
