package middleware

// This file implements the RateLimit middleware: what a request is keyed
// by, how a Store's decision becomes response fields, and what happens when
// the Store cannot decide. The token bucket itself is in
// ratelimit_memory.go (takeBucket, and the in-process store) and, as a Lua
// script, in ratelimit_redis.go (the store shared by several servers).
//
// A request passes through three steps:
//
//  1. Key: a KeyFunc names the bucket the request draws from (the client
//     IP by default). Keys longer than maxKeyLen are replaced by their
//     SHA-256, so that a client choosing its key (HeaderKey) cannot make a
//     store hold large strings.
//  2. Decision: the Store takes one token from that bucket, or says how
//     long until one is there.
//  3. Response: an admitted request reaches the next handler with the
//     RateLimit-* fields already set; a refused one gets 429 with
//     Retry-After. When the Store fails (Redis down or slow), FailOpen
//     admits the request and FailClosed answers 503; either way one log
//     line reports the outage, repeated at most once a minute while it
//     lasts, and one more reports the recovery.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/strandhttp/strand"
)

// Defaults for RateLimitOptions and ClientIPOptions, applied where a field
// is zero.
const (
	DefaultRateLimit  = 60          // tokens in a full bucket: the burst
	DefaultRatePeriod = time.Minute // time for an empty bucket to refill
	DefaultIPv6Prefix = 64          // bits that identify one IPv6 client
)

const (
	// maxKeyLen bounds the keys the middleware hands to a Store; longer
	// ones are hashed.
	maxKeyLen = 128

	// minInterval is the shortest time a Rate may take to add one token:
	// the Redis script counts in microseconds.
	minInterval = time.Microsecond

	// storeLogInterval is how often a store that keeps failing is logged.
	storeLogInterval = time.Minute
)

// ErrCostOutOfRange is returned by a Store asked to take a negative number
// of tokens, or more than a full bucket holds (such a request could never
// be admitted).
var ErrCostOutOfRange = errors.New("middleware: rate limit cost out of range")

// A Rate is the shape of a token bucket: it holds at most Limit tokens, and
// refills continuously at Limit tokens per Period, so an idle client may
// send a burst of Limit requests and then one every Period/Limit.
type Rate struct {
	Limit  int
	Period time.Duration
}

// Validate reports whether r describes a bucket the stores can keep: Limit
// at least 1, Period positive, and Period/Limit at least a microsecond.
func (r Rate) Validate() error {
	switch {
	case r.Limit < 1:
		return fmt.Errorf("middleware: Rate.Limit is %d; want 1 or more", r.Limit)
	case r.Period <= 0:
		return fmt.Errorf("middleware: Rate.Period is %v; want more than 0", r.Period)
	case r.interval() < minInterval:
		return fmt.Errorf("middleware: Rate.Period/Rate.Limit is %v; want at least %v", r.interval(), minInterval)
	}
	return nil
}

// interval is the time the bucket takes to gain one token.
func (r Rate) interval() time.Duration { return r.Period / time.Duration(r.Limit) }

// A Decision is a Store's answer for one request.
type Decision struct {
	// Allowed reports whether the tokens were taken.
	Allowed bool

	// Limit is the capacity of the bucket, Rate.Limit.
	Limit int

	// Remaining is the number of whole tokens left once the decision is
	// made (after taking them, when Allowed).
	Remaining int

	// RetryAfter is, when the request was refused, how long until the
	// bucket holds the tokens asked for; zero when Allowed.
	RetryAfter time.Duration

	// Reset is how long until the bucket is full again, zero when it is.
	Reset time.Duration
}

// A Store keeps token buckets by key. Its methods are called concurrently.
//
// Take takes cost tokens from the bucket named key, shaped by rate, if it
// holds that many; a bucket seen for the first time is full. A request
// refused takes nothing. It returns ErrCostOutOfRange when cost is negative
// or above rate.Limit, and the error of a store it cannot reach. ctx bounds
// the call; it is the request's context.
type Store interface {
	Take(ctx context.Context, key string, rate Rate, cost int) (Decision, error)
}

// A KeyFunc names the bucket a request draws from. Requests with the same
// key share one bucket. The key may alias the request's memory (a header
// value): stores copy the keys they keep.
type KeyFunc func(r *strand.Request) string

