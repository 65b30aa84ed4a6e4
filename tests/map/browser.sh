#!/bin/sh
# slat-map in a real browser: headless Chromium opens the demo page from a
# file:// URL inside tests/map/probe.html, which checks in the rendered
# layout that the known ranges are drawn, visible and linked, and that a
# click and a #anchor zoom in (see probe.html). Keeps two screenshots as
# build artefacts: tests/map/slat-map-demo.png (zoomed into a 2 MiB region)
# and tests/map/slat-map-overview.png. SKIP (77) without chromium.
set -eu
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
	echo "browser: chromium not installed (Debian package chromium): SKIP"
	exit 77
fi
out=$(pwd)/tests/map
mkdir -p "$out"
rm -f "$out"/slat-map-demo.* "$out"/slat-map-overview.png "$out"/probe.dom
./tools/slat-map/slat-map --demo -o "$out/slat-map-demo.html"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT

# A fresh profile, nothing from the network; file:// frames may read each
# other (--allow-file-access-from-files) so that the probe can inspect the
# page it framed. The virtual time budget lets the probe's frames load.
browse() {
	timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$profile" --hide-scrollbars \
		--allow-file-access-from-files --virtual-time-budget=10000 "$@" 2>>"$out/chromium.log"
}

browse --dump-dom "file://$srcdir/tests/map/probe.html?page=file://$out/slat-map-demo.html" \
	>"$out/probe.dom"
sed -n '/<pre id="result">/,/<\/pre>/p' "$out/probe.dom" | sed 's/<[^>]*>//g'
grep -q '^RESULT: ok' "$out/probe.dom" || { echo "browser: probe failed"; exit 1; }
# The probe ran all its checks (a truncated run must not pass).
[ "$(grep -c '^ok ' "$out/probe.dom")" -ge 40 ] || { echo "browser: too few checks"; exit 1; }

browse --window-size=1400,940 --screenshot="$out/slat-map-demo.png" \
	"file://$out/slat-map-demo.html#m-0000000000e00000"
browse --window-size=1400,940 --screenshot="$out/slat-map-overview.png" \
	"file://$out/slat-map-demo.html"
for png in "$out/slat-map-demo.png" "$out/slat-map-overview.png"; do
	# A PNG signature and more than a blank page's worth of bytes.
	[ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
		{ echo "browser: $png is not a PNG"; exit 1; }
	[ "$(wc -c <"$png")" -gt 20000 ] || { echo "browser: $png looks blank"; exit 1; }
done
echo "browser: ok; screenshots in $out"
