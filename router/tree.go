package router

// This file implements the routing tree: a radix tree of path patterns.
//
// Static text is stored compressed along edges ("/users" then "/new"), so a
// lookup compares whole runs of bytes instead of one segment at a time.
// Below any node there may be, besides static children, one parameter child
// (":id", matching one non-empty segment) and one catch-all child ("*path",
// matching the rest of the path, possibly empty).
//
// Lookup prefers static over parameter over catch-all at every node, and
// backtracks: if "/users/new/edit" fails down the static "/users/new" edge,
// the parameter edge ":id" is tried next. That is what lets "/users/new"
// and "/users/:id" coexist. Backtracking costs at most one visit per node:
// a node is reached by one way down the tree only, at an offset in the path
// fixed by that way (static text has its length, a parameter takes exactly
// one segment), so no path can make a lookup exponential. Parameter values
// found along the way are kept on a fixed-size stack array, so a lookup
// never allocates.

import (
	"strings"

	"github.com/strandhttp/strand"
)

// maxParams bounds the parameters in one pattern; it sizes the lookup's
// stack array.
const maxParams = 16

type nodeKind uint8

const (
	static nodeKind = iota
	param
	catchAll
)

type node struct {
	kind     nodeKind
	prefix   string  // static: the edge's text; param/catchAll: the name
	indices  []byte  // first bytes of the static children, in order
	children []*node // static children, parallel to indices
	param    *node   // the ":name" child
	catchAll *node   // the "*name" child
	route    *route  // the routes ending here, or nil
}

// route holds the handlers of one pattern, by method.
type route struct {
	pattern string
	names   []string // the parameter names, in pattern order
	methods []methodHandler
	allow   string // the Allow field value, computed at registration

	// byMethod holds the handlers of the methods methodIndex knows, so
	// that dispatch finds one without comparing strings. Computed from
	// methods at registration.
	byMethod [numMethods]strand.Handler
}

// segment is one piece of a parsed pattern.
type segment struct {
	kind nodeKind
	text string // static text, or the parameter's name
}

// parsePattern splits a pattern into static runs and parameters. It panics
// on malformed patterns: they are programmer errors found at setup.
func parsePattern(pattern string) []segment {
	if pattern == "" || pattern[0] != '/' {
		panic("router: pattern " + quote(pattern) + " must begin with '/'")
	}
	var segs []segment
	nparams := 0
	for rest := pattern; rest != ""; {
		i := strings.IndexAny(rest, ":*")
		if i < 0 {
			segs = append(segs, segment{static, rest})
			break
		}
		if i > 0 {
			segs = append(segs, segment{static, rest[:i]})
		}
		if rest[i-1] != '/' {
			panic("router: in pattern " + quote(pattern) + ", a parameter must start a segment")
		}
		kind := param
		if rest[i] == '*' {
			kind = catchAll
		}
		end := strings.IndexByte(rest[i:], '/')
		if end < 0 {
			end = len(rest)
		} else {
			end += i
		}
		name := rest[i+1 : end]
		if name == "" || strings.ContainsAny(name, ":*") {
			panic("router: in pattern " + quote(pattern) + ", parameter " + quote(rest[i:end]) + " needs a plain name")
		}
		if kind == catchAll && end != len(rest) {
			panic("router: in pattern " + quote(pattern) + ", a catch-all must be the last segment")
		}
		for _, s := range segs {
			if s.kind != static && s.text == name {
				panic("router: pattern " + quote(pattern) + " names parameter " + quote(name) + " twice")
			}
		}
		nparams++
		if nparams > maxParams {
			panic("router: pattern " + quote(pattern) + " has more than 16 parameters")
		}
		segs = append(segs, segment{kind, name})
		rest = rest[end:]
	}
	return segs
}

// insert adds the segments of pattern below n and returns the node where
// the pattern ends. owners maps each parameter node to the first pattern
// that created it, to name both sides of a conflict.
func (n *node) insert(pattern string, segs []segment, owners map[*node]string) *node {
	for _, s := range segs {
		switch s.kind {
		case static:
			n = n.insertStatic(s.text)
		case param, catchAll:
			n = n.wildChild(pattern, s, owners)
		}
	}
	return n
}

