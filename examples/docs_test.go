package examples

import (
	"bufio"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// repoRoot is the repository's root, seen from this module.
const repoRoot = ".."

// fileRef matches what a comment names as a file, such as "core/consent.go"
// or "README.md".
var fileRef = regexp.MustCompile(`(^|[^/A-Za-z0-9_.*-])([A-Za-z0-9_][A-Za-z0-9_./-]*\.(?:go|md|txt|sql|json|sh|ya?ml))\b`)

// placeholders are file names comments use as patterns, not as files.
var placeholders = map[string]bool{"NAME.tx.up.sql": true}

// TestGodocNamesOnlyFilesInTheRepository reads every comment line of every
// Go file: a file it names must exist next to that Go file or from the
// repository's root, so no godoc sends a reader to a file they do not have
// (a design note kept outside the repository, a file since renamed).
func TestGodocNamesOnlyFilesInTheRepository(t *testing.T) {
	t.Parallel()
	checked := 0
	err := filepath.WalkDir(repoRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != repoRoot {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		lines := bufio.NewScanner(f)
		for n := 1; lines.Scan(); n++ {
			line := strings.TrimSpace(lines.Text())
			if !strings.HasPrefix(line, "//") {
				continue
			}
			for _, m := range fileRef.FindAllStringSubmatch(line, -1) {
				name := m[2]
				checked++
				if placeholders[name] || exists(filepath.Join(filepath.Dir(path), name)) || exists(filepath.Join(repoRoot, name)) {
					continue
				}
				t.Errorf("%s:%d names %s, which is not in the repository", path, n, name)
			}
		}
		return lines.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Fatal("no file names found in comments: is the walk reading the repository?")
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// TestREADMEMainBuilds compiles the root README's complete main, as a
// reader would paste it, inside this module (which requires every module it
// imports), through a build overlay: no file is written into the tree.
func TestREADMEMainBuilds(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	const start = "```go\npackage main"
	i := strings.Index(string(readme), start)
	if i < 0 {
		t.Fatal("the README has no ```go block with a package main")
	}
	src := string(readme[i+len("```go\n"):])
	src = src[:strings.Index(src, "```")]
	dir := t.TempDir()
	mainFile := filepath.Join(dir, "main.go")
	if err := os.WriteFile(mainFile, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	here, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	overlay := filepath.Join(dir, "overlay.json")
	target := filepath.Join(here, "readmemain", "main.go")
	if err := os.WriteFile(overlay, []byte(`{"Replace":{"`+target+`":"`+mainFile+`"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "build", "-o", os.DevNull, "-overlay", overlay, "./readmemain")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the README's main does not build: %v\n%s", err, out)
	}
}
