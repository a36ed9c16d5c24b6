#!/usr/bin/env bash
# Installs what Slotline's build and tests need on a fresh Debian/Ubuntu machine, and nothing
# that is already there: Debian packages (through apt as root; otherwise the exact apt line is
# printed), tauri-driver (cargo, pinned to major 2), cargo-fuzz and the UI's npm packages (npm ci).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  libwebkit2gtk-4.1-dev pkg-config libssl-dev libayatana-appindicator3-dev
  xvfb xauth dbus dbus-x11 gnome-keyring libsecret-tools webkit2gtk-driver chromium imagemagick
  desktop-file-utils strace
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    echo "setup: missing Debian packages. Run:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
fi

# tauri-driver drives the real window in the end-to-end tests. crates.io's newest is a 3.0
# alpha: pin major 2.
if ! command -v tauri-driver >/dev/null 2>&1; then
  echo "setup: installing tauri-driver 2 (cargo install)"
  cargo install tauri-driver --version "^2" --locked
fi

# cargo-fuzz runs the fuzz targets in `make test` (briefly) and `make fuzz`. It uses a nightly
# toolchain (and AddressSanitizer) when rustup has one; this machine kind fetches no other
# toolchain, so without one tests/fuzz/run.sh tells stable to accept libFuzzer's flags.
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "setup: installing cargo-fuzz (cargo install)"
  cargo install cargo-fuzz --locked
fi

# npm ci only when package-lock.json changed since the last install.
for dir in ui tests/e2e; do
  [ -f "$dir/package-lock.json" ] || continue
  stamp="$dir/node_modules/.slotline-lock"
  if [ ! -f "$stamp" ] || ! cmp -s "$dir/package-lock.json" "$stamp"; then
    echo "setup: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund)
    cp "$dir/package-lock.json" "$stamp"
  fi
done
