package middleware

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/internal/enginetest"
)

// rlTimeout bounds every blocking step of the rate-limit tests.
const rlTimeout = 10 * time.Second

// rlRecorder is a ResponseWriter that keeps what a handler sends.
type rlRecorder struct {
	header strand.Header
	code   int
	body   bytes.Buffer
}

func (w *rlRecorder) Header() *strand.Header { return &w.header }

func (w *rlRecorder) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *rlRecorder) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = strand.StatusOK
	}
	return w.body.Write(p)
}

func (w *rlRecorder) WriteString(s string) (int, error) { return w.Write([]byte(s)) }

// fields returns the header as "Name: value" lines, in order.
func (w *rlRecorder) fields() []string {
	var fs []string
	for name, value := range w.header.All() {
		fs = append(fs, name+": "+value)
	}
	return fs
}

// rlRequest returns a request from remote with the given header fields
// ("Name", "value", ...).
func rlRequest(remote string, fields ...string) *strand.Request {
	r := &strand.Request{Method: "GET", Target: "/", Path: "/", RemoteAddr: remote}
	for i := 0; i+1 < len(fields); i += 2 {
		r.Header.Add(fields[i], fields[i+1])
	}
	return r
}

var rlOK = strand.HandlerFunc(func(w strand.ResponseWriter, _ *strand.Request) {
	_, _ = w.WriteString("ok")
})

// rlLog is a slog text sink that tests read while servers write.
type rlLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *rlLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *rlLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *rlLog) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

// lines returns the log lines that contain s.
func (l *rlLog) lines(s string) []string {
	var out []string
	for _, line := range strings.Split(l.String(), "\n") {
		if strings.Contains(line, s) {
			out = append(out, line)
		}
	}
	return out
}

