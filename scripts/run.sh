#!/usr/bin/env bash
# Sets everything up, then opens Earmark on the bundled sample episode: the first run
# transcribes it on this machine (a progress bar shows the time left), later runs find it
# in the library at once.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
sample=resources/sample/field-notes-back-to-paper.mp3
.venv/bin/earmark open "$sample"
episode=$(.venv/bin/earmark open --json "$sample" \
    | .venv/bin/python -c 'import json, sys; print(json.load(sys.stdin)["id"])')
# Until the window lands: the episode's insights, then its transcript, in a pager.
{
    .venv/bin/earmark insights "$episode"
    echo
    .venv/bin/earmark show "$episode"
} | if [ -t 1 ] && command -v "${PAGER:-less}" >/dev/null; then "${PAGER:-less}" -R; else cat; fi
