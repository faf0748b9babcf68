package middleware

import (
	"context"
	"errors"
	"fmt"
	"github.com/strandhttp/strand/internal/testclock"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// newRLClock is the stores' clock under test: time moves only when the
// test advances it.
func newRLClock() *testclock.Clock { return testclock.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) }

// newClockedMemoryStore returns a MemoryStore on clock c.
func newClockedMemoryStore(opts *MemoryStoreOptions, c *testclock.Clock) *MemoryStore {
	s := NewMemoryStore(opts)
	s.now = c.Now
	s.epoch = c.Now()
	return s
}

type bucketStep struct {
	at   time.Duration // instant of the request
	cost int
	want Decision
}

func allowed(limit, remaining int, reset time.Duration) Decision {
	return Decision{Allowed: true, Limit: limit, Remaining: remaining, Reset: reset}
}

func refused(limit, remaining int, retry, reset time.Duration) Decision {
	return Decision{Limit: limit, Remaining: remaining, RetryAfter: retry, Reset: reset}
}

var bucketTests = []struct {
	name  string
	rate  Rate
	steps []bucketStep
}{
	{
		name: "burst, refusal, refill",
		rate: Rate{Limit: 3, Period: 3 * time.Second},
		steps: []bucketStep{
			{0, 1, allowed(3, 2, time.Second)},
			{0, 1, allowed(3, 1, 2*time.Second)},
			{0, 1, allowed(3, 0, 3*time.Second)},
			{0, 1, refused(3, 0, time.Second, 3*time.Second)},
			{500 * time.Millisecond, 1, refused(3, 0, 500*time.Millisecond, 2500*time.Millisecond)},
			{time.Second, 1, allowed(3, 0, 3*time.Second)},
			{10 * time.Second, 0, allowed(3, 3, 0)},
		},
	},
	{
		name: "tokens beyond the capacity are not kept",
		rate: Rate{Limit: 2, Period: 2 * time.Second},
		steps: []bucketStep{
			{0, 1, allowed(2, 1, time.Second)},
			{time.Hour, 2, allowed(2, 0, 2*time.Second)},
			{time.Hour, 1, refused(2, 0, time.Second, 2*time.Second)},
		},
	},
	{
		name: "costs above one",
		rate: Rate{Limit: 10, Period: 10 * time.Second},
		steps: []bucketStep{
			{0, 4, allowed(10, 6, 4*time.Second)},
			{0, 7, refused(10, 6, time.Second, 4*time.Second)},
			{time.Second, 7, allowed(10, 0, 10*time.Second)},
			{time.Second, 10, refused(10, 0, 10*time.Second, 10*time.Second)},
		},
	},
	{
		name: "fractions of a token are not counted",
		rate: Rate{Limit: 2, Period: time.Second},
		steps: []bucketStep{
			{0, 2, allowed(2, 0, time.Second)},
			{700 * time.Millisecond, 1, allowed(2, 0, 800*time.Millisecond)},
			{900 * time.Millisecond, 1, refused(2, 0, 100*time.Millisecond, 600*time.Millisecond)},
			{1000 * time.Millisecond, 1, allowed(2, 0, time.Second)},
		},
	},
	{
		// Redis's clock can step back on a failover to a replica whose
		// clock is behind: the bucket must not count negative tokens.
		name: "clock behind the bucket",
		rate: Rate{Limit: 1, Period: time.Second},
		steps: []bucketStep{
			{10 * time.Second, 1, allowed(1, 0, time.Second)},
			{5 * time.Second, 1, refused(1, 0, 6*time.Second, 6*time.Second)},
			{11 * time.Second, 1, allowed(1, 0, time.Second)},
		},
	},
	{
		name: "one token a microsecond",
		rate: Rate{Limit: 1000, Period: time.Millisecond},
		steps: []bucketStep{
			{0, 1000, allowed(1000, 0, time.Millisecond)},
			{0, 1, refused(1000, 0, time.Microsecond, time.Millisecond)},
			{3 * time.Microsecond, 2, allowed(1000, 1, 999*time.Microsecond)},
		},
	},
}

func TestBucketTake(t *testing.T) {
	for _, tt := range bucketTests {
		t.Run(tt.name, func(t *testing.T) {
			state := int64(math.MinInt64)
			for i, s := range tt.steps {
				var got Decision
				state, got = takeBucket(state, int64(s.at), tt.rate, s.cost)
				if got != s.want {
					t.Fatalf("step %d: takeBucket(at %v, cost %d) = %+v; want %+v", i, s.at, s.cost, got, s.want)
				}
			}
		})
	}
}

