package middleware_test

// Tests of Metrics: requests sent to a real strand.Server, then the
// exposition scraped from /metrics and read line by line. Helper names
// start with "metrics" so that they cannot collide with the helpers of
// the other middleware's tests in this package.

import (
	"bufio"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/internal/enginetest"
	"github.com/strandhttp/strand/middleware"
)

const metricsTestTimeout = 10 * time.Second

// metricsServe serves with srv on a loopback port and returns its base
// URL; the server is closed at cleanup.
func metricsServe(t *testing.T, srv *strand.Server) string {
	t.Helper()
	enginetest.CheckGoroutines(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if srv.ErrorLog == nil {
		srv.ErrorLog = slog.New(slog.DiscardHandler)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return "http://" + ln.Addr().String()
}

// metricsClient returns a client whose keep-alive connection is closed at
// cleanup.
func metricsClient(t *testing.T) *http.Client {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: metricsTestTimeout}
}

// metricsDo sends method url and returns the status, reading the body.
func metricsDo(t *testing.T, c *http.Client, method, url string) int {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// metricsScrape fetches url and returns the exposition's sample lines
// whose metric name starts with prefix, by series ("name{labels}") ->
// value.
func metricsScrape(t *testing.T, c *http.Client, url, prefix string) map[string]string {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Fatalf("GET %s: %d %q; want 200 and the text format", url, resp.StatusCode, ct)
	}
	samples := make(map[string]string)
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		samples[line[:i]] = line[i+1:]
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return samples
}

// metricsApp stands for a router: it sets the pattern of the paths it
// knows and answers each as its path says.
func metricsApp(w strand.ResponseWriter, r *strand.Request) {
	switch {
	case strings.HasPrefix(r.Path, "/users/"):
		r.SetPattern("/users/:id")
		if r.Method == "POST" {
			w.WriteHeader(strand.StatusCreated)
		}
		w.WriteString("user")
	case r.Path == "/stream":
		r.SetPattern("/stream")
		w.WriteString("part")
		if err := strand.Flush(w); err != nil {
			panic(err) // Flush must reach the server's writer through the wrapper
		}
	case r.Path == "/boom":
		r.SetPattern("/boom")
		panic("boom")
	case r.Path == "/teapot":
		r.SetPattern("/teapot")
		w.WriteHeader(418)
	default:
		strand.NotFound(w, r)
	}
}

// TestMetricsExposition sends requests of every kind through the
// middleware and checks the exact series values scraped afterwards.
func TestMetricsExposition(t *testing.T) {
	srv := &strand.Server{Engine: enginetest.Engine}
	m := middleware.NewMetrics(&middleware.MetricsOptions{OpenConns: srv.OpenConns})
	app := m.Middleware()(strand.HandlerFunc(metricsApp))
	metricsHandler := m.Handler()
	srv.Handler = strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		if r.Path == "/metrics" {
			metricsHandler.ServeHTTP(w, r) // outside the middleware: not counted
			return
		}
		app.ServeHTTP(w, r)
	})
	base := metricsServe(t, srv)
	c := metricsClient(t)
	requests := []struct {
		method, path string
		wantStatus   int
	}{
		{"GET", "/users/1", 200},
		{"GET", "/users/2", 200},
		{"GET", "/users/3", 200},
		{"POST", "/users/new", 201},
		{"HEAD", "/users/1", 200},
		{"PROPFIND", "/users/1", 200},
		{"BREW", "/teapot", 418},
		{"GET", "/stream", 200},
		{"GET", "/boom", 500},
		{"GET", "/nowhere", 404},
		{"DELETE", "/nowhere", 404},
	}
	for _, rq := range requests {
		if got := metricsDo(t, c, rq.method, base+rq.path); got != rq.wantStatus {
			t.Errorf("%s %s: %d; want %d", rq.method, rq.path, got, rq.wantStatus)
		}
	}
	// The panic closed its connection, and the client went on with a new
	// one; wait for the server to have forgotten the old one.
	for deadline := time.Now().Add(metricsTestTimeout); srv.OpenConns() != 1; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d open connections; want the client's one", srv.OpenConns())
		}
	}
	got := metricsScrape(t, c, base+"/metrics", "strand_http_")
	want := map[string]string{
		`strand_http_requests_total{code="200",method="GET",pattern="/users/:id"}`:            "3",
		`strand_http_requests_total{code="201",method="POST",pattern="/users/:id"}`:           "1",
		`strand_http_requests_total{code="200",method="HEAD",pattern="/users/:id"}`:           "1",
		`strand_http_requests_total{code="200",method="OTHER",pattern="/users/:id"}`:          "1",
		`strand_http_requests_total{code="418",method="OTHER",pattern="/teapot"}`:             "1",
		`strand_http_requests_total{code="200",method="GET",pattern="/stream"}`:               "1",
		`strand_http_requests_total{code="500",method="GET",pattern="/boom"}`:                 "1",
		`strand_http_requests_total{code="404",method="GET",pattern="unmatched"}`:             "1",
		`strand_http_requests_total{code="404",method="DELETE",pattern="unmatched"}`:          "1",
		`strand_http_request_duration_seconds_count{method="GET",pattern="/users/:id"}`:       "3",
		`strand_http_request_duration_seconds_count{method="OTHER",pattern="/users/:id"}`:     "1",
		`strand_http_request_duration_seconds_count{method="OTHER",pattern="/teapot"}`:        "1",
		`strand_http_request_duration_seconds_count{method="GET",pattern="unmatched"}`:        "1",
		`strand_http_request_duration_seconds_bucket{method="GET",pattern="/boom",le="+Inf"}`: "1",
		`strand_http_requests_in_flight`:                                                      "0",
		`strand_http_open_connections`:                                                        "1", // the client's one keep-alive connection
	}
	for series, w := range want {
		if g, ok := got[series]; g != w {
			t.Errorf("%s = %q (present: %v); want %q", series, g, ok, w)
		}
	}
	var total, count int
	for series := range got {
		switch {
		case strings.HasPrefix(series, "strand_http_requests_total{"):
			total++
		case strings.HasPrefix(series, "strand_http_request_duration_seconds_count{"):
			count++
		}
	}
	if total != 9 || count != 9 {
		t.Errorf("%d request series and %d duration series; want 9 and 9 (no other label values)", total, count)
	}
}

