package strand

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"testing"

	"github.com/strandhttp/strand/internal/http1"
)

// requestView is what a handler saw of a request, copied out of it.
type requestView struct {
	Method, Target, Path, RawPath, RawQuery, Proto, Host, Query string
	Major, Minor                                                int
	Close                                                       bool
	ContentLength                                               int64
	RemoteAddr, UserAgent                                       string
}

func viewOf(r *Request) requestView {
	c := r.Clone() // everything copied, so the view outlives the handler
	q := ""
	if len(c.Query()) > 0 {
		q = fmt.Sprint(c.Query())
	}
	return requestView{
		Method: c.Method, Target: c.Target, Path: c.Path, RawPath: c.RawPath, RawQuery: c.RawQuery,
		Proto: c.Proto, Host: c.Host, Query: q, Major: c.ProtoMajor, Minor: c.ProtoMinor,
		Close: c.Close, ContentLength: c.ContentLength, RemoteAddr: c.RemoteAddr,
		UserAgent: c.Header.Get("user-agent"),
	}
}

// TestRequestFields checks what the server fills in from each target form
// (RFC 9112 §3.2) and version.
func TestRequestFields(t *testing.T) {
	tests := []struct {
		name, req string
		want      requestView
	}{
		{"origin form with escapes", "GET /a%20b/%E2%82%AC?x=1&y=%20 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t\r\n\r\n", requestView{
			Method: "GET", Target: "/a%20b/%E2%82%AC?x=1&y=%20", Path: "/a b/€", RawPath: "/a%20b/%E2%82%AC",
			RawQuery: "x=1&y=%20", Proto: "HTTP/1.1", Host: "example.com", Query: "map[x:[1] y:[ ]]",
			Major: 1, Minor: 1, UserAgent: "t"}},
		{"encoded slash", "GET /a%2Fb HTTP/1.1\r\nHost: h\r\n\r\n", requestView{
			Method: "GET", Target: "/a%2Fb", Path: "/a/b", RawPath: "/a%2Fb", Proto: "HTTP/1.1", Host: "h", Major: 1, Minor: 1}},
		{"absolute form overrides Host", "GET http://target.example:8080/p?q=1 HTTP/1.1\r\nHost: other\r\n\r\n", requestView{
			Method: "GET", Target: "http://target.example:8080/p?q=1", Path: "/p", RawPath: "/p", RawQuery: "q=1",
			Proto: "HTTP/1.1", Host: "target.example:8080", Query: "map[q:[1]]", Major: 1, Minor: 1}},
		{"absolute form without path", "GET http://target.example HTTP/1.1\r\nHost: other\r\n\r\n", requestView{
			Method: "GET", Target: "http://target.example", Path: "/", RawPath: "/",
			Proto: "HTTP/1.1", Host: "target.example", Major: 1, Minor: 1}},
		{"asterisk form", "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", requestView{
			Method: "OPTIONS", Target: "*", Path: "*", RawPath: "*", Proto: "HTTP/1.1", Host: "h", Major: 1, Minor: 1}},
		{"authority form", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", requestView{
			Method: "CONNECT", Target: "example.com:443", Proto: "HTTP/1.1", Host: "example.com:443", Major: 1, Minor: 1}},
		{"HTTP/1.0 without Host", "GET /old HTTP/1.0\r\n\r\n", requestView{
			Method: "GET", Target: "/old", Path: "/old", RawPath: "/old", Proto: "HTTP/1.0", Major: 1, Minor: 0, Close: true}},
		{"unregistered method", "PURGE /c HTTP/1.1\r\nHost: h\r\n\r\n", requestView{
			Method: "PURGE", Target: "/c", Path: "/c", RawPath: "/c", Proto: "HTTP/1.1", Host: "h", Major: 1, Minor: 1}},
		{"content length", "PUT /u HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc", requestView{
			Method: "PUT", Target: "/u", Path: "/u", RawPath: "/u", Proto: "HTTP/1.1", Host: "h", Major: 1, Minor: 1, ContentLength: 3}},
		{"chunked", "POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", requestView{
			Method: "POST", Target: "/u", Path: "/u", RawPath: "/u", Proto: "HTTP/1.1", Host: "h", Major: 1, Minor: 1, ContentLength: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			views := make(chan requestView, 1)
			h := HandlerFunc(func(w ResponseWriter, r *Request) { views <- viewOf(r) })
			addr := serve(t, &Server{Handler: h})
			c := dialRaw(t, addr)
			c.send(t, tt.req)
			c.response(t, "GET")
			got := recv(t, views, "the handler")
			tt.want.RemoteAddr = c.LocalAddr().String()
			if got != tt.want {
				t.Errorf("request %q:\n got %+v\nwant %+v", tt.req, got, tt.want)
			}
		})
	}
}

