package middleware

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// rlRedis is a redis-server started by a test.
type rlRedis struct {
	t    *testing.T
	addr string // 127.0.0.1:port
	dir  string
	mu   sync.Mutex
	cmd  *exec.Cmd // nil while stopped
}

// startRedis starts redis-server on a free loopback port, without
// persistence, in a temporary directory, and waits until it answers PING.
// It is killed at cleanup. The test is skipped when redis-server is not
// installed (`make test` installs it).
func startRedis(t *testing.T) *rlRedis {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server not installed (make test installs it): ", err)
	}
	r := &rlRedis{t: t, dir: t.TempDir()}
	t.Cleanup(r.kill)
	var err error
	for range 5 { // the free port may be taken between its choice and its use
		ln, lerr := net.Listen("tcp", "127.0.0.1:0")
		if lerr != nil {
			t.Fatal(lerr)
		}
		r.addr = ln.Addr().String()
		ln.Close()
		if err = r.start(); err == nil {
			return r
		}
	}
	t.Fatalf("starting redis-server: %v", err)
	return nil
}

// start runs redis-server on r.addr and waits for PING.
func (r *rlRedis) start() error {
	_, port, _ := net.SplitHostPort(r.addr)
	cmd := exec.Command("redis-server", "--port", port, "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", r.dir, "--logfile", "")
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(rlTimeout)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("redis-server exited: %v", err)
		default:
		}
		if ping(r.addr) == nil {
			r.mu.Lock()
			r.cmd = cmd
			r.mu.Unlock()
			go func() { <-exited }() // reaped when killed
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	<-exited
	return errors.New("redis-server did not answer PING")
}

// restart starts the server again on the same port, after kill.
func (r *rlRedis) restart() {
	r.t.Helper()
	if err := r.start(); err != nil {
		r.t.Fatalf("restarting redis-server: %v", err)
	}
}

// kill stops the server at once, as a crash would, and waits until its
// port refuses connections.
func (r *rlRedis) kill() {
	r.mu.Lock()
	cmd := r.cmd
	r.cmd = nil
	r.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGCONT) // in case a test paused it
	_ = cmd.Process.Kill()
	for range 500 {
		c, err := net.Dial("tcp", r.addr)
		if err != nil {
			return
		}
		c.Close()
		time.Sleep(10 * time.Millisecond)
	}
}

// signal sends sig to the server (SIGSTOP to make it hang).
func (r *rlRedis) signal(sig os.Signal) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd != nil {
		_ = r.cmd.Process.Signal(sig)
	}
}

// ping sends PING over a fresh connection and expects +PONG.
func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return fmt.Errorf("PING answered %q", line)
	}
	return nil
}

// newRedisClient returns a client of r's server, closed at cleanup.
func newRedisClient(t *testing.T, r *rlRedis) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{
		Addr:                  r.addr,
		ContextTimeoutEnabled: true,
		DialTimeout:           time.Second,
		ReadTimeout:           2 * time.Second,
		MaxRetries:            -1,
	})
	t.Cleanup(func() { c.Close() })
	return c
}

// rlPrefix returns a Redis key prefix of the test's own.
func rlPrefix(t *testing.T) string { return "test:" + t.Name() + ":" }

