//go:build linux

package netpoll

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/sys/unix"
)

// A Poller is one epoll instance. Arm, Remove and Wake may be called from
// any goroutine; Wait from one goroutine at a time.
type Poller struct {
	epfd   int
	wakefd int // an eventfd, always armed (level-triggered)
	events []unix.EpollEvent
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
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(wakefd)}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wakefd, &ev); err != nil {
		unix.Close(epfd)
		unix.Close(wakefd)
		return nil, fmt.Errorf("epoll_ctl add eventfd: %w", err)
	}
	return &Poller{epfd: epfd, wakefd: wakefd, events: make([]unix.EpollEvent, max)}, nil
}

const armEvents = unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLONESHOT

// Arm asks for one report when fd becomes readable or its peer hangs up.
// first says fd is not in the interest list yet (EPOLL_CTL_ADD); later
// calls re-arm it (EPOLL_CTL_MOD). If fd is ready already, the report
// comes at once: epoll checks readiness when arming.
func (p *Poller) Arm(fd int, first bool) error {
	ev := unix.EpollEvent{Events: armEvents, Fd: int32(fd)}
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

// Wait blocks up to msec milliseconds (-1: without limit) and appends the
// descriptors reported ready to fds. woken reports a Wake since the last
// Wait. An interrupted wait returns no descriptors and no error.
func (p *Poller) Wait(fds []int32, msec int) (_ []int32, woken bool, err error) {
	n, err := unix.EpollWait(p.epfd, p.events, msec)
	if err == unix.EINTR {
		return fds, false, nil
	}
	if err != nil {
		return fds, false, fmt.Errorf("epoll_wait: %w", err)
	}
	for _, ev := range p.events[:n] {
		if int(ev.Fd) == p.wakefd {
			var b [8]byte
			_, _ = unix.Read(p.wakefd, b[:])
			woken = true
			continue
		}
		fds = append(fds, ev.Fd)
	}
	return fds, woken, nil
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
	err := unix.Close(p.epfd)
	if err2 := unix.Close(p.wakefd); err == nil {
		err = err2
	}
	return err
}
