package middleware_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/middleware"
)

// A single-page application on another origin calls a JSON API with a
// bearer token: the browser first sends a preflight, which CORS answers,
// then the request itself, which reaches the handler.
func ExampleCORS() {
	api := strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-ID", "42")
		_, _ = w.WriteString(`{"ok":true}`)
	})
	cors := middleware.CORS(middleware.CORSOptions{
		AllowedOrigins: []string{"https://app.example.com"},
		AllowedMethods: []string{"GET", "POST", "PUT", "DELETE"},
		AllowedHeaders: []string{"Authorization", "Content-Type"},
		ExposedHeaders: []string{"X-Request-ID"},
		MaxAge:         10 * time.Minute,
	})
	srv := &strand.Server{Handler: cors(api)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go srv.Serve(ln)
	defer srv.Shutdown(context.Background())
	url := "http://" + ln.Addr().String() + "/items/1"

	// What the browser sends before PUT /items/1 with a token and JSON.
	pre, _ := http.NewRequest("OPTIONS", url, nil)
	pre.Header.Set("Origin", "https://app.example.com")
	pre.Header.Set("Access-Control-Request-Method", "PUT")
	pre.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
	resp, err := http.DefaultClient.Do(pre)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println("preflight:", resp.Status)
	for _, name := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Methods",
		"Access-Control-Allow-Headers", "Access-Control-Max-Age"} {
		fmt.Printf("  %s: %s\n", name, resp.Header.Get(name))
	}

	// The request itself.
	put, _ := http.NewRequest("PUT", url, nil)
	put.Header.Set("Origin", "https://app.example.com")
	put.Header.Set("Authorization", "Bearer t0ken")
	resp, err = http.DefaultClient.Do(put)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println("request:", resp.Status)
	for _, name := range []string{"Access-Control-Allow-Origin", "Access-Control-Expose-Headers", "Vary"} {
		fmt.Printf("  %s: %s\n", name, resp.Header.Get(name))
	}

	// Another site's page: the handler runs, but the browser will not let
	// the page read the answer.
	get, _ := http.NewRequest("GET", url, nil)
	get.Header.Set("Origin", "https://evil.example")
	resp, err = http.DefaultClient.Do(get)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Printf("other origin: %s, Access-Control-Allow-Origin: %q\n",
		resp.Status, resp.Header.Get("Access-Control-Allow-Origin"))

	// Output:
	// preflight: 204 No Content
	//   Access-Control-Allow-Origin: https://app.example.com
	//   Access-Control-Allow-Methods: GET, POST, PUT, DELETE
	//   Access-Control-Allow-Headers: Authorization, Content-Type
	//   Access-Control-Max-Age: 600
	// request: 200 OK
	//   Access-Control-Allow-Origin: https://app.example.com
	//   Access-Control-Expose-Headers: X-Request-Id
	//   Vary: Origin
	// other origin: 200 OK, Access-Control-Allow-Origin: ""
}