// rlCheckGoroutines fails the test if goroutines started during it are
// still running at cleanup. Call it first, so that its cleanup runs last.
func rlCheckGoroutines(t *testing.T) {
	t.Helper()
	base := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(rlTimeout)
		for runtime.NumGoroutine() > base {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				buf = buf[:runtime.Stack(buf, true)]
				t.Errorf("%d goroutines after the test; want at most %d:\n%s", runtime.NumGoroutine(), base, buf)
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
}

// rlServe serves h on a loopback port until cleanup and returns its
// address.
func rlServe(t *testing.T, h strand.Handler) string {
	t.Helper()
	enginetest.CheckGoroutines(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &strand.Server{Handler: h, ErrorLog: slog.New(slog.DiscardHandler), Engine: enginetest.Engine}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Serve(ln)
	}()
	t.Cleanup(func() {
		s.Close()
		<-done
	})
	return ln.Addr().String()
}

// rlClient returns a net/http client whose connections close at cleanup.
func rlClient(t *testing.T) *http.Client {
	t.Helper()
	tr := &http.Transport{DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: rlTimeout}
}

// rlGet sends GET / to addr and returns the response with its body read.
func rlGet(t *testing.T, c *http.Client, addr string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// TestRateLimit429FieldsExact checks every field of admitted and refused
// responses, in order, on a fake clock (RFC 6585 §4, RFC 9110 §10.2.3,
// draft-ietf-httpapi-ratelimit-headers).
func TestRateLimit429FieldsExact(t *testing.T) {
	clock := newRLClock()
	h := RateLimit(&RateLimitOptions{Limit: 2, Period: time.Minute, Store: newClockedMemoryStore(nil, clock)})(rlOK)
	steps := []struct {
		advance  time.Duration
		wantCode int
		want     []string
		wantBody string
	}{
		{0, 200, []string{"Ratelimit-Limit: 2", "Ratelimit-Remaining: 1", "Ratelimit-Reset: 30"}, "ok"},
		{0, 200, []string{"Ratelimit-Limit: 2", "Ratelimit-Remaining: 0", "Ratelimit-Reset: 60"}, "ok"},
		{0, 429, []string{
			"Ratelimit-Limit: 2", "Ratelimit-Remaining: 0", "Ratelimit-Reset: 60", "Retry-After: 30",
			"Content-Type: text/plain; charset=utf-8", "X-Content-Type-Options: nosniff",
		}, "429 too many requests\n"},
		// Seconds are rounded up: 19.5 s to wait is Retry-After: 20.
		{10500 * time.Millisecond, 429, []string{
			"Ratelimit-Limit: 2", "Ratelimit-Remaining: 0", "Ratelimit-Reset: 50", "Retry-After: 20",
			"Content-Type: text/plain; charset=utf-8", "X-Content-Type-Options: nosniff",
		}, "429 too many requests\n"},
		{19500 * time.Millisecond, 200, []string{"Ratelimit-Limit: 2", "Ratelimit-Remaining: 0", "Ratelimit-Reset: 60"}, "ok"},
		{2 * time.Minute, 200, []string{"Ratelimit-Limit: 2", "Ratelimit-Remaining: 1", "Ratelimit-Reset: 30"}, "ok"},
	}
	for i, st := range steps {
		clock.Advance(st.advance)
		w := &rlRecorder{}
		h.ServeHTTP(w, rlRequest("192.0.2.1:1234"))
		if got := w.fields(); w.code != st.wantCode || !slices.Equal(got, st.want) || w.body.String() != st.wantBody {
			t.Errorf("step %d: %d %q %q; want %d %q %q", i, w.code, got, w.body.String(), st.wantCode, st.want, st.wantBody)
		}
	}
}

// TestRateLimitOverTheWire runs the middleware in a server and checks the
// fields a client receives.
func TestRateLimitOverTheWire(t *testing.T) {
	rlCheckGoroutines(t)
	addr := rlServe(t, RateLimit(&RateLimitOptions{Limit: 1, Period: time.Hour})(rlOK))
	c := rlClient(t)
	resp, body := rlGet(t, c, addr)
	if resp.StatusCode != 200 || body != "ok" {
		t.Fatalf("first request: %d %q; want 200 \"ok\"", resp.StatusCode, body)
	}
	resp, body = rlGet(t, c, addr)
	got := map[string]string{}
	for name, values := range resp.Header {
		if name != "Date" {
			got[name] = strings.Join(values, ", ")
		}
	}
	want := map[string]string{
		"Content-Length":         "22",
		"Content-Type":           "text/plain; charset=utf-8",
		"X-Content-Type-Options": "nosniff",
		"Ratelimit-Limit":        "1",
		"Ratelimit-Remaining":    "0",
		"Ratelimit-Reset":        "3600",
		"Retry-After":            "3600",
	}
	if resp.StatusCode != 429 || body != "429 too many requests\n" || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("second request: %d %q %v; want 429 %q %v", resp.StatusCode, body, got, "429 too many requests\n", want)
	}
}

func TestRateLimitSeparateClients(t *testing.T) {
	h := RateLimit(&RateLimitOptions{Limit: 1, Period: time.Hour})(rlOK)
	for _, remote := range []string{"192.0.2.1:1", "192.0.2.2:1", "[2001:db8:1::1]:1", "[2001:db8:2::1]:1"} {
		w := &rlRecorder{}
		h.ServeHTTP(w, rlRequest(remote))
		if w.code != 200 {
			t.Errorf("first request from %s: %d; want 200", remote, w.code)
		}
	}
	// Same /64, same bucket.
	w := &rlRecorder{}
	h.ServeHTTP(w, rlRequest("[2001:db8:1::2]:2"))
	if w.code != 429 {
		t.Errorf("request from another address of 2001:db8:1::/64: %d; want 429", w.code)
	}
}

// rlKeyStore records the keys it is asked about and admits everything.
type rlKeyStore struct {
	mu   sync.Mutex
	keys []string
}

func (s *rlKeyStore) Take(_ context.Context, key string, rate Rate, _ int) (Decision, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = append(s.keys, strings.Clone(key))
	return Decision{Allowed: true, Limit: rate.Limit, Remaining: rate.Limit}, nil
}

func TestRateLimitKeys(t *testing.T) {
	long := strings.Repeat("k", 200)
	tests := []struct {
		name string
		opts RateLimitOptions
		req  *strand.Request
		want string
	}{
		{"client IP", RateLimitOptions{}, rlRequest("192.0.2.1:5"), "192.0.2.1"},
		{"named", RateLimitOptions{Name: "login"}, rlRequest("192.0.2.1:5"), "login#192.0.2.1"},
		{"header", RateLimitOptions{Key: HeaderKey("x-api-key", nil)}, rlRequest("192.0.2.1:5", "X-Api-Key", "abc"), "X-Api-Key=abc"},
		{"custom", RateLimitOptions{Key: func(r *strand.Request) string { return r.Path }}, rlRequest("192.0.2.1:5"), "/"},
		{
			"long keys hashed", RateLimitOptions{Key: HeaderKey("X-Api-Key", nil)},
			rlRequest("192.0.2.1:5", "X-Api-Key", long),
			"sha256:34105a7caef1cb35a5c2b0b306c41daa36399bb57f42281f218c6f79592461f9",
		},
		{"key of maxKeyLen kept", RateLimitOptions{Key: func(*strand.Request) string { return long[:maxKeyLen] }}, rlRequest("192.0.2.1:5"), long[:maxKeyLen]},
	}
	for _, tt := range tests {
		store := &rlKeyStore{}
		tt.opts.Store = store
		RateLimit(&tt.opts)(rlOK).ServeHTTP(&rlRecorder{}, tt.req)
		if len(store.keys) != 1 || store.keys[0] != tt.want {
			t.Errorf("%s: keys %q; want [%q]", tt.name, store.keys, tt.want)
		}
	}
}

// rlFailStore fails every Take with err until healed.
type rlFailStore struct {
	mu     sync.Mutex
	err    error
	healed bool
}

func (s *rlFailStore) Take(ctx context.Context, _ string, rate Rate, _ int) (Decision, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return Decision{}, err
	}
	if !s.healed {
		return Decision{}, s.err
	}
	return Decision{Allowed: true, Limit: rate.Limit, Remaining: rate.Limit - 1, Reset: time.Second}, nil
}

