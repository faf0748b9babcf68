package strandtest_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/strandtest"
)

func TestNewRequest(t *testing.T) {
	for _, tc := range []struct {
		method, target    string
		body              io.Reader
		path, query, host string
		contentLength     int64
	}{
		{"GET", "/a%20b?x=1", nil, "/a b", "x=1", "example.com", 0},
		{"POST", "http://api.test/items", strings.NewReader("abc"), "/items", "", "api.test", 3},
		{"PUT", "/stream", io.MultiReader(strings.NewReader("x")), "/stream", "", "example.com", -1},
		{"OPTIONS", "*", nil, "*", "", "example.com", 0},
	} {
		r := strandtest.NewRequest(tc.method, tc.target, tc.body)
		if r.Method != tc.method || r.Path != tc.path || r.RawQuery != tc.query || r.Host != tc.host || r.ContentLength != tc.contentLength {
			t.Errorf("NewRequest(%q, %q) = %s %q ?%q host %q length %d; want %s %q ?%q host %q length %d",
				tc.method, tc.target, r.Method, r.Path, r.RawQuery, r.Host, r.ContentLength,
				tc.method, tc.path, tc.query, tc.host, tc.contentLength)
		}
		if b, err := io.ReadAll(r.Body); err != nil || (tc.body == nil) != (len(b) == 0) {
			t.Errorf("NewRequest(%q, %q) body = %q, %v", tc.method, tc.target, b, err)
		}
	}
}

func TestNewRequestPanicsOnMalformedTarget(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("NewRequest with a space in the target did not panic")
		}
	}()
	strandtest.NewRequest("GET", "/a b", nil)
}

func TestRecorder(t *testing.T) {
	rr := strandtest.NewRecorder()
	h := strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		w.Header().Set("Link", "</a.css>; rel=preload")
		w.WriteHeader(strand.StatusEarlyHints)
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(strand.StatusCreated)
		w.Header().Set("X-Late", "ignored by clients")
		_, _ = w.WriteString("made")
		_ = strand.Flush(w)
	})
	h.ServeHTTP(rr, strandtest.NewRequest("POST", "/things", nil))
	if rr.Code != 201 || rr.Body.String() != "made" || !rr.Flushed || len(rr.Interim) != 1 || rr.Interim[0] != 103 {
		t.Fatalf("recorded %d %q flushed %v interim %v; want 201 \"made\" flushed [103]", rr.Code, rr.Body.String(), rr.Flushed, rr.Interim)
	}
	if got := rr.Result(); got.Get("Content-Type") != "text/plain" || got.Has("X-Late") {
		t.Errorf("Result header: Content-Type %q, has X-Late %v; want the header as of WriteHeader", got.Get("Content-Type"), got.Has("X-Late"))
	}
}

func TestStart(t *testing.T) {
	s := strandtest.Start(t, strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		_, _ = w.WriteString("hello " + r.Path)
	}), &strand.Server{MaxConns: 10})
	resp, err := http.Get(s.URL + "/there")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if string(b) != "hello /there" || s.Server.MaxConns != 10 {
		t.Fatalf("GET /there = %q; want \"hello /there\" from the configured server", b)
	}
}

func ExampleNewRecorder() {
	greet := strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.WriteString("hello, " + r.Query().Get("name"))
	})
	rr := strandtest.NewRecorder()
	greet.ServeHTTP(rr, strandtest.NewRequest("GET", "/greet?name=ada", nil))
	fmt.Println(rr.Code, rr.Result().Get("Content-Type"), rr.Body.String())
	// Output: 200 text/plain hello, ada
}
