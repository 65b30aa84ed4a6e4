#!/bin/sh
exec "${SHELL:-/bin/sh}" "$(dirname "$0")/freestanding.sh" x86_64
