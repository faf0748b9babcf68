package strand

// FuzzEngines sends each input, as one client's whole byte stream, to a
// server on every engine (goroutine, epoll, epoll with the handler run on
// the pollers) and asks three things of what comes back:
//
//   - it comes back: the server answers what it can and closes, within
//     testTimeout of the client's half-close, on every engine (no hang);
//   - it is a well-formed sequence of HTTP/1.1 responses, each framed as
//     RFC 9112 §6.3 says, ending where the server closed (no garbage);
//   - every engine sends the same bytes, but for the Date field and for
//     100 Continue, which depends on whether the body had already arrived;
//     and for half the inputs the engines after the first get them in two
//     pieces, so that this also asks that the answer not depend on how the
//     bytes arrived (partial heads, bodies split across reads).
//
// The handler reads the body, answers with what it read, and so exercises
// framing, pipelining, draining and the body's errors the same way on
// every engine. The codec is fuzzed on its own in internal/http1; this
// fuzzes the connection code around it.

import (
	"bufio"
	"bytes"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/strandhttp/strand/internal/engine"
	"github.com/strandhttp/strand/internal/enginetest"
)

// engineSeeds are request streams for FuzzEngines: a bit of everything a
// connection meets, good and bad.
var engineSeeds = []string{
	"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\nHEAD /c HTTP/1.1\r\nHost: a\r\n\r\n",
	"POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\nHost: a\r\n\r\n",
	"POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nT: 1\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
	"POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\nabc",
	"POST /skip HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nabcdGET / HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET / HTTP/1.0\r\n\r\n",
	"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /2 HTTP/1.0\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /never HTTP/1.1\r\nHost: a\r\n\r\n",
	"\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nX : y\r\n\r\n",
	"HEAD / HTTP/1.1\r\n\r\n",
	"POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
	"POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nGET",
	"POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nshort",
	"POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\n",
	"GET /" + strings.Repeat("x", 9000) + " HTTP/1.1\r\nHost: a\r\n\r\n",
	"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET /panic HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET /big HTTP/1.1\r\nHost: a\r\n\r\nGET /stream HTTP/1.1\r\nHost: a\r\n\r\n",
	"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
}

// engineHandler is FuzzEngines' handler: it reads the whole body (but at
// /skip, where it reads none), then answers with the method, target, body
// and trailers it saw. /big answers 40 KiB (past the write buffer), /stream
// flushes twice (chunked), /panic panics.
func engineHandler(w ResponseWriter, r *Request) {
	var body []byte
	var err error
	if r.Path != "/skip" {
		body, err = io.ReadAll(r.Body)
	}
	switch r.Path {
	case "/panic":
		panic("engine fuzz")
	case "/big":
		_, _ = w.WriteString(strings.Repeat("b", 40<<10))
		return
	case "/stream":
		_, _ = w.WriteString("one")
		_ = w.(Flusher).Flush()
		_, _ = w.WriteString("two")
		_ = w.(Flusher).Flush()
		return
	}
	if err != nil {
		return // the server answers the body's failure
	}
	w.Header().Set("X-Method", r.Method)
	fmt.Fprintf(w, "%s %s %q", r.Method, r.Target, body)
	for k, v := range r.Trailer.All() {
		fmt.Fprintf(w, " %s=%q", k, v)
	}
}

var (
	engineServersOnce sync.Once
	engineAddrs       []string // goroutine, epoll, epoll with NonBlocking
	engineNames       = []string{EngineGoroutine, EngineEpoll, testInline}
	dateField         = regexp.MustCompile("(?m)^Date: [^\r\n]*\r\n")
)

// startEngineServers starts FuzzEngines' servers, once per process: fuzzing
// runs inputs in long-lived worker processes, so the servers live as long
// as the process does.
func startEngineServers(tb testing.TB) []string {
	engineServersOnce.Do(func() {
		names := engineNames
		if !engine.EpollSupported {
			names = names[:1]
		}
		for _, name := range names {
			s := &Server{Handler: HandlerFunc(engineHandler), ErrorLog: slog.New(slog.DiscardHandler),
				ReadHeaderTimeout: testTimeout, ReadTimeout: testTimeout, WriteTimeout: testTimeout}
			setEngine(s, name)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				tb.Fatal(err)
			}
			go func() { _ = s.Serve(ln) }()
			engineAddrs = append(engineAddrs, ln.Addr().String())
		}
	})
	return engineAddrs
}

