package date

import (
	"testing"
	"time"
)

func TestClockFormatsIMFFixdate(t *testing.T) {
	now := time.Date(1994, 11, 6, 8, 49, 37, 0, time.UTC) // RFC 9110 §5.6.7's example
	c := &Clock{Now: func() time.Time { return now }}
	if got, want := string(c.Append(nil)), "Sun, 06 Nov 1994 08:49:37 GMT"; got != want {
		t.Fatalf("Append = %q; want %q", got, want)
	}
	now = now.Add(time.Second)
	if got, want := string(c.Append([]byte("x"))), "xSun, 06 Nov 1994 08:49:38 GMT"; got != want {
		t.Fatalf("after a second, Append = %q; want %q", got, want)
	}
}

func TestClockConvertsToGMT(t *testing.T) {
	loc := time.FixedZone("X", 3600)
	c := &Clock{Now: func() time.Time { return time.Date(2020, 1, 1, 1, 0, 0, 0, loc) }}
	if got, want := string(c.Append(nil)), "Wed, 01 Jan 2020 00:00:00 GMT"; got != want {
		t.Fatalf("Append = %q; want %q", got, want)
	}
}

func TestClockAppendDoesNotAllocateWithinASecond(t *testing.T) {
	now := time.Unix(1700000000, 0)
	c := &Clock{Now: func() time.Time { return now }}
	buf := make([]byte, 0, 64)
	c.Append(buf)
	if n := testing.AllocsPerRun(100, func() { c.Append(buf[:0]) }); n != 0 {
		t.Fatalf("Append allocates %v times; want 0", n)
	}
}
