# mapillary-archiver: setup, build, test, demo, bench.
# `make demo` and `make test` work on a fresh Debian/Ubuntu machine: they install what is missing first.

SWIFT ?= swift
CONFIG ?= debug
APT_PACKAGES = libcurl4-openssl-dev libarchive-dev libwebp-dev libturbojpeg0-dev libsqlite3-dev \
               libssl-dev zlib1g-dev libpq-dev pkg-config
# chromium, chromium-driver and python3-selenium: the campaign page's test loads it in headless Chromium
# (on the 2-core build machine: 40 packages, 41 s to download and install; the test takes about 10 s).
TEST_PACKAGES = libimage-exiftool-perl webp libarchive-tools tar python3 postgresql systemd \
                chromium chromium-driver python3-selenium
# `make dist` computes the .deb's Depends with dpkg-shlibdeps; `make dist-check` builds a Debian system to install it on.
DIST_PACKAGES = dpkg-dev
DIST_CHECK_PACKAGES = debootstrap systemd-container

.PHONY: setup setup-test build release test test-asan test-ubsan test-sanitizers fuzz demo bench bench-smoke dist \
        dist-check man completions format lint clean

setup:
	@scripts/install-packages.sh $(APT_PACKAGES)

setup-test: setup
	@scripts/install-packages.sh $(TEST_PACKAGES)

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release

# The queue's PostgreSQL tests use a throwaway cluster (a temporary folder, a free port), deleted afterwards.
# In two runs: the library tests, then CLITests (the built binary, sandboxes and workers in processes of their own).
# Swift Testing starts every test of a run at once on a cooperative pool as wide as the cores; run together, the
# CPU-heavy CLI tests starved the library tests' waits and leases for minutes on 2 cores.
test: setup-test
	$(SWIFT) build --build-tests
	scripts/throwaway-postgres.sh run sh -c '$(SWIFT) test --skip-build --skip CLITests && $(SWIFT) test --skip-build --filter CLITests'

# `make test-asan`, `make test-ubsan`: the whole suite under AddressSanitizer (with LeakSanitizer) and under
# UndefinedBehaviorSanitizer, each built in its own folder so the normal build stays as it is; `make test-sanitizers`:
# both in one build and one run, which is what CI runs (half the time for the same proof). scripts/sanitized-test.sh
# runs one test target at a time; docs/fuzzing.md says why, and what each costs.
# swiftc has no -sanitize=undefined on Linux, so UBSan instruments the C the Swift modules compile (the shims'
# static inline functions, through -Xcc) and the clang linker adds its runtime; UB aborts the test.
# ASan links with lld: gold warns "Cannot export local symbol '__asan_…'" hundreds of times per link.
ASAN_FLAGS = --sanitize=address -Xswiftc -use-ld=lld
UBSAN_FLAGS = -Xcc -fsanitize=undefined -Xcc -fno-sanitize-recover=undefined \
              -Xswiftc -Xcc -Xswiftc -fsanitize=undefined -Xswiftc -Xcc -Xswiftc -fno-sanitize-recover=undefined \
              -Xswiftc -Xclang-linker -Xswiftc -fsanitize=undefined

test-asan: setup-test
	SWIFT=$(SWIFT) scripts/sanitized-test.sh .build-asan $(ASAN_FLAGS)

test-ubsan: setup-test
	SWIFT=$(SWIFT) scripts/sanitized-test.sh .build-ubsan $(UBSAN_FLAGS)

# SANITIZED_SKIP="CLITests" leaves test targets out (what CI does, for time: docs/fuzzing.md).
test-sanitizers: setup-test
	SWIFT=$(SWIFT) SANITIZED_SKIP="$(SANITIZED_SKIP)" scripts/sanitized-test.sh .build-sanitizers $(ASAN_FLAGS) $(UBSAN_FLAGS)

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

# `make dist`: dist/mapillary-archiver_VERSION_ARCH.deb and dist/mapillary-archiver-VERSION-linux-MACHINE.tar.gz:
# the release binary with the Swift runtime linked in, man pages, completions, templates, docs, systemd units
# (docs/install.md). `make man` and `make completions` regenerate only dist/man and dist/completions.
dist: setup
	@scripts/install-packages.sh $(DIST_PACKAGES)
	SWIFT="$(SWIFT)" scripts/dist.sh

man: setup
	SWIFT="$(SWIFT)" scripts/dist.sh man

completions: setup
	SWIFT="$(SWIFT)" scripts/dist.sh completions

# `make dist-check`: installs the .deb with apt on a fresh minimal Debian (debootstrap, as root) without Swift, runs
# the demo, package + verify, man, systemd-analyze there, and the download service under systemd (about 3 minutes).
dist-check: dist
	@scripts/install-packages.sh $(DIST_CHECK_PACKAGES)
	scripts/dist-check.sh

# `make format` rewrites the Swift sources in the house layout (.swift-format: 120 columns, 4 spaces), with the
# toolchain's own `swift format`; `make lint` checks them without changing anything (CI runs it first).
FORMATTED = Sources Tests Fuzz Benchmarks
format:
	$(SWIFT) format format --in-place --recursive --parallel $(FORMATTED)

lint:
	$(SWIFT) format lint --strict --recursive --parallel $(FORMATTED)

clean:
	rm -rf .build .build-asan .build-ubsan .build-sanitizers .build-fuzz dist
