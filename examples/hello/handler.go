package main

import (
	"encoding/json"
	"io"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/router"
)

type message struct {
	Message string `json:"message"`
}

// newHandler routes the benchmark endpoints. The router answers 405 with
// Allow for a known path and another method, HEAD for every GET route and
// OPTIONS for every route.
func newHandler() strand.Handler {
	r := router.New()
	r.Get("/", func(w strand.ResponseWriter, r *strand.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.WriteString("Strand says hello. Try /plaintext, /json, /echo, /health.\n")
	})
	r.Get("/plaintext", func(w strand.ResponseWriter, r *strand.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.WriteString("Hello, World!")
	})
	r.Get("/json", func(w strand.ResponseWriter, r *strand.Request) {
		// Encoded per request, as the benchmark rules ask.
		b, err := json.Marshal(message{Message: "Hello, World!"})
		if err != nil {
			strand.Error(w, "encoding failed", strand.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	})
	r.Post("/echo", func(w strand.ResponseWriter, r *strand.Request) {
		if ct := r.Header.Get("Content-Type"); ct != "" {
			w.Header().Set("Content-Type", ct)
		} else {
			w.Header().Set("Content-Type", "application/octet-stream")
		}
		_, _ = io.Copy(w, r.Body)
	})
	r.Get("/health", func(w strand.ResponseWriter, r *strand.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.WriteString("ok\n")
	})
	return r
}
