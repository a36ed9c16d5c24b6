#!/usr/bin/env bash
# `make bench`: runs every benchmark and rewrites BENCHMARKS.md with their Markdown sections,
# the machine description and the date, so any run can be compared with the last.
set -euo pipefail
cd "$(dirname "$0")/.."
release_dir=${RELEASE_TARGET_DIR:-$HOME/.cache/slotline/release-target}
# The release app (the same build `make bundle` packages) and the hello-world baseline, built
# with the same profile, before anything is timed.
CARGO_TARGET_DIR=$release_dir cargo build --release --quiet
CARGO_TARGET_DIR=$release_dir/hello cargo build --release --quiet --manifest-path tests/bench/hello/Cargo.toml
out=$(mktemp)
{
  echo "# Benchmarks"
  echo
  echo "Written by \`make bench\` on $(date -u +%Y-%m-%d) — medians with min–max spreads; every baseline is measured in the same process, on the same machine, in the same run."
  echo
  echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/{print $2}') GiB RAM, $(. /etc/os-release && echo "$PRETTY_NAME"), $(rustc --version)."
  echo
  for b in ingest store sync; do
    cargo bench --quiet --features test-support --bench "$b" 2>/dev/null
    echo
  done
  node ui/tests/bench/render.mjs
  echo
  python3 tests/bench/startup.py "$release_dir/release/slotline" "$release_dir/hello/release/slotline-hello-baseline"
  echo
} >"$out"
mv "$out" BENCHMARKS.md
cat BENCHMARKS.md
