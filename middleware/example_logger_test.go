package middleware_test

import (
	"log/slog"
	"os"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/middleware"
)

func ExampleNewLogger() {
	// Text lines on stdout; the attributes that change from run to run
	// are left out so that the example's output is fixed.
	varying := map[string]bool{slog.TimeKey: true, "remote": true, "duration": true}
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if varying[a.Key] {
				return slog.Attr{}
			}
			return a
		},
	}))
	app := strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		r.SetPattern("/users/:id") // as a router would
		if r.Path != "/users/42" {
			strand.NotFound(w, r)
			return
		}
		_, _ = w.WriteString("Alice")
	})
	h := strand.Chain(
		middleware.RequestID,
		middleware.NewLogger(middleware.LoggerOptions{Logger: logger}),
		middleware.Recoverer,
	)(app)
	url, stop := serveExample(h)
	defer stop()

	getExample(url+"/users/42?token=secret", "X-Request-ID", "req-1", "User-Agent", "example/1.0")
	getExample(url+"/users/7", "X-Request-ID", "req-2", "User-Agent", "example/1.0")
	// Output:
	// level=INFO msg=request request_id=req-1 method=GET path=/users/42 pattern=/users/:id status=200 bytes=5 user_agent=example/1.0
	// level=WARN msg=request request_id=req-2 method=GET path=/users/7 pattern=/users/:id status=404 bytes=19 user_agent=example/1.0
}
