#!/usr/bin/env bash
# Releases every module at one version: each go.mod requires its siblings at
# VERSION (committed), then each module gets its tag, <dir>/VERSION (core/v0.2.0,
# ports/porttest/v0.2.0, …), as the go command expects of a multi-module repository.
# It pushes nothing: it prints the command that would. Usage: .ci/release.sh VERSION MODULE_DIR…
set -euo pipefail
cd "$(dirname "$0")/.."
version="${1:-}"
shift || true
if ! [[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "release: VERSION must be a semantic version such as v0.2.0 (got '$version')" >&2
  exit 1
fi
if ! [[ "$version" =~ ^v[01]\. ]]; then
  echo "release: $version needs /v${version:1:1}-suffixed module paths (Go's major version rule); this script releases v0 and v1" >&2
  exit 1
fi
if [ "$#" -eq 0 ]; then
  echo "release: no module directories given" >&2
  exit 1
fi
if [ -n "$(git status --porcelain)" ]; then
  echo "release: the work tree has uncommitted changes; commit or stash them first" >&2
  exit 1
fi
for dir in "$@"; do
  if git rev-parse -q --verify "refs/tags/$dir/$version" >/dev/null; then
    echo "release: tag $dir/$version exists already" >&2
    exit 1
  fi
done

prefix="github.com/bharatauth/bharatauth-go/"
for dir in "$@"; do
  # Every requirement on a sibling moves to VERSION; the replace directives stay
  # (they serve GOWORK=off work in this tree, and a consumer's go ignores them).
  for sibling in $(sed -nE "s#^[[:space:]]*(require[[:space:]]+)?(${prefix}[^[:space:]]+) v[^[:space:]]+.*#\2#p" "$dir/go.mod"); do
    (cd "$dir" && go mod edit -require="$sibling@$version")
  done
done
if [ -n "$(git status --porcelain)" ]; then
  git commit -q -am "release $version: every module requires its siblings at $version"
fi
tags=()
for dir in "$@"; do
  git tag -a "$dir/$version" -m "$dir $version"
  tags+=("$dir/$version")
done
echo "release: tagged ${tags[*]} at $(git rev-parse --short HEAD)"
echo "publish with: git push origin HEAD ${tags[*]}"
