#!/usr/bin/env bash
# `make bench`: runs every benchmark and rewrites BENCHMARKS.md with their Markdown sections,
# the machine description and the date, so any run can be compared with the last.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp)
{
  echo "# Benchmarks"
  echo
  echo "Written by \`make bench\` on $(date -u +%Y-%m-%d) — medians with min–max spreads; every baseline is measured in the same process, on the same machine, in the same run."
  echo
  echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/{print $2}') GiB RAM, $(. /etc/os-release && echo "$PRETTY_NAME"), $(rustc --version)."
  echo
  for b in ingest store sync; do
    cargo bench --quiet --bench "$b" 2>/dev/null
    echo
  done
} >"$out"
mv "$out" BENCHMARKS.md
cat BENCHMARKS.md
