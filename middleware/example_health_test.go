package middleware_test

import (
	"fmt"
	"sync/atomic"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/middleware"
)

func ExampleNewHealth() {
	// draining is set when the stop signal arrives, a few probe intervals
	// before Shutdown, so that load balancers stop sending first.
	var draining atomic.Bool
	health := middleware.NewHealth(middleware.HealthOptions{
		Ready: func() bool { return !draining.Load() },
	})
	app := strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		_, _ = w.WriteString("app\n")
	})
	url, stop := serveExample(health(app))
	defer stop()

	for _, path := range []string{"/health", "/ready", "/"} {
		resp, body := getExample(url + path)
		fmt.Print(path, " ", resp.StatusCode, " ", body)
	}
	draining.Store(true)
	resp, body := getExample(url + "/ready")
	fmt.Print("/ready ", resp.StatusCode, " ", body)
	// Output:
	// /health 200 ok
	// /ready 200 ok
	// / 200 app
	// /ready 503 not ready
}
