#!/usr/bin/env bash
# Installs the Debian packages docqa needs, when it can (`make run`, and with --browser `make test`):
#   libgl1, libglib2.0-0        OpenCV's shared libraries, which RapidOCR (scanned pages, images)
#                               loads; without them OCR refuses those files with a reason
#   chromium, chromium-driver   (--browser) the browser tests: Playwright drives /usr/bin/chromium,
#                               since it cannot download a browser of its own here
set -euo pipefail
missing=()
if [ "${1:-}" = "--browser" ] && [ ! -x /usr/bin/chromium ]; then
    missing+=(chromium chromium-driver)
fi
ldconfig -p | grep -q 'libGL\.so\.1' || missing+=(libgl1)
ldconfig -p | grep -q 'libgthread-2\.0\.so\.0' || missing+=(libglib2.0-0)
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" = 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "note: ${missing[*]} not installed and this user cannot apt-get; the browser tests" >&2
    echo "      will be skipped and OCR may be unavailable. To install: sudo apt-get install ${missing[*]}" >&2
    exit 0
fi
echo "Installing ${missing[*]} (Debian packages)..." >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