// FailMode says what RateLimit does with a request when its Store fails.
type FailMode int

const (
	// FailOpen admits the request, without RateLimit fields: a store
	// outage costs protection, not availability. It is the default.
	FailOpen FailMode = iota

	// FailClosed answers 503 Service Unavailable with Retry-After: 1
	// (RFC 9110 §15.6.4). Not 429: the client did not exceed its quota,
	// and a 429 would carry RateLimit fields the server cannot know.
	FailClosed
)

// String returns "fail-open" or "fail-closed".
func (m FailMode) String() string {
	switch m {
	case FailOpen:
		return "fail-open"
	case FailClosed:
		return "fail-closed"
	}
	return "FailMode(" + strconv.Itoa(int(m)) + ")"
}

// RateLimitOptions configures RateLimit. The zero value limits each client
// IP to bursts of 60 requests and one a second after that, in memory.
type RateLimitOptions struct {
	// Limit is the capacity of each bucket: the requests a client may
	// send in a burst. Zero means DefaultRateLimit.
	Limit int

	// Period is the time an empty bucket takes to refill: the bucket gains
	// Limit tokens per Period, continuously. Zero means DefaultRatePeriod.
	Period time.Duration

	// Key names the bucket of a request. nil means ClientIPKey(nil): the
	// peer's address, X-Forwarded-For ignored.
	Key KeyFunc

	// Name is prepended to every key ("name#key"), so that several
	// limiters (a strict one on /login, a loose one on /api) can share a
	// Store without sharing buckets. Give each limiter sharing a Store a
	// distinct Name; it may not contain '#'.
	Name string

	// Store keeps the buckets. nil means a NewMemoryStore(nil) of this
	// middleware's own; use a RedisStore to share limits across servers.
	Store Store

	// OnStoreError says what to do with a request when Store fails.
	OnStoreError FailMode

	// ErrorLog receives the lines that report a failing store and its
	// recovery. nil means slog.Default().
	ErrorLog *slog.Logger
}

// Validate reports whether o is usable, naming the field at fault. Zero
// fields are valid: they take their defaults.
func (o *RateLimitOptions) Validate() error {
	if o.Limit < 0 {
		return fmt.Errorf("middleware: RateLimitOptions.Limit is %d; want 0 (default %d) or more", o.Limit, DefaultRateLimit)
	}
	if o.Period < 0 {
		return fmt.Errorf("middleware: RateLimitOptions.Period is %v; want 0 (default %v) or more", o.Period, DefaultRatePeriod)
	}
	if strings.Contains(o.Name, "#") {
		return fmt.Errorf("middleware: RateLimitOptions.Name %q contains '#'", o.Name)
	}
	if o.OnStoreError != FailOpen && o.OnStoreError != FailClosed {
		return fmt.Errorf("middleware: RateLimitOptions.OnStoreError is %v; want FailOpen or FailClosed", o.OnStoreError)
	}
	return o.rate().Validate()
}

// rate returns the bucket shape with defaults applied.
func (o *RateLimitOptions) rate() Rate {
	r := Rate{Limit: o.Limit, Period: o.Period}
	if r.Limit == 0 {
		r.Limit = DefaultRateLimit
	}
	if r.Period == 0 {
		r.Period = DefaultRatePeriod
	}
	return r
}

// RateLimit returns middleware that admits each request only if its bucket
// (see RateLimitOptions.Key) holds a token, and answers the others 429 Too
// Many Requests (RFC 6585 §4). opts may be nil. It panics if opts is
// invalid (see Validate): a mistake in the program, found at setup.
//
// Every decided response carries the RateLimit fields of
// draft-ietf-httpapi-ratelimit-headers (the -07 form, one field each):
//
//	RateLimit-Limit      the capacity of the bucket
//	RateLimit-Remaining  whole tokens left
//	RateLimit-Reset      seconds until the bucket is full again, rounded up
//
// A refused request also gets Retry-After (RFC 9110 §10.2.3): the seconds
// until a token is back, rounded up, so a client that waits that long is
// admitted. Retry-After counts until the next token; RateLimit-Reset until
// the whole quota is back.
func RateLimit(opts *RateLimitOptions) func(strand.Handler) strand.Handler {
	var o RateLimitOptions
	if opts != nil {
		o = *opts
	}
	if err := o.Validate(); err != nil {
		panic(err)
	}
	l := &rateLimiter{
		rate:     o.rate(),
		key:      o.Key,
		name:     o.Name,
		store:    o.Store,
		failMode: o.OnStoreError,
		log:      o.ErrorLog,
	}
	if l.key == nil {
		l.key = ClientIPKey(nil)
	}
	if l.store == nil {
		l.store = NewMemoryStore(nil)
	}
	// The in-memory store never blocks, so it is called without the
	// request's context: building that context starts a watch for the
	// client going away, a cost every request would pay for nothing.
	l.mem, _ = l.store.(*MemoryStore)
	return func(next strand.Handler) strand.Handler {
		return strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
			l.serve(w, r, next)
		})
	}
}

