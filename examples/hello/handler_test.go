package main

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/internal/enginetest"
)

func TestHelloEndpoints(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &strand.Server{Handler: newHandler(), Engine: enginetest.Engine}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	for _, tc := range []struct {
		method, path, body string
		status             int
		ctype, want, allow string
	}{
		{"GET", "/plaintext", "", 200, "text/plain", "Hello, World!", ""},
		{"GET", "/json", "", 200, "application/json", `{"message":"Hello, World!"}`, ""},
		{"GET", "/", "", 200, "text/plain; charset=utf-8", "Strand says hello. Try /plaintext, /json, /echo, /health.\n", ""},
		{"POST", "/echo", "ping pong", 200, "text/x-test", "ping pong", ""},
		{"GET", "/health", "", 200, "text/plain; charset=utf-8", "ok\n", ""},
		{"POST", "/health", "", 405, "text/plain; charset=utf-8", "405 method not allowed\n", "GET, HEAD, OPTIONS"},
		{"GET", "/echo", "", 405, "text/plain; charset=utf-8", "405 method not allowed\n", "OPTIONS, POST"},
		{"GET", "/nope", "", 404, "text/plain; charset=utf-8", "404 page not found\n", ""},
	} {
		req, _ := http.NewRequest(tc.method, base+tc.path, strings.NewReader(tc.body))
		if tc.body != "" {
			req.Header.Set("Content-Type", "text/x-test")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || string(b) != tc.want || resp.Header.Get("Content-Type") != tc.ctype ||
			resp.Header.Get("Allow") != tc.allow {
			t.Errorf("%s %s = %d %q (%q, Allow %q); want %d %q (%q, Allow %q)", tc.method, tc.path,
				resp.StatusCode, b, resp.Header.Get("Content-Type"), resp.Header.Get("Allow"),
				tc.status, tc.want, tc.ctype, tc.allow)
		}
	}
}
