#!/usr/bin/env bash
# Mutation testing of core with gremlins (`make mutate`): it changes one
# operator at a time in core's code (`<` to `<=`, `==` to `!=`, ...) and runs the
# package's tests; a change no test notices ("lived") is a rule nothing checks.
#
#   .ci/mutate.sh [PATH]   PATH inside core, default "." (core, core/emails and
#                          core/internal/*); e.g. ./internal/secret for one package
#   EFFICACY_MIN=97        fail below this test efficacy (killed / (killed + lived))
#   WORKERS=2              mutants tested at once
#   TIMEOUT_COEFFICIENT=5  a mutant's test run may take this many times
#                          gremlins' first run (coverage of every package)
#                          before it counts as timed out: one package's run with
#                          a second worker beside it takes up to twice as long
#                          as that first run, and a busy shared machine may
#                          double that again. More would only hide hangs: the
#                          tests bound every wait (testWait), so a mutant that
#                          makes one block fails in seconds, and only a mutant
#                          that loops for ever should time out.
#   TIMEOUTS_MAX=5         fail with more timed-out mutants than this: each is
#                          neither killed nor lived, so it hides from the
#                          efficacy, and each costs a worker the whole limit
#   MUTATE_LOG=FILE        keep gremlins' full log (one line per mutant) there
#   MUTATE_FILES="a.go b.go" mutate only these files (relative to PATH), to
#                          check a few mutants again without the whole run
#
# gremlins copies only the module it tests into a temporary directory, where
# core/go.mod's `replace => ../ports` points nowhere: every mutant would fail to
# build and count as killed. So this script copies core and the modules it
# replaces into a temporary tree and makes those replace paths absolute first.
#
# Each mutant is tested by its own package's tests only (gremlins runs
# `go test <pkg>`): a rule of internal/secret is killed by internal/secret's
# tests, not by core's. --coverpkg is therefore not used, since it would count
# mutants as covered by tests that never run against them.
set -euo pipefail

GREMLINS_VERSION=v0.6.0
EFFICACY_MIN=${EFFICACY_MIN:-97}
WORKERS=${WORKERS:-2}
TIMEOUT_COEFFICIENT=${TIMEOUT_COEFFICIENT:-5}
TIMEOUTS_MAX=${TIMEOUTS_MAX:-5}
target=${1:-.}

root=$(cd "$(dirname "$0")/.." && pwd)
equivalent=$root/.ci/mutate-equivalent.txt
# go test runs vet before the tests: for a mutant that is time spent on every
# run, and a vet finding would count it killed without any test noticing.
export GOWORK=off NO_COLOR=1 GOFLAGS="${GOFLAGS:+$GOFLAGS }-vet=off"

# A pinned gremlins, installed once into a directory of its own.
bindir=${GREMLINS_BIN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/bharatauth/gremlins-$GREMLINS_VERSION}
gremlins=$bindir/gremlins
if ! go version -m "$gremlins" 2>/dev/null | grep -Eq "^[[:space:]]+mod[[:space:]]+github.com/go-gremlins/gremlins[[:space:]]+$GREMLINS_VERSION([[:space:]]|$)"; then
	echo "== installing gremlins $GREMLINS_VERSION into $bindir"
	mkdir -p "$bindir"
	GOBIN=$bindir go install "github.com/go-gremlins/gremlins/cmd/gremlins@$GREMLINS_VERSION"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bharatauth-mutate-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Copy core and every local module it replaces, keeping their relative layout,
