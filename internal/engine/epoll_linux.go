//go:build linux

package engine

// This file is the epoll engine: how a connection leaves its goroutine
// while it waits, and comes back.
//
//	accept ──> pool worker: OpenSession ──> Resume ─┬─> done: closed or hijacked
//	                                                 └─> park: idle
//	                                                       │  poller.park: parked[fd] = slot,
//	                                                       │  wheel, epoll_ctl(ONESHOT)
//	           pool worker: Resume <── dispatch <── epoll_wait reports fd
//	           poller: Expire <── wheel tick finds the deadline passed
//	           poller: Release <── wheel tick finds it parked ReleaseAfter
//
// Each poller owns one epoll instance, the map of its parked slots by
// descriptor, and a timing wheel of their deadlines; mu guards the map,
// the wheel and closed. A slot is in exactly one of four places: parked
// (in the map and, when due some time, in the wheel; its descriptor armed
// one-shot), running on a pool worker, being released by the poller
// goroutine (in neither the map nor the wheel: see releaseAll), or gone.
// Only the poller's lock moves it out of "parked", either to a worker (the
// descriptor was reported), to Expire (the deadline passed, or the engine
// stopped) or to be released, so no two can happen at once. Because the
// descriptor is armed one-shot, epoll reports it at most once per park.
//
// The engine reads nothing itself: a resumed session reads its socket on
// the worker (see the root package's idle.go), and returns to the engine
// only when it waits for its next request with nothing buffered: at once,
// or, for a busy connection, after waiting up to ParkAfter on its worker.
// A connection in the middle of a request, sending a response to a slow
// reader, or lingering so, stays on its worker, blocked in the runtime's
// own poller with its deadlines, as in the goroutine engine: a busy
// keep-alive connection costs what it costs there, and only one that
// pauses pays the hand-offs of parking (an epoll_ctl, then a report, a
// dispatch to a worker and a read).
//
// The poller goroutine does not block a thread in epoll_wait either: the
// epoll instance is itself watched by the runtime's poller (see
// internal/netpoll), so a poller waits parked in the scheduler like any
// goroutine blocked on a socket.
//
// Timeouts of parked connections come from the wheel, not from a timer per
// connection: wheelSlots buckets of wheelTick each, a bucket holding the
// slots whose due tick falls in it (a tick more than a turn away waits for
// a later turn). A slot is due at its deadline, or earlier, ReleaseAfter
// after it parked, to be released: the session gives up its net.Conn
// (whose runtime state, about 850 bytes, is most of what a parked
// connection costs) for a bare duplicate of its descriptor, which the
// poller watches instead (see releaseOne), and Resume makes a net.Conn of
// it again. (A session may also release itself as it parks, see
// SessionOptions.Release.) A released connection thus costs its Session,
// a slot and a map entry (about 100 bytes), and nothing per second.

import (
	"errors"
	"net"
	"runtime"
	"sync"
	"time"

	"github.com/strandhttp/strand/internal/netpoll"
)

const (
	wheelTick  = 100 * time.Millisecond
	wheelSlots = 1024 // one turn: about 100 seconds
	maxEvents  = 256
)

// Serve implements Engine. h must be a SessionHandler.
func (e *Epoll) Serve(ln net.Listener, h ConnHandler) error {
	sh, ok := h.(SessionHandler)
	if !ok {
		return errors.New("engine: the epoll engine needs a SessionHandler")
	}
	n := e.Pollers
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	parkAfter := e.ParkAfter
	if parkAfter == 0 {
		parkAfter = DefaultParkAfter
	}
	releaseAfter := e.ReleaseAfter
	if releaseAfter == 0 {
		releaseAfter = DefaultReleaseAfter
	}
	es := &epollServer{h: sh, parkAfter: parkAfter, inline: e.Inline, releaseTicks: -1, pollers: make([]*poller, n)}
	if releaseAfter > 0 {
		es.releaseTicks = int64((releaseAfter + wheelTick - 1) / wheelTick)
	}
	for i := range es.pollers {
		np, err := netpoll.New(maxEvents)
		if err != nil {
			for _, p := range es.pollers[:i] {
				p.np.Close()
			}
			return err
		}
		es.pollers[i] = &poller{es: es, np: np, parked: make(map[int32]*slot), lastTick: ticks(time.Now())}
	}
	es.pool = newPool(es.handle, e.MaxIdleWorker, e.MaxWorkers)
	var wg sync.WaitGroup
	for _, p := range es.pollers {
		wg.Go(p.loop)
	}
	err := acceptLoop(ln, es.accept)
	es.stop(&wg)
	return err
}

