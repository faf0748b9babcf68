package middleware

// This file implements RedisStore, the Store that lets several servers
// share one limit.
//
// Each decision is one Lua script run atomically by Redis (EVALSHA, falling
// back to EVAL when Redis does not have the script cached, after a restart
// or SCRIPT FLUSH): it reads the bucket, applies takeBucket's arithmetic
// and writes the bucket back, so two servers deciding for the same key at
// the same moment cannot both take the last token. One round trip per
// request; no lock, no WATCH/MULTI retry loop.
//
// # Whose clock
//
// The script reads the time from Redis (TIME), not from the caller. With
// the caller's clock, servers whose clocks disagree by a second would
// disagree about a bucket by a second's worth of tokens, and a server with
// a clock behind the others would see buckets as emptier than they are.
// With Redis's clock every decision about a bucket is made on one clock,
// whatever the servers' clocks say. (Since Redis 5 a script that reads
// TIME and then writes is replicated as its effects, the SET; older
// versions are asked for that with redis.replicate_commands.)
//
// The bucket is a plain string holding emptyAt in microseconds of Redis
// time (a Lua number holds such integers exactly until the year 2255),
// with a PX expiry at the instant it is full again: an idle bucket
// disappears by itself, and a missing bucket is a full one.
//
// # When Redis is down or slow
//
// Every decision is bounded by RedisStoreOptions.Timeout. A decision that
// fails or times out returns an error, and the RateLimit middleware then
// admits the request (FailOpen, the default) or answers 503 (FailClosed),
// logging the outage once (see RateLimitOptions.OnStoreError). After a
// failure the store backs off: for RedisStoreOptions.Backoff it does not
// call Redis at all and fails at once with ErrStoreUnavailable, so that an
// outage costs each request nothing rather than a Timeout each; the first
// decision after the backoff tries Redis again. A decision that timed out
// may still have been made: Redis runs a script it has received even if
// the caller stopped waiting, so a slow Redis can count a request that the
// middleware then admitted (FailOpen) or refused (FailClosed) on its own.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Defaults for RedisStoreOptions, applied where a field is zero.
const (
	DefaultRedisPrefix  = "strand:ratelimit:"
	DefaultRedisTimeout = 100 * time.Millisecond
	DefaultRedisBackoff = time.Second
)

// ErrStoreUnavailable is returned, wrapping the failure that started it,
// by a RedisStore backing off after a failed decision.
var ErrStoreUnavailable = errors.New("middleware: rate limit store unavailable")

// takeScript is takeBucket in Lua, on Redis's clock, in microseconds.
// KEYS[1] is the bucket; ARGV holds the interval (µs per token), the
// capacity and the cost. It returns {allowed (0 or 1), remaining,
// retry after (µs), reset (µs)}.
const takeScript = `
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2]) * interval
local cost = tonumber(ARGV[3])
local emptyAt = tonumber(redis.call('GET', KEYS[1])) or (now - capacity)
if emptyAt < now - capacity then emptyAt = now - capacity end
local after = emptyAt + cost * interval
if after > now then
	local remaining = math.floor((now - emptyAt) / interval)
	if remaining < 0 then remaining = 0 end
	return {0, remaining, after - now, emptyAt + capacity - now}
end
local reset = after + capacity - now
if reset > 0 then
	redis.call('SET', KEYS[1], string.format('%.0f', after), 'PX', math.ceil(reset / 1000))
else
	redis.call('DEL', KEYS[1])
	reset = 0
end
return {1, math.floor((now - after) / interval), 0, reset}
`

// RedisStoreOptions configures a RedisStore.
type RedisStoreOptions struct {
	// Prefix is prepended to every key, so that several stores (or other
	// programs) can share a Redis database. "" means DefaultRedisPrefix.
	Prefix string

	// Timeout bounds each decision, retries included; a decision that
	// takes longer fails, and the middleware's OnStoreError applies. Zero
	// means DefaultRedisTimeout. It bounds a Redis that answers slowly
	// only if the client was made with ContextTimeoutEnabled; otherwise
	// the client's ReadTimeout (5 s by default) does.
	Timeout time.Duration

	// Backoff is how long the store fails at once, without calling
	// Redis, after a decision failed. Zero means DefaultRedisBackoff;
	// negative means never back off.
	Backoff time.Duration
}

