#!/usr/bin/env bash
# The package, end to end: checks the .deb that `make bundle` built (metadata, dependencies,
# desktop entry, icon, binary size), installs it with apt (as root; which resolves its
# dependencies), launches the installed /usr/bin/slotline under Xvfb through tauri-driver and
# expects the first-run screen, then removes the package again.
# Usage: install-test.sh path/to/slotline_<version>_<arch>.deb
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
deb=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
fail() { echo "bundle test: $*" >&2; exit 1; }

field() { dpkg-deb --field "$deb" "$1"; }
[ "$(field Package)" = slotline ] || fail "package name is $(field Package)"
depends=$(field Depends)
# ca-certificates: Calendly's API and ngrok are verified against the system's roots.
for dep in libwebkit2gtk-4.1-0 libgtk-3-0 libayatana-appindicator3-1 ca-certificates; do
  grep -q "$dep" <<<"$depends" || fail "Depends lacks $dep: $depends"
done
contents=$(dpkg-deb --contents "$deb")
for path in usr/bin/slotline usr/share/applications/Slotline.desktop usr/share/icons/hicolor/128x128/apps/slotline.png usr/share/icons/hicolor/512x512/apps/slotline.png; do
  grep -qE " (\./)?$path\$" <<<"$contents" || fail "the package lacks /$path"
done
# Icons only in real hicolor size folders (a "256x256@2" folder is invisible to desktops).
if grep -E ' (\./)?usr/share/icons/hicolor/[^/]+/' <<<"$contents" | grep -vqE 'hicolor/[0-9]+x[0-9]+/'; then
  fail "an icon sits outside a NxN hicolor folder"
fi
[ "$(grep -o 'libayatana-appindicator3-1' <<<"$depends" | wc -l)" = 1 ] || fail "Depends repeats a package: $depends"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
dpkg-deb --extract "$deb" "$scratch/pkg"
desktop-file-validate "$scratch/pkg/usr/share/applications/Slotline.desktop"
grep -q '^Exec=slotline' "$scratch/pkg/usr/share/applications/Slotline.desktop" \
  || fail "the desktop entry does not start slotline"
size=$(stat -c %s "$scratch/pkg/usr/bin/slotline")
echo "bundle test: release binary $((size / 1024 / 1024)) MiB ($size bytes)"
# No larger than 16.6 MiB (issue 18's budget; opt-level "z" in Cargo.toml's release profile).
budget=$((166 * 1024 * 1024 / 10))
[ "$size" -le "$budget" ] || fail "the release binary is $size bytes, over the 16.6 MiB budget ($budget bytes)"

[ "$(id -u)" = 0 ] || fail "installing the .deb needs root (run as root, as CI does)"
if dpkg-query -W -f='${Status}' slotline 2>/dev/null | grep -q "install ok installed"; then
  fail "slotline is already installed on this machine; remove it first (apt-get remove slotline)"
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends "$deb" >/dev/null
trap 'apt-get remove -y -q slotline >/dev/null 2>&1 || true; rm -rf "$scratch"' EXIT
installed=$(command -v slotline) || fail "slotline is not on PATH after installing"
[ "$installed" = /usr/bin/slotline ] || fail "slotline resolves to $installed"
slotline --version
bash "$here/../e2e/run.sh" /usr/bin/slotline installed.e2e.mjs
echo "bundle test: the installed package starts on the first-run screen"
