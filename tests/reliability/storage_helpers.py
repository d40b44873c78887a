"""Helpers for test_storage_faults.py: faults made in a private mount namespace, damage
done to a library file, and the checks every fault test makes."""

from __future__ import annotations

import json
import os
import random
import shlex
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from desktop.core.store import CONTENT_TABLES, Library
from desktop.services.importing import import_transcript
from desktop.services.notes import add_note
from tests.conftest import ROOT, SAMPLE_VTT
from tests.reliability.helpers import EARMARK

EM = shlex.join(EARMARK)  # `earmark` as a shell command line


@cache
def namespace_problem() -> str | None:
    """Why mounts in a private namespace are impossible here (None: they work)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "needs root to mount a tmpfs or a read-only bind mount"
    if shutil.which("unshare") is None:
        return "needs unshare(1) for a private mount namespace"
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"unshare -m does not work here: {probe.stderr.strip()}"
    return None


def needs_namespace() -> None:
    reason = namespace_problem()
    if reason:
        pytest.skip(reason)


@dataclass
class Run:
    rc: int
    out: str
    err: str


# Runs several `earmark` commands in one child process (the real main(), one Library.open
# each), recording them like `run` does: child start-up is most of a command's time here.
BATCH = """
import contextlib, io, json, os, sys
from pathlib import Path
from desktop.cli.main import main
out = Path(os.environ["OUT"])
for name, args in json.loads(os.environ["EARMARK_BATCH"]).items():
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        rc = main(args)
    (out / f"{name}.rc").write_text(str(rc))
    (out / f"{name}.out").write_text(stdout.getvalue())
    (out / f"{name}.err").write_text(stderr.getvalue())
"""


def in_private_mounts(
    script: str, home: Path, out: Path, batch: dict[str, list[str]] | None = None
) -> Callable[[str], Run]:
    """Run `script` with sh in a private mount namespace. In it, `run NAME CMD...` records
    a command's exit status and output under `out`, and `batch` runs the `batch` commands
    ({NAME: earmark arguments}) the same way. Returns a reader of those records."""
    prelude = (
        'run() { name=$1; shift; set +e; "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"; '
        'echo $? >"$OUT/$name.rc"; set -e; }\n'
        f'batch() {{ {shlex.quote(sys.executable)} -c "$BATCH"; }}\n'
    )
    env = {
        **os.environ,
        "EARMARK_HOME": str(home),
        "OUT": str(out),
        "BATCH": BATCH,
        "EARMARK_BATCH": json.dumps(batch or {}),
    }
    child = subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-euc", prelude + script],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert child.returncode == 0, child.stderr

    def read(name: str) -> Run:
        rc = int((out / f"{name}.rc").read_text())
        return Run(rc, (out / f"{name}.out").read_text(), (out / f"{name}.err").read_text())

    return read


def counts(db: Path) -> dict[str, int]:
    """Row counts read by a second program (with the -wal beside the file, if any).

    Closed at once: an open connection would keep the -wal and -shm files in place.
    """
    with closing(sqlite3.connect(db)) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in CONTENT_TABLES}


def assert_one_clear_line(run: Run, *needles: str) -> str:
    """The command failed with exactly one 'earmark: error:' line holding every needle."""
    assert run.rc == 1, run
    assert "Traceback" not in run.err
    lines = run.err.strip().splitlines()
    assert len(lines) == 1, run.err
    assert lines[0].startswith("earmark: error: ")
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def write_vtt(path: Path, cues: int) -> Path:
    """A long, varied transcript (a few hundred bytes per cue once indexed)."""
    words = ["paper", "notebook", "pencil", "margin", "index", "archive", "ledger", "ink"]
    rng = random.Random(cues)
    lines = ["WEBVTT", ""]
    for n in range(cues):
        text = " ".join(rng.choice(words) for _ in range(18))
        lines += [f"00:{n // 60 % 60:02d}:{n % 60:02d}.000 --> 00:{n // 60 % 60:02d}:"
                  f"{n % 60:02d}.900", f"Cue {n}: {text}.", ""]  # fmt: skip
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def sample_library(home: Path, extra: Path | None = None) -> Path:
    """A library in `home` holding `extra` (episode 1, when given), the sample and a note."""
    home.mkdir(parents=True, exist_ok=True)
    db = home / "library.sqlite3"
    with Library.open(db) as library:
        if extra is not None:
            import_transcript(library, extra)
        episode = import_transcript(library, SAMPLE_VTT).episode
        add_note(library, episode.id, "paper beats screens", at=5.0)
    return db


def damage(db: Path, how: str) -> None:
    """Truncate the file, overwrite one page in its middle, or replace it with text."""
    if how == "truncated":
        os.truncate(db, db.stat().st_size // 2)
    elif how == "page":
        # A leaf page of the segments table near the middle of the file, so that showing
        # episode 1 meets it (a random page could belong to an index no query reads).
        with closing(sqlite3.connect(db)) as conn:
            size = conn.execute("PRAGMA page_size").fetchone()[0]
            pages = [
                row[0]
                for row in conn.execute(
                    "SELECT pageno FROM dbstat WHERE name = 'segments' AND pagetype = 'leaf'"
                )
            ]
        middle = db.stat().st_size // size // 2
        page = min(pages, key=lambda p: abs(p - middle))
        with db.open("r+b") as fh:
            fh.seek((page - 1) * size)
            fh.write(random.Random(page).randbytes(size))
    else:
        db.write_text("These are my notes, not a library.\n", encoding="utf-8")
