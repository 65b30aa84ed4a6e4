#!/bin/sh
# slat-map from the command line: the dump of the demo table, read back,
# draws byte for byte the page drawn from the live table; bad input is
# refused with the line number and exit status 1.
set -eu
map=./tools/slat-map/slat-map
out=tests/map/cli
mkdir -p tests/map
rm -f "$out".*

"$map" --demo --print-dump >"$out.dump"
# Every line of the dump is a mapping (the reader is strict).
[ "$(grep -c '^0x[0-9a-f]\{16\}-0x[0-9a-f]\{16\} -> 0x' "$out.dump")" -eq "$(wc -l <"$out.dump")" ]
"$map" --demo --title T -o "$out.live.html"
"$map" --ia-bits 48 --title T -o "$out.read.html" "$out.dump"
cmp "$out.live.html" "$out.read.html"
# The same through standard input.
"$map" --ia-bits 48 --title T - <"$out.dump" | cmp - "$out.live.html"

# A line that is not from slat_dump(): refused, named by its number.
{ head -n 3 "$out.dump"; echo "EPTP = 0x1000001e"; } >"$out.bad"
if "$map" "$out.bad" >/dev/null 2>"$out.err"; then
	echo "cli: a bad dump was accepted"; exit 1
fi
grep -q "cli.bad:4:" "$out.err"
grep -q "SLAT_EPARSE" "$out.err"
# Runs beyond the width asked for.
if "$map" --ia-bits 32 "$out.dump" >/dev/null 2>"$out.err"; then
	echo "cli: runs beyond 32 bits were drawn"; exit 1
fi
grep -q "SLAT_EGPA" "$out.err"
# Usage errors exit 2.
set +e
"$map" >/dev/null 2>&1; [ $? -eq 2 ] || { echo "cli: no input accepted"; exit 1; }
"$map" --ia-bits 99 "$out.dump" >/dev/null 2>&1; [ $? -eq 2 ] || { echo "cli: --ia-bits 99"; exit 1; }
set -e
echo "cli: ok ($(wc -l <"$out.dump") runs, $(wc -c <"$out.live.html") bytes of HTML)"
