package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/internal/enginetest"
)

func startAPI(t *testing.T) (string, *bytes.Buffer) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	srv := &strand.Server{ErrorLog: log, Engine: enginetest.Engine}
	srv.Handler = newAPI(newStore(), srv, log)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String(), &logs
}

func do(t *testing.T, method, url, ctype, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestCRUD(t *testing.T) {
	base, logs := startAPI(t)
	defer func() {
		if t.Failed() {
			t.Log(logs.String())
		}
	}()
	const js = "application/json"
	resp, body := do(t, "POST", base+"/users", js, `{"name":"Ada","email":"ada@example.com"}`)
	if resp.StatusCode != 201 || resp.Header.Get("Location") != "/users/1" {
		t.Fatalf("create = %d %q Location %q; want 201 at /users/1", resp.StatusCode, body, resp.Header.Get("Location"))
	}
	var u user
	if err := json.Unmarshal([]byte(body), &u); err != nil || u.ID != "1" || u.Name != "Ada" {
		t.Fatalf("created user %q: %+v %v", body, u, err)
	}
	if resp.Header.Get("X-Request-Id") == "" {
		t.Errorf("no X-Request-ID on the response")
	}
	for _, tc := range []struct {
		method, path, ctype, body string
		status                    int
		contains                  string
	}{
		{"GET", "/users/1", "", "", 200, `"name":"Ada"`},
		{"GET", "/users", "", "", 200, `[{"id":"1"`},
		{"PUT", "/users/1", js, `{"name":"Ada L","email":"ada@example.org"}`, 200, `"name":"Ada L"`},
		{"GET", "/users/2", "", "", 404, "no such user"},
		{"POST", "/users", "text/plain", "x", 415, "application/json"},
		{"POST", "/users", js, `{"name":"x"`, 400, "malformed JSON"},
		{"POST", "/users", js, `{"name":"","email":"a@b.c"}`, 422, "name"},
		{"POST", "/users", js, `{"name":"B","email":"not mail"}`, 422, "email"},
		{"POST", "/users", js, `{"name":"B","email":"b@c.d","x":1}`, 400, "unknown field"},
		{"POST", "/users", js, `{"name":"` + strings.Repeat("a", 20000) + `","email":"a@b.c"}`, 413, ""},
		{"PATCH", "/users/1", js, `{}`, 405, ""},
		{"DELETE", "/users/1", "", "", 204, ""},
		{"DELETE", "/users/1", "", "", 404, "no such user"},
		{"GET", "/health", "", "", 200, "ok"},
		{"GET", "/ready", "", "", 200, "ok"},
		{"GET", "/metrics", "", "", 200, `strand_http_requests_total{code="201",method="POST",pattern="/users"}`},
	} {
		resp, body := do(t, tc.method, base+tc.path, tc.ctype, tc.body)
		if resp.StatusCode != tc.status || !strings.Contains(body, tc.contains) {
			t.Errorf("%s %s = %d %.120q; want %d containing %q", tc.method, tc.path, resp.StatusCode, body, tc.status, tc.contains)
		}
	}
}

func TestCompressedList(t *testing.T) {
	base, _ := startAPI(t)
	for i := 0; i < 40; i++ {
		do(t, "POST", base+"/users", "application/json", `{"name":"User","email":"user@example.com"}`)
	}
	// net/http's transport asks for gzip and decodes it transparently.
	resp, body := do(t, "GET", base+"/users", "", "")
	if !resp.Uncompressed || !strings.Contains(body, `"id":"40"`) {
		t.Fatalf("GET /users: uncompressed %v, body %.80q; want a gzip response decoded by the client", resp.Uncompressed, body)
	}
}

func TestRequestsAreLogged(t *testing.T) {
	base, logs := startAPI(t)
	do(t, "GET", base+"/users/9", "", "")
	line := logs.String()
	for _, want := range []string{`"status":404`, `"pattern":"/users/:id"`, `"request_id":"`} {
		if !strings.Contains(line, want) {
			t.Errorf("log %q lacks %s", line, want)
		}
	}
}
