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

// appendNowOK checks that got is what Append should return at this moment: the date now, or,
// in the moment the second turns, a second before it.
func appendNowOK(t *testing.T, got []byte) {
	t.Helper()
	now := time.Now()
	want, before := now.UTC().Format(Layout), now.Add(-time.Second).UTC().Format(Layout)
	if string(got) != want && string(got) != before {
		t.Errorf("Append = %q; want %q (or %q)", got, want, before)
	}
}

// TestClockTicksWithTheSecond guards the timer: without Now, Append must
// keep up with the wall clock across second boundaries, reading no clock.
func TestClockTicksWithTheSecond(t *testing.T) {
	t.Parallel()
	var c Clock
	appendNowOK(t, c.Append(nil))
	if !c.ticking.Load() {
		t.Fatal("not ticking after Append")
	}
	for range 2 {
		// Just past the next boundary, give the timer a moment to run.
		time.Sleep(untilNextSecond(time.Now()) + 20*time.Millisecond)
		appendNowOK(t, c.Append(nil))
	}
}

// TestClockStopsWhenUnused guards against a timer that runs for ever: a
// second without Append stops it, and the next Append starts it again.
func TestClockStopsWhenUnused(t *testing.T) {
	t.Parallel()
	var c Clock
	c.Append(nil)
	deadline := time.Now().Add(5 * time.Second)
	for c.ticking.Load() {
		if time.Now().After(deadline) {
			t.Fatal("still ticking 5 s after the last Append; want stopped after about 2 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	appendNowOK(t, c.Append(nil))
	if !c.ticking.Load() {
		t.Fatal("not ticking again after Append")
	}
}

func TestClockTickingAppendDoesNotAllocate(t *testing.T) {
	var c Clock
	buf := make([]byte, 0, 64)
	c.Append(buf)
	if n := testing.AllocsPerRun(100, func() { c.Append(buf[:0]) }); n != 0 {
		t.Fatalf("Append allocates %v times; want 0", n)
	}
}

// TestClockConcurrentAppend is for the race detector: many goroutines
// appending while the timer starts, ticks and stops.
func TestClockConcurrentAppend(t *testing.T) {
	t.Parallel()
	var c Clock
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			buf := make([]byte, 0, Len)
			for end := time.Now().Add(1500 * time.Millisecond); time.Now().Before(end); {
				appendNowOK(t, c.Append(buf[:0]))
				time.Sleep(time.Millisecond)
			}
		}()
	}
	for range 4 {
		<-done
	}
}

// TestClockStartsOneTimer guards the race of two first Appends: the one
// that takes the lock second finds the clock ticking and arms nothing.
func TestClockStartsOneTimer(t *testing.T) {
	var c Clock
	c.start()
	first := c.timer
	c.start()
	if c.timer != first || !c.ticking.Load() {
		t.Fatalf("second start: timer %p, ticking %v; want the first timer %p, ticking", c.timer, c.ticking.Load(), first)
	}
}
