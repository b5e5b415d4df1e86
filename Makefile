# fkbackfill — build, test and demo. Each target installs what it needs (apt:
# postgresql, libpq-dev, pkg-config, graphviz) when missing.

SWIFT ?= swift
CLUSTER := scripts/pg-cluster.sh

.PHONY: all deps build release unit test demo bench clean

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
