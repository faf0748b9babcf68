//go:build linux

package netpoll

import (
	"slices"
	"testing"

	"golang.org/x/sys/unix"
)

// TestArmOneShot checks the contract the engine relies on: an armed
// descriptor is reported once, then not again until re-armed.
func TestArmOneShot(t *testing.T) {
	p, err := New(8)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var sv [2]int
	if sv, err = unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK, 0); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(sv[0])
	defer unix.Close(sv[1])
	if err := p.Arm(sv[0], true); err != nil {
		t.Fatal(err)
	}
	if fds, _, _ := p.Wait(nil, 0); len(fds) != 0 {
		t.Fatalf("Wait before any byte = %v; want nothing", fds)
	}
	if _, err := unix.Write(sv[1], []byte("x")); err != nil {
		t.Fatal(err)
	}
	if fds, _, _ := p.Wait(nil, 1000); !slices.Equal(fds, []int32{int32(sv[0])}) {
		t.Fatalf("Wait after a byte = %v; want [%d]", fds, sv[0])
	}
	if fds, _, _ := p.Wait(nil, 0); len(fds) != 0 {
		t.Fatalf("second Wait without re-arming = %v; want nothing (one-shot)", fds)
	}
	if err := p.Arm(sv[0], false); err != nil {
		t.Fatal(err)
	}
	if fds, _, _ := p.Wait(nil, 1000); len(fds) != 1 {
		t.Fatalf("Wait after re-arming with the byte unread = %v; want it reported", fds)
	}
	if err := p.Remove(sv[0]); err != nil {
		t.Fatal(err)
	}
	if err := p.Wake(); err != nil {
		t.Fatal(err)
	}
	if fds, woken, _ := p.Wait(nil, 1000); !woken || len(fds) != 0 {
		t.Fatalf("Wait after Wake = %v, woken %v; want no descriptors, woken", fds, woken)
	}
}
