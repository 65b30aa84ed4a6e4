#!/bin/sh
# Fetches, from Debian's archive, what the Linux-guest runs of the example
# hypervisors boot: the current Debian 12 kernel image and busybox-static for
# one architecture, unpacked under $SLAT_LINUX_CACHE/<arch>/ (default
# /var/cache/libslat/linux). Run as root by install-deps.sh; the tests read
# the cache and fetch nothing. Whatever kernel version Debian serves is
# taken (its archive keeps only the current one); the version is written to
# <arch>/kernel-version and printed by the tests.
#
#   scripts/fetch-linux.sh amd64|arm64
set -eu
arch=${1:?usage: fetch-linux.sh amd64|arm64}
cache=${SLAT_LINUX_CACHE:-/var/cache/libslat/linux}
dir=$cache/$arch

if [ -s "$dir/vmlinuz" ] && [ -x "$dir/busybox" ]; then
	echo "fetch-linux: $arch: kernel $(cat "$dir/kernel-version") already in $dir"
	exit 0
fi
if [ "$arch" = arm64 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
	dpkg --add-architecture arm64
	apt-get update -qq
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"  # apt-get download runs as _apt
cd "$tmp"
# The meta package names the versioned image package it depends on.
image_name() {
	apt-cache depends "linux-image-$arch:$arch" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ :]*\).*/\1/p' | head -n 1
}
image=$(image_name)
if [ -z "$image" ]; then
	apt-get update -qq
	image=$(image_name)
fi
[ -n "$image" ] || { echo "fetch-linux: no linux-image-$arch in the package lists" >&2; exit 1; }
apt-get download -qq "$image:$arch" "busybox-static:$arch"
mkdir -p x
for deb in ./*.deb; do dpkg-deb -x "$deb" x; done

mkdir -p "$dir"
cp x/boot/vmlinuz-* "$dir/vmlinuz"
cp x/bin/busybox "$dir/busybox"
basename x/boot/vmlinuz-* | sed 's/^vmlinuz-//' >"$dir/kernel-version"
echo "fetch-linux: $arch: kernel $(cat "$dir/kernel-version") in $dir"
