package middleware_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/middleware"
)

func ExampleBodyLimit() {
	upload := strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return // over the limit: the middleware answers 413
		}
		fmt.Fprintf(w, "stored %d bytes\n", len(b))
	})
	url, stop := serveExample(middleware.BodyLimit(1 << 10)(upload))
	defer stop()

	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for _, size := range []int{100, 5000} {
		resp, err := c.Post(url, "text/plain", strings.NewReader(strings.Repeat("x", size)))
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Print(resp.StatusCode, " ", string(body))
	}
	// Output:
	// 200 stored 100 bytes
	// 413 request body too large
}
