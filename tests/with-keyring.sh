#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring: the real Secret
# Service, in a scratch HOME so no test touches the developer's own keyring.
set -euo pipefail
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/home" "$scratch/run"
chmod 700 "$scratch/run"
export SLOTLINE_REAL_HOME="${HOME:-}"
export HOME="$scratch/home" XDG_RUNTIME_DIR="$scratch/run" XDG_DATA_HOME="$scratch/home/.local/share"
# cargo and rustup live in the real HOME.
export CARGO_HOME="${CARGO_HOME:-$SLOTLINE_REAL_HOME/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$SLOTLINE_REAL_HOME/.rustup}"
exec dbus-run-session -- bash -c '
  printf "slotline-test" | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
  for _ in $(seq 1 100); do
    if dbus-send --session --dest=org.freedesktop.DBus --type=method_call --print-reply \
        /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null \
        | grep -q "boolean true"; then
      exec "$@"
    fi
    sleep 0.1
  done
  echo "with-keyring: the Secret Service did not start" >&2
  exit 1
' bash "$@"