// TestBucketMatchesTwoNumberBucket checks takeBucket against the textbook
// token bucket (tokens and last update), counted in token-nanoseconds so
// that it is exact, over random request sequences.
func TestBucketMatchesTwoNumberBucket(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		rate := Rate{Limit: 1 + rng.IntN(20), Period: time.Duration(1+rng.IntN(5000)) * time.Millisecond}
		interval := int64(rate.interval())
		capacity := int64(rate.Limit) * interval
		tokens, last := capacity, int64(0) // tokens*interval, so integral
		state, now := int64(math.MinInt64), int64(0)
		for step := range 100 {
			now += rng.Int64N(2 * interval)
			cost := rng.IntN(rate.Limit + 1)
			tokens = min(capacity, tokens+now-last)
			last = now
			want := tokens >= int64(cost)*interval
			if want {
				tokens -= int64(cost) * interval
			}
			var got Decision
			state, got = takeBucket(state, now, rate, cost)
			if got.Allowed != want || int64(got.Remaining) != tokens/interval {
				t.Fatalf("trial %d (%+v) step %d: takeBucket(at %v, cost %d) = %+v; want Allowed %v, Remaining %d",
					trial, rate, step, time.Duration(now), cost, got, want, tokens/interval)
			}
		}
	}
}

func TestRateLimitMemoryStoreTake(t *testing.T) {
	clock := newRLClock()
	s := newClockedMemoryStore(nil, clock)
	ctx := context.Background()
	for _, tt := range bucketTests {
		if strings.HasPrefix(tt.name, "clock behind") {
			continue // the store's clock is monotonic
		}
		t.Run(tt.name, func(t *testing.T) {
			start := clock.Now()
			for i, st := range tt.steps {
				clock.Advance(st.at - clock.Now().Sub(start))
				got, err := s.Take(ctx, tt.name, tt.rate, st.cost)
				if err != nil || got != st.want {
					t.Fatalf("step %d: Take(at %v, cost %d) = %+v, %v; want %+v, nil", i, st.at, st.cost, got, err, st.want)
				}
			}
		})
	}
}

func TestRateLimitMemoryStoreTakeErrors(t *testing.T) {
	s := NewMemoryStore(nil)
	tests := []struct {
		rate Rate
		cost int
		want string
	}{
		{Rate{Limit: 5, Period: time.Second}, -1, "cost out of range: -1 tokens from a bucket of 5"},
		{Rate{Limit: 5, Period: time.Second}, 6, "cost out of range: 6 tokens from a bucket of 5"},
		{Rate{Limit: 0, Period: time.Second}, 1, "Rate.Limit is 0; want 1 or more"},
		{Rate{Limit: 1, Period: 0}, 1, "Rate.Period is 0s; want more than 0"},
		{Rate{Limit: 1000, Period: time.Millisecond / 2}, 1, "Rate.Period/Rate.Limit is 500ns; want at least 1µs"},
	}
	for _, tt := range tests {
		got, err := s.Take(context.Background(), "k", tt.rate, tt.cost)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Take(%+v, cost %d) = %+v, %v; want an error containing %q", tt.rate, tt.cost, got, err, tt.want)
		}
		if tt.cost != 1 && !errors.Is(err, ErrCostOutOfRange) {
			t.Errorf("Take(%+v, cost %d) error %v; want ErrCostOutOfRange", tt.rate, tt.cost, err)
		}
	}
	if n := s.Len(); n != 0 {
		t.Errorf("Len() = %d after refused arguments; want 0", n)
	}
}

