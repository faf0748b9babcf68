package main

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/mail"
	"strings"
	"time"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/middleware"
	"github.com/strandhttp/strand/router"
)

// maxBody bounds a user document; anything larger is refused with 413.
const maxBody = 16 << 10

// newAPI assembles the service: probes first (they bypass logs and
// limits), then request IDs, logging, panic recovery, CORS, rate limiting,
// compression, a per-request deadline and metrics around the router.
func newAPI(st *store, srv *strand.Server, log *slog.Logger) strand.Handler {
	metrics := middleware.NewMetrics(&middleware.MetricsOptions{OpenConns: srv.OpenConns})
	r := router.New()
	r.Use(
		middleware.NewHealth(middleware.HealthOptions{Ready: func() bool { return !srv.ShuttingDown() }}),
		middleware.RequestID,
		middleware.NewLogger(middleware.LoggerOptions{Logger: log}),
		middleware.NewRecoverer(middleware.RecovererOptions{Logger: log}),
		middleware.CORS(middleware.CORSOptions{
			AllowedOrigins: []string{"*"},
			AllowedMethods: []string{"GET", "POST", "PUT", "DELETE"},
			AllowedHeaders: []string{"Content-Type", "X-Request-ID"},
			MaxAge:         10 * time.Minute,
		}),
		middleware.RateLimit(&middleware.RateLimitOptions{Limit: 100, Period: time.Second}),
		middleware.Compress(middleware.CompressOptions{}),
		middleware.Timeout(5*time.Second),
		metrics.Middleware(),
	)
	r.Get("/metrics", metrics.Handler().ServeHTTP)
	h := &handlers{st: st}
	r.Route("/users", func(u *router.Router) {
		u.Get("/", h.list)
		u.With(middleware.BodyLimit(maxBody)).Post("/", h.create)
		u.Get("/:id", h.get)
		u.With(middleware.BodyLimit(maxBody)).Put("/:id", h.replace)
		u.Delete("/:id", h.remove)
	})
	return r
}

type handlers struct{ st *store }

func (h *handlers) list(w strand.ResponseWriter, r *strand.Request) {
	writeJSON(w, strand.StatusOK, h.st.list())
}

func (h *handlers) create(w strand.ResponseWriter, r *strand.Request) {
	u, ok := readUser(w, r)
	if !ok {
		return
	}
	u = h.st.create(u)
	w.Header().Set("Location", "/users/"+u.ID)
	writeJSON(w, strand.StatusCreated, u)
}

func (h *handlers) get(w strand.ResponseWriter, r *strand.Request) {
	u, ok := h.st.get(r.PathValue("id"))
	if !ok {
		writeError(w, strand.StatusNotFound, "no such user")
		return
	}
	writeJSON(w, strand.StatusOK, u)
}

func (h *handlers) replace(w strand.ResponseWriter, r *strand.Request) {
	u, ok := readUser(w, r)
	if !ok {
		return
	}
	// The store keeps the id: copy it, as request strings are only valid
	// until the handler returns (see the strand package documentation).
	u, ok = h.st.replace(strings.Clone(r.PathValue("id")), u)
	if !ok {
		writeError(w, strand.StatusNotFound, "no such user")
		return
	}
	writeJSON(w, strand.StatusOK, u)
}

func (h *handlers) remove(w strand.ResponseWriter, r *strand.Request) {
	if !h.st.remove(r.PathValue("id")) {
		writeError(w, strand.StatusNotFound, "no such user")
		return
	}
	w.WriteHeader(strand.StatusNoContent)
}

// readUser decodes and validates a user document, answering the client
// itself when it cannot.
func readUser(w strand.ResponseWriter, r *strand.Request) (user, bool) {
	var u user
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		writeError(w, strand.StatusUnsupportedMediaType, "send application/json")
		return u, false
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&u); err != nil {
		if errors.Is(err, strand.ErrBodyTooLarge) {
			writeError(w, strand.StatusRequestEntityTooLarge, "document too large")
			return u, false
		}
		writeError(w, strand.StatusBadRequest, "malformed JSON: "+err.Error())
		return u, false
	}
	if _, err := dec.Token(); err != io.EOF {
		writeError(w, strand.StatusBadRequest, "one JSON document expected")
		return u, false
	}
	u.Name = strings.TrimSpace(u.Name)
	if u.Name == "" || len(u.Name) > 100 {
		writeError(w, strand.StatusUnprocessableEntity, "name must be 1 to 100 characters")
		return u, false
	}
	if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email {
		writeError(w, strand.StatusUnprocessableEntity, "email must be a plain address")
		return u, false
	}
	return u, true
}

func writeJSON(w strand.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, strand.StatusInternalServerError, "encoding failed")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(append(b, '\n'))
}

func writeError(w strand.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}
