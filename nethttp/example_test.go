package nethttp_test

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/nethttp"
)

// A net/http handler served by a Strand server.
func ExampleHandler() {
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "hello from net/http code, path %s, query %s", r.URL.Path, r.URL.Query().Get("q"))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &strand.Server{Handler: nethttp.Handler(hello)}
	go srv.Serve(ln)
	defer srv.Close()

	resp, err := http.Get("http://" + ln.Addr().String() + "/greet?q=strand")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Status)
	fmt.Println(string(body))
	// Output:
	// 200 OK
	// hello from net/http code, path /greet, query strand
}

// A Strand handler served by net/http's server.
func ExampleFromStrand() {
	hello := strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "hello from Strand code, target %s", r.Target)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: nethttp.FromStrand(hello)}
	go srv.Serve(ln)
	defer srv.Close()

	resp, err := http.Get("http://" + ln.Addr().String() + "/greet?q=1")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(string(body))
	// Output:
	// hello from Strand code, target /greet?q=1
}
