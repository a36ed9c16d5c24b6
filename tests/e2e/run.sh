#!/usr/bin/env bash
# The real window, end to end: Xvfb, the real Secret Service, tauri-driver + WebKitWebDriver,
# and the node test runner driving the app through WebDriver.
# Usage: run.sh path/to/slotline [test files, default: every *.test.mjs]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
export E2E_TESTS="${*:-}"
artifacts="$here/../artifacts"
mkdir -p "$artifacts"

display=""
for n in $(seq 90 120); do
  if [ ! -e "/tmp/.X11-unix/X$n" ] && [ ! -e "/tmp/.X$n-lock" ]; then display=":$n"; break; fi
done
[ -n "$display" ] || { echo "e2e: no free X display" >&2; exit 1; }
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
export DISPLAY=$display
for _ in $(seq 1 50); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done

export SLOTLINE_BIN="$bin" SLOTLINE_E2E_ARTIFACTS="$artifacts"

# A Calendly to connect to with OAuth: the sandbox as its own process. The app opens the
# authorize URL with $BROWSER, here a headless Chromium that presses Allow.
sandbox_out="$artifacts/sandbox.out"
"$bin" sandbox >"$sandbox_out" 2>"$artifacts/sandbox.err" &
sandbox=$!
trap 'kill $xvfb $sandbox 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q '^API URL: ' "$sandbox_out" && break; sleep 0.1; done
api=$(sed -n 's/^API URL: //p' "$sandbox_out")
[ -n "$api" ] || { echo "e2e: the sandbox did not start" >&2; cat "$artifacts/sandbox.err" >&2; exit 1; }
export SLOTLINE_CALENDLY_API_URL="$api" SLOTLINE_CALENDLY_AUTH_URL="$api"
export SLOTLINE_OAUTH_CLIENT_ID=slotline-sandbox-client
export BROWSER="node $here/approve.mjs"
export SLOTLINE_DATA_DIR=$(mktemp -d)
# tauri-driver, WebKitWebDriver and the app all start inside the keyring's D-Bus session.
bash "$here/../with-keyring.sh" bash -c '
  set -euo pipefail
  port=$(python3 -c "import socket; s=socket.socket(); s.bind((\"127.0.0.1\",0)); print(s.getsockname()[1])")
  native=$(python3 -c "import socket; s=socket.socket(); s.bind((\"127.0.0.1\",0)); print(s.getsockname()[1])")
  tauri-driver --port "$port" --native-port "$native" >"$SLOTLINE_E2E_ARTIFACTS/tauri-driver.log" 2>&1 &
  driver=$!
  trap "kill $driver 2>/dev/null || true" EXIT
  for _ in $(seq 1 100); do
    (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break
    sleep 0.1
  done
  export TAURI_DRIVER_PORT=$port
  cd "'"$here"'"
  if [ -n "$E2E_TESTS" ]; then node --test --test-concurrency=1 $E2E_TESTS; else npm test; fi
'
