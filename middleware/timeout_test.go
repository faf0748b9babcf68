package middleware

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/strandhttp/strand"
)

const timeoutTestDeadline = 100 * time.Millisecond

// TestTimeout runs handlers that finish before, around and after their
// deadline through a real server, and checks which response wins.
func TestTimeout(t *testing.T) {
	tests := []struct {
		name    string
		handler func(w strand.ResponseWriter, r *strand.Request) error // returns what the handler's last write returned
		status  int
		body    string
		lateErr error // want from the handler's last write
	}{
		{"fast", func(w strand.ResponseWriter, r *strand.Request) error {
			_, err := w.WriteString("ok")
			return err
		}, 200, "ok", nil},
		{"writes after the deadline", func(w strand.ResponseWriter, r *strand.Request) error {
			<-r.Context().Done()
			w.Header().Set("X-Late", "1")
			_, err := w.WriteString("late")
			return err
		}, 503, timeoutBody, ErrHandlerTimeout},
		{"status after the deadline", func(w strand.ResponseWriter, r *strand.Request) error {
			<-r.Context().Done()
			w.WriteHeader(201)
			_, err := w.Write([]byte("late"))
			return err
		}, 503, timeoutBody, ErrHandlerTimeout},
		{"returns after the deadline without writing", func(w strand.ResponseWriter, r *strand.Request) error {
			time.Sleep(2 * timeoutTestDeadline) // ignores its context
			return nil
		}, 503, timeoutBody, nil},
		{"started before the deadline", func(w strand.ResponseWriter, r *strand.Request) error {
			_, _ = w.WriteString("early ")
			<-r.Context().Done()
			_, err := w.WriteString("late")
			return err
		}, 200, "early late", nil},
		{"flushed before the deadline", func(w strand.ResponseWriter, r *strand.Request) error {
			if err := strand.Flush(w); err != nil {
				return err
			}
			<-r.Context().Done()
			_, err := w.WriteString("late")
			return err
		}, 200, "late", nil},
		{"flush after the deadline", func(w strand.ResponseWriter, r *strand.Request) error {
			<-r.Context().Done()
			return strand.Flush(w)
		}, 503, timeoutBody, ErrHandlerTimeout},
		{"io.Copy after the deadline", func(w strand.ResponseWriter, r *strand.Request) error {
			<-r.Context().Done()
			_, err := io.Copy(w, struct{ io.Reader }{strings.NewReader("late")}) // no WriteTo: w.ReadFrom
			return err
		}, 503, timeoutBody, ErrHandlerTimeout},
		{"io.Copy before the deadline", func(w strand.ResponseWriter, r *strand.Request) error {
			_, err := io.Copy(w, struct{ io.Reader }{strings.NewReader("copied")})
			return err
		}, 200, "copied", nil},
		{"header fields before the deadline", func(w strand.ResponseWriter, r *strand.Request) error {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", "1000")
			<-r.Context().Done()
			_, err := w.WriteString("{}")
			return err
		}, 503, timeoutBody, ErrHandlerTimeout},
		{"early hints, then the deadline", func(w strand.ResponseWriter, r *strand.Request) error {
			w.Header().Set("Link", "</a.css>; rel=preload")
			w.WriteHeader(strand.StatusEarlyHints)
			<-r.Context().Done()
			_, err := w.WriteString("late")
			return err
		}, 503, timeoutBody, ErrHandlerTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errc := make(chan error, 1)
			h := Timeout(timeoutTestDeadline)(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
				errc <- tt.handler(w, r)
			}))
			addr, _ := serveStrand(t, h)
			resp, body := stackFetch(t, stackClient(t), stackReq(t, "GET", "http://"+addr+"/", nil))
			if resp.StatusCode != tt.status || body != tt.body {
				t.Errorf("got %d %q; want %d %q", resp.StatusCode, body, tt.status, tt.body)
			}
			if err := <-errc; !errors.Is(err, tt.lateErr) {
				t.Errorf("handler's last write returned %v; want %v", err, tt.lateErr)
			}
			if tt.status == 503 {
				wantFields := map[string]string{
					"Content-Type":   "text/plain; charset=utf-8",
					"Content-Length": strconv.Itoa(len(timeoutBody)),
					"Cache-Control":  "no-store",
					"X-Late":         "",
				}
				for k, v := range wantFields {
					if got := resp.Header.Get(k); got != v {
						t.Errorf("%s: %q; want %q", k, got, v)
					}
				}
			}
		})
	}
}