# then point core/go.mod at the copies by absolute path.
mkdir -p "$tmp/core"
cp -a "$root/core/." "$tmp/core/"
cd "$root/core"
go list -m -f '{{if .Replace}}{{.Path}} {{.Replace.Path}}{{end}}' all | while read -r mod dir; do
	case $dir in
	./* | ../*) ;;
	*) continue ;; # a version replacement, not a directory
	esac
	abs=$(cd "$root/core/$dir" && pwd)
	rel=${abs#"$root"/}
	mkdir -p "$tmp/$rel"
	cp -a "$abs/." "$tmp/$rel/"
	(cd "$tmp/core" && go mod edit -replace="$mod=$tmp/$rel")
done
cd "$tmp/core"
go build ./... # the copy must build, or every mutant would "die" of a build error

log=$tmp/gremlins.log
echo "== gremlins $GREMLINS_VERSION over core/$target ($WORKERS workers); this takes a while"
start=$(date +%s)
status=0
gremlins_args=(unleash --workers "$WORKERS" --timeout-coefficient "$TIMEOUT_COEFFICIENT")
if [ -n "${MUTATE_FILES:-}" ]; then
	# gremlins can only exclude files: exclude every other one.
	while read -r file; do
		case " $MUTATE_FILES " in *" $file "*) continue ;; esac
		gremlins_args+=(--exclude-files "^$(printf '%s' "$file" | sed 's/[.]/[.]/g')\$")
	done < <(cd "$tmp/core/$target" && find . -name '*.go' ! -name '*_test.go' | sed 's|^\./||')
fi
"$gremlins" "${gremlins_args[@]}" "$tmp/core/$target" >"$log" 2>&1 || status=$?
elapsed=$(($(date +%s) - start))
if [ -n "${MUTATE_LOG:-}" ]; then cp "$log" "$MUTATE_LOG"; fi

if [ "$status" -ne 0 ] || ! grep -q '^Test efficacy:' "$log"; then
	cat "$log"
	echo "FAIL: gremlins exited with status $status and no report" >&2
	exit 1
fi

# Each mutant is logged as "<STATUS> <TYPE> at <file>:<line>:<col>"; show the
# source line of those that lived or timed out, so the mutation can be read.
show() {
	local status=$1 sub=${target#./}
	sub=${sub#.}
	{ grep -E "^[[:space:]]*$status " "$log" || true; } | sed -E "s/^[[:space:]]*$status //" | sort -k3,3V | while read -r type _ pos; do
		pos=${sub:+$sub/}$pos # gremlins names files relative to PATH; show them relative to core
		file=${pos%%:*}
		line=${pos#*:}
		line=${line%%:*}
		src=$(sed -n "${line}p" "$tmp/core/$file" 2>/dev/null | sed -E "s/^[[:space:]]+//" || true)
		why=$(awk -F " [|] " -v f="$file" -v t="$type" -v s="$src" '$1 == f && $2 == t && $3 == s { print $4; exit }' "$equivalent")
		printf "  %-36s %-22s %s\n" "$pos" "$type" "$src"
		if [ -n "$why" ]; then printf "  %-36s equivalent: %s\n" "" "$why"; fi
	done
}
echo "== surviving mutants (LIVED)"
show LIVED >"$tmp/lived"
cat "$tmp/lived"
echo "== timed out"
show 'TIMED OUT'
echo "== summary (wall time ${elapsed}s)"
# gremlins logs its first (coverage) run as "Gathering coverage... done in 41.2s".
coverage=$(sed -nE 's/.*Gathering coverage\.\.\. done in (.*)$/\1/p' "$log" | head -n 1)
echo "Coverage run: ${coverage:-?}; a mutant's run timed out after ${TIMEOUT_COEFFICIENT} times that"
grep -E '^(Killed|Timed out|Test efficacy|Mutator coverage):' "$log"
lived=$(grep -c "^  [^ ]" "$tmp/lived" || true)
explained=$(grep -c "equivalent: " "$tmp/lived" || true)
echo "Lived: $lived, of which known equivalent (.ci/mutate-equivalent.txt): $explained"
timedout=$(grep -cE '^[[:space:]]*TIMED OUT ' "$log" || true)
if [ "$timedout" -gt "$TIMEOUTS_MAX" ]; then
	echo "FAIL: $timedout mutants timed out (at most $TIMEOUTS_MAX): a test waits without a bound, or a mutant loops" >&2
	exit 1
fi

efficacy=$(sed -nE 's/^Test efficacy: ([0-9.]+)%.*/\1/p' "$log")
if awk -v e="$efficacy" -v min="$EFFICACY_MIN" 'BEGIN { exit !(e < min) }'; then
	echo "FAIL: test efficacy ${efficacy}% is below ${EFFICACY_MIN}%" >&2
	exit 1
fi
echo "ok: test efficacy ${efficacy}% (minimum ${EFFICACY_MIN}%)"
