//go:build !linux

package netpoll

import "time"

// Poller exists on every system so that callers compile; New fails.
type Poller struct{}

// New returns ErrUnsupported.
func New(max int) (*Poller, error) { return nil, ErrUnsupported }

func (p *Poller) Arm(fd int, first bool) error      { return ErrUnsupported }
func (p *Poller) ArmEdge(fd int, first bool) error  { return ErrUnsupported }
func (p *Poller) ArmWrite(fd int, first bool) error { return ErrUnsupported }
func (p *Poller) Remove(fd int) error               { return ErrUnsupported }

// Event is a reported descriptor.
type Event struct {
	FD  int32
	Hup bool
}

func (p *Poller) Wait(evs []Event, deadline time.Time) ([]Event, bool, error) {
	return evs, false, ErrUnsupported
}
func (p *Poller) Poll(evs []Event) ([]Event, bool, error) { return evs, false, ErrUnsupported }
func (p *Poller) Wake() error                             { return ErrUnsupported }
func (p *Poller) Close() error                            { return ErrUnsupported }
