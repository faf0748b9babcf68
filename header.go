package strand

import (
	"iter"
	"strings"

	"github.com/strandhttp/strand/internal/ascii"
)

// Header holds the fields of a request or response head, in the order they
// were received or added. Names are kept in canonical form
// ("Content-Type"); lookups take any case and never allocate.
//
// A Header is a small slice, not a map: heads have a dozen fields, and a
// linear scan over them is faster than hashing and keeps their order.
//
// In a Request given to a handler, names and values alias the connection's
// memory for that request: they are valid until ServeHTTP returns. Copy a
// string you keep (strings.Clone), or keep r.Clone().
type Header struct {
	fields []field
}

type field struct {
	name, value string
}

// Get returns the first value of the named field, or "".
func (h *Header) Get(name string) string {
	for i := range h.fields {
		if ascii.EqualFold(h.fields[i].name, name) {
			return h.fields[i].value
		}
	}
	return ""
}

// Lookup returns the first value of the named field and whether it exists.
func (h *Header) Lookup(name string) (string, bool) {
	for i := range h.fields {
		if ascii.EqualFold(h.fields[i].name, name) {
			return h.fields[i].value, true
		}
	}
	return "", false
}

// Has reports whether the named field is present.
func (h *Header) Has(name string) bool {
	_, ok := h.Lookup(name)
	return ok
}

// Values returns every value of the named field, in order. It allocates;
// use All or Get on the hot path.
func (h *Header) Values(name string) []string {
	var vs []string
	for i := range h.fields {
		if ascii.EqualFold(h.fields[i].name, name) {
			vs = append(vs, h.fields[i].value)
		}
	}
	return vs
}

// Set replaces every value of the named field by value.
func (h *Header) Set(name, value string) {
	for i := range h.fields {
		if ascii.EqualFold(h.fields[i].name, name) {
			h.fields[i].value = value
			h.delFrom(name, i+1)
			return
		}
	}
	h.fields = append(h.fields, field{canonical(name), value})
}

// Add appends a value to the named field.
func (h *Header) Add(name, value string) {
	h.fields = append(h.fields, field{canonical(name), value})
}

// Del removes every value of the named field.
func (h *Header) Del(name string) { h.delFrom(name, 0) }

func (h *Header) delFrom(name string, from int) {
	out := h.fields[:from]
	for _, f := range h.fields[from:] {
		if !ascii.EqualFold(f.name, name) {
			out = append(out, f)
		}
	}
	clear(h.fields[len(out):])
	h.fields = out
}

// Len returns the number of field lines.
func (h *Header) Len() int { return len(h.fields) }

// All iterates over the field lines in order, names canonical.
func (h *Header) All() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for _, f := range h.fields {
			if !yield(f.name, f.value) {
				return
			}
		}
	}
}

// Clone returns a deep copy whose strings are owned by the copy, safe to
// keep after the handler returns.
func (h *Header) Clone() Header {
	c := Header{fields: make([]field, len(h.fields))}
	for i, f := range h.fields {
		c.fields[i] = field{strings.Clone(f.name), strings.Clone(f.value)}
	}
	return c
}

// Reset removes every field, keeping the storage.
func (h *Header) Reset() {
	clear(h.fields)
	h.fields = h.fields[:0]
}

// CanonicalHeaderKey returns the canonical form of a field name: the first
// letter and each letter after a hyphen upper case, the rest lower case. A
// name that is not a token is returned unchanged.
func CanonicalHeaderKey(name string) string { return canonical(name) }

func canonical(name string) string {
	if ascii.IsCanonical(name) || !ascii.IsToken(name) {
		return name
	}
	b := []byte(name)
	ascii.CanonicalInPlace(b)
	return string(b)
}
