#!/usr/bin/env bash
# Make sure Debian's headless-capable Chromium is present for the browser tests.
# Installs the `chromium` and `chromium-driver` packages when run as root with apt-get;
# otherwise fails with a clear message.  It never lets the browser tests skip silently.
set -euo pipefail
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure_chromium: $CHROMIUM not found; installing Debian's chromium (apt-get)..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
    if [ -x "$CHROMIUM" ]; then
        "$CHROMIUM" --version >&2
        exit 0
    fi
fi
cat >&2 <<MSG
ensure_chromium: no Chromium at $CHROMIUM and it cannot be installed here
(needs root and apt-get).  Install it, e.g.  sudo apt-get install chromium chromium-driver,
or point CHROMIUM=/path/to/chromium at another build.  The browser tests do not skip.
MSG
exit 1
