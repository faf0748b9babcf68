package cli

// Prefork (--workers N), for the built-in site and `strand serve` alike:
// the process started by the user, the supervisor, serves nothing
// itself. It starts N workers, the same executable with the same command
// and flags (but --workers) and workerEnv set to the worker's number, and
// each listens on the address with SO_REUSEPORT (Server.ReusePort): the
// kernel spreads new connections over their sockets, so that N processes,
// each with GOMAXPROCS=1 unless the environment says otherwise, share the
// machine's cores on one port with nothing shared between them.
//
// The supervisor builds its command's server as a worker does, but never
// serves it: a mistake in the command (a missing directory, a bad
// certificate) is reported once, by the process the user started, before
// any worker starts.
//
// The supervisor restarts a worker that dies after it started serving,
// and gives up (stopping the others, exit code 1) when one fails within
// minWorkerUptime of its start: then the next try would fail the same
// way (the address is taken, a flag is wrong). On SIGINT or SIGTERM it
// sends the same signal to every worker, which shuts down gracefully as a
// single process does, and waits for them, killing those still running
// shutdownGrace + workerKillSlack later. A worker whose supervisor has
// gone (its parent process changed) shuts down by itself.

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"github.com/strandhttp/strand"
)

const (
	// workerEnv marks a prefork worker and carries its number.
	workerEnv = "STRAND_PREFORK_WORKER"

	minWorkerUptime = time.Second
	workerKillSlack = 5 * time.Second
	parentCheck     = time.Second // how often a worker looks for its supervisor
)

// workersFlag defines --workers on fs: both commands take it, with the
// same meaning.
func workersFlag(fs *flag.FlagSet) *int {
	return fs.Int("workers", 1, "processes serving the port together (SO_REUSEPORT), under this one; 0: one per CPU")
}

// preforkWorkers checks the value of --workers and returns how many
// processes serve: n, or one per CPU for 0.
func preforkWorkers(n int) (int, error) {
	switch {
	case n < 0:
		return 0, fmt.Errorf("--workers %d: want 0 (one per CPU) or more", n)
	case n == 0:
		return runtime.NumCPU(), nil
	}
	return n, nil
}

// workerArgs returns the arguments a prefork worker is started with: the
// subcommand (nil for the built-in site), every flag set on the parsed fs
// but --workers, as --name=value, and the operands.
func workerArgs(subcommand []string, fs *flag.FlagSet, operands ...string) []string {
	args := append([]string(nil), subcommand...)
	fs.Visit(func(f *flag.Flag) {
		switch v := f.Value.(type) {
		case interface{ values() []string }: // a flag given once per value
			for _, s := range v.values() {
				args = append(args, "--"+f.Name+"="+s)
			}
		default:
			if f.Name != "workers" {
				args = append(args, "--"+f.Name+"="+f.Value.String())
			}
		}
	})
	return append(args, operands...)
}

// isWorker reports whether this process is a prefork worker.
func isWorker() bool { return os.Getenv(workerEnv) != "" }

// processLog returns the JSON logger on stdout. A prefork worker's lines
// carry its number and process ID.
func processLog(stdout io.Writer) *slog.Logger {
	log := slog.New(slog.NewJSONHandler(stdout, nil))
	if id := os.Getenv(workerEnv); id != "" {
		log = log.With("worker", id, "pid", os.Getpid())
	}
	return log
}

// runWorker is one prefork worker: srv, built by its command, on a
// SO_REUSEPORT listener at srv.Addr (HTTPS when srv.TLSConfig is set),
// until ctx ends or the supervisor goes. attrs follow the address in the
// start line.
func runWorker(ctx context.Context, srv *strand.Server, attrs []any, log *slog.Logger, stderr io.Writer) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go watchParent(ctx, cancel, os.Getppid())
	srv.ReusePort = true
	scheme, run := "http", srv.ListenAndServe
	if srv.TLSConfig != nil {
		scheme, run = "https", func() error { return srv.ListenAndServeTLS("", "") }
	}
	log.Info("strand serving", append([]any{"addr", scheme + "://" + srv.Addr}, attrs...)...)
	return serveWith(ctx, srv, run, log, stderr)
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

// supervise is the prefork supervisor: see the comment at the top of this
// file. args are the arguments of every worker (see workerArgs).
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
