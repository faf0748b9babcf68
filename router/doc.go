// Package router is Strand's request router: a radix tree of path patterns
// with named parameters and catch-alls, method dispatch with 405 and Allow,
// automatic HEAD and OPTIONS, redirects to the trailing-slash or cleaned
// form of a path, groups with their own middleware, and mounting.
//
// # Patterns
//
//	/users           static
//	/users/:id       one non-empty segment, r.PathValue("id")
//	/files/*path     the rest of the path, possibly empty, r.PathValue("path")
//
// A parameter starts a segment and runs to its end; a catch-all is the
// last segment; names are plain and unique within a pattern. At each step
// a static segment beats a parameter, which beats a catch-all, and a
// failed branch falls back to the next kind: "/users/new" and "/users/:id"
// coexist, and "/users/new/edit" still reaches "/users/:id/edit" when only
// that is registered. Patterns match the decoded path (Request.Path),
// case-sensitively.
//
// A match sets Request.Pattern (for logs and metrics labels) and the path
// values without allocating. The values are slices of Request.Path, valid
// until the handler returns, like the rest of the request.
//
// # Methods
//
// A path that matches a pattern but not the method gets 405 Method Not
// Allowed with an Allow field listing the pattern's methods (RFC 9110
// §15.5.6), through the MethodNotAllowed handler if one is set. A GET
// route answers HEAD too (the server sends no body); every route answers
// OPTIONS with 204 and Allow, unless an OPTIONS handler is registered;
// "OPTIONS *", about the server as a whole, gets 204 (RFC 9110 §9.3.7).
//
// A method the router does not recognize, on any path, gets 501 Not
// Implemented (RFC 9110 §15.6.2: "the server does not recognize the
// request method and is not capable of supporting it for any resource").
// It recognizes the methods of RFC 9110 and PATCH, and any other some
// route was registered with (PURGE, PROPFIND): those get 405 elsewhere.
//
// # Redirects
//
// A path that matches nothing, but would once cleaned of "//", "/./" and
// "/../", or with its trailing slash added or removed, is redirected to
// the form that matches: 301 for GET and HEAD, 308 for other methods so
// that the method and body are kept (RFC 9110 §15.4.9). The query is kept.
// RedirectCleanPath and RedirectTrailingSlash turn either off.
//
// # Groups, middleware and mounting
//
// Middleware is func(strand.Handler) strand.Handler, chained once at
// registration. Use on the router wraps every request, 404s included; Use
// on a group (Route, Group) wraps the routes registered through it; With
// wraps one route. Mount hands a prefix and everything below it to
// another handler, often another Router, which sees the path without the
// prefix.
//
// # Example
//
//	r := router.New()
//	r.Use(logRequests)
//	r.Get("/users/:id", showUser)
//	r.Route("/admin", func(admin *router.Router) {
//		admin.Use(requireAdmin)
//		admin.Delete("/users/:id", deleteUser)
//	})
//	r.Mount("/debug", debugRouter)
//	srv := &strand.Server{Handler: r}
//
// # Setup errors
//
// Conflicting registrations (the same method and pattern twice, two
// parameter names at one position, two catch-all names), malformed
// patterns and Use after routes panic at setup, naming the patterns
// involved: they are programmer errors, found before the first request.
//
// # Concurrency
//
// Register routes, then serve: ServeHTTP is safe for concurrent use, but
// registering while serving is not.
package router