func (s *rlFailStore) heal() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.healed = true
}

func TestRateLimitStoreFailure(t *testing.T) {
	tests := []struct {
		mode       FailMode
		wantCode   int
		wantFields []string
	}{
		{FailOpen, 200, nil},
		{FailClosed, 503, []string{"Retry-After: 1", "Content-Type: text/plain; charset=utf-8", "X-Content-Type-Options: nosniff"}},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			var log rlLog
			store := &rlFailStore{err: errors.New("connection refused")}
			h := RateLimit(&RateLimitOptions{Store: store, OnStoreError: tt.mode, ErrorLog: log.logger()})(rlOK)
			for i := range 100 {
				w := &rlRecorder{}
				h.ServeHTTP(w, rlRequest("192.0.2.1:1"))
				if got := w.fields(); w.code != tt.wantCode || !slices.Equal(got, tt.wantFields) {
					t.Fatalf("request %d with the store down: %d %q; want %d %q", i, w.code, got, tt.wantCode, tt.wantFields)
				}
			}
			lines := log.lines("rate limit store")
			want := `level=ERROR msg="strand: rate limit store failing" error="connection refused" mode=` + tt.mode.String()
			if len(lines) != 1 || !strings.Contains(lines[0], want) {
				t.Fatalf("log after 100 failures: %q; want one line containing %q", lines, want)
			}
			store.heal()
			for range 3 {
				w := &rlRecorder{}
				h.ServeHTTP(w, rlRequest("192.0.2.1:1"))
				if w.code != 200 || w.header.Get("RateLimit-Limit") != "60" {
					t.Fatalf("after recovery: %d %q; want 200 with RateLimit fields", w.code, w.fields())
				}
			}
			lines = log.lines("rate limit store")
			if len(lines) != 2 || !strings.Contains(lines[1], `level=INFO msg="strand: rate limit store recovered" failures=100`) {
				t.Fatalf("log after recovery: %q; want a second line reporting the recovery after 100 failures", lines)
			}
		})
	}
}

