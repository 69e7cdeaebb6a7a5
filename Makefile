GO ?= go

.PHONY: run demo test build vet fmt

## run: relance on its embedded broker and Redis, with the demo timeline (Ctrl-C to stop)
run:
	$(GO) run ./cmd/relance -demo -log-level warn

## demo: play the demo scenario to its end and exit
demo:
	$(GO) run ./cmd/relance -demo -demo-exit -log-level warn -http-addr 127.0.0.1:0

## test: vet, then every test with the race detector
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 12m ./...

## build: the relance binary in bin/
build:
	$(GO) build -o bin/relance ./cmd/relance

fmt:
	gofmt -w $$(git ls-files '*.go')
