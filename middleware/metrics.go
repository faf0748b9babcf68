package middleware

// This file instruments requests for Prometheus. A request's labels are
// known only once its handler has returned (the router sets the pattern on
// the way in, the handler picks the status), so the series are looked up
// at the end, in a copy-on-write map of the series seen so far: a request
// on a known series reads one atomic pointer and one map entry, takes no
// lock and allocates nothing. A new series (first request of a method,
// pattern and status) takes the mutex and copies the map, which happens a
// bounded number of times.

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/internal/method"
)

// DefaultMetricsNamespace prefixes metric names when
// MetricsOptions.Namespace is empty.
const DefaultMetricsNamespace = "strand"

// MetricsOptions configures NewMetrics. The zero value, or nil, works: a
// registry of the Metrics' own, the "strand" namespace, Prometheus'
// default buckets, and no connection gauge.
type MetricsOptions struct {
	// Registerer receives the collectors. nil means a new registry owned
	// by the Metrics, not prometheus.DefaultRegisterer, so that two
	// servers (or tests) in one process do not collide.
	Registerer prometheus.Registerer

	// Gatherer is what Handler serves. nil means Registerer when it is
	// also a Gatherer, as a *prometheus.Registry is.
	Gatherer prometheus.Gatherer

	// Namespace is the first part of every metric name; "" means
	// DefaultMetricsNamespace.
	Namespace string

	// Buckets are the upper bounds of the request duration histogram, in
	// seconds; nil means prometheus.DefBuckets (5 ms to 10 s).
	Buckets []float64

	// OpenConns, when set, is read at each scrape to report the number of
	// open connections; pass the server's OpenConns method.
	OpenConns func() int
}

// Metrics counts requests for Prometheus. It exports, under the namespace
// (here "strand") and the subsystem "http":
//
//	strand_http_requests_total{method, pattern, code}            counter
//	strand_http_request_duration_seconds{method, pattern}        histogram
//	strand_http_requests_in_flight                               gauge
//	strand_http_open_connections                                 gauge, with OpenConns
//
// Label values are bounded, so that a client cannot grow the number of
// series: method is one of the methods of RFC 9110 §9 and PATCH, else
// "OTHER"; pattern is the route pattern a router set (Request.Pattern),
// read after the handler returns, or "unmatched"; code is the status code
// sent (500 for a handler that panicked before writing one).
//
// Use one Metrics for the whole server: it is safe for concurrent use.
// Place its Middleware outside the router. The pattern is read from the
// Request it passes on after the handler returns; a router's SetPattern on
// a WithContext copy made further in is seen there too, as copies share
// their original's route match.
type Metrics struct {
	requests  *prometheus.CounterVec
	durations *prometheus.HistogramVec
	inFlight  prometheus.Gauge
	gatherer  prometheus.Gatherer // nil when the options gave none

	mu     sync.Mutex                           // serialises adding series
	series atomic.Pointer[map[seriesKey]series] // copy-on-write; never nil

	writers sync.Pool // of *WrapWriter, Reset to nil while parked
}

// seriesKey names a request's series. pattern is owned by the map (a
// clone), never the Request's memory.
type seriesKey struct {
	method, pattern string
	code            int
}

// series are the metrics one request updates.
type series struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

// NewMetrics creates the collectors and registers them. It panics if the
// registration fails, as prometheus.MustRegister does: a second Metrics
// with the same namespace on one Registerer is a setup mistake.
func NewMetrics(opts *MetricsOptions) *Metrics {
	o := opts.withDefaults()
	const sub = "http"
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: o.Namespace, Subsystem: sub, Name: "requests_total",
			Help: "HTTP requests answered, by method, route pattern and status code.",
		}, []string{"method", "pattern", "code"}),
		durations: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: o.Namespace, Subsystem: sub, Name: "request_duration_seconds",
			Help:    "Time from the request head to the handler's return, by method and route pattern.",
			Buckets: o.Buckets,
		}, []string{"method", "pattern"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: o.Namespace, Subsystem: sub, Name: "requests_in_flight",
			Help: "Requests being handled now.",
		}),
		gatherer: o.Gatherer,
	}
	m.series.Store(&map[seriesKey]series{})
	m.writers.New = func() any { return new(WrapWriter) }
	cs := []prometheus.Collector{m.requests, m.durations, m.inFlight}
	if o.OpenConns != nil {
		open := o.OpenConns
		cs = append(cs, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: o.Namespace, Subsystem: sub, Name: "open_connections",
			Help: "Client connections open now.",
		}, func() float64 { return float64(open()) }))
	}
	for _, c := range cs {
		if err := o.Registerer.Register(c); err != nil {
			panic("middleware: registering metrics: " + err.Error())
		}
	}
	return m
}

