#!/bin/sh
exec "${SHELL:-/bin/sh}" "$(dirname "$0")/freestanding.sh" aarch64
