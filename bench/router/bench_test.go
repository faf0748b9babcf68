package router_test

import (
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"github.com/julienschmidt/httprouter"
	"github.com/strandhttp/strand"

	bench "github.com/strandhttp/strand/bench/router"
	strandrouter "github.com/strandhttp/strand/router"
)

// Every router is driven the same way: its own ServeHTTP, called through
// its handler interface, on requests built once before the timer starts,
// with a response writer that discards everything. Handlers are empty, so
// what is measured is the router: lookup, parameter capture and dispatch.

// paramRequest is a GET with two parameters, paramPattern its route.
const (
	paramRequest = "/repos/julienschmidt/httprouter/stargazers"
	paramPattern = "/repos/:owner/:repo/stargazers"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.ReleaseMode) // no route dump, no debug warnings
	os.Exit(m.Run())
}

// requestPath turns a pattern into a request path, each parameter
// replaced by its name: "/users/:user" -> "/users/user".
func requestPath(pattern string) string {
	return strings.ReplaceAll(pattern, ":", "")
}

// bracePattern turns ":name" into "{name}", the syntax of chi and of
// net/http's ServeMux.
func bracePattern(pattern string) string {
	segs := strings.Split(pattern, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, ":") {
			segs[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(segs, "/")
}

// Strand.

type strandWriter struct{ h strand.Header }

func (w *strandWriter) Header() *strand.Header            { return &w.h }
func (w *strandWriter) WriteHeader(int)                   {}
func (w *strandWriter) Write(p []byte) (int, error)       { return len(p), nil }
func (w *strandWriter) WriteString(s string) (int, error) { return len(s), nil }

func newStrand(routes []bench.Route, handler func(i int) strand.HandlerFunc) *strandrouter.Router {
	r := strandrouter.New()
	for i, rt := range routes {
		r.HandleFunc(rt.Method, rt.Path, handler(i))
	}
	return r
}

// strandRequest builds a request the way the server fills one in. The
// router sets Pattern and the path values on it; since one request is
// reused for one path, each run overwrites the same parameters in place,
// as the server's recycled requests do.
func strandRequest(method, path string) *strand.Request {
	return &strand.Request{Method: method, Target: path, Path: path, RawPath: path}
}

func strandEmpty(int) strand.HandlerFunc {
	return func(strand.ResponseWriter, *strand.Request) {}
}

func benchStrand(b *testing.B, h strand.Handler, reqs []*strand.Request) {
	w := new(strandWriter)
	for _, req := range reqs {
		h.ServeHTTP(w, req) // first run: grow each request's parameter storage
	}
	b.ReportAllocs()
	cpu := startCPU()
	n := 0
	for b.Loop() {
		for _, req := range reqs {
			h.ServeHTTP(w, req)
		}
		n++
	}
	cpu.report(b, n)
}

// cpuClock measures the CPU time of the benchmark's thread, which unlike
// wall time does not count the time other processes on a shared machine
// hold the core. It is reported as cpu-ns/op beside ns/op.
type cpuClock struct {
	start int64
	ok    bool
}

func startCPU() cpuClock {
	runtime.LockOSThread()
	start, ok := threadCPU()
	return cpuClock{start, ok}
}

func (c cpuClock) report(b *testing.B, n int) {
	end, ok := threadCPU()
	runtime.UnlockOSThread()
	if c.ok && ok && n > 0 {
		b.ReportMetric(float64(end-c.start)/float64(n), "cpu-ns/op")
	}
}

// net/http routers.

type httpWriter struct{ h http.Header }

func (w *httpWriter) Header() http.Header         { return w.h }
func (w *httpWriter) WriteHeader(int)             {}
func (w *httpWriter) Write(p []byte) (int, error) { return len(p), nil }

func httpRequest(tb testing.TB, method, path string) *http.Request {
	req, err := http.NewRequest(method, path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return req
}

func benchHTTP(b *testing.B, h http.Handler, reqs []*http.Request) {
	w := &httpWriter{h: http.Header{}}
	b.ReportAllocs()
	cpu := startCPU()
	n := 0
	for b.Loop() {
		for _, req := range reqs {
			h.ServeHTTP(w, req)
		}
		n++
	}
	cpu.report(b, n)
}

func newHTTPRouter(routes []bench.Route, handler func(i int) httprouter.Handle) *httprouter.Router {
	r := httprouter.New()
	for i, rt := range routes {
		r.Handle(rt.Method, rt.Path, handler(i))
	}
	return r
}

func httpRouterEmpty(int) httprouter.Handle {
	return func(http.ResponseWriter, *http.Request, httprouter.Params) {}
}

func newChi(routes []bench.Route, handler func(i int) http.HandlerFunc) *chi.Mux {
	r := chi.NewRouter()
	for i, rt := range routes {
		r.MethodFunc(rt.Method, bracePattern(rt.Path), handler(i))
	}
	return r
}

// httpEmpty is the empty handler of chi and ServeMux.
func httpEmpty(int) http.HandlerFunc {
	return func(http.ResponseWriter, *http.Request) {}
}

func newServeMux(routes []bench.Route, handler func(i int) http.HandlerFunc) *http.ServeMux {
	r := http.NewServeMux()
	for i, rt := range routes {
		r.HandleFunc(rt.Method+" "+bracePattern(rt.Path), handler(i))
	}
	return r
}

func newGin(routes []bench.Route, handler func(i int) gin.HandlerFunc) *gin.Engine {
	r := gin.New()
	for i, rt := range routes {
		r.Handle(rt.Method, rt.Path, handler(i))
	}
	return r
}

func ginEmpty(int) gin.HandlerFunc { return func(*gin.Context) {} }

// Requests.

func strandAll() []*strand.Request {
	var reqs []*strand.Request
	for _, rt := range bench.GitHubAPI {
		reqs = append(reqs, strandRequest(rt.Method, requestPath(rt.Path)))
	}
	return reqs
}

func httpAll(tb testing.TB) []*http.Request {
	var reqs []*http.Request
	for _, rt := range bench.GitHubAPI {
		reqs = append(reqs, httpRequest(tb, rt.Method, requestPath(rt.Path)))
	}
	return reqs
}

// BenchmarkGitHubAll routes every one of the 203 requests once per
// iteration.

func BenchmarkGitHubAll_Strand(b *testing.B) {
	benchStrand(b, newStrand(bench.GitHubAPI, strandEmpty), strandAll())
}

func BenchmarkGitHubAll_HttpRouter(b *testing.B) {
	benchHTTP(b, newHTTPRouter(bench.GitHubAPI, httpRouterEmpty), httpAll(b))
}

func BenchmarkGitHubAll_Chi(b *testing.B) {
	benchHTTP(b, newChi(bench.GitHubAPI, httpEmpty), httpAll(b))
}

func BenchmarkGitHubAll_ServeMux(b *testing.B) {
	benchHTTP(b, newServeMux(bench.GitHubAPI, httpEmpty), httpAll(b))
}

func BenchmarkGitHubAll_Gin(b *testing.B) {
	benchHTTP(b, newGin(bench.GitHubAPI, ginEmpty), httpAll(b))
}

// BenchmarkGitHubParam routes one request with two parameters through the
// full GitHub route set.

func BenchmarkGitHubParam_Strand(b *testing.B) {
	benchStrand(b, newStrand(bench.GitHubAPI, strandEmpty), []*strand.Request{strandRequest("GET", paramRequest)})
}

func BenchmarkGitHubParam_HttpRouter(b *testing.B) {
	benchHTTP(b, newHTTPRouter(bench.GitHubAPI, httpRouterEmpty), []*http.Request{httpRequest(b, "GET", paramRequest)})
}

func BenchmarkGitHubParam_Chi(b *testing.B) {
	benchHTTP(b, newChi(bench.GitHubAPI, httpEmpty), []*http.Request{httpRequest(b, "GET", paramRequest)})
}

func BenchmarkGitHubParam_ServeMux(b *testing.B) {
	benchHTTP(b, newServeMux(bench.GitHubAPI, httpEmpty), []*http.Request{httpRequest(b, "GET", paramRequest)})
}

func BenchmarkGitHubParam_Gin(b *testing.B) {
	benchHTTP(b, newGin(bench.GitHubAPI, ginEmpty), []*http.Request{httpRequest(b, "GET", paramRequest)})
}
