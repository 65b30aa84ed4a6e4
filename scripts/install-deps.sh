#!/bin/sh
# Installs, on Debian 12, the packages libslat's build, tests, examples and
# documentation need, skipping those already present. Run as root.
set -eu

PACKAGES="
	autoconf automake libtool pkg-config make gcc g++
	libcmocka-dev valgrind doxygen
	clang libclang-rt-14-dev lcov
	gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu
	qemu-system-x86 qemu-system-arm
	bochs bochsbios
	chromium abigail-tools debhelper lintian dpkg-dev fakeroot man-db build-essential
	groff-base busybox-static cpio
	device-tree-compiler
"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
fetch_guests() {
	# The Linux guests of the example hypervisors (kernel + busybox).
	"$(dirname "$0")/fetch-linux.sh" amd64
	"$(dirname "$0")/fetch-linux.sh" arm64
}
if [ -z "$missing" ]; then
	echo "install-deps: every package is installed"
	fetch_guests
	exit 0
fi
echo "install-deps: installing$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: run as root (or install:$missing)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "install-deps: done"
fetch_guests