// TestRateLimitClientGoneNotLogged guards against reporting a store as
// failing when the decision failed because the client went away.
func TestRateLimitClientGoneNotLogged(t *testing.T) {
	var log rlLog
	h := RateLimit(&RateLimitOptions{Store: &rlFailStore{healed: true}, ErrorLog: log.logger()})(rlOK)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	w := &rlRecorder{}
	h.ServeHTTP(w, rlRequest("192.0.2.1:1").WithContext(ctx))
	if w.code != 200 || log.String() != "" {
		t.Errorf("decision cancelled by the client: %d, log %q; want 200 (fail-open) and no log", w.code, log.String())
	}
}

func TestRateLimitStoreHealthLogInterval(t *testing.T) {
	var log rlLog
	var h storeHealth
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	err := errors.New("i/o timeout")
	steps := []struct {
		at        time.Duration
		fail      bool
		wantLines int
		wantLast  string
	}{
		{0, true, 1, `msg="strand: rate limit store failing" error="i/o timeout" mode=fail-closed`},
		{time.Second, true, 1, ""},
		{59 * time.Second, true, 1, ""},
		{61 * time.Second, true, 2, `msg="strand: rate limit store still failing" error="i/o timeout" mode=fail-closed failures=3 since=2026-01-01T00:00:00.000Z`},
		{62 * time.Second, true, 2, ""},
		{121 * time.Second, true, 3, `failures=2`},
		{130 * time.Second, false, 4, `msg="strand: rate limit store recovered" failures=6 outage=2m10s`},
		{131 * time.Second, false, 4, ""},
		{140 * time.Second, true, 5, `msg="strand: rate limit store failing"`},
	}
	for i, st := range steps {
		now := t0.Add(st.at)
		if st.fail {
			h.failed(log.logger(), FailClosed, err, now)
		} else {
			h.succeeded(log.logger(), func() time.Time { return now })
		}
		lines := log.lines("rate limit store")
		if len(lines) != st.wantLines || st.wantLast != "" && !strings.Contains(lines[len(lines)-1], st.wantLast) {
			t.Fatalf("step %d (at %v): log %q; want %d lines, the last containing %q", i, st.at, lines, st.wantLines, st.wantLast)
		}
	}
}

func TestRateLimitDefaultLogger(t *testing.T) {
	if got := (&rateLimiter{}).logger(); got != slog.Default() {
		t.Errorf("logger() without ErrorLog = %p; want slog.Default() %p", got, slog.Default())
	}
}

func TestRateLimitOptionsValidate(t *testing.T) {
	tests := []struct {
		opts RateLimitOptions
		want string // "" for valid
	}{
		{RateLimitOptions{}, ""},
		{RateLimitOptions{Limit: 1_000_000, Period: time.Second}, ""},
		{RateLimitOptions{Limit: -1}, "RateLimitOptions.Limit is -1; want 0 (default 60) or more"},
		{RateLimitOptions{Period: -time.Second}, "RateLimitOptions.Period is -1s; want 0 (default 1m0s) or more"},
		{RateLimitOptions{Limit: 2_000_000, Period: time.Second}, "Rate.Period/Rate.Limit is 500ns; want at least 1µs"},
		{RateLimitOptions{Name: "a#b"}, `RateLimitOptions.Name "a#b" contains '#'`},
		{RateLimitOptions{OnStoreError: 7}, "RateLimitOptions.OnStoreError is FailMode(7); want FailOpen or FailClosed"},
	}
	for _, tt := range tests {
		err := tt.opts.Validate()
		if got := errString(err); tt.want == "" && err != nil || !strings.Contains(got, tt.want) {
			t.Errorf("%+v.Validate() = %v; want %q", tt.opts, err, tt.want)
		}
	}
}