// exchangeAll sends in on a new connection to addr, half-closes, and
// returns all the server sent until it closed. With 0 < split < len(in),
// it sends in[:split], pauses, then the rest: the server reads the input
// in two pieces.
func exchangeAll(addr string, in []byte, split int) ([]byte, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(testTimeout)); err != nil {
		return nil, err
	}
	werr := make(chan error, 1)
	go func() {
		// Written beside the read: a server answering a long pipeline
		// would otherwise wait for us to read while we wait to write.
		var err error
		if split > 0 && split < len(in) {
			if _, err = c.Write(in[:split]); err == nil {
				time.Sleep(300 * time.Microsecond)
				_, err = c.Write(in[split:])
			}
		} else {
			_, err = c.Write(in)
		}
		if err == nil {
			err = c.(*net.TCPConn).CloseWrite()
		}
		werr <- err
	}()
	out, err := io.ReadAll(c)
	if isReset(err) {
		err = nil // the server closed with our bytes unread: what it sent before counts
	}
	<-werr // a write the server refused by closing is not a failure
	return out, err
}

// normalize drops what may differ between engines for the same input.
func normalize(out []byte) []byte {
	out = dateField.ReplaceAll(out, nil)
	return bytes.ReplaceAll(out, []byte("HTTP/1.1 100 Continue\r\n\r\n"), nil)
}

// checkResponses parses out as a sequence of responses to the end: each
// framed by RFC 9112 §6.3, nothing after one that announced the close.
func checkResponses(out []byte) error {
	rd := bytes.NewReader(out)
	br := bufio.NewReader(rd)
	for n := 0; ; n++ {
		if _, err := br.Peek(1); err == io.EOF {
			return nil
		}
		head, err := peekHead(br)
		if err != nil {
			return fmt.Errorf("response %d: %v", n, err)
		}
		// The method matters for HEAD only. The handler names it; the
		// server's own answer to a refused HEAD (no X-Method) is its head
		// alone, the last thing on the connection.
		method := "GET"
		rest := br.Buffered() + rd.Len()
		if strings.Contains(head, "\r\nX-Method: HEAD\r\n") ||
			!strings.Contains(head, "\r\nX-Method: ") && strings.Contains(head, "\r\nConnection: close\r\n") && rest == len(head) {
			method = "HEAD"
		}
		r, err := readRawResponse(br, method)
		if err != nil {
			return fmt.Errorf("response %d: %v", n, err)
		}
		if r.Status < 100 || r.Status > 599 {
			return fmt.Errorf("response %d: status %d", n, r.Status)
		}
		if r.Close() {
			if rest, _ := io.ReadAll(br); len(rest) > 0 {
				return fmt.Errorf("response %d announced the close, then came %q", n, rest)
			}
			return nil
		}
	}
}

// peekHead returns the next response's head without consuming it.
func peekHead(br *bufio.Reader) (string, error) {
	for n := 64; ; n *= 2 {
		b, err := br.Peek(n)
		if i := bytes.Index(b, []byte("\r\n\r\n")); i >= 0 {
			return string(b[:i+4]), nil
		}
		if err != nil {
			return "", fmt.Errorf("no end of head in %q", b)
		}
	}
}

func FuzzEngines(f *testing.F) {
	if e := enginetest.Engines(testInline); len(e) > 0 && testEngine() != e[0] {
		f.Skip("FuzzEngines runs every engine itself: once per test binary is enough")
	}
	for _, s := range engineSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		addrs := startEngineServers(t)
		outs := make([][]byte, len(addrs))
		split := splitPoint(in)
		for i, addr := range addrs {
			// The first engine gets the input in one piece, the others
			// (for half the inputs) in two: the answer may not depend on
			// how the bytes arrived.
			s := split
			if i == 0 {
				s = 0
			}
			out, err := exchangeAll(addr, in, s)
			if err != nil {
				t.Fatalf("input %q (split at %d), engine %s: %v (after %q)", in, s, engineNames[i], err, out)
			}
			outs[i] = normalize(out)
			if err := checkResponses(outs[i]); err != nil {
				t.Fatalf("input %q, engine %s: %v in\n%q", in, engineNames[i], err, outs[i])
			}
		}
		for i := 1; i < len(outs); i++ {
			if !bytes.Equal(outs[0], outs[i]) {
				t.Fatalf("input %q (split at %d but for the first):\n%s sent %q\n%s sent %q",
					in, split, engineNames[0], outs[0], engineNames[i], outs[i])
			}
		}
	})
}

// splitPoint is where FuzzEngines splits in for the engines after the
// first: a position derived from the bytes (so that a failing input
// replays the same way), for half the inputs; 0, no split, for the rest.
func splitPoint(in []byte) int {
	if len(in) < 2 {
		return 0
	}
	h := fnv.New32a()
	h.Write(in)
	sum := h.Sum32()
	if sum&1 == 0 {
		return 0
	}
	return 1 + int(sum>>1)%(len(in)-1)
}
