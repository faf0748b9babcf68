// Package middleware holds Strand's standard middleware, one per file, each
// a func(strand.Handler) strand.Handler built once at setup:
//
//	RequestID   keep or generate X-Request-ID, shared by handlers and logs
//	Logger      one structured log line per request through log/slog
//	Recoverer   a panic becomes 500, logged with the request ID and stack
//	CORS        cross-origin requests per the Fetch standard
//	RateLimit   token buckets per client, in memory or in Redis
//	Compress    gzip, deflate, br and zstd by Accept-Encoding
//	Timeout     a deadline per request; 503 if the handler has not answered
//	BodyLimit   a per-route cap on request bodies (413)
//	Metrics     Prometheus counters and histograms
//	Health      /health (liveness) and /ready (readiness)
//
// Middleware that needs to see the response wraps the ResponseWriter with
// a WrapWriter (or a type embedding one), whose Unwrap keeps Flush and
// Hijack reachable through strand.Flush and strand.Hijack.
package middleware
