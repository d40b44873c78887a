#!/usr/bin/env bash
# Builds Earmark as a one-folder bundle with PyInstaller: dist/earmark/earmark runs on a
# Linux machine without Python (same or newer glibc than the build machine). It carries
# the embedded Whisper model, Qt's platform and multimedia plugins, resources/ and the
# sample. Prints the build time and the bundle's size.
#
#     packaging/build.sh            (after scripts/setup.sh; installs the `bundle` extra)
#     dist/earmark/earmark FILE     the window;  dist/earmark/earmark desktop install
set -euo pipefail
cd "$(dirname "$0")/.."
if ! .venv/bin/python -c "import PyInstaller" 2>/dev/null; then
    .venv/bin/python -m pip install --quiet -e ".[bundle]"
fi
start=$(date +%s.%N)
.venv/bin/python -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/earmark.spec
end=$(date +%s.%N)
size=$(du -sm dist/earmark | cut -f1)
printf 'build: dist/earmark in %.1f s, %s MB (%s files)\n' \
    "$(echo "$end - $start" | bc)" "$size" "$(find dist/earmark -type f | wc -l)"