// TestTimeoutAnswersBeforeHandlerReturns guards the early 503: it is sent
// at the handler's first write after the deadline, not when the handler
// finally returns.
func TestTimeoutAnswersBeforeHandlerReturns(t *testing.T) {
	release := make(chan struct{})
	h := Timeout(timeoutTestDeadline)(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		<-r.Context().Done()
		_, _ = w.WriteString("late")
		<-release // still busy, cleaning up
	}))
	addr, _ := serveStrand(t, h)
	defer close(release)
	rc := dialWire(t, addr)
	rc.send(t, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	resp, body, err := rc.read(t, "GET")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 503 || body != timeoutBody {
		t.Errorf("got %d %q while the handler runs; want 503 %q", resp.StatusCode, body, timeoutBody)
	}
}

// TestTimeoutContext checks the handler's context: it has the deadline,
// is the request's context, and is done by the time a slow handler looks.
func TestTimeoutContext(t *testing.T) {
	type seen struct {
		deadline time.Time
		ok       bool
		err      error
	}
	got := make(chan seen, 1)
	start := time.Now()
	h := Timeout(time.Hour)(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		d, ok := r.Context().Deadline()
		got <- seen{d, ok, r.Context().Err()}
	}))
	addr, _ := serveStrand(t, h)
	resp, _ := stackFetch(t, stackClient(t), stackReq(t, "GET", "http://"+addr+"/", nil))
	s := <-got
	if resp.StatusCode != 200 {
		t.Errorf("status %d; want 200", resp.StatusCode)
	}
	if !s.ok || s.deadline.Before(start.Add(time.Hour)) || s.deadline.After(time.Now().Add(time.Hour)) {
		t.Errorf("deadline %v (set %v); want an hour from the request", s.deadline, s.ok)
	}
	if s.err != nil {
		t.Errorf("context error %v in a fast handler; want nil", s.err)
	}
}

// TestTimeoutHijack: a handler that hijacks before its deadline keeps the
// connection; one that tries after gets ErrHandlerTimeout.
func TestTimeoutHijack(t *testing.T) {
	tests := []struct {
		name    string
		wait    bool
		wantErr error
	}{
		{"before the deadline", false, nil},
		{"after the deadline", true, ErrHandlerTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errc := make(chan error, 1)
			h := Timeout(timeoutTestDeadline)(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
				if tt.wait {
					<-r.Context().Done()
				}
				c, brw, err := strand.Hijack(w)
				errc <- err
				if err != nil {
					return
				}
				defer c.Close()
				_, _ = brw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhijacked")
				_ = brw.Flush()
			}))
			addr, _ := serveStrand(t, h)
			rc := dialWire(t, addr)
			rc.send(t, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
			resp, body, err := rc.read(t, "GET")
			if err != nil {
				t.Fatal(err)
			}
			if gotErr := <-errc; !errors.Is(gotErr, tt.wantErr) {
				t.Errorf("Hijack: %v; want %v", gotErr, tt.wantErr)
			}
			wantStatus, wantBody := 200, "hijacked"
			if tt.wantErr != nil {
				wantStatus, wantBody = 503, timeoutBody
			}
			if resp.StatusCode != wantStatus || body != wantBody {
				t.Errorf("got %d %q; want %d %q", resp.StatusCode, body, wantStatus, wantBody)
			}
		})
	}
}

