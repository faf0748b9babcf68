package strand_test

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"

	"github.com/strandhttp/strand"
)

// A Server with a Handler, on a loopback port chosen by the system,
// answering one request made with net/http.
func ExampleServer() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &strand.Server{Handler: strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "hello, %s, from %s\n", r.Query().Get("name"), r.Path)
	})}
	go srv.Serve(ln)
	defer srv.Close()

	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	resp, err := client.Get("http://" + ln.Addr().String() + "/greet?name=gopher")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Status, resp.Header.Get("Content-Type"))
	fmt.Print(string(body))
	// Output:
	// 200 OK text/plain; charset=utf-8
	// hello, gopher, from /greet
}

// Header names are canonical and looked up in any case; fields keep the
// order they were added in.
func ExampleHeader() {
	var h strand.Header
	h.Set("content-type", "text/plain")
	h.Add("Vary", "Accept")
	h.Add("vary", "Accept-Encoding")
	fmt.Println(h.Get("CONTENT-TYPE"))
	fmt.Println(h.Values("Vary"))
	h.Del("Vary")
	for name, value := range h.All() {
		fmt.Printf("%s: %s\n", name, value)
	}
	// Output:
	// text/plain
	// [Accept Accept-Encoding]
	// Content-Type: text/plain
}

// Chain composes middleware once, at setup; the first listed runs first.
func ExampleChain() {
	tag := func(name string) strand.Middleware {
		return func(next strand.Handler) strand.Handler {
			return strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
				fmt.Println("enter", name)
				next.ServeHTTP(w, r)
			})
		}
	}
	h := strand.Chain(tag("logger"), tag("auth"))(strand.HandlerFunc(func(strand.ResponseWriter, *strand.Request) {
		fmt.Println("handler")
	}))
	h.ServeHTTP(nil, &strand.Request{})
	// Output:
	// enter logger
	// enter auth
	// handler
}
