#!/usr/bin/env bash
# Debian's chromium for the browser tests (idempotent). Playwright drives it through
# executable_path; a browser download (`playwright install`) is never used.
set -euo pipefail

if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then SUDO=; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
        echo "browser_setup: chromium missing and no root to apt-get install it" >&2; exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    # Try without refreshing first (fast when the lists are current), then refresh once.
    $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 \
        || { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
fi
chromium --version 2>/dev/null | grep -v 'unexpected operator' || true

# It must really start headless here (flags as in the tests' conftest).
udd=$(mktemp -d)
trap 'rm -rf "$udd"' EXIT
out=$(timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --disable-background-networking --disable-component-update --disable-sync --no-first-run \
    --disable-quic --user-data-dir="$udd" --dump-dom 'data:text/html,<p id=ok>chromium-ok</p>' 2>/dev/null || true)
case "$out" in
    *chromium-ok*) echo "browser_setup: headless chromium OK" ;;
    *) echo "browser_setup: chromium is installed but did not render a page headless" >&2; exit 1 ;;
esac
