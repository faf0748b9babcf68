// Package netpoll wraps the Linux epoll system calls an event-driven
// connection engine needs, and nothing more: one Poller is one epoll
// instance plus an eventfd to wake its waiter.
//
// Descriptors are armed one-shot (EPOLLIN | EPOLLRDHUP | EPOLLONESHOT): an
// armed descriptor is reported once, when it becomes readable or its peer
// hangs up, and is then disarmed until Arm is called again. The engine
// relies on that: a reported connection belongs to exactly one goroutine
// until it is armed again, so no two events for it can race. Two more
// interests serve connections that the goroutine calling Wait serves
// itself: ArmEdge (edge-triggered: reported whenever bytes arrive, and
// never disarmed, which saves the system call a request that re-arming
// costs) and ArmWrite (one report when a socket whose send buffer was full can take
// more).
//
// On other systems New returns ErrUnsupported.
package netpoll

import "errors"

// ErrUnsupported is New's error where epoll does not exist.
var ErrUnsupported = errors.New("netpoll: epoll is only available on Linux")