// rateLimiter is one RateLimit middleware. Immutable after RateLimit but
// for health, which is safe for concurrent use.
type rateLimiter struct {
	rate     Rate
	key      KeyFunc
	name     string
	store    Store
	mem      *MemoryStore // store, when it is one; nil otherwise
	failMode FailMode
	log      *slog.Logger // nil means slog.Default()
	health   storeHealth
}

func (l *rateLimiter) serve(w strand.ResponseWriter, r *strand.Request, next strand.Handler) {
	key := l.key(r)
	if l.name != "" {
		key = l.name + "#" + key
	}
	if len(key) > maxKeyLen {
		sum := sha256.Sum256([]byte(key))
		key = "sha256:" + hex.EncodeToString(sum[:])
	}
	var (
		d   Decision
		err error
		ctx context.Context
	)
	if l.mem != nil {
		d, err = l.mem.take(key, l.rate, 1)
	} else {
		ctx = r.Context()
		d, err = l.store.Take(ctx, key, l.rate, 1)
	}
	if err != nil {
		// A client that went away cancels its own decision; that says
		// nothing about the store.
		if ctx == nil || ctx.Err() == nil {
			l.health.failed(l.logger(), l.failMode, err, time.Now())
		}
		if l.failMode == FailClosed {
			w.Header().Set("Retry-After", "1")
			strand.Error(w, "503 rate limiter unavailable", strand.StatusServiceUnavailable)
			return
		}
		next.ServeHTTP(w, r)
		return
	}
	if l.health.failing.Load() {
		l.health.succeeded(l.logger(), time.Now)
	}
	h := w.Header()
	setRateLimitFields(h, d)
	if !d.Allowed {
		h.Set("Retry-After", strconv.FormatInt(ceilSeconds(d.RetryAfter), 10))
		strand.Error(w, "429 too many requests", strand.StatusTooManyRequests)
		return
	}
	next.ServeHTTP(w, r)
}

func (l *rateLimiter) logger() *slog.Logger {
	if l.log != nil {
		return l.log
	}
	return slog.Default()
}

// setRateLimitFields sets the RateLimit fields of d on h.
func setRateLimitFields(h *strand.Header, d Decision) {
	// Names in canonical form: Header.Set would allocate to canonicalize
	// "RateLimit-Limit" (field names are case-insensitive, RFC 9110 §5.1).
	h.Set("Ratelimit-Limit", strconv.Itoa(d.Limit))
	h.Set("Ratelimit-Remaining", strconv.Itoa(d.Remaining))
	h.Set("Ratelimit-Reset", strconv.FormatInt(ceilSeconds(d.Reset), 10))
}

// ceilSeconds returns d in whole seconds, rounded up; 0 for d <= 0.
func ceilSeconds(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64((d + time.Second - 1) / time.Second)
}

// storeHealth tracks whether a Store is failing, so that an outage is
// logged once when it starts, at most once per storeLogInterval while it
// lasts, and once when it ends, however many requests it touches.
type storeHealth struct {
	failing atomic.Bool // fast path of succeeded: false while healthy

	mu       sync.Mutex // guards the fields below
	since    time.Time  // first failure of the current outage
	lastLog  time.Time  // last line logged about it
	unlogged int64      // failures since lastLog
	total    int64      // failures in the current outage
}