type epollServer struct {
	h            SessionHandler // immutable
	parkAfter    time.Duration  // immutable
	inline       bool           // sessions are resumed Inline on the pollers; immutable
	releaseTicks int64          // ReleaseAfter in wheel ticks, -1: never; immutable
	pollers      []*poller      // immutable
	pool         *pool
}

// handle is the pool's job: a new connection or a resumed slot.
func (es *epollServer) handle(job any) {
	switch j := job.(type) {
	case net.Conn:
		es.open(j)
	case *slot:
		j.run()
	}
}

// accept hands a new connection on: to a worker, or, in an Inline engine,
// when it is plain TCP (nothing to do that could block, as a TLS
// handshake would), it is opened here and parked at once (Resume
// Accepted), to be served Inline from its first request on.
func (es *epollServer) accept(c net.Conn) {
	if _, isTCP := c.(*net.TCPConn); !isTCP || !es.inline {
		es.pool.dispatch(c)
		return
	}
	if s := es.newSlot(c); s != nil {
		if next, deadline := s.sess.Resume(Accepted); next != Done {
			s.p.park(s, next, deadline, false)
		}
	}
}

func (es *epollServer) open(c net.Conn) {
	if s := es.newSlot(c); s != nil {
		s.run()
	}
}

// newSlot opens a session on c, or returns nil if the handler is done
// with it.
func (es *epollServer) newSlot(c net.Conn) *slot {
	s := &slot{}
	sess := es.h.OpenSession(c, SessionOptions{ParkAfter: es.parkAfter, Release: es.releaseTicks >= 0,
		WaitWrite: true, Inline: es.inline, Detach: s.detach})
	if sess == nil {
		return nil
	}
	s.sess = sess
	s.fd = int32(sess.FD())
	s.p = es.pollers[int(s.fd)%len(es.pollers)]
	return s
}

// stop closes the pollers and waits for their goroutines. What was parked
// is resumed without parking, to be served to its end by a worker as the
// goroutine engine would: Shutdown still gives a new connection its grace
// period and closes idle ones itself. Sessions running now do the same
// when they would next park.
func (es *epollServer) stop(wg *sync.WaitGroup) {
	var parked []*slot
	for _, p := range es.pollers {
		p.mu.Lock()
		p.closed = true
		for _, s := range p.parked {
			parked = append(parked, s)
		}
		clear(p.parked)
		clear(p.wheel[:])
		p.mu.Unlock()
		_ = p.np.Wake()
	}
	wg.Wait()
	for _, p := range es.pollers {
		p.np.Close() // removes every descriptor from it
	}
	for _, s := range parked {
		s.draining = true
		es.pool.dispatch(s)
	}
	es.pool.close()
}

// A slot is the engine's record of one session.
type slot struct {
	sess       Session
	p          *poller
	fd         int32 // sess.FD() as of the last park or release
	registered bool  // fd is in p's interest list; owned by whoever runs the slot
	edge       bool  // registered edge-triggered for input (see park); likewise
	hup        bool  // the last report said the peer hung up; likewise
	draining   bool  // the engine stopped: serve to the end without parking

	// Guarded by p.mu while parked.
	deadline   int64 // wheel ticks since the epoch; 0: none
	due        int64 // the tick of the wheel bucket s is in: deadline, or when to release it; 0: none
	prev, next *slot // in the wheel bucket of due
}

// run resumes the session on the calling worker and parks it again if it
// goes idle.
func (s *slot) run() {
	mode := OnWorker
	if s.draining {
		mode = Drain
	}
	next, deadline := s.sess.Resume(mode)
	if next != Done {
		s.p.park(s, next, deadline, false)
	}
}

// runInline resumes the session on the poller's own goroutine (see
// Epoll.Inline), and does what it asks next.
func (p *poller) runInline(s *slot) {
	mode := Inline
	if s.hup {
		mode, s.hup = InlineHup, false
	}
	next, deadline := s.sess.Resume(mode)
	switch next {
	case Done:
	case ToWorker:
		if s.registered && s.edge {
			// Out of the interest list: an edge-triggered descriptor would
			// be reported whenever bytes come for the worker to read. (A
			// one-shot one is disarmed by its report.)
			s.registered, s.edge = false, false
			_ = p.np.Remove(int(s.fd))
		}
		p.es.pool.dispatch(s)
	case Again:
		p.again = append(p.again, s)
	default:
		p.park(s, next, deadline, true)
	}
}

