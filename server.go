package strand

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/strandhttp/strand/internal/date"
	"github.com/strandhttp/strand/internal/engine"
	"github.com/strandhttp/strand/internal/http1"
)

// Defaults for the Server's limits, applied where a field is zero. They
// are listed, with their reasons, in the package documentation.
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 60 * time.Second
	DefaultWriteTimeout      = 60 * time.Second
	DefaultIdleTimeout       = 60 * time.Second
	DefaultMaxRequestLine    = http1.DefaultMaxRequestLine
	DefaultMaxHeaderBytes    = http1.DefaultMaxHeaderBytes
	DefaultMaxHeaderCount    = http1.DefaultMaxFields
	DefaultMaxBodyBytes      = 10 << 20
	DefaultMaxConns          = 50_000
	DefaultMaxDrainBytes     = 256 << 10

	// newConnGrace is how long Shutdown lets a connection that has not
	// sent its first request yet stay open.
	newConnGrace = 5 * time.Second
)

// A Server serves HTTP/1.x. Its zero value is ready to use: fields left
// zero take the documented defaults. Fields must not be changed once
// serving has started.
type Server struct {
	// Addr is the TCP address ListenAndServe listens on; "" means
	// "127.0.0.1:8080".
	Addr string

	// Handler answers requests; nil means NotFoundHandler.
	Handler Handler

	// ReadHeaderTimeout bounds the time to receive a request head, from
	// its first byte (from accept, for a connection's first request).
	ReadHeaderTimeout time.Duration

	// ReadTimeout bounds each read of a request body: a body that makes
	// no progress for this long fails. Uploads of any length work as long
	// as bytes keep coming. Negative disables it.
	ReadTimeout time.Duration

	// WriteTimeout bounds each write of the response: a client that
	// accepts no bytes for this long is dropped. Streams of any length
	// work while the client reads. Negative disables it.
	WriteTimeout time.Duration

	// IdleTimeout is how long a keep-alive connection may wait for its
	// next request.
	IdleTimeout time.Duration

	// DrainDelay is how long Shutdown keeps serving normally, listeners
	// open, after ShuttingDown starts reporting true: the time for load
	// balancers polling a readiness check (middleware.Ready) to see it
	// fail and stop sending new requests before connections are refused.
	// Zero means no delay; Shutdown's context bounds it.
	DrainDelay time.Duration

	// MaxRequestLineBytes bounds the request line (414 beyond it).
	MaxRequestLineBytes int
	// MaxHeaderBytes bounds the whole request head (431 beyond it).
	MaxHeaderBytes int
	// MaxHeaderCount bounds the number of header fields (431 beyond it).
	MaxHeaderCount int
	// MaxBodyBytes bounds a request body (413). A declared Content-Length
	// over it is refused before the body is read. Negative disables it.
	MaxBodyBytes int64
	// MaxRequestsPerConn closes a connection after this many requests;
	// zero means no limit.
	MaxRequestsPerConn int
	// MaxConns bounds open connections; one more is answered 503 and
	// closed. Negative disables it.
	MaxConns int

	// Engine chooses how connections are driven: EngineGoroutine ("" too),
	// one goroutine per connection, on every platform; or EngineEpoll
	// (Linux), which parks connections waiting for their next request in
	// epoll, holding no goroutine and no buffer for them. Handlers see no
	// difference. Serve fails with an error naming the field for any other
	// value, and for EngineEpoll elsewhere than on Linux. With EngineEpoll,
	// a Handler marked NonBlocking runs on the pollers themselves.
	Engine string

	// MaxWorkers bounds, on EngineEpoll, the goroutines that run requests
	// (NonBlocking handlers run on the pollers and do not count): a
	// request that finds them all busy waits its turn. Zero means no bound
	// but MaxConns (a connection runs on one worker at a time). A handler
	// holds its worker while it blocks, and one that hijacks the
	// connection for as long as it keeps it: set the bound well above the
	// handlers expected to block at once.
	MaxWorkers int

	// ReusePort makes ListenAndServe[TLS] set SO_REUSEPORT on its
	// listener, so that several processes can listen on one port and the
	// kernel spreads connections among them (Linux, BSDs).
	ReusePort bool

	// TLSConfig configures ListenAndServeTLS; nil means crypto/tls defaults
	// with TLS 1.2 as the minimum.
	TLSConfig *tls.Config

	// ErrorLog receives errors the server cannot return to a caller:
	// handler panics, internal faults. nil means slog.Default().
	ErrorLog *slog.Logger

	// The engines' ParkAfter and ReleaseAfter, for tests; zero: their
	// defaults.
	parkAfter, releaseAfter time.Duration

	clock         date.Clock
	inShutdown    atomic.Bool
	draining      atomic.Bool // Shutdown called; readiness fails (see DrainDelay)
	nconns        atomic.Int64
	zeroCopyBytes atomic.Int64 // see ServerStats
	pools         pools        // buffers and exchanges, shared by all connections

	mu        sync.Mutex
	listeners map[*net.Listener]struct{}
	conns     map[*conn]struct{}
	serving   sync.WaitGroup // Serve calls in progress
	ctx       context.Context
	cancel    context.CancelFunc
	forced    bool // Close or Shutdown's deadline has closed everything
}

