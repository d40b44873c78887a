#!/usr/bin/env bash
# Sets everything up, then opens Earmark on the bundled sample episode.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
sample=resources/sample/field-notes-back-to-paper.vtt
episode=$(.venv/bin/earmark import --json "$sample" \
    | .venv/bin/python -c 'import json, sys; print(json.load(sys.stdin)["episodes"][0]["id"])')
# Until the window lands: the sample's insights, then its transcript, in a pager.
{
    .venv/bin/earmark insights "$episode"
    echo
    .venv/bin/earmark show "$episode"
} | if [ -t 1 ] && command -v "${PAGER:-less}" >/dev/null; then "${PAGER:-less}" -R; else cat; fi