// detach removes the descriptor from the poller: the session was hijacked
// and the descriptor is about to be handed on, or it was released and is
// about to be closed (a duplicate made of it shares its interest list
// entry). It runs on the session's worker, while the slot is not parked.
func (s *slot) detach() {
	if !s.registered {
		return
	}
	s.registered, s.edge = false, false
	p := s.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed { // once closed, its epoll descriptor may be closed too
		_ = p.np.Remove(int(s.fd))
	}
}

type poller struct {
	es *epollServer
	np *netpoll.Poller

	again []*slot // sessions with buffered requests, to resume Inline; owned by loop
	spare []*slot // the other buffer of again

	mu       sync.Mutex
	parked   map[int32]*slot
	wheel    [wheelSlots]*slot // bucket heads
	lastTick int64             // the last tick whose bucket was swept
	closed   bool
}

func ticks(t time.Time) int64 { return t.UnixNano() / int64(wheelTick) }

// park records s as parked, waiting for what next says, and arms its
// descriptor, under p.mu so that stop cannot close the epoll instance in
// between. The map entry comes first: the report may arrive before
// EpollCtl returns. onPoller says the caller is the poller's goroutine.
//
// A released session of an Inline engine, the only kind resumed Inline
// (a net.Conn's descriptor is the runtime's to read), waits for input
// edge-triggered (ArmEdge): a busy connection that goes back and forth
// between the map and the poller then costs no epoll_ctl at all, where a
// one-shot interest would cost one per request. Only the poller takes it
// out of the map, so the reports that come while it runs there are the
// poller's own to ignore.
func (p *poller) park(s *slot, next Next, deadline time.Time, onPoller bool) {
	s.fd = int32(s.sess.FD()) // a released session has a new one
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		s.draining = true
		if onPoller {
			p.es.pool.dispatch(s) // stop waits for the pollers
		} else {
			s.run()
		}
		return
	}
	var stale *slot
	if old := p.parked[s.fd]; old != nil && old != s {
		// A session closed while parked (Server.Close closes descriptors
		// under the engine) left its entry; its number is reused now.
		p.unpark(old)
		stale = old
	}
	p.parked[s.fd] = s
	s.deadline = 0
	if !deadline.IsZero() {
		// Rounded up: a timeout may last up to a tick longer, never shorter.
		s.deadline = max(ticks(deadline)+1, p.lastTick+1)
	}
	s.due = s.deadline
	if rt := p.es.releaseTicks; rt >= 0 && (s.due == 0 || p.lastTick+1+rt < s.due) &&
		next == WaitRead && !s.sess.Released() {
		s.due = p.lastTick + 1 + rt
	}
	if s.due != 0 {
		p.link(s)
	}
	var err error
	first := !s.registered
	switch {
	case next == WaitWrite:
		s.edge = false
		err = p.np.ArmWrite(int(s.fd), first)
	case p.es.inline && s.sess.Released():
		if !s.edge || first {
			s.edge = true
			err = p.np.ArmEdge(int(s.fd), first)
		}
	default:
		err = p.np.Arm(int(s.fd), first)
	}
	s.registered = err == nil
	if err != nil {
		p.unpark(s)
	}
	p.mu.Unlock()
	if stale != nil {
		stale.sess.Expire()
	}
	if err != nil {
		s.sess.Expire()
	}
}

// unpark takes s out of the map and the wheel. p.mu must be held.
func (p *poller) unpark(s *slot) {
	delete(p.parked, s.fd)
	if s.due != 0 {
		p.unlink(s)
	}
}

func (p *poller) link(s *slot) {
	b := &p.wheel[s.due%wheelSlots]
	s.prev, s.next = nil, *b
	if *b != nil {
		(*b).prev = s
	}
	*b = s
}

func (p *poller) unlink(s *slot) {
	if s.prev != nil {
		s.prev.next = s.next
	} else {
		p.wheel[s.due%wheelSlots] = s.next
	}
	if s.next != nil {
		s.next.prev = s.prev
	}
	s.prev, s.next = nil, nil
}