// Validate reports whether o is usable, naming the field at fault.
func (o *RedisStoreOptions) Validate() error {
	if o.Timeout < 0 {
		return fmt.Errorf("middleware: RedisStoreOptions.Timeout is %v; want 0 (default %v) or more", o.Timeout, DefaultRedisTimeout)
	}
	return nil
}

// A RedisStore is a Store that keeps token buckets in Redis, so that
// every server using the same Redis (and Prefix) shares each client's
// limit. It is safe for concurrent use. Closing the client is the
// caller's business.
type RedisStore struct {
	client  redis.Scripter // *redis.Client, *redis.ClusterClient, *redis.Ring...
	script  *redis.Script  // takeScript with its SHA-1; safe for concurrent use
	prefix  string
	timeout time.Duration
	backoff time.Duration // <= 0: none
	epoch   time.Time     // instants below are monotonic nanoseconds since epoch

	downUntil atomic.Int64                 // fail at once until this instant; 0 when healthy
	downErr   atomic.Pointer[redisFailure] // the failure that started the backoff
}

// redisFailure boxes an error for atomic.Pointer.
type redisFailure struct{ err error }

var _ Store = (*RedisStore)(nil)

// NewRedisStore returns a store that keeps its buckets through client.
// Create the client with ContextTimeoutEnabled: true, so that
// RedisStoreOptions.Timeout bounds a slow server too. opts may be nil;
// NewRedisStore panics if it is invalid (see Validate).
//
// go-redis logs failed dials itself, through its own package-wide logger
// (redis.SetLogger), besides the lines RateLimit logs.
func NewRedisStore(client redis.Scripter, opts *RedisStoreOptions) *RedisStore {
	if client == nil {
		panic("middleware: NewRedisStore with a nil client")
	}
	var o RedisStoreOptions
	if opts != nil {
		o = *opts
	}
	if err := o.Validate(); err != nil {
		panic(err)
	}
	if o.Prefix == "" {
		o.Prefix = DefaultRedisPrefix
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultRedisTimeout
	}
	if o.Backoff == 0 {
		o.Backoff = DefaultRedisBackoff
	}
	return &RedisStore{
		client:  client,
		script:  redis.NewScript(takeScript),
		prefix:  o.Prefix,
		timeout: o.Timeout,
		backoff: o.Backoff,
		epoch:   time.Now(),
	}
}

// Take implements Store with one atomic script run on Redis's clock.
func (s *RedisStore) Take(ctx context.Context, key string, rate Rate, cost int) (Decision, error) {
	if err := checkTake(rate, cost); err != nil {
		return Decision{}, err
	}
	if until := s.downUntil.Load(); until != 0 {
		if int64(time.Since(s.epoch)) < until {
			return Decision{}, fmt.Errorf("%w: backing off after: %w", ErrStoreUnavailable, s.downErr.Load().err)
		}
	}
	callCtx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	interval := rate.interval().Microseconds()
	res, err := s.script.Run(callCtx, s.client, []string{s.prefix + key}, interval, rate.Limit, cost).Int64Slice()
	if err != nil {
		err = fmt.Errorf("redis rate limit script: %w", err)
		// A caller that gave up says nothing about Redis.
		if s.backoff > 0 && ctx.Err() == nil {
			s.downErr.Store(&redisFailure{err})
			s.downUntil.Store(int64(time.Since(s.epoch) + s.backoff))
		}
		return Decision{}, err
	}
	if s.downUntil.Load() != 0 {
		s.downUntil.Store(0)
	}
	if len(res) != 4 {
		return Decision{}, errors.New("redis rate limit script: got " + strconv.Itoa(len(res)) + " values; want 4")
	}
	return Decision{
		Allowed:    res[0] == 1,
		Limit:      rate.Limit,
		Remaining:  int(res[1]),
		RetryAfter: time.Duration(res[2]) * time.Microsecond,
		Reset:      time.Duration(res[3]) * time.Microsecond,
	}, nil
}
