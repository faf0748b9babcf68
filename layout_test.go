package strand

import (
	"os/exec"
	"strings"
	"testing"
	"unsafe"
)

// TestImportRules enforces the dependency directions of DESIGN.md: internal
// packages never import the root or a public package (but internal/cli,
// which is the command and wires everything together), public siblings do
// not import each other, and net/http appears outside tests only in the
// nethttp adapter.
func TestImportRules(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	const mod = "github.com/strandhttp/strand"
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	public := func(p string) bool {
		return p != mod && strings.HasPrefix(p, mod+"/") &&
			!strings.HasPrefix(p, mod+"/internal/") && !strings.HasPrefix(p, mod+"/cmd/") &&
			!strings.HasPrefix(p, mod+"/examples/")
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, imports := fields[0], fields[1:]
		for _, imp := range imports {
			switch {
			case imp == "net/http" && pkg != mod+"/nethttp" && !strings.HasPrefix(pkg, mod+"/examples/"):
				t.Errorf("%s imports net/http; only tests and nethttp/ may", pkg)
			case strings.HasPrefix(pkg, mod+"/internal/") && pkg != mod+"/internal/cli" && (imp == mod || public(imp)):
				t.Errorf("%s imports %s; internal packages must not import public ones", pkg, imp)
			case public(pkg) && public(imp) && pkg != mod+"/strandtest":
				t.Errorf("%s imports its sibling %s; public packages import only the root", pkg, imp)
			}
		}
	}
}

// TestConnSizeClass keeps the conn struct, which every idle connection
// holds, in the allocator's 256-byte size class: one field more and each
// connection pays for the 288-byte class (see nanos and errnoOf for how the
// struct was brought back under).
func TestConnSizeClass(t *testing.T) {
	if n := unsafe.Sizeof(conn{}); n > 256 {
		t.Fatalf("conn is %d bytes; an idle connection would take the next size class (288)", n)
	}
}