func TestRateLimitPanicsOnInvalidOptions(t *testing.T) {
	tests := []struct {
		name string
		f    func()
	}{
		{"RateLimit", func() { RateLimit(&RateLimitOptions{Limit: -1}) }},
		{"ClientIPKey", func() { ClientIPKey(&ClientIPOptions{IPv6Prefix: 129}) }},
		{"HeaderKey", func() { HeaderKey("", nil) }},
	}
	for _, tt := range tests {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s with invalid arguments did not panic", tt.name)
				}
			}()
			tt.f()
		}()
	}
}

func TestClientIPOptionsValidate(t *testing.T) {
	tests := []struct {
		opts ClientIPOptions
		want string
	}{
		{ClientIPOptions{}, ""},
		{ClientIPOptions{IPv6Prefix: 128, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}, ""},
		{ClientIPOptions{IPv6Prefix: -1}, "ClientIPOptions.IPv6Prefix is -1; want 0 (default 64) to 128"},
		{ClientIPOptions{IPv6Prefix: 129}, "ClientIPOptions.IPv6Prefix is 129"},
		{ClientIPOptions{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), {}}}, "ClientIPOptions.TrustedProxies[1] is not a valid prefix"},
	}
	for _, tt := range tests {
		err := tt.opts.Validate()
		if got := errString(err); tt.want == "" && err != nil || !strings.Contains(got, tt.want) {
			t.Errorf("%+v.Validate() = %v; want %q", tt.opts, err, tt.want)
		}
	}
}

func TestFailModeString(t *testing.T) {
	for _, tt := range []struct {
		m    FailMode
		want string
	}{{FailOpen, "fail-open"}, {FailClosed, "fail-closed"}, {-1, "FailMode(-1)"}} {
		if got := tt.m.String(); got != tt.want {
			t.Errorf("FailMode(%d).String() = %q; want %q", int(tt.m), got, tt.want)
		}
	}
}

func prefixes(ss ...string) []netip.Prefix {
	var ps []netip.Prefix
	for _, s := range ss {
		ps = append(ps, netip.MustParsePrefix(s))
	}
	return ps
}

