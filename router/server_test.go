package router

// End-to-end tests: the router behind a real strand.Server on loopback,
// where the server's own part of a rule (no body for HEAD) shows.

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/strandhttp/strand"
)

const helloBody = "hello from GET"

func newServerRouter() *Router {
	r := New()
	r.Get("/hello/:name", func(w strand.ResponseWriter, req *strand.Request) {
		w.Header().Set("X-Name", req.PathValue("name"))
		w.Header().Set("X-Pattern", req.Pattern())
		_, _ = w.WriteString(helloBody)
	})
	r.Post("/hello/:name", text("posted"))
	return r
}

// TestAutomaticHEADOverServer: a HEAD on a GET route runs the GET handler
// and gets the GET response's head, Content-Length included, without its
// body (RFC 9110 §9.3.2).
func TestAutomaticHEADOverServer(t *testing.T) {
	addr := startServer(t, newServerRouter())
	client := &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()

	resp, err := client.Head("http://" + addr + "/hello/ann")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(body) != 0 || resp.ContentLength != int64(len(helloBody)) ||
		resp.Header.Get("X-Name") != "ann" || resp.Header.Get("X-Pattern") != "/hello/:name" {
		t.Errorf("HEAD /hello/ann: %d, Content-Length %d, X-Name %q, X-Pattern %q, body %q; want 200, %d, %q, %q, no body",
			resp.StatusCode, resp.ContentLength, resp.Header.Get("X-Name"), resp.Header.Get("X-Pattern"), body,
			len(helloBody), "ann", "/hello/:name")
	}

	// net/http's client does not read a HEAD body even if one is sent, so
	// check the bytes: a HEAD and a GET pipelined on one connection must
	// come back as exactly two responses, the first without a body.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, "HEAD /hello/bo HTTP/1.1\r\nHost: x\r\n\r\nGET /hello/cy HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	for _, tt := range []struct {
		method, name, body string
	}{
		{"HEAD", "bo", ""},
		{"GET", "cy", helloBody},
	} {
		resp, err := http.ReadResponse(br, &http.Request{Method: tt.method})
		if err != nil {
			t.Fatalf("reading the %s response: %v", tt.method, err)
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != 200 || string(body) != tt.body || resp.Header.Get("X-Name") != tt.name {
			t.Errorf("pipelined %s: %d, X-Name %q, body %q, %v; want 200, %q, %q",
				tt.method, resp.StatusCode, resp.Header.Get("X-Name"), body, err, tt.name, tt.body)
		}
	}
	if n := br.Buffered(); n != 0 {
		t.Errorf("%d bytes after the two responses; want none (a HEAD body was sent?)", n)
	}
}

// TestOptionsAnd405OverServer checks the automatic answers on the wire.
func TestOptionsAnd405OverServer(t *testing.T) {
	addr := startServer(t, newServerRouter())
	client := &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	tests := []struct {
		method string
		code   int
		body   string
	}{
		{"OPTIONS", 204, ""},
		{"DELETE", 405, "405 method not allowed\n"},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, "http://"+addr+"/hello/x", nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.code || resp.Header.Get("Allow") != "GET, HEAD, OPTIONS, POST" || string(body) != tt.body {
			t.Errorf("%s /hello/x: %d, Allow %q, body %q; want %d, %q, %q",
				tt.method, resp.StatusCode, resp.Header.Get("Allow"), body, tt.code, "GET, HEAD, OPTIONS, POST", tt.body)
		}
	}
	// A redirect over the wire keeps the query.
	noFollow := &http.Client{Transport: client.Transport, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	resp, err := noFollow.Get("http://" + addr + "/hello/x/?a=1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 301 || resp.Header.Get("Location") != "/hello/x?a=1" {
		t.Errorf("GET /hello/x/?a=1: %d, Location %q; want 301, %q", resp.StatusCode, resp.Header.Get("Location"), "/hello/x?a=1")
	}
}
