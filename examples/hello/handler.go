package main

import (
	"encoding/json"
	"io"

	"github.com/strandhttp/strand"
)

type message struct {
	Message string `json:"message"`
}

// hello routes with a switch: the router arrives in a later issue.
type hello struct{}

func newHandler() strand.Handler { return hello{} }

func (hello) ServeHTTP(w strand.ResponseWriter, r *strand.Request) {
	switch r.Path {
	case "/":
		if !allow(w, r, "GET, HEAD") {
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.WriteString("Strand says hello. Try /plaintext, /json, /echo, /health.\n")
	case "/plaintext":
		if !allow(w, r, "GET, HEAD") {
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.WriteString("Hello, World!")
	case "/json":
		if !allow(w, r, "GET, HEAD") {
			return
		}
		w.Header().Set("Content-Type", "application/json")
		// Encoded per request, as the benchmark rules ask.
		b, err := json.Marshal(message{Message: "Hello, World!"})
		if err != nil {
			strand.Error(w, "encoding failed", strand.StatusInternalServerError)
			return
		}
		_, _ = w.Write(b)
	case "/echo":
		if !allow(w, r, "POST") {
			return
		}
		if ct := r.Header.Get("Content-Type"); ct != "" {
			w.Header().Set("Content-Type", ct)
		} else {
			w.Header().Set("Content-Type", "application/octet-stream")
		}
		_, _ = io.Copy(w, r.Body)
	case "/health":
		if !allow(w, r, "GET, HEAD") {
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.WriteString("ok\n")
	default:
		strand.NotFound(w, r)
	}
}

// allow answers 405 with an Allow field (RFC 9110 §15.5.6) unless the
// method is in methods.
func allow(w strand.ResponseWriter, r *strand.Request, methods string) bool {
	switch {
	case r.Method == "GET" && (methods == "GET, HEAD"),
		r.Method == "HEAD" && (methods == "GET, HEAD"),
		r.Method == methods:
		return true
	}
	w.Header().Set("Allow", methods)
	strand.Error(w, "405 method not allowed", strand.StatusMethodNotAllowed)
	return false
}
