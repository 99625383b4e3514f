# netbox-agent: `make run` runs a sync on the embedded default, `make test` passes the tests.

SHELL        := /bin/bash
GO           ?= go
BIN          := $(CURDIR)/.bin
TEMPORAL_VERSION      := v1.5.1
STATICCHECK_VERSION   := v0.8.2
WORKFLOWCHECK_VERSION := v0.6.0
TEMPORAL     := $(BIN)/temporal
STATICCHECK  := $(BIN)/staticcheck
WORKFLOWCHECK := $(BIN)/workflowcheck
CONFIG       ?= netbox-agent.example.yaml
TEST_FLAGS   ?= -race -count=1 -timeout 20m

export TEMPORAL_CLI := $(TEMPORAL)

.PHONY: all build install uninstall run test test-alerts test-unit test-e2e test-versions test-netbox netbox netbox-stop netbox-reset bench fuzz faults lint tools ui-tools clean

all: build

build:
	$(GO) build -o $(BIN)/worker ./worker
	$(GO) build -o $(BIN)/starter ./starter
	$(GO) build -o $(BIN)/netboxsim ./test/netboxsim

tools: $(TEMPORAL) $(STATICCHECK) $(WORKFLOWCHECK)

# install: the worker and the starter, the systemd units with this PREFIX's
# paths written in, and the example config (never over an existing one).
# DESTDIR stages the files for a package; uninstall removes what install
# wrote, except the operator's own config and secrets.
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
SYSTEMDDIR ?= $(PREFIX)/lib/systemd/system
DOCDIR     ?= $(PREFIX)/share/doc/netbox-agent
UNITS      := netbox-agent-worker.service netbox-agent-schedule.service

install: build
	install -d -m 0755 $(DESTDIR)$(BINDIR) $(DESTDIR)$(SYSTEMDDIR) $(DESTDIR)$(DOCDIR)
	install -d -m 0750 $(DESTDIR)$(SYSCONFDIR)/netbox-agent
	install -m 0755 $(BIN)/worker $(DESTDIR)$(BINDIR)/netbox-agent-worker
	install -m 0755 $(BIN)/starter $(DESTDIR)$(BINDIR)/netbox-agent-starter
	for u in $(UNITS); do \
		sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' deploy/systemd/$$u > $(DESTDIR)$(SYSTEMDDIR)/$$u; \
		chmod 0644 $(DESTDIR)$(SYSTEMDDIR)/$$u; \
	done
	install -m 0644 netbox-agent.example.yaml $(DESTDIR)$(SYSCONFDIR)/netbox-agent/netbox-agent.example.yaml
	install -m 0644 README.md docs/deployment.md $(DESTDIR)$(DOCDIR)/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/netbox-agent-worker $(DESTDIR)$(BINDIR)/netbox-agent-starter
	rm -f $(addprefix $(DESTDIR)$(SYSTEMDDIR)/,$(UNITS))
	rm -f $(DESTDIR)$(SYSCONFDIR)/netbox-agent/netbox-agent.example.yaml
	rm -rf $(DESTDIR)$(DOCDIR)
	-rmdir $(DESTDIR)$(SYSCONFDIR)/netbox-agent 2>/dev/null

# The Temporal CLI carries the dev server and the Web UI. It is pinned:
# newer CLI versions refuse `go install`.
$(TEMPORAL):
	GOBIN=$(BIN) GOFLAGS= $(GO) install github.com/temporalio/cli/cmd/temporal@$(TEMPORAL_VERSION)

# ui-tools: playwright-core, pinned, for the Web UI test (test/e2e/ui_test.go, test/ui/check.mjs),
# installed from npm into the cache outside the clone. It drives Debian's chromium
# (apt-get install chromium) and downloads no browser of its own. Without node, chromium or this,
# the test skips (outside CI).
PLAYWRIGHT_VERSION := 1.65.1
PLAYWRIGHT_DIR     ?= $(or $(NETBOX_AGENT_CACHE),$(HOME)/.cache/netbox-agent)/playwright
ui-tools:
	@test -f $(PLAYWRIGHT_DIR)/node_modules/playwright-core/package.json && \
		grep -q '"version": "$(PLAYWRIGHT_VERSION)"' $(PLAYWRIGHT_DIR)/node_modules/playwright-core/package.json || \
		{ mkdir -p $(PLAYWRIGHT_DIR) && npm install --prefix $(PLAYWRIGHT_DIR) --no-audit --no-fund --no-save playwright-core@$(PLAYWRIGHT_VERSION); }

$(STATICCHECK):
	GOBIN=$(BIN) GOFLAGS= $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

$(WORKFLOWCHECK):
	GOBIN=$(BIN) GOFLAGS= $(GO) install go.temporal.io/sdk/contrib/tools/workflowcheck@$(WORKFLOWCHECK_VERSION)

# run: local Temporal dev server (+ UI on :8233), the NetBox emulator when no
# NetBox URL is configured, the worker, and one sync of the example inventory.
run: build $(TEMPORAL)
	CONFIG=$(CONFIG) BIN=$(BIN) TEMPORAL=$(TEMPORAL) ./deploy/local/run.sh

