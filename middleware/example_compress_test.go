package middleware_test

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/middleware"
)

// Compress negotiates a coding with each client. Browsers accept all
// four and get the server's first choice, zstd; a client that only
// speaks gzip gets gzip; small bodies go out as they are.
func ExampleCompress() {
	page := strings.Repeat("<p>Strand serves this page compressed.</p>\n", 100)
	site := strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.Path == "/small" {
			_, _ = w.WriteString("<p>hi</p>")
			return
		}
		_, _ = w.WriteString(page)
	})
	srv := &strand.Server{Handler: middleware.Compress(middleware.CompressOptions{})(site)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go srv.Serve(ln)
	defer srv.Shutdown(context.Background())
	base := "http://" + ln.Addr().String()
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}

	get := func(path, acceptEncoding string) (*http.Response, []byte) {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Accept-Encoding", acceptEncoding)
		resp, err := client.Do(req)
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, body
	}

	resp, _ := get("/", "gzip, deflate, br, zstd")
	fmt.Printf("browser: Content-Encoding: %s, Vary: %s\n",
		resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))

	resp, body := get("/", "gzip")
	zr, _ := gzip.NewReader(strings.NewReader(string(body)))
	plain, _ := io.ReadAll(zr)
	fmt.Printf("gzip only: Content-Encoding: %s, under a tenth of the size: %v, intact: %v\n",
		resp.Header.Get("Content-Encoding"), len(body) < len(page)/10, string(plain) == page)

	resp, body = get("/small", "gzip, br")
	fmt.Printf("small: Content-Encoding: %q, Content-Length: %s, %s\n",
		resp.Header.Get("Content-Encoding"), resp.Header.Get("Content-Length"), body)

	// Output:
	// browser: Content-Encoding: zstd, Vary: Accept-Encoding
	// gzip only: Content-Encoding: gzip, under a tenth of the size: true, intact: true
	// small: Content-Encoding: "", Content-Length: 9, <p>hi</p>
}
