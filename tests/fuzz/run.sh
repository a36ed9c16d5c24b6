#!/usr/bin/env bash
# Runs every cargo-fuzz (libFuzzer) target for a bounded time, starting from the committed seeds
# in tests/fuzz/corpus/<target>/, and fails if any target finds a crash, a leak, a timeout or an
# allocation over the limit.
#
#   bash tests/fuzz/run.sh [seconds-per-target, default 180]      (or: make fuzz FUZZ_SECONDS=N)
#
# Environment: FUZZ_SANITIZER (address with a nightly toolchain, else none), FUZZ_TARGETS (a
# space-separated subset), SLOTLINE_FUZZ_TARGET_DIR (the fuzz build's own cargo target dir).
# New inputs libFuzzer finds go to a work corpus beside the build, never into the committed seeds;
# a crashing input is written to the artifacts directory printed at the end (copy it to
# tests/fuzz/regressions/<target>/ once fixed, and tests/it/fuzz_corpus.rs replays it).
set -euo pipefail

seconds="${1:-180}"
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "usage: $0 [seconds-per-target]" >&2; exit 2; }
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

# Its own target dir: instrumented builds never invalidate the main build cache.
export CARGO_TARGET_DIR="${SLOTLINE_FUZZ_TARGET_DIR:-$HOME/.cache/slotline/fuzz-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

# libFuzzer needs unstable rustc flags: a nightly toolchain when there is one (which also allows
# AddressSanitizer), else stable told to accept them.
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  toolchain=(+nightly)
  sanitizer="${FUZZ_SANITIZER:-address}"
else
  toolchain=()
  export RUSTC_BOOTSTRAP=1
  sanitizer="${FUZZ_SANITIZER:-none}"
fi

targets=(${FUZZ_TARGETS:-signature_header envelope plan})
declare -A max_len=([signature_header]=8192 [envelope]=65536 [plan]=65536)
build_flags=(--fuzz-dir tests/fuzz --sanitizer "$sanitizer" --codegen-units 16)

echo "fuzz: building ${targets[*]} (toolchain ${toolchain[*]:-stable}, sanitizer $sanitizer)"
cargo "${toolchain[@]}" fuzz build "${build_flags[@]}"

work="$CARGO_TARGET_DIR/fuzz-work"
failed=()
summary=()
for target in "${targets[@]}"; do
  corpus="$work/corpus/$target"
  artifacts="$work/artifacts/$target/"
  log="$work/logs/$target.log"
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  echo "fuzz: $target for ${seconds}s"
  set +e
  cargo "${toolchain[@]}" fuzz run "${build_flags[@]}" "$target" "$corpus" "tests/fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=2048 \
    -max_len="${max_len[$target]:-65536}" -timeout=10 \
    -artifact_prefix="$artifacts" -print_final_stats=1 >"$log" 2>&1
  status=$?
  set -e
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
  if [[ $status -ne 0 ]]; then
    failed+=("$target")
    summary+=("$target: FAILED (exit $status) after ${runs:-?} runs; log $log; inputs in $artifacts")
    tail -n 40 "$log" >&2
  else
    summary+=("$target: ok, ${seconds}s, ${runs:-?} runs, ${rate:-?} exec/s, coverage ${cov:-?} edges")
  fi
done

# cargo-fuzz makes an empty artifacts directory in the fuzz dir even with -artifact_prefix.
find tests/fuzz/artifacts -depth -type d -empty -delete 2>/dev/null || true

printf 'fuzz: %s\n' "${summary[@]}"
if ((${#failed[@]})); then
  echo "fuzz: failing targets: ${failed[*]}" >&2
  exit 1
fi