test: $(TEMPORAL)
	$(GO) test $(TEST_FLAGS) ./...

# test-alerts: the promtool unit tests of deploy/monitoring (promtool from Debian's prometheus
# package); `make test` runs them too, through deploy/monitoring's Go test.
test-alerts:
	promtool check config deploy/monitoring/prometheus.yaml
	cd deploy/monitoring && promtool test rules alerts_test.yaml

test-unit:
	$(GO) test $(TEST_FLAGS) -short ./...

test-e2e: $(TEMPORAL)
	$(GO) test $(TEST_FLAGS) ./test/...

# test-versions: the end-to-end suite on the emulator as each older NetBox release (`make test`
# runs it as 4.7, the emulator's default).
NETBOXSIM_VERSIONS ?= 4.3 4.4 4.5 4.6
test-versions: $(TEMPORAL)
	@set -e; for v in $(NETBOXSIM_VERSIONS); do \
		echo "== e2e on netboxsim $$v"; \
		NETBOXSIM_VERSION=$$v $(GO) test $(TEST_FLAGS) ./test/e2e/...; \
	done

# netbox: a real NetBox (4.7.3 unless NETBOX_VERSION says otherwise) on 127.0.0.1, installed
# on first use into a Debian 13 root cached in ~/.cache/netbox-agent (minutes), started in
# seconds after that. Prints NETBOX_URL, NETBOX_TOKEN (v2), NETBOX_TOKEN_V1, NETBOX_VERSION.
NETBOX_SH := $(CURDIR)/test/realnetbox/netbox.sh
netbox:
	@$(NETBOX_SH) start

netbox-stop:
	@$(NETBOX_SH) stop

netbox-reset:
	@$(NETBOX_SH) reset

# test-netbox: the end-to-end suites and the NetBox conformance suite against the real NetBox
# that `make netbox` starts (one test at a time: they share its database; a real NetBox answers
# slower than the emulator, hence the longer timeout).
TEST_NETBOX_PKGS ?= ./test/e2e/... ./test/netboxsim/...
test-netbox: $(TEMPORAL)
	@$(NETBOX_SH) start >/dev/null
	set -a && . "$$($(NETBOX_SH) envfile)" && set +a && \
		$(GO) test $(TEST_FLAGS) -timeout 40m -p 1 $(TEST_NETBOX_PKGS)

# bench: the Go benchmarks (merge and plan at 100,000 objects, with
# allocations), then the scale benchmark: whole syncs on the dev server, the
# emulator with 5 ms latency and the worker binary. About 9 minutes on 2
# cores; BENCH_FLAGS=--quick for a short run, docs/PERFORMANCE.md for more.
BENCH_FLAGS ?= --sizes 1000,6000,100000 --repeat 3 --markdown $(BIN)/bench.md
bench: $(TEMPORAL) build
	$(GO) test -run '^$$' -bench . -benchmem ./activities/...
	$(GO) test -run '^$$' -bench . -benchmem ./test/netboxsim/...
	$(GO) test -run '^$$' -bench . -benchmem ./test/bench/...
	$(GO) run ./test/bench $(BENCH_FLAGS)

# faults: the fault matrix end to end on the real Temporal dev server and the NetBox emulator
# (NETBOX_URL and friends from `make netbox` point it at the real NetBox), every row at full
# size: the worker SIGKILLed at ten points of a 6,000-object run, NetBox failing, rate-limiting,
# dropping answers and down for two minutes, a source down, a node offline, a source reporting
# 80 % fewer of one kind, a remote worker gone, two runs at once. Then its table, one row a fault: what was checked and whether it held.
# `make test` runs the short form of each row, and CI prints that table.
FAULT_TESTS  ?= TestWorkerKilled|TestTwoWorkersShareARun|TestFlakyNetBox|TestNetBoxDownMidRun|TestOneSourceDown|TestOfflineNode|TestGuardHoldsAnEightyPercentDrop|TestRemoteQueueWithoutWorker|TestTwoRunsNeverWriteAtOnce
FAULTS_REPORT ?= $(CURDIR)/.faults.jsonl
faults: $(TEMPORAL)
	@rm -f $(FAULTS_REPORT)
	@st=0; FAULT_MATRIX=full FAULT_MATRIX_REPORT=$(FAULTS_REPORT) \
		$(GO) test -count=1 -timeout 30m -run '$(FAULT_TESTS)' ./test/e2e || st=$$?; \
		$(GO) run ./test/faults/table $(FAULTS_REPORT) || st=1; exit $$st

# fuzz: every fuzz target (func FuzzX in a _test.go file) for FUZZTIME each; a crasher is kept
# under the package's testdata/fuzz as a regression case that `go test` replays. test/fuzz/run.sh
# tries a target again when Go's coordinator fails it at the deadline without a failing input.
FUZZTIME ?= 10s
fuzz:
	GO=$(GO) bash test/fuzz/run.sh $(FUZZTIME)

lint: $(STATICCHECK) $(WORKFLOWCHECK)
	$(GO) vet ./...
	$(STATICCHECK) ./...
	$(WORKFLOWCHECK) ./workflows/...

clean:
	rm -rf $(BIN) data
