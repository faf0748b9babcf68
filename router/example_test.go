package router_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/router"
)

// Routes with parameters, served by a strand.Server. The handler reads the
// segment matched by ":id" with PathValue, and the pattern with Pattern.
func ExampleNew() {
	r := router.New()
	r.Get("/users/:id", func(w strand.ResponseWriter, req *strand.Request) {
		fmt.Fprintf(w, "user %s (route %s)", req.PathValue("id"), req.Pattern())
	})
	r.Get("/users/new", func(w strand.ResponseWriter, req *strand.Request) {
		io.WriteString(w, "the sign-up form")
	})
	r.Get("/files/*path", func(w strand.ResponseWriter, req *strand.Request) {
		fmt.Fprintf(w, "file %q", req.PathValue("path"))
	})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := &strand.Server{Handler: r}
	go srv.Serve(ln)
	defer srv.Close()

	for _, path := range []string{"/users/42", "/users/new", "/files/css/site.css", "/users/"} {
		fmt.Println(path, "->", get("http://"+ln.Addr().String()+path))
	}
	// Output:
	// /users/42 -> 200 user 42 (route /users/:id)
	// /users/new -> 200 the sign-up form
	// /files/css/site.css -> 200 file "css/site.css"
	// /users/ -> 404 404 page not found
}

// Route groups share a prefix and middleware; With adds middleware to one
// route. Middleware passed to Use on the router wraps everything, 404s
// included.
func ExampleRouter_Route() {
	tag := func(name string) strand.Middleware {
		return func(next strand.Handler) strand.Handler {
			return strand.HandlerFunc(func(w strand.ResponseWriter, req *strand.Request) {
				w.Header().Add("X-Via", name)
				next.ServeHTTP(w, req)
			})
		}
	}
	r := router.New()
	r.Use(tag("root"))
	r.Route("/api", func(api *router.Router) {
		api.Use(tag("api"))
		api.Get("/users", func(w strand.ResponseWriter, req *strand.Request) {
			io.WriteString(w, "users")
		})
		api.Get("/users/:id", func(w strand.ResponseWriter, req *strand.Request) {
			fmt.Fprintf(w, "user %s", req.PathValue("id"))
		})
		api.With(tag("admin")).Delete("/users/:id", func(w strand.ResponseWriter, req *strand.Request) {
			fmt.Fprintf(w, "deleted %s", req.PathValue("id"))
		})
	})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := &strand.Server{Handler: r}
	go srv.Serve(ln)
	defer srv.Close()

	base := "http://" + ln.Addr().String()
	for _, req := range []struct{ method, path string }{
		{"GET", "/api/users"},
		{"GET", "/api/users/7"},
		{"DELETE", "/api/users/7"},
		{"PUT", "/api/users/7"},
		{"GET", "/nowhere"},
	} {
		hreq, _ := http.NewRequest(req.method, base+req.path, nil)
		resp, err := http.DefaultClient.Do(hreq)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("%s %s -> %d %q via %s", req.method, req.path, resp.StatusCode,
			strings.TrimSpace(string(body)), strings.Join(resp.Header.Values("X-Via"), ","))
		if allow := resp.Header.Get("Allow"); allow != "" {
			fmt.Printf(", Allow: %s", allow)
		}
		fmt.Println()
	}
	// Output:
	// GET /api/users -> 200 "users" via root,api
	// GET /api/users/7 -> 200 "user 7" via root,api
	// DELETE /api/users/7 -> 200 "deleted 7" via root,api,admin
	// PUT /api/users/7 -> 405 "405 method not allowed" via root, Allow: DELETE, GET, HEAD, OPTIONS
	// GET /nowhere -> 404 "404 page not found" via root
}

// get fetches url and returns the status and body.
func get(url string) string {
	resp, err := http.Get(url)
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return fmt.Sprintf("%d %s", resp.StatusCode, strings.TrimSpace(string(body)))
}
