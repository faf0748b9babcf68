package middleware_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/middleware"
)

// serveExample serves h on a loopback port; stop closes the server.
func serveExample(h strand.Handler) (url string, stop func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := &strand.Server{Handler: h}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	return "http://" + ln.Addr().String(), func() {
		srv.Close()
		<-done
	}
}

// getExample sends a GET with the given header fields (name, value, ...)
// and returns the response and its body.
func getExample(url string, fields ...string) (*http.Response, string) {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		panic(err)
	}
	for i := 0; i+1 < len(fields); i += 2 {
		req.Header.Set(fields[i], fields[i+1])
	}
	// A client of its own, without keep-alive: nothing is left behind
	// in http.DefaultClient's pool for other examples to trip on.
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func ExampleRequestID() {
	h := middleware.RequestID(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		_, _ = w.WriteString("handler sees " + middleware.RequestIDFrom(r))
	}))
	url, stop := serveExample(h)
	defer stop()

	// A valid incoming ID is kept, and sent back.
	resp, body := getExample(url, "X-Request-ID", "trace-42")
	fmt.Println(resp.Header.Get("X-Request-Id"), "/", body)

	// Without one (or with an invalid one), the middleware makes one up.
	resp, body = getExample(url, "X-Request-ID", "not valid!")
	id := resp.Header.Get("X-Request-Id")
	fmt.Println(id != "not valid!", body == "handler sees "+id)
	// Output:
	// trace-42 / handler sees trace-42
	// true true
}

// A handler that calls code taking only a context puts the ID in the
// context itself, when it needs it, instead of paying for it on every
// request (see RequestIDOptions.Context for that).
func ExampleContextWithRequestID() {
	audit := func(ctx context.Context, event string) {
		fmt.Println(event, "for request", middleware.RequestIDFromContext(ctx))
	}
	h := middleware.RequestID(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		ctx := middleware.ContextWithRequestID(r.Context(), middleware.RequestIDFrom(r))
		audit(ctx, "user deleted")
	}))
	url, stop := serveExample(h)
	defer stop()
	getExample(url, "X-Request-ID", "req-7")
	// Output:
	// user deleted for request req-7
}
