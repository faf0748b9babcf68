# Strand's developer commands. `make test` is what CI runs (.ci/run); it
# installs the tools its tests need, so a machine with only Go works.

GO          ?= go
BIN         := $(CURDIR)/.bin
STATICCHECK := $(BIN)/staticcheck
STATICCHECK_VERSION := v0.8.2
FUZZTIME    ?= 200000x
# FuzzEngines makes three loopback connections per input: fewer inputs.
FUZZTIME_ENGINES ?= 30000x
COVER_MIN   ?= 85

# Fuzz targets: package, function and, when it differs from FUZZTIME, the
# number of inputs, smoke-run by `make test`. The budget
# is a count of executions, not a duration: a duration races Go 1.26's fuzz
# coordinator at its deadline (go.dev/issue/75804) and fails spuriously.
FUZZ_TARGETS := \
	./internal/http1:FuzzParseHead \
	./internal/http1:FuzzChunkedDecoder \
	./internal/http1:FuzzDifferentialNetHTTP \
	./internal/negotiate:FuzzAcceptEncoding \
	./router:FuzzRouterMatch \
	./middleware:FuzzClientIPKey \
	./static:FuzzParseRange \
	.:FuzzRequestPath \
	.:FuzzEngines:$(FUZZTIME_ENGINES)

.PHONY: test fmt fmt-check vet lint generate-check unit fuzz-smoke fuzz bench cover deps stress

test: deps fmt-check vet lint generate-check unit fuzz-smoke

# Debian packages the integration tests drive: curl (a real client),
# redis-server (the shared rate-limit store) and chromium with
# fonts-liberation (renders the directory listing). Installed when missing and
# running as root; otherwise the tests that need them skip, saying why.
APT_NEEDS := curl:curl redis-server:redis-server chromium:chromium,fonts-liberation

deps: $(STATICCHECK)
	@missing=""; for pair in $(APT_NEEDS); do \
	  cmd=$${pair%%:*}; pkg=$$(echo $${pair##*:} | tr , ' '); \
	  command -v $$cmd >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing$$missing: the tests that need them are skipped"; fi; \
	fi

$(STATICCHECK):
	GOBIN=$(BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

fmt:
	gofmt -w .

fmt-check:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...
	$(GO) vet -tags strand_debug ./...
	$(GO) vet -tags stress .

lint: $(STATICCHECK)
	$(STATICCHECK) ./...

# Generated code must match its generator (STYLE habit 19).
generate-check:
	$(GO) generate ./...
	@git diff --exit-code -- status.go || { echo "status.go is stale: run go generate"; exit 1; }

unit:
	$(GO) test -race -shuffle=on -count=1 -coverpkg=./... -coverprofile=coverage.out ./...
	$(GO) test -count=1 -tags strand_debug ./...
	cd bench/router && $(GO) vet ./... && $(GO) test -count=1 ./...
	$(GO) test -count=1 -run 'Allocat' ./...  # allocation budgets: meaningless under -race (sync.Pool drops objects)
	@$(GO) tool cover -func=coverage.out | awk -v min=$(COVER_MIN) '/^total:/ { sub("%","",$$3); \
	  printf "coverage: %s%% (minimum %s%%)\n", $$3, min; if ($$3+0 < min) exit 1 }'

fuzz-smoke:
	@for t in $(FUZZ_TARGETS); do \
	  pkg=$$(echo $$t | cut -d: -f1); fn=$$(echo $$t | cut -d: -f2); \
	  time=$$(echo $$t | cut -s -d: -f3); time=$${time:-$(FUZZTIME)}; \
	  echo "fuzz $$pkg $$fn for $$time"; \
	  $(GO) test -run='^$$' -fuzz="^$$fn$$" -fuzztime=$$time $$pkg || exit 1; \
	done

# Longer fuzzing for local use: make fuzz FUZZTIME=5000000x
fuzz: fuzz-smoke

bench:
	$(GO) test -run='^$$' -bench=. -benchmem -count=6 ./... | tee bench.out

# Keep-alive load with parking on both epoll modes, for local use (not
# part of test): make stress STRESS_SECONDS=120
STRESS_SECONDS ?= 30
stress:
	STRESS_SECONDS=$(STRESS_SECONDS) STRAND_TEST_ENGINES=epoll,epoll-inline \
		$(GO) test -tags stress -count=1 -run TestStressKeepAlive -v .

cover:
	$(GO) test -coverprofile=coverage.out ./... && $(GO) tool cover -html=coverage.out -o coverage.html