// wildChild returns n's parameter or catch-all child for s, making it on
// first use. A second name at the same position is a conflict: it panics
// naming both patterns.
func (n *node) wildChild(pattern string, s segment, owners map[*node]string) *node {
	slot, what := &n.param, "parameter :"
	if s.kind == catchAll {
		slot, what = &n.catchAll, "catch-all *"
	}
	if *slot == nil {
		*slot = &node{kind: s.kind, prefix: s.text}
		owners[*slot] = pattern
	} else if (*slot).prefix != s.text {
		panic("router: pattern " + quote(pattern) + " names " + what + s.text +
			" where " + quote(owners[*slot]) + " has " + what[len(what)-1:] + (*slot).prefix)
	}
	return *slot
}

// insertStatic walks or splits static edges so that text is spelled out
// below n, and returns the node where it ends.
func (n *node) insertStatic(text string) *node {
	for text != "" {
		i := indexOf(n.indices, text[0])
		if i < 0 {
			child := &node{kind: static, prefix: text}
			n.indices = append(n.indices, text[0])
			n.children = append(n.children, child)
			return child
		}
		child := n.children[i]
		common := commonPrefix(child.prefix, text)
		if common < len(child.prefix) {
			// Split the edge: child keeps the tail under a new middle node.
			mid := &node{kind: static, prefix: child.prefix[:common]}
			child.prefix = child.prefix[common:]
			mid.indices = []byte{child.prefix[0]}
			mid.children = []*node{child}
			n.children[i] = mid
			child = mid
		}
		n, text = child, text[common:]
	}
	return n
}

func indexOf(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// hasPrefix is strings.HasPrefix for a prefix whose first byte is known to
// match. Most edges are a few bytes long, where a loop beats the call to
// memequal that == makes.
func hasPrefix(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	s = s[:len(prefix)]
	if len(prefix) > 16 {
		return s[1:] == prefix[1:]
	}
	for i := 1; i < len(prefix); i++ {
		if s[i] != prefix[i] {
			return false
		}
	}
	return true
}

func commonPrefix(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}

// lookup finds the route for a path. Its values are the parameter values
// of the route found, in pattern order (route.names gives their names):
// slices of the path, on a fixed array, so that a lookup never allocates.
type lookup struct {
	values [maxParams]string
	n      int
}

// match finds the route for path below n, whose own prefix has already
// been matched. It walks the tree in a loop while the way is unambiguous,
// and recurses only at a node where a failed branch leaves another to try:
// a static child with a parameter or catch-all beside it, or a parameter
// with a catch-all beside it. A failed branch returns nil with l.n as it
// found it.
func (l *lookup) match(n *node, path string) *route {
	mark := l.n
	for {
		if path == "" {
			if n.route != nil {
				return n.route
			}
			if c := n.catchAll; c != nil && c.route != nil {
				l.values[l.n] = ""
				l.n++
				return c.route
			}
			break
		}
		// Static first. The index names the child by its first byte, so
		// only the rest of its prefix needs comparing.
		if i := indexOf(n.indices, path[0]); i >= 0 {
			c := n.children[i]
			if hasPrefix(path, c.prefix) {
				if n.param == nil && n.catchAll == nil {
					n, path = c, path[len(c.prefix):]
					continue
				}
				if r := l.match(c, path[len(c.prefix):]); r != nil {
					return r
				}
			}
		}
		// Then a parameter: one non-empty segment.
		if c := n.param; c != nil {
			end := strings.IndexByte(path, '/')
			if end < 0 {
				end = len(path)
			}
			if end > 0 {
				l.values[l.n] = path[:end]
				l.n++
				if n.catchAll == nil || n.catchAll.route == nil {
					n, path = c, path[end:]
					continue
				}
				if r := l.match(c, path[end:]); r != nil {
					return r
				}
				l.n--
			}
		}
		// Finally the catch-all takes the rest.
		if c := n.catchAll; c != nil && c.route != nil {
			l.values[l.n] = path
			l.n++
			return c.route
		}
		break
	}
	l.n = mark
	return nil
}

func quote(s string) string { return "\"" + s + "\"" }
