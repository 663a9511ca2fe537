package ports_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStandardLibraryOnly enforces DESIGN.md section 1: package ports imports
// only the standard library, so an app implementing a port pulls in nothing.
func TestStandardLibraryOnly(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg == "github.com/bharatauth/bharatauth-go/ports" {
			continue
		}
		if first := strings.SplitN(pkg, "/", 2)[0]; strings.Contains(first, ".") {
			t.Errorf("ports depends on %s: it may import only the standard library", pkg)
		}
	}
}
