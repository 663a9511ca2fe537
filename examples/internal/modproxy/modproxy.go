// Package modproxy lays out this repository's modules as a Go module proxy in
// a directory (the GOPROXY protocol's file layout: <module>/@v/list,
// <version>.info, .mod and .zip), so that a test can fetch them with plain
// `go get` through GOPROXY=file://<dir>, the way a user fetches a release.
package modproxy

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// Module is one module of the repository: its path and its directory.
type Module struct {
	Path string
	Dir  string
}

// Modules reads the modules of the workspace file root/go.work, in its order.
func Modules(root string) ([]Module, error) {
	work, err := os.ReadFile(filepath.Join(root, "go.work"))
	if err != nil {
		return nil, fmt.Errorf("modproxy: %w", err)
	}
	var mods []Module
	for _, line := range strings.Split(string(work), "\n") {
		dir, ok := strings.CutPrefix(strings.TrimSpace(line), "./")
		if !ok {
			continue
		}
		p, err := modulePath(filepath.Join(root, dir, "go.mod"))
		if err != nil {
			return nil, err
		}
		mods = append(mods, Module{Path: p, Dir: filepath.Join(root, dir)})
	}
	if len(mods) == 0 {
		return nil, fmt.Errorf("modproxy: no module in %s", filepath.Join(root, "go.work"))
	}
	return mods, nil
}

func modulePath(goMod string) (string, error) {
	b, err := os.ReadFile(goMod)
	if err != nil {
		return "", fmt.Errorf("modproxy: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if p, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.TrimSpace(p), nil
		}
	}
	return "", fmt.Errorf("modproxy: %s has no module line", goMod)
}

// Write lays out every module at version under dir, as a proxy serves a
// release: the go.mod as it is in the tree, and a zip of the module's files
// (nested modules, and version-control directories, left out, as a module
// zip leaves them out).
func Write(dir string, mods []Module, version string, released time.Time) error {
	for _, m := range mods {
		at := filepath.Join(dir, filepath.FromSlash(m.Path), "@v")
		if err := os.MkdirAll(at, 0o755); err != nil {
			return fmt.Errorf("modproxy: %w", err)
		}
		info, _ := json.Marshal(struct {
			Version string
			Time    time.Time
		}{version, released.UTC()})
		goMod, err := os.ReadFile(filepath.Join(m.Dir, "go.mod"))
		if err != nil {
			return fmt.Errorf("modproxy: %w", err)
		}
		for name, data := range map[string][]byte{"list": []byte(version + "\n"), version + ".info": info, version + ".mod": goMod} {
			if err := os.WriteFile(filepath.Join(at, name), data, 0o644); err != nil {
				return fmt.Errorf("modproxy: %w", err)
			}
		}
		if err := writeZip(filepath.Join(at, version+".zip"), m, version); err != nil {
			return fmt.Errorf("modproxy: %s: %w", m.Path, err)
		}
	}
	return nil
}

// vcsDirs are never part of a module zip.
var vcsDirs = map[string]bool{".git": true, ".hg": true, ".svn": true, ".bzr": true}

func writeZip(file string, m Module, version string) (err error) {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	z := zip.NewWriter(f)
	prefix := m.Path + "@" + version + "/"
	walkErr := filepath.WalkDir(m.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != m.Dir && (vcsDirs[d.Name()] || exists(filepath.Join(p, "go.mod"))) {
				return filepath.SkipDir // another module, or history
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil // symbolic links are not part of modules
		}
		rel, err := filepath.Rel(m.Dir, p)
		if err != nil {
			return err
		}
		return addFile(z, prefix+path.Clean(filepath.ToSlash(rel)), p)
	})
	if walkErr != nil {
		return walkErr
	}
	return z.Close()
}

func addFile(z *zip.Writer, name, file string) error {
	w, err := z.Create(name)
	if err != nil {
		return err
	}
	src, err := os.Open(file)
	if err != nil {
		return err
	}
	defer src.Close()
	_, err = io.Copy(w, src)
	return err
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
