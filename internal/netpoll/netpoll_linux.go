//go:build linux

package netpoll

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// A Poller is one epoll instance. Arm, Remove and Wake may be called from
// any goroutine; Wait from one goroutine at a time.
//
// The epoll descriptor is itself registered with the Go runtime's poller
// (an epoll descriptor is readable while it has events to report), so
// Wait parks its goroutine in the scheduler like a network read does,
// instead of blocking a thread in epoll_wait: a blocking system call would
// keep its P until the runtime's monitor took it back, up to milliseconds
// later on a busy process, stalling every other goroutine on it.
type Poller struct {
	epfd   int      // immutable
	wakefd int      // an eventfd, always armed (level-triggered); immutable
	ep     *os.File // epfd, as the runtime's poller sees it

	// Owned by the goroutine in Wait.
	rc       syscall.RawConn
	poll     func(fd uintptr) bool // p.collect, bound once
	events   []unix.EpollEvent
	deadline time.Time // ep's read deadline
	evs      []Event   // the current Wait's results
	woken    bool
	err      error
}

// New creates a Poller with room for max events per Wait.
func New(max int) (*Poller, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("epoll_create1: %w", err)
	}
	wakefd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(epfd)
		return nil, fmt.Errorf("eventfd: %w", err)
	}
	fail := func(what string, err error) (*Poller, error) {
		unix.Close(epfd)
		unix.Close(wakefd)
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(wakefd)}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wakefd, &ev); err != nil {
		return fail("epoll_ctl add eventfd", err)
	}
	// Non-blocking before os.NewFile: that is what makes the runtime's
	// poller watch it.
	if err := unix.SetNonblock(epfd, true); err != nil {
		return fail("epoll set non-blocking", err)
	}
	ep := os.NewFile(uintptr(epfd), "epoll")
	rc, err := ep.SyscallConn()
	if err != nil {
		ep.Close()
		unix.Close(wakefd)
		return nil, fmt.Errorf("epoll raw conn: %w", err)
	}
	p := &Poller{epfd: epfd, wakefd: wakefd, ep: ep, rc: rc, events: make([]unix.EpollEvent, max)}
	p.poll = p.collect
	return p, nil
}

// The interests a descriptor can be armed with.
const (
	// armEvents: one report when fd becomes readable or its peer hangs up.
	armEvents = unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLONESHOT
	// edgeEvents: a report each time bytes arrive (or the peer hangs up).
	edgeEvents = unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLET
	// writeEvents: one report when fd can take more output (or fails).
	writeEvents = unix.EPOLLOUT | unix.EPOLLONESHOT
)

// Arm asks for one report when fd becomes readable or its peer hangs up.
// first says fd is not in the interest list yet (EPOLL_CTL_ADD); later
// calls re-arm it (EPOLL_CTL_MOD). If fd is ready already, the report
// comes at once: epoll checks readiness when arming.
func (p *Poller) Arm(fd int, first bool) error { return p.ctl(fd, first, armEvents) }

// ArmEdge asks for a report each time bytes arrive on fd (or its peer
// hangs up), until it is armed otherwise or removed: the interest of a
// descriptor whose reports are all handled by the goroutine that calls
// Wait, so that it need not be re-armed after each one. Bytes that are
// there already when it is armed are reported too. The caller must have
// seen fd empty (a short read, or EAGAIN) since its last report, or no
// report may come for what is left; and a report with Hup set says that
// the end of the stream may be there already, which a short read does
// not show: read until EOF or EAGAIN then. (Level-triggered interest would not
// ask that, but it costs more: the kernel queues a reported descriptor
// again after every Wait, which wakes the runtime's poller, watching the
// epoll instance, once more for nothing.)
func (p *Poller) ArmEdge(fd int, first bool) error { return p.ctl(fd, first, edgeEvents) }

// ArmWrite asks for one report when fd can take more output: the
// interest of a connection whose response waits for a slow reader.
func (p *Poller) ArmWrite(fd int, first bool) error { return p.ctl(fd, first, writeEvents) }

