package middleware_test

import (
	"fmt"
	"time"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/middleware"
)

func ExampleTimeout() {
	lateWrite := make(chan error, 1)
	slow := strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		select {
		case <-time.After(time.Minute): // the work, which would take too long
			_, _ = w.WriteString("done")
		case <-r.Context().Done(): // the deadline: give up
			_, err := w.WriteString("too late") // sends the 503, discards this
			lateWrite <- err
		}
	})
	url, stop := serveExample(middleware.Timeout(50 * time.Millisecond)(slow))
	defer stop()

	resp, body := getExample(url)
	fmt.Print(resp.StatusCode, " ", body)
	fmt.Println("handler's write:", <-lateWrite)
	// Output:
	// 503 service unavailable: the request timed out
	// handler's write: middleware: handler timed out
}
