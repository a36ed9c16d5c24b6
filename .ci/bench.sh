#!/usr/bin/env bash
# `make bench`: runs every benchmark and rewrites BENCHMARKS.md: the summary table first (one row
# per target, each with its verdict, written from the rows the benchmarks append to
# $SLOTLINE_BENCH_SUMMARY), then each benchmark's own section, the machine and the date.
set -euo pipefail
cd "$(dirname "$0")/.."
release_dir=${RELEASE_TARGET_DIR:-$HOME/.cache/slotline/release-target}
app="$release_dir/release/slotline"
# The release app (the same build `make bundle` packages) and the hello-world baseline, built
# with the same profile, before anything is timed.
CARGO_TARGET_DIR=$release_dir cargo build --release --quiet
CARGO_TARGET_DIR=$release_dir/hello cargo build --release --quiet --manifest-path tests/bench/hello/Cargo.toml
# The ingest benchmark's baselines are compiled with the release profile too (its subject is the
# release binary above); the store and sync benchmarks compare code built alike within one binary.
CARGO_TARGET_DIR=$release_dir cargo bench --profile release --no-run --quiet --bench ingest
cargo bench --no-run --quiet --features test-support --bench store --bench sync --bench calendar_seed

summary=$(mktemp)
sections=$(mktemp)
trap 'rm -f "$summary" "$sections"' EXIT
export SLOTLINE_BENCH_SUMMARY=$summary
# A benchmark that fails leaves a line in its place, and its targets show as missed.
run() {
  local name=$1
  shift
  local status=0
  "$@" || status=$?
  if [ "$status" -ne 0 ]; then
    echo "## $name"
    echo
    echo "This benchmark failed in this run (exit status $status); its targets are listed as missed."
  fi
  echo
}
{
  run "Webhook ingest" env SLOTLINE_BENCH_BIN="$app" CARGO_TARGET_DIR="$release_dir" cargo bench --profile release --quiet --bench ingest
  run "Store" cargo bench --quiet --features test-support --bench store
  run "Sync" cargo bench --quiet --features test-support --bench sync
  run "Calendar render (the app's WebKitGTK window)" bash tests/bench/calendar-webkit.sh "$app"
  run "Calendar render (headless Chromium)" node ui/tests/bench/render.mjs
  run "Start-up and memory" python3 tests/bench/startup.py "$app" "$release_dir/hello/release/slotline-hello-baseline"
} >"$sections"

machine="$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/{print $2}') GiB RAM, $(. /etc/os-release && echo "$PRETTY_NAME"), $(rustc --version)"
python3 tests/bench/summary.py "$summary" "$sections" "$(date -u +%Y-%m-%d)" "$machine" >BENCHMARKS.md.new
mv BENCHMARKS.md.new BENCHMARKS.md
cat BENCHMARKS.md