// TestRequestCloneOutlivesHandler checks that a Clone keeps its values
// after the handler returned and the connection reused the request's
// memory for the next request (in strand_debug builds, after poisoning).
func TestRequestCloneOutlivesHandler(t *testing.T) {
	clones := make(chan *Request, 2)
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		_, _ = io.ReadAll(r.Body)
		r.SetPathValue("id", r.Path[1:])
		r.SetPattern("/:id")
		clones <- r.Clone()
	})
	addr := serve(t, &Server{Handler: h})
	c := dialRaw(t, addr)
	c.send(t, "POST /first?a=1 HTTP/1.1\r\nHost: one\r\nX-Tag: alpha\r\nTransfer-Encoding: chunked\r\n\r\n"+
		"1\r\nz\r\n0\r\nX-Trail: t1\r\n\r\n")
	c.response(t, "POST")
	first := recv(t, clones, "the first handler")
	c.send(t, "GET /second-and-longer?b=2 HTTP/1.1\r\nHost: two\r\nX-Tag: beta-gamma\r\n\r\n")
	c.response(t, "GET")
	recv(t, clones, "the second handler")

	got := fmt.Sprintf("%s %s %s %s %s %s %s %s %s", first.Method, first.Target, first.Path, first.RawQuery,
		first.Host, first.Header.Get("X-Tag"), first.Trailer.Get("X-Trail"), first.PathValue("id"), first.Pattern())
	want := "POST /first?a=1 /first a=1 one alpha t1 first /:id"
	if got != want {
		t.Fatalf("first request's clone = %q; want %q", got, want)
	}
	if b, err := io.ReadAll(first.Body); len(b) != 0 || err != nil {
		t.Fatalf("clone's Body read %q, %v; want empty", b, err)
	}
}

// TestRequestMethods checks the Request methods that do not need a server.
func TestRequestMethods(t *testing.T) {
	r := &Request{ProtoMajor: 1, ProtoMinor: 1, RawQuery: "a=1&a=2&b=%zz&c"}
	for _, tt := range []struct {
		major, minor int
		want         bool
	}{{1, 0, true}, {1, 1, true}, {1, 2, false}, {2, 0, false}, {0, 9, true}} {
		if got := r.ProtoAtLeast(tt.major, tt.minor); got != tt.want {
			t.Errorf("ProtoAtLeast(%d, %d) on HTTP/1.1 = %v; want %v", tt.major, tt.minor, got, tt.want)
		}
	}
	if got, want := fmt.Sprint(r.Query()), "map[a:[1 2] c:[]]"; got != want {
		t.Errorf("Query() = %s; want %s (malformed pairs skipped)", got, want)
	}
	r.RawQuery = "changed=1"
	if got, want := fmt.Sprint(r.Query()), "map[a:[1 2] c:[]]"; got != want {
		t.Errorf("second Query() = %s; want the cached %s", got, want)
	}

	if got := r.PathValue("id"); got != "" {
		t.Errorf("PathValue of an unset name = %q; want empty", got)
	}
	r.SetPathValue("id", "1")
	r.SetPathValue("name", "x")
	r.SetPathValue("id", "2")
	if got := r.PathValue("id") + r.PathValue("name"); got != "2x" {
		t.Errorf("PathValue after sets = %q; want 2x", got)
	}
	r.SetPattern("/users/:id")
	if got := r.Pattern(); got != "/users/:id" {
		t.Errorf("Pattern() = %q; want /users/:id", got)
	}

	ctx := r.Context()
	if ctx == nil || ctx.Err() != nil {
		t.Fatalf("Context() of a bare request = %v; want a live context", ctx)
	}
	if r.Context() != ctx {
		t.Errorf("Context() changed between calls")
	}
	type key struct{}
	vctx := context.WithValue(context.Background(), key{}, "v")
	r2 := r.WithContext(vctx)
	if r2.Context().Value(key{}) != "v" || r.Context() != ctx || r2.PathValue("id") != "2" {
		t.Errorf("WithContext: copy's context value %v, original's context changed %v", r2.Context().Value(key{}), r.Context() != ctx)
	}
	defer func() {
		if recover() == nil {
			t.Errorf("WithContext(nil) did not panic")
		}
	}()
	//lint:ignore SA1012 a nil context is what this checks
	r.WithContext(nil)
}