// TestMetricsMethodLabel checks that the method label takes the
// registered methods as they are (case-sensitive, RFC 9110 §9.1) and
// folds every other into "OTHER", so that a client cannot create series.
func TestMetricsMethodLabel(t *testing.T) {
	tests := []struct{ method, want string }{
		{"GET", "GET"}, {"HEAD", "HEAD"}, {"POST", "POST"}, {"PUT", "PUT"}, {"DELETE", "DELETE"},
		{"CONNECT", "CONNECT"}, {"OPTIONS", "OPTIONS"}, {"TRACE", "TRACE"}, {"PATCH", "PATCH"},
		{"get", "OTHER"}, {"PROPFIND", "OTHER"}, {"X" + strings.Repeat("Y", 100), "OTHER"},
	}
	for _, tt := range tests {
		reg := prometheus.NewRegistry()
		m := middleware.NewMetrics(&middleware.MetricsOptions{Registerer: reg})
		h := m.Middleware()(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {}))
		h.ServeHTTP(new(metricsWriter), &strand.Request{Method: tt.method})
		families, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range families {
			if f.GetName() != "strand_http_requests_total" {
				continue
			}
			for _, metric := range f.GetMetric() {
				for _, l := range metric.GetLabel() {
					if l.GetName() == "method" {
						got = append(got, l.GetValue())
					}
				}
			}
		}
		if len(got) != 1 || got[0] != tt.want {
			t.Errorf("method %.20q: labels %q; want [%q]", tt.method, got, tt.want)
		}
	}
}

