package static_test

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/static"
)

// Serve a directory, with long-lived caching for hashed assets and a
// listing for directories without an index.html.
func ExampleDir() {
	root, err := os.MkdirTemp("", "site")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(root)
	_ = os.WriteFile(filepath.Join(root, "hello.txt"), []byte("Hello, files!\n"), 0o644)

	files, err := static.Dir(root, &static.Options{
		Listing: true,
		CacheControl: []static.CacheRule{
			{Pattern: "/assets/*", Value: "public, max-age=31536000, immutable"},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &strand.Server{Handler: files}
	go srv.Serve(ln)
	defer srv.Close()

	resp, err := http.Get("http://" + ln.Addr().String() + "/hello.txt")
	if err != nil {
		log.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.Status, resp.Header.Get("Content-Type"))
	fmt.Print(string(body))
	// Output:
	// 200 OK text/plain; charset=utf-8
	// Hello, files!
}
