package middleware_test

import (
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/middleware"
)

// Two requests a minute per client IP, kept in memory: the third request
// is refused until a token is back, 30 seconds later.
func ExampleRateLimit() {
	limit := middleware.RateLimit(&middleware.RateLimitOptions{Limit: 2, Period: time.Minute})
	hello := strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		w.WriteString("hello\n")
	})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &strand.Server{Handler: limit(hello)}
	go srv.Serve(ln)
	defer srv.Close()

	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	for range 3 {
		resp, err := client.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			log.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		fmt.Printf("%d RateLimit-Remaining=%s RateLimit-Reset=%s Retry-After=%q\n", resp.StatusCode,
			resp.Header.Get("RateLimit-Remaining"), resp.Header.Get("RateLimit-Reset"), resp.Header.Get("Retry-After"))
	}
	// Output:
	// 200 RateLimit-Remaining=1 RateLimit-Reset=30 Retry-After=""
	// 200 RateLimit-Remaining=0 RateLimit-Reset=60 Retry-After=""
	// 429 RateLimit-Remaining=0 RateLimit-Reset=60 Retry-After="30"
}

// Behind a load balancer on 10.0.0.0/8, the client is the address the
// balancer appended to X-Forwarded-For; what the client wrote there itself
// is ignored.
func ExampleClientIPKey() {
	key := middleware.ClientIPKey(&middleware.ClientIPOptions{
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")},
	})

	viaProxy := &strand.Request{RemoteAddr: "10.0.0.5:41000"}
	viaProxy.Header.Add("X-Forwarded-For", "6.6.6.6, 203.0.113.7")
	fmt.Println(key(viaProxy))

	direct := &strand.Request{RemoteAddr: "198.51.100.9:50000"}
	direct.Header.Add("X-Forwarded-For", "6.6.6.6")
	fmt.Println(key(direct))

	ipv6 := &strand.Request{RemoteAddr: "[2001:db8:a:b:1:2:3:4]:443"}
	fmt.Println(key(ipv6))
	// Output:
	// 203.0.113.7
	// 198.51.100.9
	// 2001:db8:a:b::/64
}

// Requests with an API key are limited per key, the others per client IP.
func ExampleHeaderKey() {
	key := middleware.HeaderKey("X-Api-Key", nil)

	withKey := &strand.Request{RemoteAddr: "192.0.2.1:1234"}
	withKey.Header.Add("X-Api-Key", "k-123")
	fmt.Println(key(withKey))

	anonymous := &strand.Request{RemoteAddr: "192.0.2.1:1234"}
	fmt.Println(key(anonymous))
	// Output:
	// X-Api-Key=k-123
	// 192.0.2.1
}

// Several servers share each client's limit through Redis. A strict limit
// on /login and a looser one elsewhere share the store under two names.
// When Redis is unreachable, logins are refused (503) and the rest admitted.
func ExampleNewRedisStore() {
	rdb := redis.NewClient(&redis.Options{
		Addr:                  "127.0.0.1:6379",
		ContextTimeoutEnabled: true, // so that the store's Timeout bounds a slow Redis
	})
	defer rdb.Close()
	store := middleware.NewRedisStore(rdb, &middleware.RedisStoreOptions{Timeout: 50 * time.Millisecond})
	logger := slog.Default()

	login := middleware.RateLimit(&middleware.RateLimitOptions{
		Name: "login", Limit: 5, Period: time.Minute,
		Store: store, OnStoreError: middleware.FailClosed, ErrorLog: logger,
	})
	api := middleware.RateLimit(&middleware.RateLimitOptions{
		Name: "api", Limit: 100, Period: time.Minute,
		Store: store, OnStoreError: middleware.FailOpen, ErrorLog: logger,
	})

	loginHandler := strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) { /* ... */ })
	apiHandler := strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) { /* ... */ })
	_ = login(loginHandler)
	_ = api(apiHandler)
}