// ListenAndServe listens on s.Addr and serves until Shutdown or Close,
// after which it returns ErrServerClosed.
func (s *Server) ListenAndServe() error {
	if s.shuttingDown() {
		return ErrServerClosed
	}
	addr := s.Addr
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	ln, err := s.listen(addr)
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

// ListenAndServeTLS is ListenAndServe over TLS with the certificate and
// key in the named PEM files (empty when TLSConfig already has them).
func (s *Server) ListenAndServeTLS(certFile, keyFile string) error {
	cfg := s.tlsConfig()
	if certFile != "" || keyFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return err
		}
		cfg.Certificates = append(cfg.Certificates, cert)
	}
	addr := s.Addr
	if addr == "" {
		addr = "127.0.0.1:8443"
	}
	ln, err := s.listen(addr)
	if err != nil {
		return err
	}
	return s.Serve(tls.NewListener(ln, cfg))
}

func (s *Server) tlsConfig() *tls.Config {
	if s.TLSConfig != nil {
		return s.TLSConfig.Clone()
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}}
}

// Serve accepts connections on ln and serves them until ln fails or the
// server shuts down; it then returns ErrServerClosed (after Shutdown or
// Close) or the accept error. Serve closes ln.
func (s *Server) Serve(ln net.Listener) error {
	if !s.trackListener(&ln, true) {
		ln.Close()
		return ErrServerClosed
	}
	defer s.trackListener(&ln, false)
	eng, err := s.engine()
	if err != nil {
		ln.Close()
		return err
	}
	err = eng.Serve(ln, connHandler{s})
	// The engine returns on a failed Accept without closing ln; Serve
	// promises to. (After Shutdown or Close this is a harmless repeat.)
	ln.Close()
	if s.shuttingDown() {
		return ErrServerClosed
	}
	if err == nil {
		err = net.ErrClosed
	}
	return err
}

func (s *Server) trackListener(ln *net.Listener, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !add {
		delete(s.listeners, ln)
		s.serving.Done()
		return true
	}
	if s.shuttingDown() {
		return false
	}
	if s.listeners == nil {
		s.listeners = make(map[*net.Listener]struct{})
	}
	s.listeners[ln] = struct{}{}
	s.serving.Add(1)
	return true
}

// Engines for Server.Engine.
const (
	EngineGoroutine = "goroutine"
	EngineEpoll     = "epoll"
)

