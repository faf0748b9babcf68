package strand

import (
	"os/exec"
	"strings"
	"testing"
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
