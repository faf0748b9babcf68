package middleware

import "github.com/strandhttp/strand"

// Health returns a liveness handler: it answers 200 "ok" for as long as
// the process serves requests at all. A load balancer or orchestrator
// restarts an instance whose liveness fails, so it checks nothing else.
//
// Like Ready, it answers GET and HEAD only (405 with Allow otherwise),
// with Cache-Control: no-store so that no cache between the prober and the
// server answers in the server's place.
func Health() strand.Handler { return &probeHandler{} }

// Ready returns a readiness handler: 200 "ok" while check reports true,
// 503 "not ready" once it reports false. A load balancer stops sending
// requests to an instance that is not ready, without restarting it.
//
// For a graceful shutdown, readiness must fail before the connections
// drain: check can be
//
//	func() bool { return !srv.ShuttingDown() }
//
// which fails from the moment Shutdown is called. As Shutdown also closes
// the listeners, a prober that opens new connections then sees them
// refused, which it counts as a failure too; to keep serving during the
// prober's interval, flip a flag of your own when the stop signal arrives,
// wait for a few probe intervals, and only then call Shutdown.
//
// A nil check is always ready.
func Ready(check func() bool) strand.Handler { return &probeHandler{check: check} }

// probeHandler answers liveness (check nil) and readiness probes.
type probeHandler struct {
	check func() bool // nil: always ready
}

func (p *probeHandler) ServeHTTP(w strand.ResponseWriter, r *strand.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	if r.Method != "GET" && r.Method != "HEAD" {
		h.Set("Allow", "GET, HEAD") // RFC 9110 §15.5.6
		strand.Error(w, "method not allowed", strand.StatusMethodNotAllowed)
		return
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	if p.check != nil && !p.check() {
		w.WriteHeader(strand.StatusServiceUnavailable)
		_, _ = w.WriteString("not ready\n")
		return
	}
	_, _ = w.WriteString("ok\n")
}

// HealthOptions configures NewHealth. The zero value answers /health and
// /ready, always ready.
type HealthOptions struct {
	// LivenessPath is the path answered by Health; "" means "/health".
	LivenessPath string

	// ReadinessPath is the path answered by Ready(Ready); "" means
	// "/ready".
	ReadinessPath string

	// Ready is the readiness check (see Ready); nil is always ready.
	Ready func() bool
}

func (o HealthOptions) withDefaults() HealthOptions {
	if o.LivenessPath == "" {
		o.LivenessPath = "/health"
	}
	if o.ReadinessPath == "" {
		o.ReadinessPath = "/ready"
	}
	return o
}

// NewHealth returns middleware that answers the liveness and readiness
// paths itself, as Health and Ready do, and passes every other request on.
// The paths are compared with the decoded request path, exactly.
//
// Put it first in the chain, before Logger, so that probes (every few
// seconds from every load balancer) neither fill the logs nor pass through
// rate limits and authentication.
func NewHealth(opts HealthOptions) strand.Middleware {
	opts = opts.withDefaults()
	live, ready := Health(), Ready(opts.Ready)
	return func(next strand.Handler) strand.Handler {
		return strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
			switch r.Path {
			case opts.LivenessPath:
				live.ServeHTTP(w, r)
			case opts.ReadinessPath:
				ready.ServeHTTP(w, r)
			default:
				next.ServeHTTP(w, r)
			}
		})
	}
}