// withDefaults returns a copy of o with the defaults filled in; o may be
// nil.
func (o *MetricsOptions) withDefaults() MetricsOptions {
	var c MetricsOptions
	if o != nil {
		c = *o
	}
	if c.Registerer == nil {
		reg := prometheus.NewRegistry()
		c.Registerer = reg
		if c.Gatherer == nil {
			c.Gatherer = reg
		}
	}
	if c.Gatherer == nil {
		c.Gatherer, _ = c.Registerer.(prometheus.Gatherer)
	}
	if c.Namespace == "" {
		c.Namespace = DefaultMetricsNamespace
	}
	if c.Buckets == nil {
		c.Buckets = prometheus.DefBuckets
	}
	return c
}

// Middleware returns the middleware that counts and times requests.
func (m *Metrics) Middleware() strand.Middleware {
	return func(next strand.Handler) strand.Handler {
		return strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
			m.serve(next, w, r)
		})
	}
}

// serve runs next, recording the status through a pooled WrapWriter. The
// deferred observe runs when next panics too: the server then answers 500
// if nothing was written.
func (m *Metrics) serve(next strand.Handler, w strand.ResponseWriter, r *strand.Request) {
	ww := m.writers.Get().(*WrapWriter)
	ww.Reset(w)
	m.inFlight.Inc()
	start := time.Now()
	returned := false
	defer func() { m.observe(ww, r, start, returned) }()
	next.ServeHTTP(ww, r)
	returned = true
}

// observe records a finished request and parks its writer.
func (m *Metrics) observe(ww *WrapWriter, r *strand.Request, start time.Time, returned bool) {
	elapsed := time.Since(start)
	m.inFlight.Dec()
	code := ww.Status()
	if !returned && !ww.Written() {
		code = strand.StatusInternalServerError
	}
	ww.Reset(nil) // a handler that kept w fails loudly instead of writing elsewhere
	m.writers.Put(ww)
	s := m.lookup(seriesKey{methodLabel(r.Method), r.Pattern(), code})
	s.requests.Inc()
	s.duration.Observe(elapsed.Seconds())
}

// lookup returns the metrics of k's series, creating them on first use.
func (m *Metrics) lookup(k seriesKey) series {
	if k.pattern == "" {
		k.pattern = "unmatched"
	}
	if s, ok := (*m.series.Load())[k]; ok {
		return s
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	old := *m.series.Load()
	if s, ok := old[k]; ok {
		return s // added while this request waited for the lock
	}
	k.pattern = strings.Clone(k.pattern) // the Request's memory is recycled
	s := series{
		requests: m.requests.WithLabelValues(k.method, k.pattern, strconv.Itoa(k.code)),
		duration: m.durations.WithLabelValues(k.method, k.pattern),
	}
	next := make(map[seriesKey]series, len(old)+1)
	for key, v := range old {
		next[key] = v
	}
	next[k] = s
	m.series.Store(&next)
	return s
}

// methodLabel returns the method's label: the method itself when it is
// registered in RFC 9110 §9 (or PATCH, RFC 5789), else "OTHER", so that
// invented methods cannot create series. The results are constants, never
// the Request's recycled memory.
func methodLabel(m string) string {
	if label, ok := method.Registered(m); ok {
		return label
	}
	return "OTHER"
}

// Handler returns a handler that serves the metrics of the Gatherer in the
// exposition format the scraper asks for in Accept (the Prometheus text
// format by default, or protocol buffers), as promhttp does; mount it at
// /metrics. It writes to the strand.ResponseWriter directly rather than
// through the nethttp adapter, so that this package stays free of
// net/http. It panics if there is no Gatherer (MetricsOptions.Gatherer).
func (m *Metrics) Handler() strand.Handler {
	g := m.gatherer
	if g == nil {
		panic("middleware: Metrics.Handler needs MetricsOptions.Gatherer: the Registerer is not a prometheus.Gatherer")
	}
	accepted := expfmt.DefaultAcceptedFormats()
	return strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		families, err := g.Gather()
		if err != nil {
			strand.Error(w, "gathering metrics: "+err.Error(), strand.StatusInternalServerError)
			return
		}
		format := expfmt.NegotiateAccept(map[string][]string{"Accept": r.Header.Values("Accept")}, accepted...)
		w.Header().Set("Content-Type", string(format))
		enc := expfmt.NewEncoder(w, format)
		for _, f := range families {
			if err := enc.Encode(f); err != nil {
				return // the client is gone, or the head is sent: nothing to tell
			}
		}
		if c, ok := enc.(expfmt.Closer); ok {
			_ = c.Close()
		}
	})
}

// Gatherer returns the Gatherer that Handler serves, or nil, for serving
// the same metrics another way (promhttp through the nethttp adapter).
func (m *Metrics) Gatherer() prometheus.Gatherer { return m.gatherer }
