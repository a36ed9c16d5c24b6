#!/usr/bin/env bash
# The calendar bench in the app's own window (issue 16): seeds a real store with a month of 600
# and a month of 5,000 meetings, then runs calendar-webkit.mjs against the app through
# tauri-driver under Xvfb, inside a private keyring. Prints a Markdown section.
# Usage: calendar-webkit.sh path/to/slotline   (`make bench` passes the release binary)
# Environment: CALENDAR_BENCH_MODES, CALENDAR_BENCH_RUNS (see calendar-webkit.mjs),
# SLOTLINE_BENCH_SUMMARY, CALENDAR_SEED_CARGO_ARGS (extra `cargo bench` flags for the seeder,
# e.g. "--profile dev" while developing).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

if [ "${1:-}" != "--inside-keyring" ]; then
  [ -x "${1:-}" ] || { echo "usage: $0 path/to/slotline" >&2; exit 2; }
  bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
  display=""
  for n in $(seq 170 210); do
    if [ ! -e "/tmp/.X11-unix/X$n" ] && [ ! -e "/tmp/.X$n-lock" ]; then display=":$n"; break; fi
  done
  [ -n "$display" ] || { echo "calendar bench: no free X display" >&2; exit 1; }
  Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb=$!
  data=$(mktemp -d)
  trap 'kill $xvfb 2>/dev/null || true; rm -rf "$data"' EXIT
  for _ in $(seq 1 50); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
  # UTC for the app, its webview and the seeded layout alike; no $BROWSER to open. Only the
  # bench's section goes to stdout (fd 3): services the D-Bus session starts (the accessibility
  # registry) print to its stdout.
  DISPLAY=$display TZ=UTC SLOTLINE_DATA_DIR=$data BROWSER=true \
    bash "$here/../with-keyring.sh" bash "$here/calendar-webkit.sh" --inside-keyring "$bin" 3>&1 >&2
  exit
fi

bin=$2
db=$SLOTLINE_DATA_DIR/slotline.db
# An account connected from the sandbox and synced (the token goes to this keyring); the sandbox
# has no meetings and is stopped before the window opens, so the window's start-up sync fails
# as on an offline laptop and removes none of the meetings added below.
token="bench-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
sandbox_out=$(mktemp)
"$bin" sandbox --events 0 --token "$token" >"$sandbox_out" 2>&1 &
sandbox=$!
trap 'kill $sandbox 2>/dev/null || true; rm -f "$sandbox_out"' EXIT
for _ in $(seq 1 100); do grep -q '^API URL: ' "$sandbox_out" && break; sleep 0.1; done
api=$(sed -n 's/^API URL: //p' "$sandbox_out")
[ -n "$api" ] || { echo "calendar bench: the sandbox did not start" >&2; cat "$sandbox_out" >&2; exit 1; }
echo "$token" | SLOTLINE_CALENDLY_API_URL=$api SLOTLINE_CALENDLY_AUTH_URL=$api "$bin" connect --token-stdin >/dev/null
SLOTLINE_CALENDLY_API_URL=$api SLOTLINE_CALENDLY_AUTH_URL=$api "$bin" sync >/dev/null 2>&1
kill $sandbox
wait $sandbox 2>/dev/null || true

# The months, from this one (UTC): 600 meetings in the next, 5,000 two months later, each after
# an empty month (the probe counts the whole six-week grid, and every run starts from a month
# with nothing to remove, as in the Chromium bench); the empty baseline after an empty month.
month() { date -u -d "$(date -u +%Y-%m-01) +$1 month" +%Y-%m; }
m600=$(month 1) m5000=$(month 3) m0=$(month 5)
(cd "$here/../.." && cargo bench --quiet --features test-support --bench calendar_seed ${CALENDAR_SEED_CARGO_ARGS:-} -- \
  "$db" "${m600%-*}" "${m600#*-}" 600 "${m5000%-*}" "${m5000#*-}" 5000) >&2

# Expected counts are what was seeded: check the SQLite file holds exactly that, month by month.
python3 - "$db" "$m600:600" "$(month 2):0" "$m5000:5000" "$(month 4):0" "$m0:0" "$(month 6):0" "$(month 0):0" <<'EOF'
import datetime, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for spec in sys.argv[2:]:
    ym, want = spec.split(":")
    y, m = map(int, ym.split("-"))
    lo = datetime.datetime(y, m, 1, tzinfo=datetime.timezone.utc)
    hi = datetime.datetime(y + m // 12, m % 12 + 1, 1, tzinfo=datetime.timezone.utc)
    got = db.execute("SELECT count(*) FROM scheduled_events WHERE status = 'active' AND start_ms >= ? AND start_ms < ?",
                     (int(lo.timestamp() * 1000), int(hi.timestamp() * 1000))).fetchone()[0]
    if got != int(want):
        sys.exit(f"calendar bench: {ym} holds {got} meetings in the store, {want} were seeded")
total = db.execute("SELECT count(*) FROM scheduled_events").fetchone()[0]
if total != 5600:
    sys.exit(f"calendar bench: the store holds {total} meetings, 5,600 were seeded")
EOF

export SLOTLINE_BIN=$bin CALENDAR_BENCH_PLAN="$m600:600 $m5000:5000 $m0:0"
node "$here/calendar-webkit.mjs" >&3