// engine returns the engine Server.Engine names.
func (s *Server) engine() (engine.Engine, error) {
	switch s.Engine {
	case "", EngineGoroutine:
		return &engine.Goroutine{ParkAfter: s.parkAfter}, nil
	case EngineEpoll:
		if !engine.EpollSupported {
			return nil, fmt.Errorf("strand: Server.Engine %q needs Linux; use %q", s.Engine, EngineGoroutine)
		}
		return &engine.Epoll{ParkAfter: s.parkAfter, ReleaseAfter: s.releaseAfter,
			Inline: isNonBlocking(s.Handler), MaxWorkers: max(s.MaxWorkers, 0)}, nil
	}
	return nil, fmt.Errorf("strand: Server.Engine %q: want %q or %q", s.Engine, EngineGoroutine, EngineEpoll)
}

// connHandler is the engine's view of the server.
type connHandler struct{ s *Server }

// ServeConn serves one accepted connection.
func (h connHandler) ServeConn(rwc net.Conn) {
	s := h.s
	c := newConn(s, rwc)
	switch s.trackConn(c) {
	case connBusy:
		rejectBusy(rwc)
		return
	case connRefused:
		rwc.Close()
		return
	}
	c.serve()
}

// OpenSession serves rwc as a session the epoll engine can park; see
// engine.SessionHandler.
func (h connHandler) OpenSession(rwc net.Conn, opts engine.SessionOptions) engine.Session {
	s := h.s
	c := newConn(s, rwc)
	switch s.trackConn(c) {
	case connBusy:
		go rejectBusy(rwc) // it waits a moment; this may be the accepting goroutine
		return nil
	case connRefused:
		rwc.Close()
		return nil
	}
	if !c.lookupFD() {
		c.serve() // no descriptor to watch: served to its end here
		return nil
	}
	c.parking = true
	c.parkAfter = max(opts.ParkAfter, 0)
	c.mayRelease = opts.Release
	c.waitsWrite = opts.WaitWrite
	c.inlineOK = opts.Inline
	c.detach = opts.Detach
	if !c.start() {
		c.end(nil)
		return nil
	}
	return c
}

// rejectBusy answers a connection over the MaxConns limit with 503 and
// closes it, reading no more than what came with it.
func rejectBusy(rwc net.Conn) {
	_ = rwc.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
	_, _ = rwc.Write([]byte("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\nRetry-After: 1\r\nContent-Length: 20\r\n\r\n" +
		"server at capacity\r\n"))
	if tc, ok := rwc.(interface{ CloseWrite() error }); ok {
		_ = tc.CloseWrite()
	}
	// Closing with the request unread would send a reset, and a client
	// whose kernel receives it drops the 503 it has not read yet. One
	// short read takes in the request that usually came with the connection.
	var buf [512]byte
	_ = rwc.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	_, _ = rwc.Read(buf[:])
	rwc.Close()
}

// Results of trackConn.
const (
	connTracked = iota
	connBusy    // over MaxConns
	connRefused // shutting down
)

// trackConn registers c, checking the MaxConns cap under the same lock that
// counts connections, so concurrent accepts cannot overshoot it.
func (s *Server) trackConn(c *conn) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shuttingDown() {
		return connRefused
	}
	if max := s.maxConns(); max > 0 && len(s.conns) >= max {
		return connBusy
	}
	if s.conns == nil {
		s.conns = make(map[*conn]struct{})
	}
	s.conns[c] = struct{}{}
	s.nconns.Add(1)
	return connTracked
}

// forgetConn stops tracking c: it closed or was hijacked. It is safe to
// call twice.
func (s *Server) forgetConn(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.conns[c]; ok {
		delete(s.conns, c)
		s.nconns.Add(-1)
	}
}

// OpenConns returns the number of connections being served.
func (s *Server) OpenConns() int { return int(s.nconns.Load()) }

// Shutdown stops the server gracefully: after DrainDelay (serving as usual
// while ShuttingDown reports true), it closes the listeners, closes idle
// connections, lets requests in flight finish (their connections close
// after the response), and returns once every connection is closed. If ctx
// ends first, the remaining connections are closed forcibly, request
// contexts are cancelled, and ctx's error is returned.
func (s *Server) Shutdown(ctx context.Context) error {
	s.draining.Store(true)
	if s.DrainDelay > 0 && !s.inShutdown.Load() {
		t := time.NewTimer(s.DrainDelay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
	}
	s.inShutdown.Store(true)
	s.closeListeners()
	wait := time.Millisecond
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		if s.closeIdleConns() {
			s.serving.Wait()
			return nil
		}
		select {
		case <-ctx.Done():
			s.forceClose()
			return ctx.Err()
		case <-timer.C:
			wait = min(2*wait, 100*time.Millisecond)
			timer.Reset(wait)
		}
	}
}