var clientIPTests = []struct {
	name    string
	remote  string
	xff     []string // X-Forwarded-For field lines
	trusted []netip.Prefix
	v6bits  int
	want    string
}{
	// The peer's own address.
	{name: "IPv4 peer", remote: "192.0.2.1:1234", want: "192.0.2.1"},
	{name: "IPv6 peer keyed by /64", remote: "[2001:db8:1:2:3:4:5:6]:443", want: "2001:db8:1:2::/64"},
	{name: "IPv6 peer keyed by /48", remote: "[2001:db8:1:2:3:4:5:6]:443", v6bits: 48, want: "2001:db8:1::/48"},
	{name: "IPv6 peer keyed whole", remote: "[2001:db8:1:2:3:4:5:6]:443", v6bits: 128, want: "2001:db8:1:2:3:4:5:6"},
	{name: "IPv6 zone dropped", remote: "[fe80::1%eth0]:80", v6bits: 128, want: "fe80::1"},
	{name: "IPv4-mapped peer", remote: "[::ffff:192.0.2.1]:80", want: "192.0.2.1"},
	{name: "peer without port", remote: "192.0.2.1", want: "192.0.2.1"},
	{name: "not an IP peer", remote: "@", want: "@"},
	{name: "no peer", remote: "", want: ""},

	// Spoofing: X-Forwarded-For from a peer nobody trusts is ignored.
	{name: "spoof without trusted proxies", remote: "192.0.2.1:1", xff: []string{"203.0.113.7"}, want: "192.0.2.1"},
	{name: "spoof from an untrusted peer", remote: "192.0.2.1:1", xff: []string{"10.0.0.2, 203.0.113.7"}, trusted: prefixes("10.0.0.0/8"), want: "192.0.2.1"},
	{name: "spoof from an untrusted IPv6 peer", remote: "[2001:db8::1]:1", xff: []string{"203.0.113.7"}, trusted: prefixes("10.0.0.0/8"), v6bits: 128, want: "2001:db8::1"},
	{name: "spoofed entry left of the client", remote: "10.0.0.1:1", xff: []string{"6.6.6.6, 203.0.113.7"}, trusted: prefixes("10.0.0.0/8"), want: "203.0.113.7"},
	{name: "spoofed trusted address left of the client", remote: "10.0.0.1:1", xff: []string{"10.9.9.9, 203.0.113.7"}, trusted: prefixes("10.0.0.0/8"), want: "203.0.113.7"},
	{name: "spoofed field line before the proxy's", remote: "10.0.0.1:1", xff: []string{"6.6.6.6", "203.0.113.7"}, trusted: prefixes("10.0.0.0/8"), want: "203.0.113.7"},

	// Trusted proxies, right to left.
	{name: "one proxy", remote: "10.0.0.1:1", xff: []string{"203.0.113.7"}, trusted: prefixes("10.0.0.0/8"), want: "203.0.113.7"},
	{name: "chain of proxies", remote: "10.0.0.1:1", xff: []string{"203.0.113.7, 10.0.0.3,10.0.0.2"}, trusted: prefixes("10.0.0.0/8"), want: "203.0.113.7"},
	{name: "chain across field lines", remote: "10.0.0.1:1", xff: []string{"203.0.113.7", "10.0.0.2"}, trusted: prefixes("10.0.0.0/8"), want: "203.0.113.7"},
	{name: "several trusted networks", remote: "10.0.0.1:1", xff: []string{"203.0.113.7, 172.16.0.9"}, trusted: prefixes("172.16.0.0/12", "10.0.0.0/8"), want: "203.0.113.7"},
	{name: "every hop trusted", remote: "10.0.0.1:1", xff: []string{"10.0.0.3, 10.0.0.2"}, trusted: prefixes("10.0.0.0/8"), want: "10.0.0.3"},
	{name: "trusted peer without the field", remote: "10.0.0.1:1", trusted: prefixes("10.0.0.0/8"), want: "10.0.0.1"},
	{name: "empty list elements", remote: "10.0.0.1:1", xff: []string{", 203.0.113.7 ,, "}, trusted: prefixes("10.0.0.0/8"), want: "203.0.113.7"},
	{name: "tabs around elements", remote: "10.0.0.1:1", xff: []string{"203.0.113.7\t"}, trusted: prefixes("10.0.0.0/8"), want: "203.0.113.7"},
	{name: "entry with a port", remote: "10.0.0.1:1", xff: []string{"203.0.113.7:4711"}, trusted: prefixes("10.0.0.0/8"), want: "203.0.113.7"},
	{name: "IPv6 entry with a port", remote: "10.0.0.1:1", xff: []string{"[2001:db8::7]:80"}, trusted: prefixes("10.0.0.0/8"), want: "2001:db8::/64"},
	{name: "IPv6 entry in brackets", remote: "10.0.0.1:1", xff: []string{"[2001:db8::7]"}, trusted: prefixes("10.0.0.0/8"), v6bits: 128, want: "2001:db8::7"},
	{name: "IPv6 proxy", remote: "[fd00::1]:1", xff: []string{"2001:db8:5::7, fd00::2"}, trusted: prefixes("fd00::/8"), want: "2001:db8:5::/64"},
	{name: "IPv4-mapped proxy", remote: "[::ffff:10.0.0.1]:1", xff: []string{"203.0.113.7"}, trusted: prefixes("10.0.0.0/8"), want: "203.0.113.7"},
	{name: "proxy list in IPv4-mapped form", remote: "10.0.0.1:1", xff: []string{"203.0.113.7"}, trusted: prefixes("::ffff:10.0.0.0/104"), want: "203.0.113.7"},
	{name: "IPv4-mapped client", remote: "10.0.0.1:1", xff: []string{"::ffff:203.0.113.7"}, trusted: prefixes("10.0.0.0/8"), want: "203.0.113.7"},
	{name: "trusted single address", remote: "10.0.0.1:1", xff: []string{"203.0.113.7"}, trusted: prefixes("10.0.0.1/32"), want: "203.0.113.7"},
	{name: "unmasked proxy prefix", remote: "10.0.0.1:1", xff: []string{"203.0.113.7"}, trusted: prefixes("10.1.2.3/8"), want: "203.0.113.7"},

	// Entries that are not addresses stop the walk at the last trusted hop.
	{name: "unknown", remote: "10.0.0.1:1", xff: []string{"203.0.113.7, unknown"}, trusted: prefixes("10.0.0.0/8"), want: "10.0.0.1"},
	{name: "garbage left of a trusted hop", remote: "10.0.0.1:1", xff: []string{"garbage, 10.0.0.2"}, trusted: prefixes("10.0.0.0/8"), want: "10.0.0.2"},
	{name: "IPv4 in brackets", remote: "10.0.0.1:1", xff: []string{"[203.0.113.7]"}, trusted: prefixes("10.0.0.0/8"), want: "10.0.0.1"},
	{name: "IPv6 with a port, no brackets", remote: "10.0.0.1:1", xff: []string{"[2001:db8::7]:http"}, trusted: prefixes("10.0.0.0/8"), want: "10.0.0.1"},
	{name: "unclosed bracket", remote: "10.0.0.1:1", xff: []string{"[2001:db8::7"}, trusted: prefixes("10.0.0.0/8"), want: "10.0.0.1"},
	{name: "port too long", remote: "10.0.0.1:1", xff: []string{"203.0.113.7:1234567"}, trusted: prefixes("10.0.0.0/8"), want: "10.0.0.1"},
	{name: "IPv6 host with a port", remote: "10.0.0.1:1", xff: []string{"2001:db8::zz:80"}, trusted: prefixes("10.0.0.0/8"), want: "10.0.0.1"},
}

