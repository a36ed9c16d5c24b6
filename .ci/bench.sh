#!/usr/bin/env bash
# `make bench`: runs every benchmark and rewrites BENCHMARKS.md: the summary table first (one row
# per target, each with its verdict, from the rows each benchmark appends to
# $SLOTLINE_BENCH_SUMMARY), then each benchmark's own section, the machine and the date.
#
# Each benchmark's output is kept in $SLOTLINE_BENCH_OUT (default: bench-run/ beside the release
# build). `make bench BENCH_ONLY="ingest store"` runs only those (keys: ingest store sync
# calendar-webkit render startup) and writes the table from their new output and the others'
# last; each section then says when it ran.
set -euo pipefail
cd "$(dirname "$0")/.."
release_dir=${RELEASE_TARGET_DIR:-$HOME/.cache/slotline/release-target}
app="$release_dir/release/slotline"
# The release app (the same build `make bundle` packages) and the hello-world baseline, built
# with the same profile, before anything is timed.
CARGO_TARGET_DIR=$release_dir cargo build --release --quiet
CARGO_TARGET_DIR=$release_dir/hello cargo build --release --quiet --manifest-path tests/bench/hello/Cargo.toml
# The start-up benchmark's second baseline: the same hello world showing Slotline's first screen
# as a static page (its DOM and styles from the UI, none of its script or Rust), in its own
# target directory so the two binaries never replace each other.
home_page=$release_dir/hello-home/page
rm -rf "$home_page"
node ui/tests/bench/home-static.mjs "$home_page"
TAURI_CONFIG=$(python3 -c 'import json, sys; print(json.dumps({"build": {"frontendDist": sys.argv[1]}}))' "$home_page") \
  CARGO_TARGET_DIR=$release_dir/hello-home cargo build --release --quiet --manifest-path tests/bench/hello/Cargo.toml
# The ingest benchmark's baselines and the store benchmark (the calendar query and the clients
# report, as the shipped app runs them) are compiled with the release profile too. The sync
# benchmark, bound by the sandbox's rate limiter rather than by the CPU, and the calendar seeder
# (not a measurement) need the test features and keep the bench profile.
CARGO_TARGET_DIR=$release_dir cargo bench --profile release --no-run --quiet --bench ingest --bench store
cargo bench --no-run --quiet --features test-support --bench sync --bench calendar_seed

out=${SLOTLINE_BENCH_OUT:-$release_dir/bench-run}
only=${BENCH_ONLY:-}
mkdir -p "$out"
# One benchmark: its section to $out/KEY.md, its summary rows to $out/KEY.jsonl, when it ran to
# $out/KEY.when. A benchmark that fails leaves a line in its section, and its targets show as
# missed.
run() {
  local key=$1 name=$2
  shift 2
  if [ -n "$only" ] && [[ " $only " != *" $key "* ]]; then
    return
  fi
  rm -f "$out/$key.md" "$out/$key.jsonl"
  date -u '+%Y-%m-%d %H:%M UTC' >"$out/$key.when"
  local status=0
  SLOTLINE_BENCH_SUMMARY="$out/$key.jsonl" "$@" >"$out/$key.md" || status=$?
  if [ "$status" -ne 0 ]; then
    {
      echo "## $name"
      echo
      echo "This benchmark failed in this run (exit status $status); its targets are listed as missed."
    } >>"$out/$key.md"
  fi
}
run ingest "Webhook ingest" env SLOTLINE_BENCH_BIN="$app" CARGO_TARGET_DIR="$release_dir" cargo bench --profile release --quiet --bench ingest
run store "Store" env CARGO_TARGET_DIR="$release_dir" cargo bench --profile release --quiet --bench store
run sync "Sync" cargo bench --quiet --features test-support --bench sync
run calendar-webkit "Calendar render (the app's WebKitGTK window)" bash tests/bench/calendar-webkit.sh "$app"
run render "Calendar render (headless Chromium)" node ui/tests/bench/render.mjs
run startup "Start-up and memory" python3 tests/bench/startup.py "$app" "$release_dir/hello/release/slotline-hello-baseline" "$release_dir/hello-home/release/slotline-hello-baseline"

machine="$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/{print $2}') GiB RAM, $(. /etc/os-release && echo "$PRETTY_NAME"), $(rustc --version)"
python3 tests/bench/summary.py "$out" "$machine" >BENCHMARKS.md.new
mv BENCHMARKS.md.new BENCHMARKS.md
cat BENCHMARKS.md