// TestTimeoutWriterInProcess covers the writer's rules directly, with a
// context whose deadline has already passed.
func TestTimeoutWriterInProcess(t *testing.T) {
	w := new(stubWriter)
	tw := &timeoutWriter{deadline: time.Now().Add(-time.Second)}
	tw.WrapWriter.Reset(w)
	tw.WriteHeader(strand.StatusContinue) // interim: passes before the 503
	tw.Header().Set("X-After", "1")       // sends the 503 first
	if err := tw.Flush(); err != ErrHandlerTimeout {
		t.Errorf("Flush after the deadline: %v; want ErrHandlerTimeout", err)
	}
	tw.WriteHeader(200)
	tw.WriteHeader(strand.StatusEarlyHints)
	if n, err := tw.WriteString("x"); n != 0 || err != ErrHandlerTimeout {
		t.Errorf("WriteString after the 503: %d, %v; want 0, ErrHandlerTimeout", n, err)
	}
	if _, _, err := tw.Hijack(); err != ErrHandlerTimeout {
		t.Errorf("Hijack after the 503: %v; want ErrHandlerTimeout", err)
	}
	if w.status != strand.StatusContinue {
		t.Errorf("first status %d; want the interim 100 passed on", w.status)
	}
	if w.n != len(timeoutBody) {
		t.Errorf("wrote %d bytes; want the 503's %d only", w.n, len(timeoutBody))
	}
	if got := w.header.Get("X-After"); got != "" {
		t.Errorf("X-After = %q in the 503; want it discarded", got)
	}
	if got := w.header.Get("Content-Length"); got != strconv.Itoa(len(timeoutBody)) {
		t.Errorf("Content-Length = %q; want the 503's", got)
	}
}

// TestTimeoutWriterBeforeDeadline: before the deadline every call passes
// through, and the response started then keeps going after it.
func TestTimeoutWriterBeforeDeadline(t *testing.T) {
	deadline := time.Now().Add(timeoutTestDeadline)
	w := new(stubWriter)
	tw := &timeoutWriter{deadline: deadline}
	tw.WrapWriter.Reset(w)
	tw.Header().Set("X-Mine", "1")
	tw.WriteHeader(strand.StatusEarlyHints)
	tw.WriteHeader(strand.StatusCreated)
	if n, err := tw.Write([]byte("ab")); n != 2 || err != nil {
		t.Errorf("Write before the deadline: %d, %v; want 2, nil", n, err)
	}
	time.Sleep(time.Until(deadline))
	if n, err := tw.Write([]byte("cd")); n != 2 || err != nil {
		t.Errorf("Write after the deadline, response started: %d, %v; want 2, nil", n, err)
	}
	if w.n != 4 || w.header.Get("X-Mine") != "1" || w.status != strand.StatusEarlyHints {
		t.Errorf("writer got %d bytes, X-Mine %q, first status %d; want 4, 1, 103", w.n, w.header.Get("X-Mine"), w.status)
	}
	if got := tw.Status(); got != strand.StatusCreated {
		t.Errorf("final status %d; want 201", got)
	}
}

// TestTimeoutWriterWriteAfterDeadline: Write (not WriteString) as the
// first call after the deadline sends the 503 and is discarded.
func TestTimeoutWriterWriteAfterDeadline(t *testing.T) {
	w := new(stubWriter)
	tw := &timeoutWriter{deadline: time.Now().Add(-time.Second)}
	tw.WrapWriter.Reset(w)
	if n, err := tw.Write([]byte("late")); n != 0 || err != ErrHandlerTimeout {
		t.Errorf("Write after the deadline: %d, %v; want 0, ErrHandlerTimeout", n, err)
	}
	if w.status != 503 || w.n != len(timeoutBody) {
		t.Errorf("writer got %d, %d bytes; want 503 and the timeout body", w.status, w.n)
	}
}

type namedHandler struct{}

func (*namedHandler) ServeHTTP(strand.ResponseWriter, *strand.Request) {}

func TestTimeoutDisabled(t *testing.T) {
	h := &namedHandler{}
	for _, d := range []time.Duration{0, -time.Second} {
		if got := Timeout(d)(h); got != strand.Handler(h) {
			t.Errorf("Timeout(%v) wrapped the handler; want it unchanged", d)
		}
	}
}

// TestTimeoutPipelined checks that the connection goes on after a 503:
// the next request on it is served normally.
func TestTimeoutPipelined(t *testing.T) {
	h := Timeout(timeoutTestDeadline)(strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		if r.Path == "/slow" {
			<-r.Context().Done()
		}
		_, _ = w.WriteString("done")
	}))
	addr, _ := serveStrand(t, h)
	rc := dialWire(t, addr)
	rc.send(t, "GET /slow HTTP/1.1\r\nHost: a\r\n\r\nGET /fast HTTP/1.1\r\nHost: a\r\n\r\n")
	for _, want := range []struct {
		status int
		body   string
	}{{503, timeoutBody}, {200, "done"}} {
		resp, body, err := rc.read(t, "GET")
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != want.status || body != want.body {
			t.Errorf("got %d %q; want %d %q", resp.StatusCode, body, want.status, want.body)
		}
	}
}