func TestClientIPKey(t *testing.T) {
	for _, tt := range clientIPTests {
		t.Run(tt.name, func(t *testing.T) {
			var fields []string
			for _, v := range tt.xff {
				fields = append(fields, "X-Forwarded-For", v)
			}
			key := ClientIPKey(&ClientIPOptions{TrustedProxies: tt.trusted, IPv6Prefix: tt.v6bits})
			if got := key(rlRequest(tt.remote, fields...)); got != tt.want {
				t.Errorf("key(RemoteAddr %q, X-Forwarded-For %q, trusted %v) = %q; want %q", tt.remote, tt.xff, tt.trusted, got, tt.want)
			}
		})
	}
}

func TestClientIPKeyAllocs(t *testing.T) {
	tests := []struct {
		name   string
		remote string
		xff    string
		want   float64
	}{
		{"IPv4 peer", "192.0.2.1:1234", "", 0},
		{"IPv4 through a trusted proxy", "10.0.0.1:1", "203.0.113.7, 10.0.0.2", 0},
		{"IPv6 peer", "[2001:db8::1]:1", "", 1},
	}
	key := ClientIPKey(&ClientIPOptions{TrustedProxies: prefixes("10.0.0.0/8")})
	for _, tt := range tests {
		r := rlRequest(tt.remote)
		if tt.xff != "" {
			r.Header.Set("X-Forwarded-For", tt.xff)
		}
		if got := testing.AllocsPerRun(100, func() { key(r) }); got != tt.want {
			t.Errorf("%s: %v allocations; want %v", tt.name, got, tt.want)
		}
	}
}

