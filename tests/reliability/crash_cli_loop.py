"""Run `earmark` commands back to back in one process, for the concurrency test.

    python -m tests.reliability.crash_cli_loop SECONDS notes EPISODE PREFIX
    python -m tests.reliability.crash_cli_loop SECONDS import FILE...

Each call is `desktop.cli.main.main(argv)`, exactly what the `earmark` command runs (it opens
and closes the library itself), without a new interpreter each time: far more writes per
second than separate processes manage, so they overlap the window's writes far more often.
`notes` adds notes that each end in a word of their own (PREFIX0007x); `import` imports
the files a few at a time. Prints one JSON list: per call its argv, exit status, stdout and stderr.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import time
from collections.abc import Iterator

from desktop.cli.main import main

PAUSE = 0.01  # seconds between calls: room for the other writers' CPU on a small machine
BATCH = 4


def note_calls(episode: str, prefix: str) -> Iterator[list[str]]:
    n = 0
    while True:
        yield ["note", "add", episode, f"Added from the command line: {prefix}{n:04d}x", "--json"]
        n += 1


def import_calls(files: list[str]) -> Iterator[list[str]]:
    for first in range(0, len(files), BATCH):
        yield ["import", *files[first : first + BATCH], "--json"]


def run(argv: list[str]) -> dict[str, object]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return {"argv": argv, "code": code, "stdout": out.getvalue(), "stderr": err.getvalue()}


def loop(seconds: float, kind: str, args: list[str]) -> list[dict[str, object]]:
    calls = note_calls(*args) if kind == "notes" else import_calls(args)
    until = time.monotonic() + seconds
    results = []
    for argv in calls:
        if time.monotonic() >= until:
            break
        results.append(run(argv))
        time.sleep(PAUSE)
    return results


if __name__ == "__main__":
    print(json.dumps(loop(float(sys.argv[1]), sys.argv[2], sys.argv[3:])))
