package strand

import (
	"slices"
	"strings"
	"testing"
)

// fields renders h as "Name: value" lines joined by "|", for comparisons.
func fields(h *Header) string {
	var b strings.Builder
	for name, value := range h.All() {
		if b.Len() > 0 {
			b.WriteByte('|')
		}
		b.WriteString(name + ": " + value)
	}
	return b.String()
}

func TestHeaderOperations(t *testing.T) {
	tests := []struct {
		name string
		do   func(h *Header)
		want string
	}{
		{"Set canonicalises", func(h *Header) { h.Set("content-TYPE", "text/plain") }, "Content-Type: text/plain"},
		{"Set replaces every value", func(h *Header) {
			h.Add("Vary", "a")
			h.Add("X-Other", "o")
			h.Add("vary", "b")
			h.Set("VARY", "c")
		}, "Vary: c|X-Other: o"},
		{"Add keeps order", func(h *Header) {
			h.Add("b", "1")
			h.Add("a", "2")
			h.Add("B", "3")
		}, "B: 1|A: 2|B: 3"},
		{"Del removes every value", func(h *Header) {
			h.Add("X-A", "1")
			h.Add("X-B", "2")
			h.Add("x-a", "3")
			h.Del("X-a")
		}, "X-B: 2"},
		{"Del of an absent name", func(h *Header) {
			h.Add("X-A", "1")
			h.Del("X-Z")
		}, "X-A: 1"},
		{"Reset", func(h *Header) {
			h.Add("X-A", "1")
			h.Reset()
			h.Add("X-B", "2")
		}, "X-B: 2"},
		{"non-token name kept as given", func(h *Header) { h.Set("bad name", "v") }, "bad name: v"},
		{"already canonical", func(h *Header) { h.Set("X-Request-Id", "7") }, "X-Request-Id: 7"},
		{"digits and hyphens", func(h *Header) { h.Set("x-1a-b2", "v") }, "X-1a-B2: v"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h Header
			tt.do(&h)
			if got := fields(&h); got != tt.want {
				t.Errorf("fields = %q; want %q", got, tt.want)
			}
			if got := h.Len(); got != strings.Count(tt.want, "|")+1 {
				t.Errorf("Len = %d; want %d", got, strings.Count(tt.want, "|")+1)
			}
		})
	}
}

func TestHeaderLookups(t *testing.T) {
	var h Header
	h.Add("Accept", "text/html")
	h.Add("accept", "application/json")
	h.Add("Empty", "")
	tests := []struct {
		name      string
		get       string
		lookupOK  bool
		values    []string
		hasResult bool
	}{
		{"Accept", "text/html", true, []string{"text/html", "application/json"}, true},
		{"ACCEPT", "text/html", true, []string{"text/html", "application/json"}, true},
		{"accept", "text/html", true, []string{"text/html", "application/json"}, true},
		{"Empty", "", true, []string{""}, true},
		{"Missing", "", false, nil, false},
		{"Accep", "", false, nil, false},
	}
	for _, tt := range tests {
		if got := h.Get(tt.name); got != tt.get {
			t.Errorf("Get(%q) = %q; want %q", tt.name, got, tt.get)
		}
		if _, ok := h.Lookup(tt.name); ok != tt.lookupOK {
			t.Errorf("Lookup(%q) ok = %v; want %v", tt.name, ok, tt.lookupOK)
		}
		if got := h.Has(tt.name); got != tt.hasResult {
			t.Errorf("Has(%q) = %v; want %v", tt.name, got, tt.hasResult)
		}
		if got := h.Values(tt.name); !slices.Equal(got, tt.values) {
			t.Errorf("Values(%q) = %q; want %q", tt.name, got, tt.values)
		}
	}
}

func TestHeaderAllStopsEarly(t *testing.T) {
	var h Header
	h.Add("A", "1")
	h.Add("B", "2")
	h.Add("C", "3")
	var seen []string
	for name := range h.All() {
		seen = append(seen, name)
		if name == "B" {
			break
		}
	}
	if got := strings.Join(seen, ","); got != "A,B" {
		t.Fatalf("All with break visited %q; want A,B", got)
	}
}

// TestHeaderCloneOwnsItsStrings checks that a clone survives changes to the
// memory the original's strings alias, as a request's do.
func TestHeaderCloneOwnsItsStrings(t *testing.T) {
	raw := []byte("X-Name" + "value")
	h := Header{fields: []field{{str(raw[:6]), str(raw[6:])}}}
	c := h.Clone()
	copy(raw, "ZZZZZZZZZZZ")
	if got := fields(&c); got != "X-Name: value" {
		t.Fatalf("clone after the original's memory changed = %q; want %q", got, "X-Name: value")
	}
	c.Set("X-Name", "other")
	if got := h.Get("ZZZZZZ"); got != "ZZZZZ" {
		t.Fatalf("original after the clone changed = %q; want it untouched", got)
	}
}

func TestCanonicalHeaderKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"content-type", "Content-Type"},
		{"CONTENT-LENGTH", "Content-Length"},
		{"x-forwarded-for", "X-Forwarded-For"},
		{"Etag", "Etag"},
		{"www-authenticate", "Www-Authenticate"},
		{"a", "A"},
		{"-x", "-X"},
		{"x--y", "X--Y"},
		{"with space", "with space"}, // not a token: unchanged
		{"", ""},
	}
	for _, tt := range tests {
		if got := CanonicalHeaderKey(tt.in); got != tt.want {
			t.Errorf("CanonicalHeaderKey(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// TestHeaderGetAllocatesNothing guards the documented promise that lookups
// never allocate, whatever the case of the name asked for.
func TestHeaderGetAllocatesNothing(t *testing.T) {
	var h Header
	h.Set("Content-Type", "text/plain")
	h.Set("X-Forwarded-For", "192.0.2.1")
	h.Set("Accept", "*/*")
	for _, name := range []string{"Accept", "accept", "X-FORWARDED-FOR", "Missing"} {
		var sink string
		if n := testing.AllocsPerRun(100, func() { sink = h.Get(name) }); n != 0 {
			t.Errorf("Get(%q): %v allocations; want 0", name, n)
		}
		if n := testing.AllocsPerRun(100, func() { _ = h.Has(name) }); n != 0 {
			t.Errorf("Has(%q): %v allocations; want 0", name, n)
		}
		_ = sink
	}
	if n := testing.AllocsPerRun(100, func() { h.Set("Accept", "text/html") }); n != 0 {
		t.Errorf("Set of a present canonical name: %v allocations; want 0", n)
	}
}
