// Command hello is the benchmark server: the endpoints ../shared/bench
// measures Strand on, beside net/http, fasthttp, nbio and nginx.
//
//	GET  /           200, a line of text
//	GET  /plaintext  "Hello, World!" (text/plain)
//	GET  /json       {"message":"Hello, World!"} (application/json, encoded per request)
//	POST /echo       the request body, streamed back
//	GET  /health     200 "ok" (405 with Allow for other methods)
package main

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/strandhttp/strand"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	engine := flag.String("engine", strand.EngineGoroutine, "connection engine: goroutine or epoll (Linux)")
	reusePort := flag.Bool("reuseport", false, "set SO_REUSEPORT, for several processes on one port")
	nonBlocking := flag.Bool("nonblocking", true, "mark the handlers NonBlocking: on the epoll engine they run on the pollers")
	flag.Parse()
	// Every handler here answers from what it has (/echo's body, when it
	// is not all there with the head, is read on a worker anyway): they
	// may run on the epoll engine's pollers. See strand.NonBlocking.
	var h strand.Handler = newHandler()
	if *nonBlocking {
		h = strand.NonBlocking(h)
	}
	srv := &strand.Server{Addr: *addr, Handler: h, Engine: *engine, ReusePort: *reusePort}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	slog.Info("hello listening", "addr", *addr, "engine", *engine)
	select {
	case err := <-errc:
		slog.Error("serve", "err", err)
		os.Exit(1)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
}
