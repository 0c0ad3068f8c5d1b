# kernel-foundations: one Makefile drives the five modules.
#
# Shipped binaries are static: CGO_ENABLED=0. Tests run with -race, which needs cgo, so only the
# test binaries themselves are built with CGO_ENABLED=1; the binaries the integration tests start
# are built by the tests with CGO_ENABLED=0. Module-specific demo and bench steps live in each
# module's own Makefile (`make -C <dir> demo`), which this one calls.

SHELL       := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

MODULES := hardened-echo syscall-cat vfs-explorer signal-disciplined-server forensics
GO      ?= go
BIN     := $(CURDIR)/bin
export BIN

# -p 1: the integration tests measure RSS, latency and kernel counters; packages running side by
# side on a 2-core machine would disturb each other.
GOTESTFLAGS ?= -race -count=1 -p 1 -timeout 45m
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: help deps build test fuzz demo bench vet lint fmt-check standalone clean evidence evidence-check $(addprefix demo-,$(MODULES))

# The evidence tests: each regenerates deterministic figures the docs quote (counts, masks,
# scores, the drill's limits on the live process) and compares them with the committed copy;
# they run in `make test` too.
EVIDENCE_TESTS := ^(TestEvidence.*|TestSecurityMarkdownCurrent|TestDrillUnderSystemd)$$

help: ## list the targets, then each module's own (make -C <dir> TARGET)
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_%-]+:.*## / {printf "  %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo "  demo-<dir>       one module's demo: $(MODULES)"
	@echo "module targets (make -C <dir> TARGET; demo and bench are also driven from here):"
	@for m in $(MODULES); do \
		awk -v m=$$m '/^# [a-z][a-z-]*: / { split($$0, c, ": "); d[substr(c[1], 3)] = substr($$0, length(c[1]) + 3) } \
			/^#/ { if (!inc) first = substr($$0, 3); inc = 1; next } { inc = 0 } /^$$/ { first = "" } \
			/^[a-z][a-z-]*:/ { t = $$1; sub(/:.*/, "", t); if (t != "build" && t != "demo" && t != "bench") \
				printf "  %-16s %-16s %s\n", m, t, (t in d) ? d[t] : first; first = "" }' $$m/Makefile; \
	done

deps: ## install the Debian packages the tests and demos need (root; only what is missing)
	@.ci/deps

