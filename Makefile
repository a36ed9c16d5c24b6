# Slotline's two commands: `make run` opens the app, `make test` runs every test. Both install
# what a fresh Debian/Ubuntu machine is missing first (.ci/setup.sh).

SHELL := /bin/bash
.DEFAULT_GOAL := run

# Reuse a cargo target directory outside the clone, so repeat runs (and CI in a fresh clone)
# are fast.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/slotline/target
export CARGO_TERM_COLOR ?= never
BIN := $(CARGO_TARGET_DIR)/debug/slotline
# Release builds (the package, the start-up benchmark) get their own directory so they never wait
# on a debug build's lock.
RELEASE_TARGET_DIR ?= $(HOME)/.cache/slotline/release-target
DEB_DIR := $(RELEASE_TARGET_DIR)/release/bundle/deb

.PHONY: run test setup ui build fmt clippy test-rust test-ui test-browser test-e2e test-fuzz dev sandbox bench fuzz bundle test-bundle

setup:
	@bash .ci/setup.sh

ui: setup
	cd ui && npm run build

# The debug build carries the test-only parts (the sandbox's control routes, the fuzzing entry
# points): the e2e and CLI tests drive `slotline sandbox` through them, and one feature set for
# build, clippy and test keeps the debug build from being rebuilt back and forth.
TEST_FEATURES := --features test-support

build: ui
	cargo build $(TEST_FEATURES)

## Opens the window (under a desktop session, or set DISPLAY for Xvfb).
run: build
	$(BIN)

## A second terminal: the offline Calendly sandbox on its own.
sandbox: build
	$(BIN) sandbox

## Every test: formatting, lints, Rust unit and integration tests (real SQLite, loopback HTTP,
## the real Secret Service), UI unit tests, UI tests in Debian Chromium and the real window
## under Xvfb driven by tauri-driver.
test: ui fmt clippy test-rust test-ui test-browser test-e2e test-fuzz test-bundle
	@echo "make test: all suites passed"

fmt:
	cargo fmt --all -- --check

clippy: ui
	cargo clippy --workspace --all-targets $(TEST_FEATURES) -- -D warnings

test-rust: ui
	bash tests/with-keyring.sh cargo test --workspace $(TEST_FEATURES) --no-fail-fast
	# The sandbox crate as the shipped app has it (no `control`): its control routes answer 404.
	cargo test -p calendly-sandbox --test shipped

test-ui: setup
	cd ui && npm run test:unit

test-browser: ui
	cd ui && npm run test:browser

test-e2e: build
	bash tests/e2e/run.sh $(BIN)

## The installable package: a release .deb (LTO, stripped) with the icon, a desktop entry and
## its dependencies, in $(DEB_DIR).
bundle: ui
	CARGO_TARGET_DIR=$(RELEASE_TARGET_DIR) ui/node_modules/.bin/tauri build --bundles deb --ci
	@ls -l $(DEB_DIR)/*.deb

## Installs that .deb (as root), starts the installed app under Xvfb, removes it again.
test-bundle: bundle
	bash tests/bundle/install-test.sh "$$(ls -t $(DEB_DIR)/*.deb | head -1)"

## Every benchmark; rewrites BENCHMARKS.md: the summary table (target, measured, same-run baseline,
## verdict), then each benchmark's section. BENCH_ONLY="ingest store" re-runs only those.
bench: ui
	RELEASE_TARGET_DIR=$(RELEASE_TARGET_DIR) bash tests/with-keyring.sh bash .ci/bench.sh

## Every cargo-fuzz target for FUZZ_SECONDS each (default 180), from the committed seed corpus;
## fails if any finds a crash. Builds in its own target dir.
FUZZ_SECONDS ?= 180
fuzz:
	bash tests/fuzz/run.sh $(FUZZ_SECONDS)

## Part of `make test`: builds the fuzz crate and runs every target briefly from the seeds.
FUZZ_TEST_SECONDS ?= 20
test-fuzz: setup
	bash tests/fuzz/run.sh $(FUZZ_TEST_SECONDS)
