# fkbackfill — build, test, install and package. Each target installs what it needs
# (apt: postgresql, libpq-dev, pkg-config, graphviz, man-db, …) when missing.

SWIFT ?= swift
# Every debug build the targets make (build, unit, test, test-citus, fuzz, and the
# packaging the install tests check) without debug info, all with the same flags so
# that none rebuilds another's: `-g` is a sixth of the test build on 2 cores (138 s
# against 115 s), and make test has 8 minutes. A failed expectation names its source
# line without it, a crash's backtrace its functions. `make DEBUG_FLAGS=` keeps it.
DEBUG_FLAGS ?= -Xswiftc -gnone
export FKB_DEBUG_FLAGS := $(DEBUG_FLAGS)
CLUSTER := scripts/pg-cluster.sh
# Where `make install` puts files: $(DESTDIR)$(PREFIX)/bin, share/man/man1, completions.
PREFIX ?= /usr/local
DESTDIR ?=
# The release files, laid out as they install below $(PREFIX) (see scripts/release.sh).
STAGE := .tmp/release/root
# What `make uninstall` removes below $(DESTDIR)$(PREFIX); man pages are fkbackfill*.1,
# and share/doc/fkbackfill (README, docs, examples) goes as a whole.
INSTALLED_FILES := bin/fkbackfill share/bash-completion/completions/fkbackfill \
	share/zsh/site-functions/_fkbackfill share/fish/vendor_completions.d/fkbackfill.fish

# Temporary files of every target (SwiftPM's, the tests') stay in the clone.
export TMPDIR := $(CURDIR)/.tmp/tmp
$(shell mkdir -p $(TMPDIR))

.PHONY: all deps build release install uninstall deb unit test test-citus fuzz install-tests demo bench bench-citus docs clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build $(DEBUG_FLAGS)

# The self-contained release binary (Swift runtime and Foundation linked in), its man
# pages and completions, under $(STAGE). Takes minutes on 2 cores the first time (see
# README), seconds after that.
release: deps
	@scripts/release.sh

# install and deb build only when a source is newer than the staged binary, so that
# `make release && sudo make install` runs no Swift as root.
$(STAGE)/bin/fkbackfill: Package.swift scripts/release.sh README.md $(shell find Sources Plugins docs examples -type f 2>/dev/null)
	@scripts/install-deps.sh
	@scripts/release.sh

