#!/usr/bin/env bash
# Sets everything up, then opens the Earmark window on the bundled sample episode (a real
# five-minute NASA podcast interview): the first run transcribes it on this machine, with
# rows appearing live and the time left in the status bar, then makes its insights; later
# runs find it in the library at once. Extra arguments are passed to `earmark`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/earmark resources/sample/nasa-hwhap414-science-in-space.mp3 "$@"
