#!/usr/bin/env bash
# Sets everything up, then opens Earmark on the bundled sample episode.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
sample=resources/sample/field-notes-back-to-paper.vtt
episode=$(.venv/bin/earmark import --json "$sample" \
    | .venv/bin/python -c 'import json, sys; print(json.load(sys.stdin)["episodes"][0]["id"])')
exec .venv/bin/earmark show "$episode"
