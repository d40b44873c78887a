#!/usr/bin/env bash
# Checks that Earmark's dependencies (and the test extra's) resolve to binary wheels for
# every Python that pyproject.toml admits beyond the one tested here (3.11), so a user on
# Ubuntu 24.04, Debian 13 or a current macOS Python can install it. pip resolves without
# installing (--dry-run), reading metadata only: a few seconds a version. The optional
# `llm` extra is left out: llama-cpp-python has no wheels and builds on any Python.
set -euo pipefail
cd "$(dirname "$0")/.."
target=$(mktemp -d)
trap 'rm -rf "$target"' EXIT
for version in 3.12 3.13; do
    for extra in "" "[test]"; do
        if ! .venv/bin/python -m pip install --quiet --dry-run --ignore-installed \
            --only-binary=:all: --python-version "$version" --target "$target/$version" \
            ".$extra" 2>"$target/log"; then
            grep -v "WARNING: Location" "$target/log" >&2 || true
            echo "check_pythons: Earmark$extra does not resolve on Python $version" >&2
            exit 1
        fi
    done
    echo "check_pythons: Python $version resolves (Earmark and its test extra, wheels only)"
done