func TestRedisStoreTake(t *testing.T) {
	srv := startRedis(t)
	client := newRedisClient(t, srv)
	s := NewRedisStore(client, &RedisStoreOptions{Prefix: rlPrefix(t)})
	ctx := context.Background()
	rate := Rate{Limit: 3, Period: time.Hour} // one token every 20 minutes
	for i, wantRemaining := range []int{2, 1, 0} {
		d, err := s.Take(ctx, "client", rate, 1)
		if err != nil || !d.Allowed || d.Limit != 3 || d.Remaining != wantRemaining || d.RetryAfter != 0 {
			t.Fatalf("take %d: %+v, %v; want allowed with Remaining %d", i, d, err, wantRemaining)
		}
		// Reset: (i+1) tokens short, 20 minutes each, less the time the
		// test has taken.
		if want := time.Duration(i+1) * 20 * time.Minute; d.Reset > want || d.Reset < want-time.Minute {
			t.Fatalf("take %d: Reset %v; want about %v", i, d.Reset, want)
		}
	}
	d, err := s.Take(ctx, "client", rate, 1)
	if err != nil || d.Allowed || d.Remaining != 0 || d.RetryAfter > 20*time.Minute || d.RetryAfter < 19*time.Minute ||
		d.Reset > time.Hour || d.Reset < 59*time.Minute {
		t.Fatalf("take 4: %+v, %v; want refused, RetryAfter about 20m, Reset about 1h", d, err)
	}
	// The bucket expires when it is full again.
	ttl, err := client.PTTL(ctx, rlPrefix(t)+"client").Result()
	if err != nil || ttl > time.Hour || ttl < 59*time.Minute {
		t.Fatalf("PTTL of the bucket: %v, %v; want about 1h", ttl, err)
	}
	// Another key, another bucket; a cost above one.
	if d, err := s.Take(ctx, "other", rate, 3); err != nil || !d.Allowed || d.Remaining != 0 {
		t.Fatalf("take 3 tokens from another bucket: %+v, %v; want allowed, Remaining 0", d, err)
	}
	// A cost of zero peeks.
	if d, err := s.Take(ctx, "fresh", rate, 0); err != nil || !d.Allowed || d.Remaining != 3 || d.Reset != 0 {
		t.Fatalf("take 0 tokens from a new bucket: %+v, %v; want allowed, Remaining 3, Reset 0", d, err)
	}
	if n, err := client.Exists(ctx, rlPrefix(t)+"fresh").Result(); err != nil || n != 0 {
		t.Fatalf("EXISTS of a full bucket: %d, %v; want 0 (a full bucket is not stored)", n, err)
	}
	if _, err := s.Take(ctx, "client", rate, 4); !errors.Is(err, ErrCostOutOfRange) {
		t.Fatalf("take 4 tokens from a bucket of 3: %v; want ErrCostOutOfRange", err)
	}
}

