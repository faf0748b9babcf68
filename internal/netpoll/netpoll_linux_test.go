//go:build linux

package netpoll

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// now is a deadline that has passed: Wait then takes what is ready
// without waiting.
var now = time.Unix(1, 0)

// newPair returns a Poller with room for 8 events and a connected pair of
// non-blocking sockets, all closed at cleanup.
func newPair(t *testing.T) (*Poller, [2]int) {
	t.Helper()
	p, err := New(8)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	sv, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		unix.Close(sv[0])
		unix.Close(sv[1])
	})
	return p, sv
}

// TestArmOneShot checks the contract the engine relies on: an armed
// descriptor is reported once, then not again until re-armed.
func TestArmOneShot(t *testing.T) {
	p, sv := newPair(t)
	if err := p.Arm(sv[0], true); err != nil {
		t.Fatal(err)
	}
	if fds, _, _ := p.Wait(nil, now); len(fds) != 0 {
		t.Fatalf("Wait before any byte = %v; want nothing", fds)
	}
	if _, err := unix.Write(sv[1], []byte("x")); err != nil {
		t.Fatal(err)
	}
	if fds, _, _ := p.Wait(nil, time.Now().Add(time.Second)); len(fds) != 1 || fds[0].FD != int32(sv[0]) {
		t.Fatalf("Wait after a byte = %v; want [%d]", fds, sv[0])
	}
	if fds, _, _ := p.Wait(nil, now); len(fds) != 0 {
		t.Fatalf("second Wait without re-arming = %v; want nothing (one-shot)", fds)
	}
	if err := p.Arm(sv[0], false); err != nil {
		t.Fatal(err)
	}
	if fds, _, _ := p.Wait(nil, time.Now().Add(time.Second)); len(fds) != 1 {
		t.Fatalf("Wait after re-arming with the byte unread = %v; want it reported", fds)
	}
	if err := p.Remove(sv[0]); err != nil {
		t.Fatal(err)
	}
	if err := p.Wake(); err != nil {
		t.Fatal(err)
	}
	if fds, woken, _ := p.Wait(nil, time.Now().Add(time.Second)); !woken || len(fds) != 0 {
		t.Fatalf("Wait after Wake = %v, woken %v; want no descriptors, woken", fds, woken)
	}
}

// TestWaitParksGoroutine checks that a Wait in progress is woken by a
// descriptor becoming ready later (through the runtime's poller, which
// watches the epoll instance), and that a deadline ends a Wait with
// nothing to report.
func TestWaitParksGoroutine(t *testing.T) {
	p, sv := newPair(t)
	start := time.Now()
	if fds, woken, err := p.Wait(nil, start.Add(50*time.Millisecond)); len(fds) != 0 || woken || err != nil {
		t.Fatalf("Wait with nothing armed = %v, %v, %v; want nothing until the deadline", fds, woken, err)
	}
	if d := time.Since(start); d < 40*time.Millisecond {
		t.Fatalf("Wait with nothing armed returned after %v; want the 50ms deadline", d)
	}
	for round := range 3 {
		if err := p.Arm(sv[0], round == 0); err != nil {
			t.Fatal(err)
		}
		go func() {
			time.Sleep(10 * time.Millisecond)
			_, _ = unix.Write(sv[1], []byte("x"))
		}()
		fds, _, err := p.Wait(nil, time.Now().Add(5*time.Second))
		if err != nil || len(fds) != 1 || fds[0].FD != int32(sv[0]) {
			t.Fatalf("round %d: Wait for a byte written later = %v, %v; want [%d]", round, fds, err, sv[0])
		}
		var b [8]byte
		_, _ = unix.Read(sv[0], b[:])
	}
	go func() {
		time.Sleep(10 * time.Millisecond)
		_ = p.Wake()
	}()
	if fds, woken, err := p.Wait(nil, time.Time{}); !woken || len(fds) != 0 || err != nil {
		t.Fatalf("Wait woken later = %v, %v, %v; want woken", fds, woken, err)
	}
}

// TestPoll checks Poll, Wait without waiting: what is ready now, or
// nothing, and a Wake since the last look.
func TestPoll(t *testing.T) {
	p, sv := newPair(t)
	if err := p.ArmEdge(sv[0], true); err != nil {
		t.Fatal(err)
	}
	if fds, woken, err := p.Poll(nil); len(fds) != 0 || woken || err != nil {
		t.Fatalf("Poll before any byte = %v, %v, %v; want nothing", fds, woken, err)
	}
	if _, err := unix.Write(sv[1], []byte("x")); err != nil {
		t.Fatal(err)
	}
	if fds, _, err := p.Poll(nil); len(fds) != 1 || fds[0].FD != int32(sv[0]) || err != nil {
		t.Fatalf("Poll after a byte = %v, %v; want [%d]", fds, err, sv[0])
	}
	if err := p.Wake(); err != nil {
		t.Fatal(err)
	}
	if fds, woken, _ := p.Poll(nil); !woken || len(fds) != 0 {
		t.Fatalf("Poll after Wake = %v, woken %v; want no descriptors, woken", fds, woken)
	}
	// A Wait after Polls still waits for its deadline.
	start := time.Now()
	if fds, _, _ := p.Wait(nil, start.Add(50*time.Millisecond)); len(fds) != 0 {
		t.Fatalf("Wait with nothing new = %v; want nothing", fds)
	}
	if d := time.Since(start); d < 40*time.Millisecond {
		t.Fatalf("Wait returned after %v; want it to wait for its deadline", d)
	}
}
