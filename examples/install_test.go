package examples

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/examples/internal/modproxy"
)

// siblingRequire matches a requirement of one module of this repository on
// another, with its version.
var siblingRequire = regexp.MustCompile(`(?m)^\s*(?:require\s+)?(github\.com/bharatauth/bharatauth-go/\S+) (v\S+)`)

// releasedVersion is the version every module requires of its siblings: the
// release a consumer fetches.
func releasedVersion(t *testing.T, mods []modproxy.Module) string {
	t.Helper()
	versions := map[string]bool{}
	for _, m := range mods {
		goMod, err := os.ReadFile(filepath.Join(m.Dir, "go.mod"))
		require.NoError(t, err)
		for _, req := range siblingRequire.FindAllStringSubmatch(string(goMod), -1) {
			versions[req[2]] = true
		}
	}
	require.Len(t, versions, 1, "every module requires its siblings at one version: %v", versions)
	for v := range versions {
		return v
	}
	return ""
}

func repoModules(t *testing.T) []modproxy.Module {
	t.Helper()
	mods, err := modproxy.Modules("..")
	require.NoError(t, err)
	return mods
}

// TestModulesRequireReleasedSiblings: a consumer's go ignores the replace
// directives of the modules it downloads, so each sibling must be required
// at a version a proxy can serve (the replaces only serve GOWORK=off work in
// this tree).
func TestModulesRequireReleasedSiblings(t *testing.T) {
	t.Parallel()
	v := releasedVersion(t, repoModules(t))
	assert.Regexp(t, `^v\d+\.\d+\.\d+$`, v)
	assert.NotEqual(t, "v0.0.0", v, "v0.0.0 is no release: go get cannot fetch it")
}

// TestConsumerBuildsWithPlainGoGet lays the modules out as a module proxy in
// a directory and builds an app that takes them with `go get`, as a user
// would: no replace, no workspace, a module cache of its own (so no copy of
// another run is reused). Third-party modules come from the local module
// cache, or the usual proxy when missing there.
func TestConsumerBuildsWithPlainGoGet(t *testing.T) {
	t.Parallel()
	mods := repoModules(t)
	version := releasedVersion(t, mods)
	proxy := t.TempDir()
	require.NoError(t, modproxy.Write(proxy, mods, version, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)))

	app := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(app, "go.mod"), []byte("module example.com/shop\n\ngo 1.26\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(app, "main.go"), []byte(consumerMain), 0o644))
	goEnv := consumerEnv(t, proxy)
	run := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir, cmd.Env = app, goEnv
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "go %s:\n%s", strings.Join(args, " "), out)
		return string(out)
	}
	const mod = "github.com/bharatauth/bharatauth-go/"
	run("get", mod+"core@"+version, mod+"adapters/memory@"+version, mod+"transport/http@"+version)
	out := run("run", ".")
	assert.Equal(t, "live: 200\n", out, "the app built from the proxy serves")

	goMod, err := os.ReadFile(filepath.Join(app, "go.mod"))
	require.NoError(t, err)
	assert.NotContains(t, string(goMod), "replace")
	assert.Contains(t, string(goMod), mod+"core "+version)
}

// TestReleaseTagsEveryModuleAtOneVersion runs `make release` in a clone of
// this repository's committed tree: one commit moves every sibling
// requirement to the version, and every module gets its <dir>/<version> tag.
func TestReleaseTagsEveryModuleAtOneVersion(t *testing.T) {
	t.Parallel()
	clone := filepath.Join(t.TempDir(), "repo")
	// cmd runs name in dir as a release manager with a git identity would.
	cmd := func(dir, name string, args ...string) *exec.Cmd {
		c := exec.Command(name, args...)
		c.Dir = dir
		c.Env = append(os.Environ(), "GIT_AUTHOR_NAME=release test", "GIT_AUTHOR_EMAIL=release@example.in",
			"GIT_COMMITTER_NAME=release test", "GIT_COMMITTER_EMAIL=release@example.in", "GOWORK=off")
		return c
	}
	git := func(dir string, args ...string) string {
		t.Helper()
		out, err := cmd(dir, "git", args...).CombinedOutput()
		require.NoError(t, err, "git %s:\n%s", strings.Join(args, " "), out)
		return string(out)
	}
	git("..", "clone", "--quiet", "--no-hardlinks", ".", clone)
	out, err := cmd(clone, "make", "release", "VERSION=v0.98.7").CombinedOutput()
	require.NoError(t, err, "make release:\n%s", out)

	mods, err := modproxy.Modules(clone)
	require.NoError(t, err)
	assert.Equal(t, "v0.98.7", releasedVersion(t, mods))
	tags := strings.Fields(git(clone, "tag", "--points-at", "HEAD"))
	for _, m := range mods {
		rel, err := filepath.Rel(clone, m.Dir)
		require.NoError(t, err)
		assert.Contains(t, tags, filepath.ToSlash(rel)+"/v0.98.7")
	}
	assert.Empty(t, git(clone, "status", "--porcelain"), "the release is committed")
	assert.Contains(t, git(clone, "log", "-1", "--format=%s"), "release v0.98.7")

	out, err = cmd(clone, "make", "release", "VERSION=v0.98.7").CombinedOutput()
	require.Error(t, err, "a version is released once")
	assert.Contains(t, string(out), "exists already")

	out, err = cmd(clone, "make", "release", "VERSION=v2.0.0").CombinedOutput()
	require.Error(t, err, "v2 would need new module paths")
	assert.Contains(t, string(out), "/v2-suffixed module paths")
}

// consumerEnv is the go command's environment for the consumer: the proxy
// directory first, nothing checked against the public checksum database
// (these zips are not published), and its own module cache.
func consumerEnv(t *testing.T, proxy string) []string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMODCACHE", "GOPROXY").Output()
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	require.Len(t, lines, 2)
	chain := "file://" + filepath.ToSlash(proxy) + ",file://" + filepath.ToSlash(filepath.Join(lines[0], "cache", "download"))
	if lines[1] != "" && lines[1] != "off" {
		chain += "," + lines[1]
	}
	env := []string{}
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !strings.HasPrefix(k, "GO") || k == "GOROOT" || k == "GOCACHE" || k == "GOPATH" {
			env = append(env, kv)
		}
	}
	return append(env, "GOWORK=off", "GOFLAGS=-mod=mod -modcacherw -buildvcs=false", "GOPROXY="+chain,
		"GOSUMDB=off", "GONOSUMDB=github.com/bharatauth/bharatauth-go", "GOMODCACHE="+t.TempDir(), "GOTOOLCHAIN=local")
}

// consumerMain is the app: core on the memory adapters behind the HTTP
// handler, asked for its liveness.
const consumerMain = `package main

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/core"
	bahttp "github.com/bharatauth/bharatauth-go/transport/http"
)

func main() {
	cfg := core.DefaultConfig()
	cfg.SecretKey = []byte(strings.Repeat("s", 32))
	cfg.PrivacyContact = core.PrivacyContact{Name: "Grievance Officer", Email: "privacy@example.in"}
	auth, err := core.New(cfg, core.Deps{Storage: memory.New(), Mailer: memory.NewOutbox()})
	if err != nil {
		log.Fatal(err)
	}
	api, err := bahttp.New(auth, bahttp.Options{})
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(api)
	defer srv.Close()
	res, err := http.Get(srv.URL + "/health/live")
	if err != nil {
		log.Fatal(err)
	}
	res.Body.Close()
	fmt.Println("live:", res.StatusCode)
}
`