// TestRequestReset checks that reset leaves nothing of a request for the
// next one on its connection but the storage it keeps: every exported
// field is set, reset, and must come back zero, but for the connection's
// own (RemoteAddr, TLS) and the Header and Trailer, emptied. The count of
// fields makes whoever adds one decide here what reset does with it.
func TestRequestReset(t *testing.T) {
	const wantFields = 27
	typ := reflect.TypeFor[Request]()
	if typ.NumField() != wantFields {
		t.Fatalf("Request has %d fields, this test knows %d: check that reset clears or keeps the new one as it must, then update both",
			typ.NumField(), wantFields)
	}
	var r Request
	v := reflect.ValueOf(&r).Elem()
	for i := range typ.NumField() {
		f := v.Field(i)
		if !typ.Field(i).IsExported() {
			continue
		}
		switch f.Kind() {
		case reflect.String:
			f.SetString("x")
		case reflect.Int, reflect.Int64:
			f.SetInt(7)
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Interface:
			f.Set(reflect.ValueOf(io.NopCloser(nil)))
		case reflect.Pointer:
			f.Set(reflect.New(f.Type().Elem()))
		}
	}
	r.Header.Set("A", "b")
	r.Trailer.Set("C", "d")
	r.ctx, r.cancel = context.WithCancel(context.Background())
	ctx := r.ctx
	r.query, r.parsed, r.pattern = map[string][]string{"q": {"1"}}, true, "/p"
	r.params = append(r.params, pathParam{"id", "7"})
	r.origin = &Request{}
	r.head.Method, r.head.ContentLength = []byte("GET"), 5
	r.head.Fields = append(r.head.Fields, http1.Field{Name: []byte("A"), Value: []byte("b")})
	r.raw, r.pathBuf = []byte("raw"), []byte("path")

	r.reset()

	if ctx.Err() == nil {
		t.Error("the request's context is not cancelled")
	}
	for i := range typ.NumField() {
		name := typ.Field(i).Name
		f := v.Field(i)
		switch name {
		case "RemoteAddr", "TLS", "conn":
			if f.IsZero() && name != "conn" {
				t.Errorf("%s cleared; it is the connection's and must stay", name)
			}
		case "Header", "Trailer":
			if n := f.Addr().Interface().(*Header).Len(); n != 0 {
				t.Errorf("%s holds %d fields after reset", name, n)
			}
		case "params":
			if r.params == nil || len(r.params) != 0 {
				t.Errorf("params = %v; want emptied, storage kept", r.params)
			}
		case "head", "raw", "pathBuf":
			// Storage kept for the next request (http1.ParseHead resets
			// the head before it parses into it).
			if f.IsZero() {
				t.Errorf("%s dropped; its storage is kept for the next request", name)
			}
		default:
			if !f.IsZero() {
				t.Errorf("%s = %v after reset; want the zero value", name, f)
			}
		}
	}
}
