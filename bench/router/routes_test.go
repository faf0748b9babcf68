package router_test

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/julienschmidt/httprouter"
	"github.com/strandhttp/strand"

	bench "github.com/strandhttp/strand/bench/router"
)

// TestGitHubAPIHas203Routes guards the route set against edits that would
// make the numbers incomparable with published ones.
func TestGitHubAPIHas203Routes(t *testing.T) {
	if n := len(bench.GitHubAPI); n != 203 {
		t.Fatalf("len(GitHubAPI) = %d; want 203", n)
	}
	seen := map[bench.Route]bool{}
	for _, rt := range bench.GitHubAPI {
		if seen[rt] {
			t.Errorf("route %s %s listed twice", rt.Method, rt.Path)
		}
		seen[rt] = true
	}
}

// TestGitHubAPIRoutesHitTheirHandler checks that every router sends every
// benchmark request to the handler of its own route, so that the
// benchmarks time real matches, not 404s.
func TestGitHubAPIRoutesHitTheirHandler(t *testing.T) {
	hit := -1
	strandHit := func(i int) strand.HandlerFunc {
		return func(strand.ResponseWriter, *strand.Request) { hit = i }
	}
	httpRouterHit := func(i int) httprouter.Handle {
		return func(http.ResponseWriter, *http.Request, httprouter.Params) { hit = i }
	}
	httpHit := func(i int) http.HandlerFunc {
		return func(http.ResponseWriter, *http.Request) { hit = i }
	}
	ginHit := func(i int) gin.HandlerFunc { return func(*gin.Context) { hit = i } }

	s := newStrand(bench.GitHubAPI, strandHit)
	routers := []struct {
		name  string
		serve func(method, path string)
	}{
		{"Strand", func(method, path string) {
			req := strandRequest(method, path)
			s.ServeHTTP(new(strandWriter), req)
			if want := bench.GitHubAPI[hit].Path; hit >= 0 && req.Pattern() != want {
				t.Errorf("Strand: %s %s: Pattern() = %q; want %q", method, path, req.Pattern(), want)
			}
		}},
		{"HttpRouter", serveHTTP(t, newHTTPRouter(bench.GitHubAPI, httpRouterHit))},
		{"Chi", serveHTTP(t, newChi(bench.GitHubAPI, httpHit))},
		{"ServeMux", serveHTTP(t, newServeMux(bench.GitHubAPI, httpHit))},
		{"Gin", serveHTTP(t, newGin(bench.GitHubAPI, ginHit))},
	}
	for _, r := range routers {
		for i, rt := range bench.GitHubAPI {
			hit = -1
			path := requestPath(rt.Path)
			r.serve(rt.Method, path)
			if hit != i {
				t.Errorf("%s: %s %s reached route %d; want %d (%s)", r.name, rt.Method, path, hit, i, rt.Path)
			}
		}
	}
}

func serveHTTP(t *testing.T, h http.Handler) func(method, path string) {
	return func(method, path string) {
		h.ServeHTTP(&httpWriter{h: http.Header{}}, httpRequest(t, method, path))
	}
}

// TestStrandParamValues checks the values the benchmark's parameter route
// captures.
func TestStrandParamValues(t *testing.T) {
	var owner, repo, pattern string
	r := newStrand(bench.GitHubAPI, func(int) strand.HandlerFunc {
		return func(_ strand.ResponseWriter, req *strand.Request) {
			owner, repo, pattern = req.PathValue("owner"), req.PathValue("repo"), req.Pattern()
		}
	})
	r.ServeHTTP(new(strandWriter), strandRequest("GET", paramRequest))
	if owner != "julienschmidt" || repo != "httprouter" || pattern != paramPattern {
		t.Fatalf("GET %s: owner, repo, pattern = %q, %q, %q; want %q, %q, %q",
			paramRequest, owner, repo, pattern, "julienschmidt", "httprouter", paramPattern)
	}
}
