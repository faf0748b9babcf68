// Package cli is the strand command: it turns arguments into a configured
// strand.Server, runs it, and shuts it down gracefully on a signal. main
// only calls Run, so the whole command is testable in-process.
package cli

import (
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"syscall"
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
	workers := fs.Int("workers", 1, "processes serving the port together (SO_REUSEPORT), under this one; 0: one per CPU")
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
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "strand: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	log := slog.New(slog.NewJSONHandler(stdout, nil))
	if id := os.Getenv(workerEnv); id != "" {
		return runWorker(ctx, id, *addr, *engine, *drain, log, stderr)
	}
	switch {
	case *workers < 0:
		fmt.Fprintf(stderr, "strand: --workers %d: want 0 (one per CPU) or more\n", *workers)
		return 2
	case *workers == 0:
		*workers = runtime.NumCPU()
	}
	if *workers > 1 {
		return supervise(ctx, *workers, []string{"--addr", *addr, "--engine", *engine, "--drain-delay", drain.String()}, log, stdout, stderr)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "strand: cannot listen on %s: %v\n", *addr, unwrapListenError(err))
		return 1
	}
	srv := &strand.Server{ErrorLog: log, Engine: *engine, DrainDelay: *drain}
	srv.Handler = defaultSite(srv, log)
	log.Info("strand serving", "addr", "http://"+ln.Addr().String(), "site", "built-in")
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

// Prefork (--workers N): the process started by the user, the supervisor,
// serves nothing itself. It starts N workers, the same executable with
// the same flags and workerEnv set to the worker's number, and each
// listens on the address with SO_REUSEPORT (Server.ReusePort): the kernel
// spreads new connections over their sockets, so that N processes, each
// with GOMAXPROCS=1 unless the environment says otherwise, share the
// machine's cores on one port with nothing shared between them.
//
// The supervisor restarts a worker that dies after it started serving,
// and gives up (stopping the others, exit code 1) when one fails within
// minWorkerUptime of its start: then the next try would fail the same
// way (the address is taken, a flag is wrong). On SIGINT or SIGTERM it
// sends the same signal to every worker, which shuts down gracefully as a
// single process does, and waits for them, killing those still running
// shutdownGrace + workerKillSlack later. A worker whose supervisor has
// gone (its parent process changed) shuts down by itself.

const (
	// workerEnv marks a prefork worker and carries its number.
	workerEnv = "STRAND_PREFORK_WORKER"

	minWorkerUptime = time.Second
	workerKillSlack = 5 * time.Second
	parentCheck     = time.Second // how often a worker looks for its supervisor
)

// runWorker is one prefork worker: the built-in site on a SO_REUSEPORT
// listener, its log lines marked with its number and process ID.
func runWorker(ctx context.Context, id, addr, engine string, drain time.Duration, log *slog.Logger, stderr io.Writer) int {
	log = log.With("worker", id, "pid", os.Getpid())
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go watchParent(ctx, cancel, os.Getppid())
	srv := &strand.Server{Addr: addr, ReusePort: true, ErrorLog: log, Engine: engine, DrainDelay: drain}
	srv.Handler = defaultSite(srv, log)
	log.Info("strand serving", "addr", "http://"+addr, "site", "built-in")
	return serveWith(ctx, srv, srv.ListenAndServe, log, stderr)
}

// watchParent calls stop once the process's parent is no longer ppid:
// the supervisor died without stopping its workers.
func watchParent(ctx context.Context, stop func(), ppid int) {
	t := time.NewTicker(parentCheck)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if os.Getppid() != ppid {
				stop()
				return
			}
		}
	}
}

// A workerProc is a running prefork worker.
type workerProc struct {
	cmd     *exec.Cmd
	started time.Time
}

// workerExit reports that worker i's process ended.
type workerExit struct {
	i   int
	err error
}

// supervise is the prefork supervisor: see the comment above workerEnv.
func supervise(ctx context.Context, n int, args []string, log *slog.Logger, stdout, stderr io.Writer) int {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "strand: --workers: cannot find this executable: %v\n", err)
		return 1
	}
	sigc := make(chan os.Signal, 1)
	signal.Notify(sigc, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigc)

	procs := make([]*workerProc, n)
	exits := make(chan workerExit, n)
	start := func(i int) error {
		cmd := exec.Command(exe, args...)
		cmd.Env = append(os.Environ(), workerEnv+"="+strconv.Itoa(i))
		if os.Getenv("GOMAXPROCS") == "" {
			cmd.Env = append(cmd.Env, "GOMAXPROCS=1")
		}
		cmd.Stdout, cmd.Stderr = stdout, stderr
		if err := cmd.Start(); err != nil {
			return err
		}
		procs[i] = &workerProc{cmd: cmd, started: time.Now()}
		log.Info("strand worker started", "worker", i, "pid", cmd.Process.Pid)
		go func() { exits <- workerExit{i, cmd.Wait()} }()
		return nil
	}

	log.Info("strand prefork", "workers", n, "args", args)
	code, running := 0, 0
	var stopping bool
	var kill <-chan time.Time
	done := ctx.Done()
	stop := func(sig os.Signal) {
		stopping, done = true, nil
		kill = time.After(shutdownGrace + workerKillSlack)
		log.Info("strand stopping workers", "signal", sig.String())
		for _, p := range procs {
			if p != nil && p.cmd.Process.Signal(sig) != nil {
				_ = p.cmd.Process.Kill() // no such signal here (Windows)
			}
		}
	}
	for i := range n {
		if err := start(i); err != nil {
			fmt.Fprintf(stderr, "strand: cannot start worker %d: %v\n", i, err)
			code = 1
			stop(syscall.SIGTERM)
			break
		}
		running++
	}
	for running > 0 {
		select {
		case sig := <-sigc:
			if !stopping {
				stop(sig)
			}
		case <-done:
			sig := os.Signal(syscall.SIGTERM)
			select {
			case sig = <-sigc: // the signal that ended ctx, if it came to us too
			default:
			}
			stop(sig)
		case <-kill:
			for _, p := range procs {
				if p != nil {
					_ = p.cmd.Process.Kill()
				}
			}
			kill = nil
		case e := <-exits:
			running--
			p := procs[e.i]
			procs[e.i] = nil
			switch {
			case stopping:
				if e.err != nil {
					log.Warn("strand worker stopped", "worker", e.i, "err", e.err.Error())
					code = 1
				}
			case time.Since(p.started) < minWorkerUptime:
				fmt.Fprintf(stderr, "strand: worker %d failed as it started (%v); stopping\n", e.i, e.err)
				code = 1
				stop(syscall.SIGTERM)
			default:
				log.Warn("strand worker died; restarting it", "worker", e.i, "err", fmt.Sprint(e.err))
				if err := start(e.i); err != nil {
					fmt.Fprintf(stderr, "strand: cannot restart worker %d: %v\n", e.i, err)
					code = 1
					stop(syscall.SIGTERM)
					break
				}
				running++
			}
		}
	}
	log.Info("strand stopped")
	return code
}