install: $(STAGE)/bin/fkbackfill
	@for file in $$(cd $(STAGE) && find . -type f | sort); do \
		mode=644; case $$file in ./bin/*) mode=755;; esac; \
		install -D -m $$mode "$(STAGE)/$$file" "$(DESTDIR)$(PREFIX)/$${file#./}"; \
		echo "installed $(DESTDIR)$(PREFIX)/$${file#./}"; \
	done

uninstall:
	rm -f $(addprefix "$(DESTDIR)$(PREFIX)/,$(addsuffix ",$(INSTALLED_FILES))) \
		"$(DESTDIR)$(PREFIX)"/share/man/man1/fkbackfill.1 "$(DESTDIR)$(PREFIX)"/share/man/man1/fkbackfill.*.1
	rm -rf "$(DESTDIR)$(PREFIX)/share/doc/fkbackfill"

# A Debian package of the release files under /usr, in .tmp/deb/.
deb: $(STAGE)/bin/fkbackfill
	@scripts/deb.sh $(STAGE) .tmp/deb

# The differential test (Tests/FKBackfillTests/Differential) on more cases than `make
# test` runs: N cases of seed SEED over FEATURES (names, `all`, `agreeing`, `-name`; see
# DiffFeatures.swift), or only CASE. Each failing case is printed with its seed, index and
# a reproduction (SQL, CSV, rules, commands), and kept in .tmp/diff-failures/.
ifndef SEED
SEED := $(shell date +%s)
endif
N ?= 500
FEATURES ?= all
CASE ?=
fuzz: deps
	$(SWIFT) build --build-tests $(DEBUG_FLAGS)
	@echo "fuzz: seed $(SEED), $(N) cases, features $(FEATURES)"
	rm -rf .tmp/diff-failures
	FKB_DIFF_SEED=$(SEED) FKB_DIFF_N=$(N) \
		FKB_DIFF_FEATURES=$(FEATURES) $(if $(CASE),FKB_DIFF_CASE=$(CASE)) \
		$(CLUSTER) run -- $(SWIFT) test --skip-build --disable-xctest --filter DifferentialTests

# Builds the tests and runs the unit tests only: pure code on in-memory models, in a
# few seconds. PGHOST points nowhere, so a unit test that tries to connect fails.
unit: deps
	$(SWIFT) build --build-tests $(DEBUG_FLAGS)
	PGHOST=/nonexistent-fkbackfill-unit PGPORT=1 $(SWIFT) test --skip-build --disable-xctest --filter FKBackfillUnitTests

# The unit tests first (no database), then starts a throwaway PostgreSQL and a hot
# standby of it (FKB_STANDBY_HOST/PORT, for the read-only validation tests), runs the
# integration tests against them and stops both; then `make test-citus` when a private
# Citus server can be had (under a minute more), or says why not. One build serves
# everything: the install tests package the debug build the tests use (see
# install-tests).
test: unit install-tests
	FKBACKFILL_BIN="$$($(SWIFT) build --show-bin-path)/fkbackfill" FKBACKFILL_INSTALL_TESTS="$(CURDIR)/.tmp/install-tests" \
		$(CLUSTER) run --standby -- $(SWIFT) test --skip-build --disable-xctest --skip FKBackfillUnitTests --skip FKBackfillCitusTests
	@if reason=$$(scripts/citus-cluster.sh available 2>&1); then $(MAKE) --no-print-directory test-citus; \
	else echo "make test: the Citus tests were skipped: $$reason (see docs/testing.md)"; fi

# The Citus tests (docs/scale-out.md) on a throwaway coordinator with two workers
# (scripts/citus-cluster.sh: a private server tree in the cluster folder, the server
# package unpacked with Citus from CITUS_DIR, default ../shared/citus, added; the
# machine's own server is never changed). One test at a time: Citus's DDL (distributing
# tables, FKs to reference tables) deadlocks against itself when tests set up at once.
test-citus: deps
	$(SWIFT) build --build-tests $(DEBUG_FLAGS)
	FKBACKFILL_BIN="$$($(SWIFT) build --show-bin-path)/fkbackfill" \
		scripts/citus-cluster.sh run -- $(SWIFT) test --skip-build --disable-xctest --no-parallel --filter FKBackfillCitusTests

# The library's DocC documentation (Sources/FKBackfill/FKBackfill.docc) as a static
# site in .tmp/docs, from the toolchain's docc and the compiler's symbol graph.
docs: deps
	$(SWIFT) build --scratch-path .build-docs --target FKBackfill -Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir -Xswiftc $(CURDIR)/.tmp/symbol-graphs
	mkdir -p .tmp/docs-graphs && cp .tmp/symbol-graphs/FKBackfill.symbols.json .tmp/docs-graphs/
	docc convert Sources/FKBackfill/FKBackfill.docc --additional-symbol-graph-dir .tmp/docs-graphs \
		--fallback-display-name FKBackfill --fallback-bundle-identifier fkbackfill --output-dir .tmp/docs --analyze

# What the install tests (Tests/FKBackfillTests/InstallTests.swift) look at: a .deb,
# an install into a DESTDIR, and an install followed by an uninstall, made as `make
# deb`, `make install` and `make uninstall` make them, from the debug build `make unit`
# made (FKB_RELEASE_CONFIG=debug, into .tmp/test-release): what is tested is the
# packaging and the install, and the release build would compile everything again.
TEST_STAGE := .tmp/test-release/root
install-tests: unit
	rm -rf .tmp/install-tests .tmp/test-files .tmp/test-server-notices.log
	FKB_RELEASE_CONFIG=debug FKB_RELEASE_OUT=.tmp/test-release scripts/release.sh
	@scripts/deb.sh $(TEST_STAGE) .tmp/test-release/deb
	mkdir -p .tmp/install-tests
	cp .tmp/test-release/deb/*.deb .tmp/install-tests/fkbackfill.deb
	$(MAKE) --no-print-directory install STAGE=$(TEST_STAGE) DESTDIR=$(CURDIR)/.tmp/install-tests/installed PREFIX=/usr/local >/dev/null
	$(MAKE) --no-print-directory install STAGE=$(TEST_STAGE) DESTDIR=$(CURDIR)/.tmp/install-tests/uninstalled PREFIX=/opt/fkb >/dev/null
	$(MAKE) --no-print-directory uninstall DESTDIR=$(CURDIR)/.tmp/install-tests/uninstalled PREFIX=/opt/fkb >/dev/null

# Runs the main job on a throwaway database with the example annuity schema.
demo: build
	FKB_CLUSTER_DIR="$(CURDIR)/.tmp/demo-cluster" FKBACKFILL_BIN="$$($(SWIFT) build --show-bin-path)/fkbackfill" \
		$(CLUSTER) run -- scripts/demo.sh

# Measures loads against plain COPY on a throwaway cluster (see docs/performance.md).
# BENCH_SIZES and BENCH_RUNS choose the sizes and runs (default "100000 1000000", 5).
bench: release
	FKB_CLUSTER_DIR="$(CURDIR)/.tmp/bench-cluster" FKBACKFILL_BIN="$(CURDIR)/$(STAGE)/bin/fkbackfill" \
		$(CLUSTER) run -- bench/run.sh
	FKB_CLUSTER_DIR="$(CURDIR)/.tmp/bench-cluster" FKBACKFILL_BIN="$(CURDIR)/$(STAGE)/bin/fkbackfill" $(CLUSTER) run -- bench/audit.sh

# 1M annuity rows into a distributed table on a throwaway Citus cluster: plain COPY
# with the FKs on against fkbackfill, and the ratio (docs/scale-out.md).
bench-citus: release
	FKB_CITUS_CLUSTER_DIR="$(CURDIR)/.tmp/bench-citus-cluster" FKBACKFILL_BIN="$(CURDIR)/$(STAGE)/bin/fkbackfill" \
		scripts/citus-cluster.sh run -- bench/citus.sh

clean:
	-$(CLUSTER) stop
	rm -rf .build .tmp