// Close closes the listeners and every connection at once, cancelling the
// contexts of requests in flight. Use Shutdown to let them finish.
func (s *Server) Close() error {
	s.inShutdown.Store(true)
	s.closeListeners()
	s.forceClose()
	s.serving.Wait()
	return nil
}

func (s *Server) closeListeners() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ln := range s.listeners {
		(*ln).Close()
	}
}

// closeIdleConns closes connections waiting between requests (or that
// never sent one) and reports whether none are left.
func (s *Server) closeIdleConns() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	for c := range s.conns {
		// A new connection may be about to send its first request; it
		// counts as idle only once it has been silent for a while. One
		// without rwc is released in an epoll engine (idle_linux.go),
		// which serves it to its end once its listener is closed.
		st := c.state.Load()
		if c.rwc != nil && (st == stateIdle || st == stateNew && now.Sub(fromNanos(c.accepted)) > newConnGrace) {
			c.rwc.Close()
		}
	}
	return len(s.conns) == 0
}

func (s *Server) forceClose() {
	s.mu.Lock()
	s.forced = true
	if s.cancel != nil {
		s.cancel()
	}
	for c := range s.conns {
		if c.rwc != nil { // see closeIdleConns
			c.rwc.Close()
		}
	}
	s.mu.Unlock()
}

func (s *Server) shuttingDown() bool { return s.inShutdown.Load() }

// baseContext is the parent of every request context; forced closing
// cancels it.
func (s *Server) baseContext() context.Context {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx == nil {
		s.ctx, s.cancel = context.WithCancel(context.Background())
		if s.forced {
			s.cancel() // already forced closed: born cancelled
		}
	}
	return s.ctx
}

func (s *Server) handler() Handler {
	if s.Handler == nil {
		return NotFoundHandler()
	}
	return s.Handler
}

func (s *Server) logger() *slog.Logger {
	if s.ErrorLog != nil {
		return s.ErrorLog
	}
	return slog.Default()
}

func (s *Server) limits() http1.Limits {
	// These limits cannot be disabled: a negative value takes the default.
	return http1.Limits{
		MaxRequestLine: positiveOr(s.MaxRequestLineBytes, DefaultMaxRequestLine),
		MaxHeaderBytes: positiveOr(s.MaxHeaderBytes, DefaultMaxHeaderBytes),
		MaxFields:      positiveOr(s.MaxHeaderCount, DefaultMaxHeaderCount),
	}
}

func (s *Server) readHeaderTimeout() time.Duration {
	return orDefault(s.ReadHeaderTimeout, DefaultReadHeaderTimeout)
}
func (s *Server) readTimeout() time.Duration  { return orDefault(s.ReadTimeout, DefaultReadTimeout) }
func (s *Server) writeTimeout() time.Duration { return orDefault(s.WriteTimeout, DefaultWriteTimeout) }
func (s *Server) idleTimeout() time.Duration  { return orDefault(s.IdleTimeout, DefaultIdleTimeout) }
func (s *Server) maxConns() int               { return orDefault(s.MaxConns, DefaultMaxConns) }
func (s *Server) maxDrainBytes() int64        { return DefaultMaxDrainBytes }

func (s *Server) maxBodyBytes() int64 {
	n := orDefault(s.MaxBodyBytes, DefaultMaxBodyBytes)
	if n < 0 {
		return 1<<63 - 1
	}
	return n
}

func positiveOr(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// orDefault returns v, or def when v is zero. Negative values pass through:
// they mean "disabled" where a field says so.
func orDefault[T int | int64 | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}