// failed records a failure at now and logs it if due.
func (h *storeHealth) failed(log *slog.Logger, mode FailMode, err error, now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.total++
	h.unlogged++
	if !h.failing.Load() {
		h.failing.Store(true)
		h.since, h.lastLog, h.unlogged = now, now, 0
		log.Error("strand: rate limit store failing", "error", err, "mode", mode.String())
		return
	}
	if now.Sub(h.lastLog) < storeLogInterval {
		return
	}
	log.Error("strand: rate limit store still failing", "error", err, "mode", mode.String(),
		"failures", h.unlogged, "since", h.since)
	h.lastLog, h.unlogged = now, 0
}

// succeeded records a success, logging the end of an outage. now is only
// called then. Callers skip it while failing is false.
func (h *storeHealth) succeeded(log *slog.Logger, now func() time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.failing.Load() {
		return
	}
	log.Info("strand: rate limit store recovered", "failures", h.total, "outage", now().Sub(h.since))
	h.failing.Store(false)
	h.total, h.unlogged = 0, 0
}

// ClientIPOptions configures ClientIPKey.
type ClientIPOptions struct {
	// TrustedProxies lists the networks of the reverse proxies in front
	// of the server. X-Forwarded-For is read only on a request whose peer
	// is in one of them; from anyone else it is the client's own claim,
	// and ignored. Empty means the server faces clients directly.
	TrustedProxies []netip.Prefix

	// IPv6Prefix is how many leading bits of an IPv6 address identify one
	// client, 1 to 128. Zero means DefaultIPv6Prefix (64): a single host
	// usually holds a whole /64, and keying by the full address would give
	// it 2^64 buckets.
	IPv6Prefix int
}

// Validate reports whether o is usable, naming the field at fault.
func (o *ClientIPOptions) Validate() error {
	if o.IPv6Prefix < 0 || o.IPv6Prefix > 128 {
		return fmt.Errorf("middleware: ClientIPOptions.IPv6Prefix is %d; want 0 (default %d) to 128", o.IPv6Prefix, DefaultIPv6Prefix)
	}
	for i, p := range o.TrustedProxies {
		if !p.IsValid() {
			return fmt.Errorf("middleware: ClientIPOptions.TrustedProxies[%d] is not a valid prefix", i)
		}
	}
	return nil
}

// ClientIPKey returns a KeyFunc that keys a request by its client's
// address: IPv4 addresses whole ("192.0.2.1"), IPv6 ones by their
// IPv6Prefix ("2001:db8:1:2::/64"). IPv4-mapped IPv6 addresses count as
// IPv4; zones are dropped. opts may be nil; ClientIPKey panics if it is
// invalid.
//
// The client is the request's peer (RemoteAddr), unless that peer is a
// trusted proxy. Then X-Forwarded-For (all its field lines, in order) is
// walked from right to left, each proxy having appended the address it
// received the request from, and the first address not in TrustedProxies
// is the client. The entries left of it were written by the client or by
// proxies nobody vouches for, and are never read: a client cannot choose
// its key by sending X-Forwarded-For itself. An entry that is not an
// address ("unknown", a hidden identifier, garbage) stops the walk at the
// last trusted hop, which becomes the key. Entries may carry a port
// ("192.0.2.1:1234", "[2001:db8::1]:80").
func ClientIPKey(opts *ClientIPOptions) KeyFunc {
	var o ClientIPOptions
	if opts != nil {
		o = *opts
	}
	if err := o.Validate(); err != nil {
		panic(err)
	}
	k := &clientIPKey{ipv6Bits: o.IPv6Prefix}
	if k.ipv6Bits == 0 {
		k.ipv6Bits = DefaultIPv6Prefix
	}
	for _, p := range o.TrustedProxies {
		k.trusted = append(k.trusted, unmapPrefix(p))
	}
	return k.key
}

// clientIPKey is a ClientIPKey. Immutable.
type clientIPKey struct {
	trusted  []netip.Prefix // masked, IPv4 ones as IPv4
	ipv6Bits int
}

func (k *clientIPKey) key(r *strand.Request) string {
	addr, text := k.clientIP(r)
	if !addr.IsValid() {
		return text // not an IP address (a Unix socket): one bucket for all
	}
	var buf [64]byte
	if addr.Is4() {
		b := addr.AppendTo(buf[:0])
		if string(b) == text {
			return text // canonical already: no copy
		}
		return string(b)
	}
	if k.ipv6Bits < 128 {
		p, _ := addr.Prefix(k.ipv6Bits)
		return string(p.AppendTo(buf[:0]))
	}
	return string(addr.AppendTo(buf[:0]))
}

