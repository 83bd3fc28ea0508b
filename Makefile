# mapillary-archiver: setup, build, test, demo, bench.
# `make demo` and `make test` work on a fresh Debian/Ubuntu machine: they install what is missing first.

SWIFT ?= swift
CONFIG ?= debug
APT_PACKAGES = libcurl4-openssl-dev libarchive-dev libwebp-dev libturbojpeg0-dev libsqlite3-dev \
               libssl-dev zlib1g-dev libpq-dev pkg-config
TEST_PACKAGES = libimage-exiftool-perl webp libarchive-tools tar python3 postgresql

.PHONY: setup setup-test build release test demo bench bench-smoke clean

setup:
	@scripts/install-packages.sh $(APT_PACKAGES)

setup-test: setup
	@scripts/install-packages.sh $(TEST_PACKAGES)

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release

# The queue's PostgreSQL tests use a throwaway cluster (a temporary folder, a free port), deleted afterwards.
test: setup-test
	$(SWIFT) build --build-tests
	scripts/throwaway-postgres.sh run $(SWIFT) test --skip-build

# `make bench`: every scenario of scripts/bench.sh (release build, about 45 minutes on 2 cores; see docs/benchmarks.md).
# `make bench-smoke`: the same harness on tiny data with the debug build of `make test` (seconds; no timing checks).
bench: setup-test
	scripts/bench.sh $(BENCH_ARGS)

bench-smoke: setup-test
	scripts/bench.sh --smoke

# A debug build: it compiles in half the time of a release build (about 30 s against 70 s on 2 cores), which
# matters more for a first run than the demo's own few seconds; `make test` leaves it already built.
demo: setup
	$(SWIFT) build --product mapillary-archiver
	.build/debug/mapillary-archiver demo

clean:
	rm -rf .build
