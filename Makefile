# BharatAuth for Go — every module is tested on its own (GOWORK=off), as a
# consumer would build it, with the race detector on.
SHELL := /bin/bash
MODULES := ports ports/porttest core adapters/memory adapters/postgres adapters/redis adapters/smtp adapters/ses adapters/sns adapters/otel transport/http examples
GOTEST_FLAGS ?= -race -count=1 -timeout 15m

.PHONY: test vet cover bench bench-http fuzz mutate quickstart services tidy release

## test: vet and test every module with -race (needs PostgreSQL and Redis: `make services`)
test: services vet
	@set -e; for m in $(MODULES); do \
		echo "== go test $$m"; \
		(cd $$m && GOWORK=off go test $(GOTEST_FLAGS) ./...); \
	done

vet:
	@set -e; for m in $(MODULES); do (cd $$m && GOWORK=off go vet ./...); done

## cover: statement coverage of core
cover:
	cd core && GOWORK=off go test -count=1 -coverprofile=../coverage-core.out ./ && go tool cover -func=../coverage-core.out | tail -1

## bench: core benchmarks (compare runs with benchstat)
bench:
	cd core && GOWORK=off go test -run '^$$' -bench . -benchmem -count 5 ./ | tee ../bench-core.txt

## mutate: mutation testing of core and its internal packages with gremlins (slow; not part of
## `make test`). MUTATE_PATH=./internal/secret tests one package, MUTATE_FILES="pin.go" only
## some files; EFFICACY_MIN and TIMEOUTS_MAX are the bars (see .ci/mutate.sh).
MUTATE_PATH ?= .
EFFICACY_MIN ?= 97
mutate:
	EFFICACY_MIN=$(EFFICACY_MIN) bash .ci/mutate.sh $(MUTATE_PATH)

## fuzz: run every fuzz target for FUZZTIME each (their seed corpora already run in make test)
FUZZTIME ?= 30s
# module:package:target
FUZZ_TARGETS := core:.:FuzzCanonicalEmail core:.:FuzzCleanIdentifier core:./internal/secret:FuzzVerify core:./internal/accesstoken:FuzzParse \
	transport/http:.:FuzzDecodeBody ports:./consentchain:FuzzHashSeparatesFields
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		IFS=: read -r mod pkg name <<< "$$t"; \
		echo "== fuzz $$name in $$mod/$$pkg for $(FUZZTIME)"; \
		(cd $$mod && GOWORK=off go test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) $$pkg); \
	done

## bench-http: examples/production under closed-loop HTTP load (login, refresh, me; 1 and 16
## clients) on a fresh database, with and without Redis; prints a markdown table (~2 minutes)
bench-http: services
	@dir=$$(mktemp -d) && trap 'rm -rf "$$dir"' EXIT && \
	(cd examples && GOWORK=off go build -o "$$dir/production" ./production && \
		GOWORK=off go build -o "$$dir/benchhttp" ./cmd/benchhttp) && \
	"$$dir/benchhttp" -server "$$dir/production"

## quickstart: the whole API on 127.0.0.1:8080 with in-memory adapters
quickstart:
	go run ./examples/quickstart

## services: start PostgreSQL and Redis when they are not running
services:
	@bash .ci/services.sh

## release: VERSION=v0.2.0 — every module requires its siblings at VERSION (one commit),
## then each gets its tag (core/v0.2.0, ports/v0.2.0, …); nothing is pushed
release:
	@test -n "$(VERSION)" || { echo "usage: make release VERSION=v0.2.0" >&2; exit 1; }
	@bash .ci/release.sh $(VERSION) $(MODULES)

tidy:
	@for m in $(MODULES); do (cd $$m && GOWORK=off go mod tidy); done