// clientIP returns the client's address (unmapped, without zone) and the
// text it was read from; an invalid address and RemoteAddr when RemoteAddr
// is not an IP address.
func (k *clientIPKey) clientIP(r *strand.Request) (netip.Addr, string) {
	peer, text, ok := parseHop(r.RemoteAddr)
	if !ok {
		return netip.Addr{}, r.RemoteAddr
	}
	if !k.isTrusted(peer) {
		return peer, text
	}
	var stack [4]string
	lines := stack[:0]
	for name, value := range r.Header.All() {
		if name == "X-Forwarded-For" {
			lines = append(lines, value)
		}
	}
	client, clientText := peer, text
	for i := len(lines) - 1; i >= 0; i-- {
		line := lines[i]
		for line != "" {
			var hop string
			if j := strings.LastIndexByte(line, ','); j >= 0 {
				hop, line = line[j+1:], line[:j]
			} else {
				hop, line = line, ""
			}
			hop = strings.Trim(hop, " \t")
			if hop == "" {
				continue // empty list elements are allowed (RFC 9110 §5.6.1)
			}
			a, t, ok := parseHop(hop)
			if !ok {
				return client, clientText
			}
			client, clientText = a, t
			if !k.isTrusted(a) {
				return client, clientText
			}
		}
	}
	return client, clientText
}

func (k *clientIPKey) isTrusted(a netip.Addr) bool {
	for _, p := range k.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseHop parses an address alone ("192.0.2.1", "2001:db8::1"), with a
// port ("192.0.2.1:80", "[2001:db8::1]:80") or in brackets ("[2001:db8::1]").
// It returns the address unmapped and without zone, and the text of the
// address alone.
func parseHop(s string) (netip.Addr, string, bool) {
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 || end+1 < len(s) && !isPort(s[end+1:]) {
			return netip.Addr{}, "", false
		}
		text := s[1:end]
		a, err := netip.ParseAddr(text)
		if err != nil || !a.Is6() {
			return netip.Addr{}, "", false // "[192.0.2.1]" is no address
		}
		return a.Unmap().WithZone(""), text, true
	}
	// IPv6 text has two colons or more; one is an IPv4 address's port.
	// (Checked first: a failed parse allocates its error.)
	if i := strings.IndexByte(s, ':'); i >= 0 && strings.IndexByte(s[i+1:], ':') < 0 {
		text := s[:i]
		a, err := netip.ParseAddr(text)
		if err != nil || !isPort(s[i:]) {
			return netip.Addr{}, "", false
		}
		return a, text, true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, "", false
	}
	return a.Unmap().WithZone(""), s, true
}

// isPort reports whether s is ":" and a port number.
func isPort(s string) bool {
	if len(s) < 2 || len(s) > 6 || s[0] != ':' {
		return false
	}
	for _, c := range []byte(s[1:]) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// unmapPrefix returns p masked, an IPv4-mapped IPv6 prefix as IPv4, so
// that it matches the unmapped addresses clientIP compares it with.
func unmapPrefix(p netip.Prefix) netip.Prefix {
	a := p.Addr()
	if a.Is4In6() && p.Bits() >= 96 {
		return netip.PrefixFrom(a.Unmap(), p.Bits()-96).Masked()
	}
	return p.Masked()
}

// HeaderKey returns a KeyFunc that keys a request by the value of the
// named field ("X-Api-Key"), or by fallback when the field is absent or
// empty; a nil fallback means ClientIPKey(nil). Keys from the field are
// prefixed with its name and "=" ("X-Api-Key=abc"), which no IP key
// contains, so a client cannot send a value that lands in someone's IP
// bucket. A client chooses its own value: use HeaderKey for credentials the
// server checks, or a client that rotates values escapes the limit.
func HeaderKey(name string, fallback KeyFunc) KeyFunc {
	if name == "" {
		panic("middleware: HeaderKey with an empty field name")
	}
	name = strand.CanonicalHeaderKey(name)
	prefix := name + "="
	if fallback == nil {
		fallback = ClientIPKey(nil)
	}
	return func(r *strand.Request) string {
		if v := r.Header.Get(name); v != "" {
			return prefix + v
		}
		return fallback(r)
	}
}
