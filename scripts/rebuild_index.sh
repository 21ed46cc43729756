#!/usr/bin/env bash
# Rebuilds the index from scratch: `scripts/rebuild_index.sh [PATH ...] [--index DIR]`.
# The live index keeps answering until the new one is published.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/docqa ingest --rebuild "$@"