func TestRateLimitMemoryStoreOptionsValidate(t *testing.T) {
	tests := []struct {
		opts MemoryStoreOptions
		want string // "" for valid
	}{
		{MemoryStoreOptions{}, ""},
		{MemoryStoreOptions{MaxBuckets: 1, Shards: 4096}, ""},
		{MemoryStoreOptions{MaxBuckets: -1}, "MemoryStoreOptions.MaxBuckets is -1"},
		{MemoryStoreOptions{Shards: 3}, "MemoryStoreOptions.Shards is 3"},
		{MemoryStoreOptions{Shards: 8192}, "MemoryStoreOptions.Shards is 8192"},
		{MemoryStoreOptions{Shards: -2}, "MemoryStoreOptions.Shards is -2"},
	}
	for _, tt := range tests {
		err := tt.opts.Validate()
		if got := errString(err); tt.want == "" && err != nil || !strings.Contains(got, tt.want) {
			t.Errorf("%+v.Validate() = %v; want %q", tt.opts, err, tt.want)
		}
	}
	defer func() {
		if p := recover(); p == nil {
			t.Error("NewMemoryStore with Shards 3 did not panic")
		}
	}()
	NewMemoryStore(&MemoryStoreOptions{Shards: 3})
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestRateLimitMemoryShards(t *testing.T) {
	s := NewMemoryStore(nil)
	rate := Rate{Limit: 5, Period: time.Hour}
	const keys = 20_000
	for i := range keys {
		if _, err := s.take(fmt.Sprintf("192.0.2.%d/%d", i%256, i), rate, 1); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.Len(); got != keys {
		t.Fatalf("Len() = %d; want %d", got, keys)
	}
	if got := len(s.shards); got != DefaultMemoryShards {
		t.Fatalf("%d shards; want %d", got, DefaultMemoryShards)
	}
	mean := keys / len(s.shards)
	for i := range s.shards {
		if n := len(s.shards[i].buckets); n < mean/2 || n > mean*2 {
			t.Errorf("shard %d holds %d buckets; want about %d (the keys are not spread)", i, n, mean)
		}
	}
}

func TestRateLimitMemoryBound(t *testing.T) {
	tests := []struct {
		maxBuckets, shards int
		wantShards         int
	}{
		{1, 0, 1},
		{10, 0, 8},
		{100, 4, 4},
		{1000, 0, 64},
		{DefaultMaxBuckets, 1, 1},
	}
	rate := Rate{Limit: 3, Period: time.Hour}
	for _, tt := range tests {
		s := NewMemoryStore(&MemoryStoreOptions{MaxBuckets: tt.maxBuckets, Shards: tt.shards})
		if got := len(s.shards); got != tt.wantShards {
			t.Errorf("MaxBuckets %d, Shards %d: %d shards; want %d", tt.maxBuckets, tt.shards, got, tt.wantShards)
		}
		for i := range 5 * tt.maxBuckets {
			key := fmt.Sprint("client-", i)
			if _, err := s.take(key, rate, 1); err != nil {
				t.Fatal(err)
			}
			if got := s.Len(); got > tt.maxBuckets {
				t.Fatalf("MaxBuckets %d, Shards %d: Len() = %d after %d keys; want at most %d",
					tt.maxBuckets, tt.shards, got, i+1, tt.maxBuckets)
			}
			// The newest bucket is never the one evicted.
			if d, _ := s.take(key, rate, 1); d.Remaining != 1 {
				t.Fatalf("second Take of %s: Remaining %d; want 1 (the new bucket was evicted)", key, d.Remaining)
			}
		}
	}
}

// TestRateLimitMemoryEvictsLeastRecentlyUsed guards the choice of victim
// when a shard is full: the bucket used longest ago, not the newest.
func TestRateLimitMemoryEvictsLeastRecentlyUsed(t *testing.T) {
	s := newClockedMemoryStore(&MemoryStoreOptions{MaxBuckets: 2, Shards: 1}, newRLClock())
	rate := Rate{Limit: 5, Period: time.Hour}
	steps := []struct {
		key           string
		wantRemaining int
	}{
		{"a", 4},
		{"b", 4},
		{"c", 4}, // evicts a
		{"c", 3},
		{"a", 4}, // a starts over, evicting b, not c
		{"c", 2},
		{"a", 3},
	}
	for i, st := range steps {
		d, err := s.take(st.key, rate, 1)
		if err != nil || d.Remaining != st.wantRemaining {
			t.Fatalf("step %d: take(%q) = %+v, %v; want Remaining %d", i, st.key, d, err, st.wantRemaining)
		}
	}
}

func TestRateLimitMemoryIdleBucketsDropped(t *testing.T) {
	clock := newRLClock()
	s := newClockedMemoryStore(&MemoryStoreOptions{Shards: 1}, clock)
	rate := Rate{Limit: 2, Period: time.Second}
	for i := range 10 {
		if _, err := s.take(fmt.Sprint("idle-", i), rate, 1); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.Len(); got != 10 {
		t.Fatalf("Len() = %d; want 10", got)
	}
	clock.Advance(499 * time.Millisecond) // not full yet: one token takes 500ms
	s.take("active", rate, 1)
	if got := s.Len(); got != 11 {
		t.Fatalf("before the buckets are full: Len() = %d; want 11", got)
	}
	clock.Advance(time.Millisecond)
	wants := []int{9, 7, 5, 3, 1, 1}
	for i, want := range wants {
		s.take("active", rate, 0)
		if got := s.Len(); got != want {
			t.Fatalf("take %d after the buckets filled: Len() = %d; want %d", i, got, want)
		}
	}
	// A bucket that is full after a take is not kept either.
	clock.Advance(time.Second)
	if _, err := s.take("active", rate, 0); err != nil {
		t.Fatal(err)
	}
	if got := s.Len(); got != 0 {
		t.Fatalf("after a cost-0 take on a full bucket: Len() = %d; want 0", got)
	}
	if d, _ := s.take("new", rate, 0); !d.Allowed || d.Remaining != 2 || s.Len() != 0 {
		t.Fatalf("cost-0 take of a new key: %+v, Len() %d; want allowed, Remaining 2, nothing stored", d, s.Len())
	}
	// A full bucket out of the sweep's reach (behind one that is not full)
	// is dropped when it is used.
	s.take("slow", rate, 2) // full again in 1s
	s.take("fast", rate, 1) // full again in 500ms, most recently used
	clock.Advance(600 * time.Millisecond)
	if d, _ := s.take("fast", rate, 0); d.Remaining != 2 || s.Len() != 1 {
		t.Fatalf("cost-0 take of a bucket that has filled: %+v, Len() %d; want Remaining 2, Len() 1", d, s.Len())
	}
}

func TestRateLimitMemoryConcurrent(t *testing.T) {
	clock := newRLClock() // stopped: no token comes back during the test
	s := newClockedMemoryStore(&MemoryStoreOptions{MaxBuckets: 64, Shards: 4}, clock)
	rate := Rate{Limit: 100, Period: time.Hour}
	var admitted atomic.Int64
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 500 {
				if d, _ := s.Take(context.Background(), "shared", rate, 1); d.Allowed {
					admitted.Add(1)
				}
				// Churn on other keys, evicting and sweeping; "shared" may be
				// evicted too and start over, so at least 100 are admitted.
				s.Take(context.Background(), fmt.Sprint("g", g, "-", i%40), rate, 1)
				if i%100 == 0 {
					s.Len()
				}
			}
		})
	}
	wg.Wait()
	if got := admitted.Load(); got < 100 {
		t.Errorf("%d requests admitted from a bucket of 100 under concurrency; want at least 100", got)
	}
	if got := s.Len(); got > 64 {
		t.Errorf("Len() = %d; want at most 64", got)
	}
}

