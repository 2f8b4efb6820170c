#!/usr/bin/env bash
# Make sure the Debian tools of the PDF and the browser tests are present:
#   chromium (headless, driven by Playwright) and chromium-driver;
#   poppler-utils (pdftotext reads the whole-book PDF in its test);
#   axe-core (npm, pinned) in .venv/npm, the accessibility checker the page tests run.
# Installs the missing packages with apt-get when run as root; otherwise fails with a clear
# message.  It never lets the browser tests skip silently.
set -euo pipefail
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
AXE_VERSION=4.11.1
AXE_DIR="$(cd "$(dirname "$0")/.." && pwd)/.venv/npm"
if [ ! -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ] \
    || ! grep -q "\"version\": \"$AXE_VERSION\"" "$AXE_DIR/node_modules/axe-core/package.json"; then
    if ! command -v npm >/dev/null 2>&1; then
        echo "ensure_system_tools: npm is needed to install axe-core $AXE_VERSION" >&2
        exit 1
    fi
    npm install --silent --no-save --no-audit --no-fund --prefix "$AXE_DIR" "axe-core@$AXE_VERSION" >&2
fi
missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium chromium-driver)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure_system_tools: installing ${missing[*]} (apt-get)..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    if [ -x "$CHROMIUM" ] && command -v pdftotext >/dev/null 2>&1; then
        exit 0
    fi
fi
cat >&2 <<MSG
ensure_system_tools: missing ${missing[*]} and they cannot be installed here (needs root and
apt-get).  Install them, e.g.  sudo apt-get install chromium chromium-driver poppler-utils,
or point CHROMIUM=/path/to/chromium at another build.  The browser tests do not skip.
MSG
exit 1