// FuzzClientIPKey checks that any X-Forwarded-For gives an IP key, and
// that an untrusted peer's own field never changes its key.
func FuzzClientIPKey(f *testing.F) {
	for _, tt := range clientIPTests {
		f.Add(tt.remote, strings.Join(tt.xff, ","))
	}
	trusted := ClientIPKey(&ClientIPOptions{TrustedProxies: prefixes("10.0.0.0/8", "fd00::/8")})
	f.Fuzz(func(t *testing.T, remote, xff string) {
		bare := trusted(rlRequest(remote))
		got := trusted(rlRequest(remote, "X-Forwarded-For", xff))
		peer, _, ok := parseHop(remote)
		if !ok {
			if got != remote {
				t.Fatalf("RemoteAddr %q is no address: key %q; want RemoteAddr", remote, got)
			}
			return
		}
		if _, err := netip.ParseAddr(got); err != nil {
			if _, err := netip.ParsePrefix(got); err != nil {
				t.Fatalf("key(%q, %q) = %q; want an address or prefix", remote, xff, got)
			}
		}
		if !netip.MustParsePrefix("10.0.0.0/8").Contains(peer) && !netip.MustParsePrefix("fd00::/8").Contains(peer) && got != bare {
			t.Fatalf("untrusted peer %q: key %q with X-Forwarded-For %q, %q without; want the same", remote, got, xff, bare)
		}
	})
}

func TestRateLimitHeaderKey(t *testing.T) {
	byPath := KeyFunc(func(r *strand.Request) string { return "path:" + r.Path })
	tests := []struct {
		name     string
		field    string
		fallback KeyFunc
		req      *strand.Request
		want     string
	}{
		{"present", "X-Api-Key", nil, rlRequest("192.0.2.1:1", "X-Api-Key", "abc"), "X-Api-Key=abc"},
		{"name in any case", "x-api-key", nil, rlRequest("192.0.2.1:1", "X-API-KEY", "abc"), "X-Api-Key=abc"},
		{"absent: client IP", "X-Api-Key", nil, rlRequest("192.0.2.1:1"), "192.0.2.1"},
		{"empty: client IP", "X-Api-Key", nil, rlRequest("192.0.2.1:1", "X-Api-Key", ""), "192.0.2.1"},
		{"value shaped like an IP", "X-Api-Key", nil, rlRequest("192.0.2.1:1", "X-Api-Key", "192.0.2.9"), "X-Api-Key=192.0.2.9"},
		{"custom fallback", "X-Api-Key", byPath, rlRequest("192.0.2.1:1"), "path:/"},
	}
	for _, tt := range tests {
		if got := HeaderKey(tt.field, tt.fallback)(tt.req); got != tt.want {
			t.Errorf("%s: HeaderKey(%q)(%q) = %q; want %q", tt.name, tt.field, tt.req.Header.Get(tt.field), got, tt.want)
		}
	}
}

func TestRateLimitCeilSeconds(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want int64
	}{
		{-time.Second, 0}, {0, 0}, {time.Nanosecond, 1}, {time.Second, 1},
		{time.Second + time.Nanosecond, 2}, {59999 * time.Millisecond, 60},
	}
	for _, tt := range tests {
		if got := ceilSeconds(tt.d); got != tt.want {
			t.Errorf("ceilSeconds(%v) = %d; want %d", tt.d, got, tt.want)
		}
	}
}

// TestRateLimitAllocs guards the admitted path of a typical limit (small
// numbers in the fields) against allocating.
func TestRateLimitAllocs(t *testing.T) {
	h := RateLimit(&RateLimitOptions{Limit: 99, Period: time.Minute})(rlOK)
	r := rlRequest("192.0.2.1:1234")
	w := &rlRecorder{}
	w.body.Grow(64)
	allocs := testing.AllocsPerRun(50, func() {
		w.header.Reset()
		w.body.Reset()
		h.ServeHTTP(w, r)
	})
	if allocs != 0 || w.code != 200 {
		t.Errorf("admitted request: %v allocations, status %d; want 0, 200", allocs, w.code)
	}
}

func BenchmarkRateLimit(b *testing.B) {
	// One token an hour, 2^20 of them: the bucket never runs dry nor fills.
	h := RateLimit(&RateLimitOptions{Limit: 1 << 20, Period: (1 << 20) * time.Hour})(rlOK)
	r := rlRequest("192.0.2.1:1234")
	w := &rlRecorder{}
	b.ReportAllocs()
	for b.Loop() {
		w.header.Reset()
		w.body.Reset()
		h.ServeHTTP(w, r)
	}
}
