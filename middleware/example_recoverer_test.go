package middleware_test

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/middleware"
)

func ExampleNewRecoverer() {
	// The stack trace and other varying attributes are left out of this
	// example's output; a real log keeps them.
	varying := map[string]bool{slog.TimeKey: true, "remote": true, "stack": true}
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if varying[a.Key] {
				return slog.Attr{}
			}
			return a
		},
	}))
	h := strand.Chain(
		middleware.RequestID,
		middleware.NewRecoverer(middleware.RecovererOptions{Logger: logger}),
	)(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		panic("orders: store not initialised") // a bug
	}))
	url, stop := serveExample(h)
	defer stop()

	resp, body := getExample(url+"/orders", "X-Request-ID", "req-9")
	fmt.Print(resp.StatusCode, " ", resp.Header.Get("X-Request-Id"), " ", body)
	// Output:
	// level=ERROR msg="panic serving request" request_id=req-9 method=GET path=/orders panic="orders: store not initialised" response_started=false
	// 500 req-9 internal server error
}