func (p *Poller) ctl(fd int, first bool, events uint32) error {
	ev := unix.EpollEvent{Events: events, Fd: int32(fd)}
	op := unix.EPOLL_CTL_MOD
	if first {
		op = unix.EPOLL_CTL_ADD
	}
	err := unix.EpollCtl(p.epfd, op, fd, &ev)
	switch {
	case err == unix.EEXIST && first:
		err = unix.EpollCtl(p.epfd, unix.EPOLL_CTL_MOD, fd, &ev)
	case err == unix.ENOENT && !first:
		err = unix.EpollCtl(p.epfd, unix.EPOLL_CTL_ADD, fd, &ev)
	}
	if err != nil {
		return fmt.Errorf("epoll_ctl arm %d: %w", fd, err)
	}
	return nil
}

// Remove takes fd out of the interest list. It must be called while fd is
// still open: closing a descriptor removes it by itself, and after that
// its number may belong to another file.
func (p *Poller) Remove(fd int) error {
	if err := unix.EpollCtl(p.epfd, unix.EPOLL_CTL_DEL, fd, nil); err != nil && err != unix.ENOENT {
		return fmt.Errorf("epoll_ctl del %d: %w", fd, err)
	}
	return nil
}

// An Event is a descriptor Wait reports.
type Event struct {
	FD int32
	// Hup says the peer has hung up or the descriptor failed (EPOLLRDHUP,
	// EPOLLHUP, EPOLLERR): an edge-triggered reader must read to the end
	// (see ArmEdge).
	Hup bool
}

// Wait parks the calling goroutine until descriptors are reported, Wake
// is called or deadline passes (zero: no limit), and appends the
// descriptors reported ready to evs. woken reports a Wake since the last
// Wait. A deadline that passes returns no descriptors and no error.
func (p *Poller) Wait(evs []Event, deadline time.Time) (_ []Event, woken bool, err error) {
	if !deadline.Equal(p.deadline) {
		p.deadline = deadline
		_ = p.ep.SetReadDeadline(deadline)
	}
	if !deadline.IsZero() && !time.Now().Before(deadline) {
		// The runtime fails a read past its deadline without trying it:
		// take what is ready now instead.
		return p.Poll(evs)
	}
	// The runtime calls collect first, and waits for the instance to be
	// readable only if that finds nothing. (That first epoll_wait cannot
	// be skipped after one that emptied the instance: Read clears the
	// runtime's record of readiness before it calls collect, so an event
	// that came in between would wait unseen.)
	p.evs, p.woken, p.err = evs, false, nil
	err = p.rc.Read(p.poll)
	evs, woken = p.evs, p.woken
	p.evs = nil
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return evs, woken, nil
	case err != nil:
		return evs, woken, fmt.Errorf("epoll wait: %w", err)
	}
	return evs, woken, p.err
}

// Poll appends the descriptors ready now to evs, without waiting; woken
// reports a Wake since the last Wait or Poll. It is Wait with a deadline
// that has passed, without the clock read and deadline update that costs.
func (p *Poller) Poll(evs []Event) (_ []Event, woken bool, err error) {
	p.evs, p.woken, p.err = evs, false, nil
	p.collect(uintptr(p.epfd))
	evs, woken, err = p.evs, p.woken, p.err
	p.evs = nil
	return evs, woken, err
}

// collect is Wait's RawConn.Read callback: it takes what the epoll
// instance has to report without blocking, and returns false, to be parked
// until the instance is readable, when there is nothing.
func (p *Poller) collect(fd uintptr) bool {
	n, err := unix.EpollWait(int(fd), p.events, 0)
	switch {
	case err == unix.EINTR:
		return false
	case err != nil:
		p.err = fmt.Errorf("epoll_wait: %w", err)
		return true
	case n == 0:
		return false
	}
	for _, ev := range p.events[:n] {
		if int(ev.Fd) == p.wakefd {
			var b [8]byte
			_, _ = unix.Read(p.wakefd, b[:])
			p.woken = true
			continue
		}
		p.evs = append(p.evs, Event{FD: ev.Fd, Hup: ev.Events&(unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0})
	}
	return true
}

// Wake makes a Wait in progress (or the next one) return.
func (p *Poller) Wake() error {
	var b [8]byte
	binary.NativeEndian.PutUint64(b[:], 1)
	_, err := unix.Write(p.wakefd, b[:])
	if err != nil && err != unix.EAGAIN {
		return fmt.Errorf("eventfd write: %w", err)
	}
	return nil
}

// Close releases the epoll instance and the eventfd. No Wait may be in
// progress.
func (p *Poller) Close() error {
	err := p.ep.Close()
	if err2 := unix.Close(p.wakefd); err == nil {
		err = err2
	}
	return err
}
