package middleware_test

import (
	"bufio"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/middleware"
	"github.com/strandhttp/strand/router"
)

// Metrics wraps the router, which sets each request's pattern, and serves
// the exposition at /metrics.
func ExampleMetrics() {
	srv := &strand.Server{}
	m := middleware.NewMetrics(&middleware.MetricsOptions{OpenConns: srv.OpenConns})

	mux := router.New()
	mux.Get("/hello/:name", func(w strand.ResponseWriter, r *strand.Request) {
		fmt.Fprintf(w, "hello, %s", r.PathValue("name"))
	})
	mux.Handle("GET", "/metrics", m.Handler())
	srv.Handler = m.Middleware()(mux)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()

	for _, path := range []string{"/hello/ann", "/hello/bob", "/nowhere"} {
		resp, err := http.Get(base + path)
		if err != nil {
			log.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body) // drained, the connection is reused
		resp.Body.Close()
	}
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "strand_http_requests_") || strings.HasPrefix(line, "strand_http_open_") {
			fmt.Println(line)
		}
	}
	// Output:
	// strand_http_open_connections 1
	// strand_http_requests_in_flight 1
	// strand_http_requests_total{code="200",method="GET",pattern="/hello/:name"} 2
	// strand_http_requests_total{code="404",method="GET",pattern="unmatched"} 1
}