// TestMetricsInFlight checks the in-flight gauge while a request is being
// handled, with /metrics itself behind the middleware (so the scrape
// counts itself).
func TestMetricsInFlight(t *testing.T) {
	m := middleware.NewMetrics(nil)
	entered, release := make(chan struct{}), make(chan struct{})
	metricsHandler := m.Handler()
	h := m.Middleware()(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		r.SetPattern(r.Path)
		if r.Path == "/metrics" {
			metricsHandler.ServeHTTP(w, r)
			return
		}
		close(entered)
		<-release
	}))
	base := metricsServe(t, &strand.Server{Handler: h, Engine: enginetest.Engine})
	c := metricsClient(t)
	done := make(chan int, 1)
	go func() {
		resp, err := c.Get(base + "/slow")
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	<-entered
	during := metricsScrape(t, c, base+"/metrics", "strand_http_requests_in_flight")
	close(release)
	if status := <-done; status != 200 {
		t.Errorf("GET /slow: %d; want 200", status)
	}
	after := metricsScrape(t, c, base+"/metrics", "strand_http_requests_in_flight")
	const g = "strand_http_requests_in_flight"
	if during[g] != "2" || after[g] != "1" {
		t.Errorf("in flight during /slow %q, after %q; want 2 and 1 (the scrape counts itself)", during[g], after[g])
	}
}

// TestMetricsOptions checks the namespace, buckets and registry options.
func TestMetricsOptions(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := middleware.NewMetrics(&middleware.MetricsOptions{
		Registerer: reg,
		Namespace:  "app",
		Buckets:    []float64{60},
		OpenConns:  func() int { return 7 },
	})
	h := m.Middleware()(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {}))
	srv := &strand.Server{Engine: enginetest.Engine, Handler: strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		if r.Path == "/metrics" {
			m.Handler().ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})}
	base := metricsServe(t, srv)
	c := metricsClient(t)
	metricsDo(t, c, "GET", base+"/")
	got := metricsScrape(t, c, base+"/metrics", "app_")
	want := map[string]string{
		`app_http_requests_total{code="200",method="GET",pattern="unmatched"}`:                 "1",
		`app_http_request_duration_seconds_bucket{method="GET",pattern="unmatched",le="60"}`:   "1",
		`app_http_request_duration_seconds_bucket{method="GET",pattern="unmatched",le="+Inf"}`: "1",
		`app_http_open_connections`: "7",
	}
	for series, w := range want {
		if g := got[series]; g != w {
			t.Errorf("%s = %q; want %q", series, g, w)
		}
	}
	if len(got) != 7 { // the four above, _sum, _count and in flight
		t.Errorf("%d series; want 7:\n%v", len(got), got)
	}
	if m.Gatherer() != prometheus.Gatherer(reg) {
		t.Errorf("Gatherer() = %v; want the Registerer, which is a Gatherer", m.Gatherer())
	}
	families, err := reg.Gather()
	if err != nil || len(families) != 4 {
		t.Errorf("the given registry gathers %d families, %v; want 4", len(families), err)
	}
}

// TestMetricsSetupPanics checks the setup mistakes that panic: a second
// Metrics on the same registry, and Handler without a Gatherer.
func TestMetricsSetupPanics(t *testing.T) {
	tests := []struct {
		name  string
		setup func()
	}{
		{"same registry twice", func() {
			reg := prometheus.NewRegistry()
			middleware.NewMetrics(&middleware.MetricsOptions{Registerer: reg})
			middleware.NewMetrics(&middleware.MetricsOptions{Registerer: reg})
		}},
		{"Handler without a Gatherer", func() {
			reg := prometheus.WrapRegistererWithPrefix("x_", prometheus.NewRegistry())
			middleware.NewMetrics(&middleware.MetricsOptions{Registerer: reg}).Handler()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", tt.name)
				}
			}()
			tt.setup()
		})
	}
}

// TestMetricsHandlerFormats checks content negotiation and the answer to
// a failing Gatherer.
func TestMetricsHandlerFormats(t *testing.T) {
	failing := prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
		return nil, errors.New("collector broke")
	})
	tests := []struct {
		name       string
		gatherer   prometheus.Gatherer
		accept     string
		wantStatus int
		wantType   string // a prefix of Content-Type
	}{
		{"text by default", nil, "", 200, "text/plain; version=0.0.4"},
		{"protobuf", nil, "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited",
			200, "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"},
		{"gather error", failing, "", 500, "text/plain; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := middleware.NewMetrics(&middleware.MetricsOptions{Gatherer: tt.gatherer})
			base := metricsServe(t, &strand.Server{Handler: m.Handler(), Engine: enginetest.Engine})
			req, err := http.NewRequest("GET", base+"/metrics", nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.accept != "" {
				req.Header.Set("Accept", tt.accept)
			}
			resp, err := metricsClient(t).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus || !strings.HasPrefix(resp.Header.Get("Content-Type"), tt.wantType) {
				t.Errorf("Accept %q: %d %q; want %d %q", tt.accept, resp.StatusCode, resp.Header.Get("Content-Type"), tt.wantStatus, tt.wantType)
			}
			if tt.wantStatus == 500 && !strings.Contains(string(body), "collector broke") {
				t.Errorf("body %q; want the gatherer's error", body)
			}
		})
	}
}

