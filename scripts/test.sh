#!/usr/bin/env bash
# Sets everything up, then runs the whole test suite with the layer and lint checks.
# Extra arguments go to pytest (e.g. scripts/test.sh -k search).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh "[test,llm-tests]"
scripts/check_pythons.sh  # Python 3.12 and 3.13: resolved, not run here
export QT_QPA_PLATFORM=offscreen
.venv/bin/lint-imports
.venv/bin/ruff check desktop tests bench
.venv/bin/python -m pytest -n auto --dist loadfile "$@"
