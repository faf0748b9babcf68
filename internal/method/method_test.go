package method

import (
	"strings"
	"testing"
	"unsafe"
)

// TestRegistered checks the registered methods of RFC 9110 §9 and RFC
// 5789, case-sensitive (§9.1), and that the result does not alias the
// argument's memory, which for a request is recycled.
func TestRegistered(t *testing.T) {
	for _, tt := range []struct {
		m    string
		want string
		ok   bool
	}{
		{"GET", "GET", true}, {"HEAD", "HEAD", true}, {"POST", "POST", true},
		{"PUT", "PUT", true}, {"DELETE", "DELETE", true}, {"CONNECT", "CONNECT", true},
		{"OPTIONS", "OPTIONS", true}, {"TRACE", "TRACE", true}, {"PATCH", "PATCH", true},
		{"get", "", false}, {"Get", "", false}, {"PROPFIND", "", false},
		{"?", "", false}, {"GET ", "", false}, {"X" + strings.Repeat("Y", 100), "", false},
	} {
		buf := []byte(tt.m)
		arg := unsafe.String(unsafe.SliceData(buf), len(buf))
		got, ok := Registered(arg)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Registered(%q) = %q, %v; want %q, %v", tt.m, got, ok, tt.want, tt.ok)
		}
		buf[0] ^= 0x20 // the buffer is recycled: got must not change with it
		if got != tt.want {
			t.Errorf("Registered(%q) = %q after its buffer changed; want the constant %q", tt.m, got, tt.want)
		}
	}
}

func TestRegisteredAllocs(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _, _ = Registered("OPTIONS") }); n != 0 {
		t.Errorf("Registered: %v allocations; want 0", n)
	}
}
