// Command api is a small JSON CRUD service, the example to copy from: a
// router with path parameters and the full middleware stack, on a server
// that shuts down gracefully.
//
//	GET    /users        list users
//	POST   /users        create one: {"name": "...", "email": "..."}
//	GET    /users/:id    read one
//	PUT    /users/:id    replace one
//	DELETE /users/:id    delete one
//	GET    /health       liveness; /ready readiness; /metrics Prometheus
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
	flag.Parse()
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	srv := &strand.Server{Addr: *addr, ErrorLog: log}
	srv.Handler = newAPI(newStore(), srv, log)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("api listening", "addr", *addr)
	select {
	case err := <-errc:
		log.Error("serve", "err", err)
		os.Exit(1)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
}
