// Package cli is the strand command: it turns arguments into a configured
// strand.Server, runs it, and shuts it down gracefully on a signal. main
// only calls Run, so the whole command is testable in-process.
package cli

import (
	"context"
	"crypto/tls"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/strandhttp/strand"
)

//go:embed site/index.html
var site embed.FS

// shutdownGrace is how long in-flight requests get to finish after a
// signal before their connections are closed.
const shutdownGrace = 10 * time.Second

// Run runs the strand command with args (without the program name) until
// ctx is cancelled (a signal) or serving fails. It returns the process exit
// code: 0 after a clean shutdown, 1 when serving failed, 2 for bad usage.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "serve" {
		return runServe(ctx, args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("strand", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on, host:port")
	engine := fs.String("engine", strand.EngineGoroutine, "connection engine: goroutine or epoll (Linux)")
	workers := workersFlag(fs)
	drain := fs.Duration("drain-delay", 0, "after a stop signal, keep serving this long with /ready failing, before closing")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: strand [--addr host:port] [--engine goroutine|epoll] [--workers N]\n"+
			"       strand serve [flags] [DIR]\n\n"+
			"Serves the built-in welcome page and /health, or with serve, the files of DIR\n"+
			"(see strand serve -h).\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 && fs.Arg(0) == "serve" {
		// "strand --addr :9000 serve DIR": every flag of strand is one of
		// strand serve's too, so those before the word are serve's.
		i := len(args) - fs.NArg()
		return runServe(ctx, append(args[:i:i], args[i+1:]...), stdout, stderr)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "strand: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	n, err := preforkWorkers(*workers)
	if err != nil {
		fmt.Fprintf(stderr, "strand: %v\n", err)
		return 2
	}
	log := processLog(stdout)
	srv := &strand.Server{Addr: *addr, ErrorLog: log, Engine: *engine, DrainDelay: *drain}
	srv.Handler = defaultSite(srv, log)
	return runServer(ctx, srv, launch{
		cmd:        "strand",
		workers:    n,
		workerArgs: workerArgs(nil, fs),
		attrs:      []any{"site", "built-in"},
	}, log, stdout, stderr)
}

// A launch says how a command runs the server it has built.
type launch struct {
	cmd        string   // "strand" or "strand serve": the prefix of its error lines
	workers    int      // processes serving; above 1, this one supervises them
	workerArgs []string // the arguments of a prefork worker (see workerArgs)
	attrs      []any    // of the start line, after the address
}

// runServer runs srv, built with its Addr, Handler and ErrorLog (log) and,
// for HTTPS, TLSConfig, until ctx ends: in this process on a listener of
// its own, or as a prefork worker, or, for more than one worker, by
// supervising workers that each build and run the same server (see
// prefork.go).
func runServer(ctx context.Context, srv *strand.Server, l launch, log *slog.Logger, stdout, stderr io.Writer) int {
	switch {
	case isWorker():
		return runWorker(ctx, srv, l.attrs, log, stderr)
	case l.workers > 1:
		return supervise(ctx, l.workers, l.workerArgs, log, stdout, stderr)
	}
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		fmt.Fprintf(stderr, "%s: cannot listen on %s: %v\n", l.cmd, srv.Addr, unwrapListenError(err))
		return 1
	}
	scheme := "http"
	if srv.TLSConfig != nil {
		ln, scheme = tls.NewListener(ln, srv.TLSConfig), "https"
	}
	log.Info("strand serving", append([]any{"addr", scheme + "://" + ln.Addr().String()}, l.attrs...)...)
	return serve(ctx, srv, ln, log, stderr)
}

// serve runs srv on ln until ctx ends, then shuts it down gracefully.
func serve(ctx context.Context, srv *strand.Server, ln net.Listener, log *slog.Logger, stderr io.Writer) int {
	return serveWith(ctx, srv, func() error { return srv.Serve(ln) }, log, stderr)
}

// serveWith is serve with the call that serves: Serve on a listener, or
// ListenAndServe.
func serveWith(ctx context.Context, srv *strand.Server, run func() error, log *slog.Logger, stderr io.Writer) int {
	errc := make(chan error, 1)
	go func() { errc <- run() }()
	select {
	case err := <-errc:
		fmt.Fprintf(stderr, "strand: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	log.Info("strand shutting down", "grace", shutdownGrace.String())
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("strand: connections closed at the end of the grace period", "err", err)
	}
	<-errc
	log.Info("strand stopped")
	return 0
}

// unwrapListenError keeps the part of a listen error a person can act on
// ("address already in use"), without the syscall wrapping.
func unwrapListenError(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err
	}
	return err
}

// parseArgs parses fs's flags wherever they stand among args and returns
// the other arguments: "strand serve ./site --addr :9000" is written as
// often as the flags-first order the flag package alone would take, which
// stops at the first argument that is not a flag. "--" ends the flags.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(pos, rest...), nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}
