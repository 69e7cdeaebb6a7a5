GO ?= go

.PHONY: run demo test build vet fmt

## run: relance on its embedded broker and Redis, with the demo timeline (Ctrl-C to stop)
run:
	$(GO) run ./cmd/relance -demo -log-level warn

## demo: play the demo scenario to its end and exit
demo:
	$(GO) run ./cmd/relance -demo -demo-exit -log-level warn -http-addr 127.0.0.1:0

## test: vet, every test with the race detector, then the fault scenarios' short variant
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 12m ./...
	$(MAKE) --no-print-directory test-faults-short

## build: the relance binary in bin/
build:
	$(GO) build -o bin/relance ./cmd/relance

fmt:
	gofmt -w $$(git ls-files '*.go')

# --- Operations (docs/OPERATIONS.md) ---

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
DATE    ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS := -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(DATE)
STATICCHECK_VERSION ?= v0.8.2
TOOLS := $(CURDIR)/.cache/bin

.PHONY: build-release up down test-docker lint vulncheck

## build-release: bin/relance stamped with version, commit and date (see relance version)
build-release:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/relance ./cmd/relance

## up: Kafka, Redis, topics and relance with docker compose (needs Docker)
up:
	RELANCE_VERSION=$(VERSION) RELANCE_COMMIT=$(COMMIT) RELANCE_DATE=$(DATE) docker compose up -d --build --wait

## down: stop the compose stack (volumes kept; docker compose down -v drops them)
down:
	docker compose down

## test-docker: integration tests against apache/kafka and redis images (needs Docker)
test-docker:
	$(GO) test -race -count=1 -timeout 15m -v ./integration/...

## lint: go vet and staticcheck (installed in .cache/bin)
lint:
	$(GO) vet ./...
	$(TOOLS)/staticcheck -version 2>/dev/null | grep -qF "($(STATICCHECK_VERSION:v%=%))" || GOBIN=$(TOOLS) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	$(TOOLS)/staticcheck ./...

KUSTOMIZE_VERSION ?= v5.8.1

.PHONY: kustomize-build

## kustomize-build: render the Kubernetes base (deploy/kubernetes) with kustomize from .cache/bin
kustomize-build:
	$(TOOLS)/kustomize version 2>/dev/null | grep -qxF "$(KUSTOMIZE_VERSION)" || GOBIN=$(TOOLS) $(GO) install sigs.k8s.io/kustomize/kustomize/v5@$(KUSTOMIZE_VERSION)
	$(TOOLS)/kustomize build deploy/kubernetes

## vulncheck: known vulnerabilities in the dependencies (needs the vulnerability database online)
vulncheck:
	$(GO) run golang.org/x/vuln/cmd/govulncheck@latest ./...

## test-faults: every fault scenario, full variant (about 16 minutes; see docs/RELIABILITY.md)
test-faults:
	RELANCE_FAULTS=1 $(GO) test -count=1 -v -timeout 60m ./faults/

## test-faults-short: the fault scenarios' CI variant, run side by side (about 100 s)
test-faults-short:
	RELANCE_FAULTS=short $(GO) test -count=1 -v -parallel 8 -timeout 15m ./faults/

# --- Benchmark (docs/BENCHMARKS.md) ---

N ?= 1000000
BENCH_FLAGS ?=

.PHONY: bench

## bench: relance vs the Kafka I/O floor and the naive design on a local broker and redis-server (N events)
bench:
	$(GO) test -run '^$$' -bench . -benchtime 1s ./topics/... ./policy ./state
	$(GO) build -o bin/kfake-broker ./cmd/kfake-broker
	$(GO) build -o bin/relance-bench ./cmd/relance-bench
	bin/relance-bench -n $(N) -broker-bin bin/kfake-broker -cpuprofile bin/bench-cpu.pprof -memprofile bin/bench-mem.pprof $(BENCH_FLAGS)

## soak: relance for 10 minutes at 500 events/s, printing RSS, goroutines and Redis memory every 30 s (not in CI)
soak:
	RELANCE_FAULTS=1 RELANCE_SOAK=10m $(GO) test -count=1 -v -run TestSoak -timeout 30m ./faults/

.PHONY: test-faults test-faults-short soak
