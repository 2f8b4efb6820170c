#!/usr/bin/env bash
# Make sure the tools of the PDF and the browser tests are present:
#   chromium (headless, driven by Playwright) and chromium-driver, from Debian;
#   poppler-utils (pdftotext and pdftoppm read the whole-book PDF in its tests), from Debian;
#   with --axe, also axe-core (npm, pinned) in .venv/npm, the accessibility checker the page
#   tests run (npm itself from Debian when it is missing).
# Installs what is missing with apt-get when run as root; otherwise fails with a clear
# message.  It never lets the browser tests skip silently.
set -euo pipefail
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
AXE_VERSION=4.11.1
AXE_DIR="$(cd "$(dirname "$0")/.." && pwd)/.venv/npm"
WANT_AXE=0
[ "${1:-}" = "--axe" ] && WANT_AXE=1

have_all() {
    [ -x "$CHROMIUM" ] && command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 \
        && { [ $WANT_AXE = 0 ] || command -v npm >/dev/null 2>&1; }
}

if ! have_all; then
    missing=()
    [ -x "$CHROMIUM" ] || missing+=(chromium chromium-driver)
    command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
    [ $WANT_AXE = 0 ] || command -v npm >/dev/null 2>&1 || missing+=(npm)
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "ensure_system_tools: installing ${missing[*]} (apt-get)..." >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
    if ! have_all; then
        cat >&2 <<MSG
ensure_system_tools: missing ${missing[*]} and they cannot be installed here (needs root and
apt-get).  Install them, e.g.  sudo apt-get install ${missing[*]}, or point
CHROMIUM=/path/to/chromium at another build.  The browser tests do not skip.
MSG
        exit 1
    fi
fi

if [ $WANT_AXE = 1 ] && { [ ! -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ] \
    || ! grep -q "\"version\": \"$AXE_VERSION\"" "$AXE_DIR/node_modules/axe-core/package.json"; }; then
    npm install --silent --no-save --no-audit --no-fund --prefix "$AXE_DIR" "axe-core@$AXE_VERSION" >&2
fi
exit 0
