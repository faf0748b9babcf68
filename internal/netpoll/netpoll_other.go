//go:build !linux

package netpoll

import "time"

// Poller exists on every system so that callers compile; New fails.
type Poller struct{}

// New returns ErrUnsupported.
func New(max int) (*Poller, error) { return nil, ErrUnsupported }

func (p *Poller) Arm(fd int, first bool) error { return ErrUnsupported }
func (p *Poller) Remove(fd int) error          { return ErrUnsupported }
func (p *Poller) Wait(fds []int32, deadline time.Time) ([]int32, bool, error) {
	return fds, false, ErrUnsupported
}
func (p *Poller) Wake() error  { return ErrUnsupported }
func (p *Poller) Close() error { return ErrUnsupported }
