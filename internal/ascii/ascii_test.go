package ascii

import (
	"strings"
	"testing"
)

// tchars is every byte of RFC 9110 §5.6.2's tchar, written out by hand.
const tchars = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

func TestIsTokenChar(t *testing.T) {
	for c := range 256 {
		want := strings.IndexByte(tchars, byte(c)) >= 0
		if got := IsTokenChar(byte(c)); got != want {
			t.Errorf("IsTokenChar(%q) = %v; want %v", byte(c), got, want)
		}
	}
}

func TestIsToken(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"", false},
		{"GET", true},
		{"x-custom_1.0~", true},
		{tchars, true},
		{"a b", false},
		{"a\tb", false},
		{"a:b", false},
		{"\"q\"", false},
		{"(c)", false},
		{"a,b", false},
		{"a/b", false},
		{"a;b", false},
		{"a=b", false},
		{"a@b", false},
		{"[a]", false},
		{"{a}", false},
		{"a\\b", false},
		{"a?b", false},
		{"<a>", false},
		{"a\x00", false},
		{"a\x7f", false},
		{"\x80", false},
		{"caf\xc3\xa9", false},
	}
	for _, tt := range tests {
		if got := IsToken(tt.in); got != tt.want {
			t.Errorf("IsToken(%q) = %v; want %v", tt.in, got, tt.want)
		}
		if got := IsToken([]byte(tt.in)); got != tt.want {
			t.Errorf("IsToken([]byte(%q)) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

func TestIsFieldValueChar(t *testing.T) {
	for c := range 256 {
		// RFC 9110 §5.5: VCHAR, obs-text, SP and HTAB.
		want := c == '\t' || c == ' ' || 0x21 <= c && c <= 0x7e || c >= 0x80
		if got := IsFieldValueChar(byte(c)); got != want {
			t.Errorf("IsFieldValueChar(%q) = %v; want %v", byte(c), got, want)
		}
	}
}

// TestValidFieldValueEveryByte checks ValidFieldValue's table against
// IsFieldValueChar, the rule it is built from.
func TestValidFieldValueEveryByte(t *testing.T) {
	for c := range 256 {
		v := []byte{'a', byte(c), 'z'}
		if got, want := ValidFieldValue(v), IsFieldValueChar(byte(c)); got != want {
			t.Errorf("ValidFieldValue(%q) = %v; want %v", v, got, want)
		}
	}
}

func TestValidFieldValue(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"", true},
		{"text/html; charset=utf-8", true},
		{"a\tb c", true},
		{"\x80\xff obs-text", true},
		{"\"quoted \\\" string\"", true},
		{"a\x00b", false},
		{"a\rb", false},
		{"a\nb", false},
		{"a\x7fb", false},
		{"\x01", false},
		{"\x1f", false},
		{"\x1b[31m", false},
	}
	for _, tt := range tests {
		if got := ValidFieldValue(tt.in); got != tt.want {
			t.Errorf("ValidFieldValue(%q) = %v; want %v", tt.in, got, tt.want)
		}
		if got := ValidFieldValue([]byte(tt.in)); got != tt.want {
			t.Errorf("ValidFieldValue([]byte(%q)) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

func TestLowerUpper(t *testing.T) {
	for c := range 256 {
		b := byte(c)
		wantLower, wantUpper := b, b
		if 'A' <= b && b <= 'Z' {
			wantLower = b + 32
		}
		if 'a' <= b && b <= 'z' {
			wantUpper = b - 32
		}
		if got := Lower(b); got != wantLower {
			t.Errorf("Lower(%q) = %q; want %q", b, got, wantLower)
		}
		if got := Upper(b); got != wantUpper {
			t.Errorf("Upper(%q) = %q; want %q", b, got, wantUpper)
		}
	}
}

func TestEqualFold(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"", "", true},
		{"chunked", "chunked", true},
		{"Chunked", "cHUNKED", true},
		{"Content-Length", "content-length", true},
		{"chunked", "chunke", false},
		{"chunked", "chunkee", false},
		{"a", "", false},
		// Only ASCII letters fold: '@' and '`' sit next to 'A'-'Z' and
		// 'a'-'z', and '[' and '{' differ by the same bit as a letter's case.
		{"@", "`", false},
		{"[", "{", false},
		{"]", "}", false},
		{"^", "~", false},
		{"\xc9", "\xe9", false},
		{"\u212a", "k", false}, // the Kelvin sign folds to k in Unicode only
		{"x\x00", "X\x00", true},
	}
	for _, tt := range tests {
		if got := EqualFold(tt.a, tt.b); got != tt.want {
			t.Errorf("EqualFold(%q, %q) = %v; want %v", tt.a, tt.b, got, tt.want)
		}
		if got := EqualFold([]byte(tt.a), tt.b); got != tt.want {
			t.Errorf("EqualFold([]byte(%q), %q) = %v; want %v", tt.a, tt.b, got, tt.want)
		}
		if got := EqualFold(tt.b, []byte(tt.a)); got != tt.want {
			t.Errorf("EqualFold(%q, []byte(%q)) = %v; want %v", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestTrimOWS(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"a", "a"},
		{" a ", "a"},
		{"\t a b \t", "a b"},
		{" \t ", ""},
		{"\ra\n", "\ra\n"}, // CR and LF are not OWS
		{"\va\f", "\va\f"},
		{"\u00a0a", "\u00a0a"},
	}
	for _, tt := range tests {
		if got := TrimOWS(tt.in); got != tt.want {
			t.Errorf("TrimOWS(%q) = %q; want %q", tt.in, got, tt.want)
		}
		if got := TrimOWS([]byte(tt.in)); string(got) != tt.want {
			t.Errorf("TrimOWS([]byte(%q)) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestCanonicalInPlace(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"host", "Host"},
		{"HOST", "Host"},
		{"content-type", "Content-Type"},
		{"CONTENT-TYPE", "Content-Type"},
		{"x-forwarded-for", "X-Forwarded-For"},
		{"sec-websocket-key", "Sec-Websocket-Key"},
		{"www-authenticate", "Www-Authenticate"},
		{"a--b", "A--B"},
		{"-a", "-A"},
		{"a-", "A-"},
		{"1st-place", "1st-Place"},
		{"x_y", "X_y"},
		{"e.tag", "E.tag"},
	}
	for _, tt := range tests {
		b := []byte(tt.in)
		CanonicalInPlace(b)
		if string(b) != tt.want {
			t.Errorf("CanonicalInPlace(%q) = %q; want %q", tt.in, b, tt.want)
		}
		if !IsCanonical(b) {
			t.Errorf("IsCanonical(%q) = false after CanonicalInPlace", b)
		}
	}
}

func TestIsCanonical(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"", true},
		{"Host", true},
		{"Content-Type", true},
		{"X-Forwarded-For", true},
		{"1st-Place", true},
		{"-A", true},
		{"host", false},
		{"HOST", false},
		{"Content-type", false},
		{"content-Type", false},
		{"X-FORWARDED", false},
		{"A--b", false},
	}
	for _, tt := range tests {
		if got := IsCanonical(tt.in); got != tt.want {
			t.Errorf("IsCanonical(%q) = %v; want %v", tt.in, got, tt.want)
		}
		if got := IsCanonical([]byte(tt.in)); got != tt.want {
			t.Errorf("IsCanonical([]byte(%q)) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

func TestHasTokenFold(t *testing.T) {
	tests := []struct {
		v, tok string
		want   bool
	}{
		{"", "close", false},
		{"close", "close", true},
		{"Close", "close", true},
		{" close ", "close", true},
		{"keep-alive, close", "close", true},
		{"close,keep-alive", "keep-alive", true},
		{"keep-alive,\tUpgrade", "upgrade", true},
		{",,close,,", "close", true},
		{"closed", "close", false},
		{"enclose", "close", false},
		{"clo se", "close", false},
		{"close;x", "close", false},
		{"a, b, c", "d", false},
	}
	for _, tt := range tests {
		if got := HasTokenFold(tt.v, tt.tok); got != tt.want {
			t.Errorf("HasTokenFold(%q, %q) = %v; want %v", tt.v, tt.tok, got, tt.want)
		}
		if got := HasTokenFold([]byte(tt.v), tt.tok); got != tt.want {
			t.Errorf("HasTokenFold([]byte(%q), %q) = %v; want %v", tt.v, tt.tok, got, tt.want)
		}
	}
}

// TestNoAllocs holds the package to its promise that nothing allocates.
func TestNoAllocs(t *testing.T) {
	v := []byte("Keep-Alive, Upgrade")
	name := []byte("content-type")
	allocs := testing.AllocsPerRun(100, func() {
		_ = IsToken(v)
		_ = ValidFieldValue(v)
		_ = EqualFold(v, "keep-alive, upgrade")
		_ = TrimOWS(v)
		_ = HasTokenFold(v, "upgrade")
		CanonicalInPlace(name)
		_ = IsCanonical(name)
	})
	if allocs != 0 {
		t.Errorf("ascii helpers allocate %v times; want 0", allocs)
	}
}