// TestRateLimitMemoryConcurrentExact checks that concurrent takes from one
// bucket admit exactly its capacity.
func TestRateLimitMemoryConcurrentExact(t *testing.T) {
	s := newClockedMemoryStore(nil, newRLClock())
	rate := Rate{Limit: 100, Period: time.Hour}
	var admitted atomic.Int64
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 50 {
				if d, _ := s.Take(context.Background(), "shared", rate, 1); d.Allowed {
					admitted.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if got := admitted.Load(); got != 100 {
		t.Errorf("%d of 800 concurrent requests admitted from a bucket of 100; want exactly 100", got)
	}
}

func TestRateLimitMemoryTakeAllocs(t *testing.T) {
	s := NewMemoryStore(nil)
	rate := Rate{Limit: 1 << 20, Period: time.Hour}
	s.take("192.0.2.1", rate, 1)
	allocs := testing.AllocsPerRun(1000, func() { s.take("192.0.2.1", rate, 1) })
	if allocs != 0 {
		t.Errorf("take on an existing bucket: %v allocations; want 0", allocs)
	}
}

func BenchmarkRateLimitMemoryTake(b *testing.B) {
	s := NewMemoryStore(nil)
	rate := Rate{Limit: 1 << 20, Period: (1 << 20) * time.Hour}
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = fmt.Sprint("198.51.100.", i)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			s.take(keys[i%len(keys)], rate, 1)
			i++
		}
	})
}