build: ## every binary into bin/, CGO_ENABLED=0, then check that none has a dynamic section
	@mkdir -p $(BIN)
	@mains=$$($(GO) list -f '{{if eq .Name "main"}}{{.ImportPath}}{{end}}' kernel-foundations/...); \
	echo "CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN)/" $$mains; \
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN)/ $$mains; \
	for p in $$mains; do \
		b=$(BIN)/$${p##*/}; \
		readelf -h "$$b" >/dev/null || exit 1; \
		if readelf -d "$$b" | grep -q 'Dynamic section'; then echo "$$b: has a dynamic section" >&2; exit 1; fi; \
	done

test: deps ## the whole suite, every module, with the race detector (evidence checks included)
	CGO_ENABLED=1 $(GO) test $(GOTESTFLAGS) kernel-foundations/...

# fuzz: every Fuzz target of every module (found with go test -list), one after the other, each
# for FUZZTIME; a crash leaves its input in the package's testdata/fuzz/FuzzXxx/, to be committed
# with the fix. A target that fails with only "context deadline exceeded" and no failing input
# met Go 1.26's own race at the -fuzztime deadline (go.dev/issue/75804, fixed in Go 1.27): it is
# run again, up to three times in all (here it hit one of the 17 targets in two of four CI runs).
# The summary's figures (executions, executions per second) go in the module READMEs with
# the loadavg of the run. make test runs the committed corpora as ordinary tests.
# FUZZMINIMIZETIME bounds the minimisation of each new input (Go's default, 60s, would stall a
# short run on a target that starts processes).
FUZZTIME ?= 30s
FUZZMINIMIZETIME ?= 5s
fuzz: ## run every fuzz target for FUZZTIME each (default 30s); a summary of executions per target at the end
	@sum=$$(mktemp); log=$$(mktemp); trap 'rm -f "$$sum" "$$log"' EXIT; failed=0; \
	echo "loadavg at start: $$(cut -d' ' -f1-3 /proc/loadavg)"; \
	for m in $(MODULES); do \
		targets=$$(cd $$m && $(GO) test -list '^Fuzz' ./... | awk '/^Fuzz/ { f = f " " $$1 } /^ok / { if (f != "") print $$2 f; f = "" }'); \
		while read -r p fs; do \
			for f in $$fs; do \
				echo "=== fuzz $$p $$f for $(FUZZTIME)"; \
				for try in 1 2 3; do \
					if (cd $$m && $(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) "$$p") </dev/null >"$$log" 2>&1; then r=ok; break; fi; \
					r=FAIL; \
					if [[ $$try -lt 3 ]] && grep -qx '    context deadline exceeded' "$$log" && ! grep -q 'Failing input written to' "$$log"; then \
						echo "fuzz: $$f: 'context deadline exceeded' with no failing input: Go 1.26's coordinator race at the -fuzztime deadline (go.dev/issue/75804, fixed in 1.27); again"; \
						continue; \
					fi; \
					break; \
				done; \
				[[ $$r == ok ]] || failed=1; \
				tail -n 4 "$$log"; [[ $$r == ok ]] || cat "$$log"; \
				awk -v t="$$p.$$f" -v r=$$r '/^fuzz: elapsed: .*, execs: [0-9]+ / { e = $$3; x = $$5 } \
					END { s = 0; if (match(e, /[0-9]+h/)) s += 3600 * substr(e, RSTART, RLENGTH - 1); \
						if (match(e, /[0-9]+m/)) s += 60 * substr(e, RSTART, RLENGTH - 1); \
						if (match(e, /[0-9]+s/)) s += substr(e, RSTART, RLENGTH - 1); \
						printf "%-4s %-64s %12s execs in %5ss %8s/s\n", r, t, x, s, (s > 0 ? int(x / s) : "?") }' "$$log" >>"$$sum"; \
			done; \
		done <<<"$$targets"; \
	done; \
	echo "=== fuzz summary (FUZZTIME=$(FUZZTIME) per target; loadavg at end: $$(cut -d' ' -f1-3 /proc/loadavg))"; cat "$$sum"; \
	exit $$failed

evidence: deps ## rewrite the committed evidence files (<module>/evidence/, hardened-echo/SECURITY.md)
	$(MAKE) --no-print-directory -C hardened-echo score
	CGO_ENABLED=1 EVIDENCE_UPDATE=1 $(GO) test -count=1 -run '$(EVIDENCE_TESTS)' kernel-foundations/...

evidence-check: deps ## only the evidence checks of make test: fails when a committed figure drifts
	CGO_ENABLED=1 $(GO) test -count=1 -run '$(EVIDENCE_TESTS)' kernel-foundations/...

demo: deps build ## every module's demo in turn
	@for m in $(MODULES); do echo "=== demo-$$m"; $(MAKE) --no-print-directory -C $$m demo; done

$(addprefix demo-,$(MODULES)): demo-%: deps build
	@$(MAKE) --no-print-directory -C $* demo

bench: deps build ## every module's benchmarks, ratios against the reference measured in the same run
	@for m in $(MODULES); do echo "=== bench-$$m"; $(MAKE) --no-print-directory -C $$m bench; done

vet: ## go vet over every module
	$(GO) vet kernel-foundations/...

lint: ## staticcheck, pinned, through go run; forensics' layout check (no sideways calls between subcommand files)
	$(GO) run $(STATICCHECK) kernel-foundations/...
	$(GO) test -count=1 kernel-foundations/forensics/internal/sideways

fmt-check: ## fail if any file is not gofmt-clean
	@out=$$(gofmt -l $(MODULES)); if [ -n "$$out" ]; then echo "gofmt needed:" >&2; echo "$$out" >&2; exit 1; fi

standalone: ## each module builds alone, without go.work
	@for m in $(MODULES); do echo "GOWORK=off go build ./... in $$m"; (cd $$m && GOWORK=off CGO_ENABLED=0 $(GO) build -o /dev/null ./...); done

clean: ## remove bin/
	rm -rf $(BIN)
