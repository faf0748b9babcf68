package cli

import (
	"log/slog"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/middleware"
	"github.com/strandhttp/strand/nethttp"
	"github.com/strandhttp/strand/router"
)

// defaultSite serves the built-in welcome page at "/", with the standard
// stack around it: /health and /ready probes, request IDs, one JSON log
// line per request, panic recovery, compression, and Prometheus metrics
// at /metrics.
func defaultSite(srv *strand.Server, log *slog.Logger) strand.Handler {
	page, err := site.ReadFile("site/index.html")
	if err != nil {
		panic("strand: built-in site missing: " + err.Error()) // a build defect
	}
	metrics := middleware.NewMetrics(&middleware.MetricsOptions{OpenConns: srv.OpenConns})
	r := router.New()
	r.Use(standardStack(srv, log, metrics)...)
	welcome := func(w strand.ResponseWriter, r *strand.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		_, _ = w.Write(page)
	}
	r.Get("/", welcome)
	r.Get("/index.html", welcome)
	// Prometheus' own handler, run on Strand through the nethttp adapter:
	// content negotiation and compression of the exposition are its own.
	r.Get("/metrics", nethttp.Handler(promhttp.HandlerFor(metrics.Gatherer(), promhttp.HandlerOpts{})).ServeHTTP)
	return r
}

// standardStack is the middleware both the built-in site and `strand
// serve` run: probes first, so that they bypass the logs; then request
// IDs, logging, recovery, compression and metrics.
func standardStack(srv *strand.Server, log *slog.Logger, metrics *middleware.Metrics) []strand.Middleware {
	return []strand.Middleware{
		middleware.NewHealth(middleware.HealthOptions{Ready: func() bool { return !srv.ShuttingDown() }}),
		middleware.RequestID,
		middleware.NewLogger(middleware.LoggerOptions{Logger: log}),
		middleware.NewRecoverer(middleware.RecovererOptions{Logger: log}),
		middleware.Compress(middleware.CompressOptions{}),
		metrics.Middleware(),
	}
}
