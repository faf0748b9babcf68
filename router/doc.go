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
// At each step a static segment beats a parameter, which beats a
// catch-all, and a failed branch falls back to the next kind: "/users/new"
// and "/users/:id" coexist, and "/users/new/edit" still reaches
// "/users/:id/edit" when only that is registered. Patterns match the
// decoded path (Request.Path). A match sets Request.Pattern and the path
// values without allocating.
//
// Conflicting registrations (the same method and pattern twice, two
// parameter names at one position) panic at setup, naming both patterns.
package router
