package engine

import (
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestPoolMaxWorkers dispatches more blocking jobs than the pool's limit:
// no more than max run at once, the others wait and then run in the order
// they came, and every one runs.
func TestPoolMaxWorkers(t *testing.T) {
	const max, jobs = 3, 20
	var running, peak atomic.Int32
	var mu sync.Mutex
	var order []int
	release := make(chan struct{})
	var done sync.WaitGroup
	done.Add(jobs)
	p := newPool(func(job any) {
		defer done.Done()
		n := running.Add(1)
		for {
			old := peak.Load()
			if n <= old || peak.CompareAndSwap(old, n) {
				break
			}
		}
		mu.Lock()
		order = append(order, job.(int))
		mu.Unlock()
		<-release
		running.Add(-1)
	}, 0, max)
	defer p.close()
	for i := range jobs {
		p.dispatch(i)
	}
	deadline := time.Now().Add(5 * time.Second)
	for running.Load() < max && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // room for a wrongly started fourth
	if got := running.Load(); got != max {
		t.Fatalf("%d jobs running with a limit of %d", got, max)
	}
	close(release)
	done.Wait()
	if got := peak.Load(); got != max {
		t.Fatalf("at most %d jobs ran at once; want %d", got, max)
	}
	slices.Sort(order)
	for i, j := range order {
		if i != j {
			t.Fatalf("jobs run: %v; want each of 0-%d once", order, jobs-1)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.workers > max || len(p.queue) != 0 {
		t.Fatalf("after the jobs: %d workers, %d queued; want at most %d and none", p.workers, len(p.queue), max)
	}
}

// TestPoolQueueOrder: with one worker, queued jobs run first come first
// served.
func TestPoolQueueOrder(t *testing.T) {
	var order []int
	var done sync.WaitGroup
	done.Add(10)
	gate := make(chan struct{})
	p := newPool(func(job any) {
		defer done.Done()
		if job.(int) == 0 {
			<-gate
		}
		order = append(order, job.(int)) // one worker: no race
	}, 0, 1)
	defer p.close()
	for i := range 10 {
		p.dispatch(i)
	}
	close(gate)
	done.Wait()
	if !slices.Equal(order, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
		t.Fatalf("jobs ran in the order %v; want 0-9", order)
	}
}
