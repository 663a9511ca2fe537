package examples

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/bharatauth/bharatauth-go/"

// TestDependencyRule enforces the dependency rule over every module: ports
// imports only the standard library; core imports ports (plus golang-jwt,
// x/crypto, x/net/idna and nyaruka/phonenumbers) and never an adapter or the transport; adapters import ports and
// never core or the transport (otel included); transport/http imports core and ports and no
// adapter.
func TestDependencyRule(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		pkgs      string
		forbidden []string
	}{
		{name: "core", pkgs: module + "core/...", forbidden: []string{module + "adapters/", module + "transport/"}},
		{name: "memory", pkgs: module + "adapters/memory/...", forbidden: []string{module + "core", module + "transport/"}},
		{name: "postgres", pkgs: module + "adapters/postgres/...", forbidden: []string{module + "core", module + "transport/"}},
		{name: "redis", pkgs: module + "adapters/redis/...", forbidden: []string{module + "core", module + "transport/"}},
		{name: "smtp", pkgs: module + "adapters/smtp/...", forbidden: []string{module + "core", module + "transport/"}},
		{name: "ses", pkgs: module + "adapters/ses/...", forbidden: []string{module + "core", module + "transport/"}},
		{name: "sns", pkgs: module + "adapters/sns/...", forbidden: []string{module + "core", module + "transport/"}},
		{name: "otel", pkgs: module + "adapters/otel/...", forbidden: []string{module + "core", module + "transport/"}},
		{name: "transport", pkgs: module + "transport/http/...", forbidden: []string{module + "adapters/"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, dep := range deps(t, tc.pkgs) {
				for _, f := range tc.forbidden {
					if strings.HasPrefix(dep, f) {
						t.Errorf("%s depends on %s", tc.name, dep)
					}
				}
			}
		})
	}
	t.Run("ports is standard library only", func(t *testing.T) {
		t.Parallel()
		for _, dep := range deps(t, module+"ports", module+"ports/consentchain", module+"ports/smscheck") {
			if !strings.HasPrefix(dep, module+"ports") && strings.Contains(strings.SplitN(dep, "/", 2)[0], ".") {
				t.Errorf("ports depends on %s", dep)
			}
		}
	})
	// Phone numbers are parsed with nyaruka/phonenumbers (issue 16 names it),
	// whose metadata is protobuf-encoded.
	t.Run("core reaches outside only for jwt, golang.org/x and phonenumbers", func(t *testing.T) {
		t.Parallel()
		allowed := []string{"github.com/golang-jwt/jwt/v5", "golang.org/x/", "github.com/nyaruka/phonenumbers", "google.golang.org/protobuf/"}
		for _, dep := range deps(t, module+"core/...") {
			if strings.HasPrefix(dep, module) || !strings.Contains(strings.SplitN(dep, "/", 2)[0], ".") {
				continue
			}
			if !slices.ContainsFunc(allowed, func(prefix string) bool { return strings.HasPrefix(dep, prefix) }) {
				t.Errorf("core depends on %s", dep)
			}
		}
	})
}

// deps lists the packages the patterns import, directly or not (tests excluded).
func deps(t *testing.T, patterns ...string) []string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list", "-deps"}, patterns...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps %v: %v\n%s", patterns, err, out)
	}
	if strings.Contains(string(out), "matched no packages") {
		// A module this one does not require lists nothing, and nothing
		// passes the rule vacuously.
		t.Fatalf("go list -deps %v: %s", patterns, out)
	}
	return strings.Fields(string(out))
}
