# mapillary-archiver: setup, build, test, demo, bench.
# `make demo` and `make test` work on a fresh Debian/Ubuntu machine: they install what is missing first.

SWIFT ?= swift
CONFIG ?= debug
APT_PACKAGES = libcurl4-openssl-dev libarchive-dev libwebp-dev libturbojpeg0-dev libsqlite3-dev \
               libssl-dev zlib1g-dev pkg-config
TEST_PACKAGES = libimage-exiftool-perl webp libarchive-tools tar python3

.PHONY: setup setup-test build release test fuzz demo bench bench-smoke clean

setup:
	@scripts/install-packages.sh $(APT_PACKAGES)

setup-test: setup
	@scripts/install-packages.sh $(TEST_PACKAGES)

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release

test: setup-test
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# `make fuzz`: every libFuzzer target of parser-fuzz for FUZZ_SECONDS each (release build in .build-fuzz; seeds from
# the project's writers and the sandbox); fails when one finds a crash. `make fuzz FUZZ_SECONDS=600` for a long run.
FUZZ_SECONDS ?= 60
fuzz: setup
	scripts/fuzz.sh --seconds $(FUZZ_SECONDS) $(FUZZ_TARGETS)

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
	rm -rf .build .build-fuzz
