#!/usr/bin/env bash
# Installs Debian's Chromium and ChromeDriver for the browser tests, when it can.
# Playwright cannot download its own browser here, so it drives /usr/bin/chromium.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" = 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "note: Chromium is not installed and this user cannot apt-get; the browser tests will be skipped." >&2
    echo "      To run them: sudo apt-get install chromium chromium-driver" >&2
    exit 0
fi
echo "Installing chromium and chromium-driver (Debian packages) for the browser tests..." >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
