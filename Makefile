# fkbackfill — build, test and demo. Each target installs what it needs (apt:
# postgresql, libpq-dev, pkg-config, graphviz) when missing.

SWIFT ?= swift
CLUSTER := scripts/pg-cluster.sh

.PHONY: all deps build release unit test demo bench docs clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# Builds the tests and runs the unit tests only: pure code on in-memory models, in a
# few seconds. PGHOST points nowhere, so a unit test that tries to connect fails.
unit: deps
	$(SWIFT) build --build-tests
	PGHOST=/nonexistent-fkbackfill-unit PGPORT=1 $(SWIFT) test --skip-build --disable-xctest --filter FKBackfillUnitTests

# The unit tests first (no database), then starts a throwaway PostgreSQL, runs the
# integration tests against it and stops it.
test: unit
	FKBACKFILL_BIN="$$($(SWIFT) build --show-bin-path)/fkbackfill" $(CLUSTER) run -- \
		$(SWIFT) test --skip-build --disable-xctest --skip FKBackfillUnitTests

# The library's DocC documentation (Sources/FKBackfill/FKBackfill.docc) as a static
# site in .tmp/docs, from the toolchain's docc and the compiler's symbol graph.
docs: deps
	$(SWIFT) build --scratch-path .build-docs --target FKBackfill -Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir -Xswiftc $(CURDIR)/.tmp/symbol-graphs
	mkdir -p .tmp/docs-graphs && cp .tmp/symbol-graphs/FKBackfill.symbols.json .tmp/docs-graphs/
	docc convert Sources/FKBackfill/FKBackfill.docc --additional-symbol-graph-dir .tmp/docs-graphs \
		--fallback-display-name FKBackfill --fallback-bundle-identifier fkbackfill --output-dir .tmp/docs --analyze

# Runs the main job on a throwaway database with the example annuity schema.
demo: build
	FKB_CLUSTER_DIR="$(CURDIR)/.tmp/demo-cluster" FKBACKFILL_BIN="$$($(SWIFT) build --show-bin-path)/fkbackfill" \
		$(CLUSTER) run -- scripts/demo.sh

# Measures loads against plain COPY on a throwaway cluster (see docs/performance.md).
# BENCH_SIZES and BENCH_RUNS choose the sizes and runs (default "100000 1000000", 5).
bench: release
	FKB_CLUSTER_DIR="$(CURDIR)/.tmp/bench-cluster" FKBACKFILL_BIN="$$($(SWIFT) build -c release --show-bin-path)/fkbackfill" \
		$(CLUSTER) run -- bench/run.sh

clean:
	-$(CLUSTER) stop
	rm -rf .build .tmp
