package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"path"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/middleware"
	"github.com/strandhttp/strand/static"
)

// runServe is `strand serve [flags] [DIR]`: a static file server.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("strand serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on, host:port")
	engine := fs.String("engine", strand.EngineGoroutine, "connection engine: goroutine or epoll (Linux)")
	workers := workersFlag(fs)
	drain := fs.Duration("drain-delay", 0, "after a stop signal, keep serving this long with /ready failing, before closing")
	certFile := fs.String("tls-cert", "", "PEM certificate file: serve HTTPS (with --tls-key)")
	keyFile := fs.String("tls-key", "", "PEM private key file for --tls-cert")
	listing := fs.Bool("listing", true, "list directories without an index.html")
	hidden := fs.Bool("hidden", false, "serve dotfiles (hidden by default)")
	accessLog := fs.Bool("access-log", true, "log one JSON line per request")
	spa := fs.String("spa", "", "file served for unknown paths, for single-page apps (e.g. /index.html)")
	var cache cacheRules
	fs.Var(&cache, "cache-control", "`PATTERN=VALUE`: Cache-Control for paths matching PATTERN (path.Match: against\n"+
		"the URL path if it has a '/', else the file name), e.g. '*.css=public, max-age=86400';\n"+
		"repeatable, the first match wins")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: strand serve [flags] [DIR]\n\n"+
			"Serves the files of DIR (default: the current directory). With --workers N,\n"+
			"N processes serve them on one port (SO_REUSEPORT) under this one, which\n"+
			"restarts a worker that dies and passes a stop signal on to all.\n\n")
		fs.PrintDefaults()
	}
	pos, err := parseArgs(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	dir := "."
	switch len(pos) {
	case 0:
	case 1:
		dir = pos[0]
	default:
		fmt.Fprintf(stderr, "strand serve: one directory at most, got %d: %q\n", len(pos), pos)
		return 2
	}
	if (*certFile == "") != (*keyFile == "") {
		fmt.Fprintln(stderr, "strand serve: --tls-cert and --tls-key go together")
		return 2
	}
	n, err := preforkWorkers(*workers)
	if err != nil {
		fmt.Fprintf(stderr, "strand serve: %v\n", err)
		return 2
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	log := processLog(stdout)
	files, err := static.Dir(dir, &static.Options{Listing: *listing, ShowHidden: *hidden, SPAFallback: *spa,
		CacheControl: cache, ErrorLog: log})
	if err != nil {
		fmt.Fprintf(stderr, "strand serve: cannot serve %s: %v\n", dir, describeDirError(err))
		return 1
	}
	var tlsConfig *tls.Config
	if *certFile != "" {
		r, err := newCertReloader(*certFile, *keyFile)
		if err != nil {
			fmt.Fprintf(stderr, "strand serve: cannot use %v\n", err)
			return 1
		}
		tlsConfig = serverTLSConfig(r)
	}
	srv := &strand.Server{Addr: *addr, ErrorLog: log, Engine: *engine, DrainDelay: *drain, TLSConfig: tlsConfig}
	reqLog := log
	if !*accessLog {
		reqLog = nil
	}
	srv.Handler = serveStack(srv, files, reqLog)
	return runServer(ctx, srv, launch{
		cmd:        "strand serve",
		workers:    n,
		workerArgs: workerArgs([]string{"serve"}, fs, dir),
		attrs:      []any{"dir", dir, "listing", *listing},
	}, log, stdout, stderr)
}

// serveStack wraps the files in the standard stack: /health and /ready (which shadow files
// of those names), request IDs, a JSON log line per request, recovery, and
// compression of compressible types that have no precompressed sibling.
// Files the stack passes through untouched still go out with sendfile.
// A nil log turns off the per-request lines (panics are still logged, to
// the server's ErrorLog).
func serveStack(srv *strand.Server, files strand.Handler, log *slog.Logger) strand.Handler {
	stack := []strand.Middleware{
		middleware.NewHealth(middleware.HealthOptions{Ready: func() bool { return !srv.ShuttingDown() }}),
		middleware.RequestID,
	}
	if log != nil {
		stack = append(stack, middleware.NewLogger(middleware.LoggerOptions{Logger: log}))
	}
	stack = append(stack,
		middleware.NewRecoverer(middleware.RecovererOptions{Logger: srv.ErrorLog}),
		middleware.Compress(middleware.CompressOptions{}),
	)
	return strand.Chain(stack...)(files)
}

// describeDirError says what is wrong with the directory in a few words;
// the message around it names the directory.
func describeDirError(err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return errors.New("no such directory")
	case errors.Is(err, fs.ErrPermission):
		return errors.New("permission denied")
	case errors.Is(err, syscall.ENOTDIR):
		return errors.New("not a directory")
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// cacheRules is --cache-control, given once per rule.
type cacheRules []static.CacheRule

func (c *cacheRules) String() string {
	if c == nil {
		return ""
	}
	return strings.Join(c.values(), " ")
}

// values returns the rules as given, one PATTERN=VALUE each, for a prefork
// worker's command line (workerArgs).
func (c *cacheRules) values() []string {
	var vs []string
	for _, r := range *c {
		vs = append(vs, r.Pattern+"="+r.Value)
	}
	return vs
}

// Set takes one PATTERN=VALUE rule: the pattern must be path.Match's
// syntax (a malformed one would never match, silently), the value not
// empty.
func (c *cacheRules) Set(s string) error {
	pattern, value, ok := strings.Cut(s, "=")
	value = strings.TrimSpace(value)
	switch {
	case !ok || pattern == "" || value == "":
		return errors.New("want PATTERN=VALUE, e.g. '*.css=public, max-age=86400'")
	case strings.ContainsAny(value, "\r\n\x00"):
		return errors.New("the value may not hold CR, LF or NUL")
	}
	if _, err := path.Match(pattern, ""); err != nil {
		return fmt.Errorf("pattern %q: %v", pattern, err)
	}
	*c = append(*c, static.CacheRule{Pattern: pattern, Value: value})
	return nil
}