// TestRedisStoreRefillAndExpiry checks the refill on Redis's clock and
// that an idle bucket disappears.
func TestRedisStoreRefillAndExpiry(t *testing.T) {
	srv := startRedis(t)
	client := newRedisClient(t, srv)
	s := NewRedisStore(client, &RedisStoreOptions{Prefix: rlPrefix(t)})
	ctx := context.Background()
	rate := Rate{Limit: 2, Period: 200 * time.Millisecond}
	for range 2 {
		if d, err := s.Take(ctx, "k", rate, 1); err != nil || !d.Allowed {
			t.Fatalf("Take: %+v, %v; want allowed", d, err)
		}
	}
	d, err := s.Take(ctx, "k", rate, 1)
	if err != nil || d.Allowed || d.RetryAfter <= 0 || d.RetryAfter > 100*time.Millisecond {
		t.Fatalf("third Take: %+v, %v; want refused with RetryAfter at most 100ms", d, err)
	}
	time.Sleep(d.RetryAfter)
	if d, err := s.Take(ctx, "k", rate, 1); err != nil || !d.Allowed {
		t.Fatalf("Take after RetryAfter: %+v, %v; want allowed", d, err)
	}
	deadline := time.Now().Add(rlTimeout)
	for {
		n, err := client.Exists(ctx, rlPrefix(t)+"k").Result()
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the bucket is still in Redis long after it was full")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRedisStoreScriptFlushed checks the EVAL fallback when Redis has
// lost the script (restart, SCRIPT FLUSH).
func TestRedisStoreScriptFlushed(t *testing.T) {
	srv := startRedis(t)
	client := newRedisClient(t, srv)
	s := NewRedisStore(client, &RedisStoreOptions{Prefix: rlPrefix(t)})
	ctx := context.Background()
	rate := Rate{Limit: 5, Period: time.Hour}
	for i, wantRemaining := range []int{4, 3} {
		if err := client.ScriptFlush(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		if d, err := s.Take(ctx, "k", rate, 1); err != nil || d.Remaining != wantRemaining {
			t.Fatalf("take %d after SCRIPT FLUSH: %+v, %v; want Remaining %d", i, d, err, wantRemaining)
		}
	}
}

// TestRedisSharedLimitTwoServers runs two servers, each with a Redis
// client of its own, under one limit: together they admit no more than
// the bucket holds.
func TestRedisSharedLimitTwoServers(t *testing.T) {
	rlCheckGoroutines(t)
	srv := startRedis(t)
	const limit, requests = 10, 40
	var addrs [2]string
	for i := range addrs {
		store := NewRedisStore(newRedisClient(t, srv), &RedisStoreOptions{Prefix: rlPrefix(t), Timeout: rlTimeout})
		addrs[i] = rlServe(t, RateLimit(&RateLimitOptions{
			Limit:  limit,
			Period: 24 * time.Hour, // a token every 2.4 hours: no refill during the test
			Store:  store,
		})(rlOK))
	}
	c := rlClient(t)
	codes := make([]int, requests)
	admittedBy := make([]int, requests)
	var wg sync.WaitGroup
	for i := range requests {
		wg.Go(func() {
			resp, err := c.Get("http://" + addrs[i%2] + "/")
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			codes[i] = resp.StatusCode
			if resp.StatusCode == 200 {
				admittedBy[i] = i%2 + 1
			}
		})
	}
	wg.Wait()
	count := map[int]int{}
	for _, code := range codes {
		count[code]++
	}
	if count[200] != limit || count[429] != requests-limit {
		t.Errorf("%d requests over two servers sharing a bucket of %d: statuses %v; want %d 200 and %d 429",
			requests, limit, count, limit, requests-limit)
	}
	// Both servers see the bucket empty now.
	for i, addr := range addrs {
		resp, _ := rlGet(t, c, addr)
		if resp.StatusCode != 429 || resp.Header.Get("RateLimit-Remaining") != "0" {
			t.Errorf("server %d after the burst: %d, RateLimit-Remaining %q; want 429, 0", i, resp.StatusCode, resp.Header.Get("RateLimit-Remaining"))
		}
	}
}

// TestRedisGoesAway kills redis-server under a serving server: requests
// then pass (FailOpen) or get 503 (FailClosed), one line is logged, and
// when Redis is back, limiting resumes and the recovery is logged.
func TestRedisGoesAway(t *testing.T) {
	tests := []struct {
		mode     FailMode
		wantCode int
	}{
		{FailOpen, 200},
		{FailClosed, 503},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			rlCheckGoroutines(t)
			srv := startRedis(t)
			var log rlLog
			store := NewRedisStore(newRedisClient(t, srv), &RedisStoreOptions{
				// A killed server refuses connections at once: the Timeout
				// is for a loaded test machine, not for the outage.
				Prefix: rlPrefix(t), Timeout: rlTimeout / 2, Backoff: 100 * time.Millisecond,
			})
			addr := rlServe(t, RateLimit(&RateLimitOptions{
				Limit: 100, Period: time.Hour, Store: store, OnStoreError: tt.mode, ErrorLog: log.logger(),
			})(rlOK))
			c := rlClient(t)
			if resp, _ := rlGet(t, c, addr); resp.StatusCode != 200 || resp.Header.Get("RateLimit-Remaining") != "99" {
				t.Fatalf("with Redis up: %d, RateLimit-Remaining %q; want 200, 99", resp.StatusCode, resp.Header.Get("RateLimit-Remaining"))
			}

			srv.kill()
			for i := range 10 {
				resp, body := rlGet(t, c, addr)
				if resp.StatusCode != tt.wantCode || resp.Header.Get("RateLimit-Limit") != "" {
					t.Fatalf("request %d with Redis gone: %d %q, RateLimit-Limit %q; want %d without RateLimit fields",
						i, resp.StatusCode, body, resp.Header.Get("RateLimit-Limit"), tt.wantCode)
				}
				if tt.mode == FailClosed && (body != "503 rate limiter unavailable\n" || resp.Header.Get("Retry-After") != "1") {
					t.Fatalf("request %d with Redis gone: body %q, Retry-After %q; want %q, 1", i, body, resp.Header.Get("Retry-After"), "503 rate limiter unavailable\n")
				}
			}
			lines := log.lines("rate limit store")
			if len(lines) != 1 || !strings.Contains(lines[0], `msg="strand: rate limit store failing"`) ||
				!strings.Contains(lines[0], "mode="+tt.mode.String()) || !strings.Contains(lines[0], "redis rate limit script") {
				t.Fatalf("log after 10 requests with Redis gone: %q; want one line reporting the store failing, %s", lines, tt.mode)
			}

			srv.restart() // empty: buckets start full again
			deadline := time.Now().Add(rlTimeout)
			for {
				resp, _ := rlGet(t, c, addr)
				if resp.StatusCode == 200 && resp.Header.Get("RateLimit-Remaining") == "99" {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("with Redis back: %d, RateLimit-Remaining %q; want 200, 99", resp.StatusCode, resp.Header.Get("RateLimit-Remaining"))
				}
				time.Sleep(20 * time.Millisecond)
			}
			lines = log.lines("rate limit store")
			if len(lines) != 2 || !strings.Contains(lines[1], `msg="strand: rate limit store recovered"`) {
				t.Fatalf("log with Redis back: %q; want a second line reporting the recovery", lines)
			}
		})
	}
}

// TestRedisStoreSlow pauses redis-server: a decision must fail within the
// store's Timeout, not the client's ReadTimeout.
func TestRedisStoreSlow(t *testing.T) {
	srv := startRedis(t)
	client := newRedisClient(t, srv) // ReadTimeout 2s
	s := NewRedisStore(client, &RedisStoreOptions{Prefix: rlPrefix(t), Timeout: 100 * time.Millisecond})
	ctx := context.Background()
	rate := Rate{Limit: 5, Period: time.Hour}
	rlWarmUp(t, client, rate)
	srv.signal(syscall.SIGSTOP)
	start := time.Now()
	_, err := s.Take(ctx, "k", rate, 1)
	elapsed := time.Since(start)
	srv.signal(syscall.SIGCONT)
	if err == nil || elapsed > time.Second {
		t.Fatalf("Take with Redis paused: %v after %v; want an error within about 100ms", err, elapsed)
	}
}

// rlWarmUp takes a token from bucket "k" of the test's prefix with a
// generous timeout, so that the client has its connection before a test
// times a store with a short one.
func rlWarmUp(t *testing.T, client *redis.Client, rate Rate) {
	t.Helper()
	s := NewRedisStore(client, &RedisStoreOptions{Prefix: rlPrefix(t), Timeout: rlTimeout})
	if d, err := s.Take(context.Background(), "k", rate, 1); err != nil || !d.Allowed {
		t.Fatalf("warming up: %+v, %v; want allowed", d, err)
	}
}

// TestRedisStoreBackoff checks that a store fails at once after a failure
// for its Backoff, then tries Redis again.
func TestRedisStoreBackoff(t *testing.T) {
	srv := startRedis(t)
	client := newRedisClient(t, srv)
	const backoff = time.Second
	s := NewRedisStore(client, &RedisStoreOptions{Prefix: rlPrefix(t), Timeout: 200 * time.Millisecond, Backoff: backoff})
	ctx := context.Background()
	rate := Rate{Limit: 5, Period: time.Hour}
	rlWarmUp(t, client, rate) // takes the first token
	srv.signal(syscall.SIGSTOP)
	_, err := s.Take(ctx, "k", rate, 1)
	if err == nil || errors.Is(err, ErrStoreUnavailable) {
		t.Fatalf("Take with Redis paused: %v; want the client's error", err)
	}
	failedAt := time.Now()
	srv.signal(syscall.SIGCONT)
	for time.Since(failedAt) < backoff*2/3 {
		start := time.Now()
		_, err := s.Take(ctx, "k", rate, 1)
		if !errors.Is(err, ErrStoreUnavailable) || !strings.Contains(err.Error(), "redis rate limit script") || time.Since(start) > 100*time.Millisecond {
			t.Fatalf("Take during the backoff: %v after %v; want ErrStoreUnavailable wrapping the failure, at once", err, time.Since(start))
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(backoff - time.Since(failedAt) + 10*time.Millisecond)
	// The timed-out script had reached Redis, which ran it once resumed:
	// a decision that times out may still have taken its token.
	if d, err := s.Take(ctx, "k", rate, 1); err != nil || d.Remaining != 2 {
		t.Fatalf("Take after the backoff: %+v, %v; want Remaining 2", d, err)
	}
	// A caller that gives up does not start a backoff.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Take(cctx, "k", rate, 1); err == nil {
		t.Fatal("Take with a cancelled context succeeded")
	}
	if d, err := s.Take(ctx, "k", rate, 1); err != nil || d.Remaining != 1 {
		t.Fatalf("Take after a cancelled one: %+v, %v; want Remaining 1 (no backoff, no token taken)", d, err)
	}
}

func TestRedisStoreOptions(t *testing.T) {
	if err := (&RedisStoreOptions{Backoff: -1}).Validate(); err != nil {
		t.Errorf("Validate() with Backoff -1ns = %v; want nil (no backoff)", err)
	}
	if err := (&RedisStoreOptions{Timeout: -1}).Validate(); err == nil ||
		!strings.Contains(err.Error(), "RedisStoreOptions.Timeout is -1ns; want 0 (default 100ms) or more") {
		t.Errorf("Validate() with Timeout -1ns = %v; want an error naming the field", err)
	}
	s := NewRedisStore(redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}), nil)
	if s.prefix != DefaultRedisPrefix || s.timeout != DefaultRedisTimeout || s.backoff != DefaultRedisBackoff {
		t.Errorf("NewRedisStore(nil options): prefix %q, timeout %v, backoff %v; want %q, %v, %v",
			s.prefix, s.timeout, s.backoff, DefaultRedisPrefix, DefaultRedisTimeout, DefaultRedisBackoff)
	}
	if _, err := s.Take(context.Background(), "k", Rate{}, 1); err == nil || !strings.Contains(err.Error(), "Rate.Limit is 0") {
		t.Errorf("Take with a zero Rate: %v; want the Rate's validation error", err)
	}
	for name, f := range map[string]func(){
		"nil client":       func() { NewRedisStore(nil, nil) },
		"negative Timeout": func() { NewRedisStore(s.client, &RedisStoreOptions{Timeout: -1}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewRedisStore with a %s did not panic", name)
				}
			}()
			f()
		}()
	}
}

// rlScripter answers every script with a fixed reply.
type rlScripter struct {
	redis.Scripter
	reply any
}

func (s rlScripter) EvalSha(ctx context.Context, _ string, _ []string, _ ...any) *redis.Cmd {
	cmd := redis.NewCmd(ctx)
	cmd.SetVal(s.reply)
	return cmd
}

func TestRedisStoreMalformedReply(t *testing.T) {
	tests := []struct {
		reply any
		want  string
	}{
		{[]any{int64(1), int64(2)}, "got 2 values; want 4"},
		{"OK", "redis rate limit script: "},
	}
	for _, tt := range tests {
		s := NewRedisStore(rlScripter{reply: tt.reply}, nil)
		_, err := s.Take(context.Background(), "k", Rate{Limit: 1, Period: time.Second}, 1)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("reply %v: %v; want an error containing %q", tt.reply, err, tt.want)
		}
	}
}
