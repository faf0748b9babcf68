package middleware

// This file implements the token bucket (takeBucket) and MemoryStore, the
// Store that keeps buckets in the process.
//
// # The bucket as one number
//
// A token bucket is usually kept as two numbers, the tokens it held at its
// last update and the time of that update. takeBucket keeps one: emptyAt,
// the instant at which the bucket was (or will be) empty. At any instant
// now, a bucket of capacity C that gains a token every interval T holds
//
//	tokens(now) = min(C, (now - emptyAt) / T)
//
// Taking n tokens moves emptyAt n*T later, after first clamping it to
// now - C*T (the instant a bucket full now was empty: tokens beyond C are
// not kept). The request is admitted when the moved instant is not in the
// future, that is when the bucket held n tokens. This is the token bucket,
// not an approximation of it (the same arithmetic is known as GCRA). One
// integer is what makes it cheap to keep: a map value here, a plain Redis
// string there (the Lua script in ratelimit_redis.go is this function,
// line for line). And a bucket whose emptyAt is C*T or more in the past is
// full, exactly like a bucket that does not exist: idle buckets can be
// dropped without changing any decision.
//
// # Shards, bound and eviction
//
// MemoryStore spreads buckets over shards by a seeded hash of their key,
// so that requests from different clients rarely wait on the same mutex.
// Each shard holds a map from key to bucket and a list of its buckets from
// most to least recently used, and at most its share of MaxBuckets.
//
// Idle buckets are dropped lazily, with no goroutine to stop: every Take
// first drops up to two full buckets from the cold end of its shard's list.
// As a Take adds at most one bucket, a shard shrinks back to its active
// clients as they go quiet. When a shard is at its bound and a new key
// arrives, the least recently used bucket is dropped even if it is not
// full: that client starts over with a full bucket. This is the price of a
// memory bound that an attacker with many addresses cannot push past; size
// MaxBuckets above the number of clients active within one Period and it
// is never paid.

import (
	"context"
	"fmt"
	"hash/maphash"
	"math"
	"strings"
	"sync"
	"time"
)

// Defaults for MemoryStoreOptions, applied where a field is zero.
const (
	DefaultMaxBuckets   = 1 << 16
	DefaultMemoryShards = 64
)

// sweepPerTake is how many idle buckets a Take may drop from its shard.
const sweepPerTake = 2

// takeBucket decides whether cost tokens can be taken at instant now from
// a bucket shaped by rate whose state is emptyAt (see the file comment;
// math.MinInt64 for a bucket that does not exist yet, which is full). It
// returns the new state, unchanged when the request is refused, and the
// decision. Instants are nanoseconds on any one clock. The caller has
// checked rate (Rate.Validate) and that 0 <= cost <= rate.Limit.
func takeBucket(emptyAt, now int64, rate Rate, cost int) (int64, Decision) {
	interval := int64(rate.interval())
	capacity := int64(rate.Limit) * interval // the time a bucket takes to fill
	if full := now - capacity; emptyAt < full {
		emptyAt = full
	}
	d := Decision{Limit: rate.Limit}
	after := emptyAt + int64(cost)*interval
	if after > now {
		d.Remaining = int(max(0, (now-emptyAt)/interval))
		d.RetryAfter = time.Duration(after - now)
		d.Reset = time.Duration(emptyAt + capacity - now)
		return emptyAt, d
	}
	d.Allowed = true
	d.Remaining = int((now - after) / interval)
	d.Reset = time.Duration(max(0, after+capacity-now))
	return after, d
}

// checkTake returns the error a Store returns for a request it cannot
// decide because of its arguments.
func checkTake(rate Rate, cost int) error {
	if err := rate.Validate(); err != nil {
		return err
	}
	if cost < 0 || cost > rate.Limit {
		return fmt.Errorf("%w: %d tokens from a bucket of %d", ErrCostOutOfRange, cost, rate.Limit)
	}
	return nil
}

// MemoryStoreOptions configures a MemoryStore.
type MemoryStoreOptions struct {
	// MaxBuckets bounds the buckets the store holds, so its memory (about
	// 100 bytes and the key per bucket). Zero means DefaultMaxBuckets.
	MaxBuckets int

	// Shards is the number of independently locked parts, a power of two
	// up to 4096. Zero means DefaultMemoryShards. It is lowered to fit
	// MaxBuckets when that is smaller.
	Shards int
}

// Validate reports whether o is usable, naming the field at fault.
func (o *MemoryStoreOptions) Validate() error {
	if o.MaxBuckets < 0 {
		return fmt.Errorf("middleware: MemoryStoreOptions.MaxBuckets is %d; want 0 (default %d) or more", o.MaxBuckets, DefaultMaxBuckets)
	}
	if o.Shards < 0 || o.Shards > 4096 || o.Shards&(o.Shards-1) != 0 {
		return fmt.Errorf("middleware: MemoryStoreOptions.Shards is %d; want 0 (default %d) or a power of two up to 4096", o.Shards, DefaultMemoryShards)
	}
	return nil
}

