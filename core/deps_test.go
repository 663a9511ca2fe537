package core

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDependencyRule enforces DESIGN.md section 1: core imports ports (plus
// golang-jwt and x/crypto), never an adapter or a transport.
func TestDependencyRule(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "./...").CombinedOutput()
	require.NoError(t, err, string(out))
	const module = "github.com/bharatauth/bharatauth-go/"
	allowedOutside := []string{"github.com/golang-jwt/jwt/v5", "golang.org/x/crypto", "golang.org/x/sys"}
	for _, pkg := range strings.Fields(string(out)) {
		switch {
		case strings.HasPrefix(pkg, module+"core"), strings.HasPrefix(pkg, module+"ports"):
			require.NotContains(t, pkg, "porttest", "core must not import the contract suite")
		case strings.HasPrefix(pkg, module):
			t.Errorf("core depends on %s: core may import only ports", pkg)
		case strings.Contains(strings.SplitN(pkg, "/", 2)[0], "."):
			ok := false
			for _, a := range allowedOutside {
				ok = ok || strings.HasPrefix(pkg, a)
			}
			if !ok {
				t.Errorf("core depends on %s: only golang-jwt and x/crypto are allowed", pkg)
			}
		}
	}
}