// loop waits for reports and ticks until the engine stops.
func (p *poller) loop() {
	var evs []netpoll.Event
	var ready, expired, release, stale []*slot
	busy := false // the last turn had reports
	p.mu.Lock()
	next := p.lastTick + 1
	p.mu.Unlock()
	for {
		var err error
		until := time.Unix(0, next*int64(wheelTick))
		switch {
		case len(p.again) > 0:
			evs, _, err = p.np.Poll(evs[:0]) // take what is ready, then serve them again
		case busy:
			// A poller that has just served reports looks once more
			// before it sleeps, after letting the process's other
			// goroutines run: under load, reports have most often come
			// in meanwhile, and a poller that goes to sleep costs its
			// thread a sleep and a wake-up (a context switch, when a
			// client shares the cores) for a handful of requests. One
			// look, no more: an idle server spins for nothing.
			runtime.Gosched()
			if evs, _, err = p.np.Poll(evs[:0]); err == nil && len(evs) == 0 {
				evs, _, err = p.np.Wait(evs[:0], until)
			}
		default:
			evs, _, err = p.np.Wait(evs[:0], until)
		}
		busy = len(evs) > 0
		if err != nil {
			time.Sleep(wheelTick) // EBADF, ENOMEM: not expected; do not spin
		}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			for _, s := range p.again { // in neither the map nor the wheel
				s.draining = true
				p.es.pool.dispatch(s)
			}
			return
		}
		ready = ready[:0]
		for _, ev := range evs {
			if s := p.parked[ev.FD]; s != nil {
				p.unpark(s)
				s.hup = ev.Hup
				ready = append(ready, s)
			}
		}
		expired, release = p.sweep(ticks(time.Now()), expired[:0], release[:0])
		next = p.lastTick + 1
		p.mu.Unlock()
		if p.es.inline {
			again := p.again
			p.again = p.spare[:0]
			for _, s := range again {
				p.runInline(s)
			}
			for _, s := range ready {
				p.runInline(s)
			}
			clear(again)
			p.spare = again[:0]
		} else {
			for _, s := range ready {
				p.es.pool.dispatch(s)
			}
		}
		for _, s := range expired {
			// Out of the interest list while the descriptor is still ours,
			// then closed.
			_ = p.np.Remove(int(s.fd))
			s.sess.Expire()
		}
		if len(release) > 0 {
			stale = p.releaseAll(release, stale[:0])
			for _, s := range stale {
				s.sess.Expire() // its descriptor number is another's now
			}
		}
		clear(ready)
		clear(expired)
		clear(release)
		clear(stale)
	}
}

// sweep takes the slots due by tick now out of the map and the wheel,
// walking the buckets since the last sweep: those whose deadline has come
// into expired, the others into release (up to maxReleases; the rest move
// to the next tick). p.mu must be held.
func (p *poller) sweep(now int64, expired, release []*slot) ([]*slot, []*slot) {
	from := max(p.lastTick+1, now-wheelSlots+1)
	for t := from; t <= now; t++ {
		for s := p.wheel[t%wheelSlots]; s != nil; {
			next := s.next
			switch {
			case s.due > now: // a later turn
			case s.deadline != 0 && s.deadline <= now:
				p.unpark(s)
				expired = append(expired, s)
			case len(release) < maxReleases:
				p.unpark(s)
				s.due = 0
				release = append(release, s)
			default:
				p.unlink(s)
				s.due = now + 1
				p.link(s)
			}
			s = next
		}
	}
	if now > p.lastTick {
		p.lastTick = now
	}
	return expired, release
}

// maxReleases bounds the releases of one tick, each a handful of system
// calls; the rest wait for the next tick.
const maxReleases = 1024

// releaseAll releases the slots sweep took out of the map and the wheel,
// without p.mu: no other goroutine knows of them meanwhile (a report for
// one of their descriptors waits in the epoll instance for this
// goroutine's next Wait). It then parks them again, or, if the engine
// stopped meanwhile (stop did not see them), dispatches them to be served
// to the end. It returns the stale sessions found in the way, to be
// expired.
func (p *poller) releaseAll(release, stale []*slot) []*slot {
	for _, s := range release {
		p.releaseOne(s)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		for _, s := range release {
			s.draining = true
			p.es.pool.dispatch(s)
		}
		return stale
	}
	for _, s := range release {
		if old := p.parked[s.fd]; old != nil {
			// A session closed under the engine while parked (see park)
			// held the number of s's new descriptor.
			p.unpark(old)
			stale = append(stale, old)
		}
		p.parked[s.fd] = s
		if s.due = s.deadline; s.due != 0 {
			p.link(s)
		}
	}
	return stale
}

// releaseOne asks s's session to release its net.Conn, and watches the
// descriptor it keeps instead. The old descriptor leaves the interest list
// first: the new one is a duplicate, sharing its socket, and the entry
// would outlive the old one's closing.
func (p *poller) releaseOne(s *slot) {
	if p.np.Remove(int(s.fd)) != nil {
		return
	}
	if fd, ok := s.sess.Release(); ok {
		s.fd = int32(fd)
	}
	// A failure leaves it unwatched: it expires at its deadline, or when
	// the engine stops.
	s.registered, s.edge = p.np.Arm(int(s.fd), true) == nil, false
}