// A MemoryStore is a Store that keeps token buckets in the process, for a
// single server (use a RedisStore to share limits between servers). It is
// safe for concurrent use, holds at most MaxBuckets buckets, drops idle
// ones as it goes, and needs no closing. Its clock is monotonic: a change
// of the wall clock changes no decision.
type MemoryStore struct {
	shards   []memShard // len a power of two; immutable
	mask     uint64     // len(shards)-1
	perShard int        // buckets a shard may hold; at least 1
	seed     maphash.Seed
	now      func() time.Time // the clock; time.Now outside tests
	epoch    time.Time        // instants are nanoseconds since epoch
}

var _ Store = (*MemoryStore)(nil)

// memShard is one part of a MemoryStore. Padded so that the mutexes of
// neighbouring shards do not share a cache line.
type memShard struct {
	mu      sync.Mutex
	buckets map[string]*memBucket // mu guards
	lru     memBucket             // list sentinel: lru.next most recent, lru.prev least; mu guards
	_       [64]byte
}

// memBucket is a bucket and its place in its shard's list; the shard's mu
// guards every field.
type memBucket struct {
	key        string // owned copy
	emptyAt    int64  // takeBucket's state
	fullAt     int64  // the instant it is full again, when it can be dropped
	prev, next *memBucket
}

// NewMemoryStore returns an empty store. opts may be nil; NewMemoryStore
// panics if it is invalid (see Validate).
func NewMemoryStore(opts *MemoryStoreOptions) *MemoryStore {
	var o MemoryStoreOptions
	if opts != nil {
		o = *opts
	}
	if err := o.Validate(); err != nil {
		panic(err)
	}
	if o.MaxBuckets == 0 {
		o.MaxBuckets = DefaultMaxBuckets
	}
	if o.Shards == 0 {
		o.Shards = DefaultMemoryShards
	}
	for o.Shards > 1 && o.Shards > o.MaxBuckets {
		o.Shards /= 2
	}
	s := &MemoryStore{
		shards:   make([]memShard, o.Shards),
		mask:     uint64(o.Shards - 1),
		perShard: max(1, o.MaxBuckets/o.Shards),
		seed:     maphash.MakeSeed(),
		now:      time.Now,
	}
	s.epoch = s.now()
	for i := range s.shards {
		sh := &s.shards[i]
		sh.buckets = make(map[string]*memBucket)
		sh.lru.next, sh.lru.prev = &sh.lru, &sh.lru
	}
	return s
}

// Take implements Store. It never blocks on anything but its shard's
// mutex, so it ignores ctx.
func (s *MemoryStore) Take(_ context.Context, key string, rate Rate, cost int) (Decision, error) {
	if err := checkTake(rate, cost); err != nil {
		return Decision{}, err
	}
	return s.take(key, rate, cost)
}

// take is Take without its argument checks, for a caller that made them.
func (s *MemoryStore) take(key string, rate Rate, cost int) (Decision, error) {
	now := int64(s.now().Sub(s.epoch))
	sh := &s.shards[maphash.String(s.seed, key)&s.mask]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sh.sweep(now, sweepPerTake)
	b := sh.buckets[key]
	emptyAt := int64(math.MinInt64)
	if b != nil {
		emptyAt = b.emptyAt
	}
	emptyAt, d := takeBucket(emptyAt, now, rate, cost)
	switch {
	case d.Reset <= 0: // full: the same as absent
		if b != nil {
			sh.remove(b)
		}
	case b != nil:
		b.emptyAt, b.fullAt = emptyAt, now+int64(d.Reset)
		sh.moveToFront(b)
	default:
		if len(sh.buckets) >= s.perShard {
			sh.remove(sh.lru.prev)
		}
		b = &memBucket{key: strings.Clone(key), emptyAt: emptyAt, fullAt: now + int64(d.Reset)}
		sh.buckets[b.key] = b
		sh.pushFront(b)
	}
	return d, nil
}

// Len returns the number of buckets held.
func (s *MemoryStore) Len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		n += len(sh.buckets)
		sh.mu.Unlock()
	}
	return n
}

// sweep drops up to n buckets that are full at now from the cold end of
// the list, stopping at the first that is not.
func (sh *memShard) sweep(now int64, n int) {
	for ; n > 0; n-- {
		b := sh.lru.prev
		if b == &sh.lru || b.fullAt > now {
			return
		}
		sh.remove(b)
	}
}

func (sh *memShard) remove(b *memBucket) {
	delete(sh.buckets, b.key)
	b.prev.next, b.next.prev = b.next, b.prev
	b.prev, b.next = nil, nil
}

func (sh *memShard) pushFront(b *memBucket) {
	b.prev, b.next = &sh.lru, sh.lru.next
	sh.lru.next.prev = b
	sh.lru.next = b
}

func (sh *memShard) moveToFront(b *memBucket) {
	if sh.lru.next == b {
		return
	}
	b.prev.next, b.next.prev = b.next, b.prev
	sh.pushFront(b)
}