// metricsWriter is a strand.ResponseWriter that keeps nothing, for
// allocation counts and benchmarks.
type metricsWriter struct{ h strand.Header }

func (w *metricsWriter) Header() *strand.Header            { return &w.h }
func (w *metricsWriter) WriteHeader(int)                   {}
func (w *metricsWriter) Write(p []byte) (int, error)       { return len(p), nil }
func (w *metricsWriter) WriteString(s string) (int, error) { return len(s), nil }

// metricsRaceEnabled reports whether the race detector is on: it makes
// sync.Pool drop items at random, so allocation counts mean nothing.
func metricsRaceEnabled() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// TestMetricsAllocs guards the middleware's budget: a request on a series
// seen before allocates nothing.
func TestMetricsAllocs(t *testing.T) {
	if metricsRaceEnabled() {
		t.Skip("sync.Pool drops items under the race detector")
	}
	m := middleware.NewMetrics(nil)
	h := m.Middleware()(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		r.SetPattern("/users/:id")
		w.WriteString("user")
	}))
	w := new(metricsWriter)
	r := &strand.Request{Method: "GET", Path: "/users/1"}
	h.ServeHTTP(w, r) // creates the series
	if got := testing.AllocsPerRun(1000, func() { h.ServeHTTP(w, r) }); got != 0 {
		t.Errorf("a request allocates %v times; want 0", got)
	}
}

// BenchmarkMetrics measures the middleware against the bare handler, on
// one goroutine and on all of them (the series map is read without a
// lock).
func BenchmarkMetrics(b *testing.B) {
	bare := strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		r.SetPattern("/users/:id")
		w.WriteString("user")
	})
	m := middleware.NewMetrics(nil)
	for _, bc := range []struct {
		name string
		h    strand.Handler
	}{{"bare", bare}, {"metrics", m.Middleware()(bare)}} {
		b.Run(bc.name, func(b *testing.B) {
			w, r := new(metricsWriter), &strand.Request{Method: "GET", Path: "/users/1"}
			b.ReportAllocs()
			for b.Loop() {
				bc.h.ServeHTTP(w, r)
			}
		})
		b.Run(bc.name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				w, r := new(metricsWriter), &strand.Request{Method: "GET", Path: "/users/1"}
				for pb.Next() {
					bc.h.ServeHTTP(w, r)
				}
			})
		})
	}
}

// TestMetricsPatternThroughContextCopies guards the route pattern label
// when a middleware between Metrics and the router replaces the Request
// (Timeout makes a WithContext copy): the pattern set on the copy is the
// one counted, not "unmatched".
func TestMetricsPatternThroughContextCopies(t *testing.T) {
	m := middleware.NewMetrics(nil)
	router := strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		r.SetPattern("/items/:id")
		_, _ = w.WriteString("ok")
	})
	srv := &strand.Server{Handler: strand.Chain(m.Middleware(), middleware.Timeout(time.Second))(router), Engine: enginetest.Engine}
	base := metricsServe(t, srv)
	scrape := metricsServe(t, &strand.Server{Handler: m.Handler(), Engine: enginetest.Engine})
	c := metricsClient(t)
	metricsDo(t, c, "GET", base+"/items/7")
	got := metricsScrape(t, c, scrape+"/metrics", "strand_http_requests_total")
	if v := got[`strand_http_requests_total{code="200",method="GET",pattern="/items/:id"}`]; v != "1" {
		t.Fatalf("requests by pattern = %v; want one GET for /items/:id", got)
	}
}
