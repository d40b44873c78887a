"""Storage faults, caused for real: a full disk, a read-only folder or file, a lock held by
another program, a damaged library file.

Full disks and read-only mounts are made inside a private mount namespace (`unshare -m`),
so the tmpfs and bind mounts vanish with the child and nothing leaks to the machine; that
needs root (as here and in CI). Every fault is met by the real `earmark` in a child
process, and the library is checked afterwards by a second program (integrity_check and
row counts).
"""

from __future__ import annotations

import hashlib
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

from desktop.cli.main import main
from desktop.core.errors import LibraryCorruptError
from desktop.core.store import CONTENT_TABLES, Library
from desktop.services.importing import import_transcript
from desktop.services.notes import add_note
from tests.conftest import ROOT, SAMPLE_VTT
from tests.reliability.helpers import EARMARK, earmark, integrity

EM = shlex.join(EARMARK)


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


# --- full disk --------------------------------------------------------------------------


def test_full_disk_during_import_says_so_and_keeps_the_library(tmp_path: Path) -> None:
    needs_namespace()
    home, out = tmp_path / "home", tmp_path / "out"
    home.mkdir()
    (out / "after").mkdir(parents=True)
    big = write_vtt(tmp_path / "big.vtt", cues=4000)
    read = in_private_mounts(
        f"""
        mount -t tmpfs -o size=2m tmpfs {home}
        run small {EM} import {SAMPLE_VTT}
        cp {home}/library.sqlite3 {out}/before.sqlite3
        avail=$(df -k --output=avail {home} | tail -n 1)
        dd if=/dev/zero of={home}/filler bs=1k count=$((avail - 256)) 2>/dev/null
        run big {EM} import {big}
        cp {home}/library.sqlite3* {out}/after/
        """,
        home,
        out,
    )
    assert read("small").rc == 0
    db = home / "library.sqlite3"
    line = assert_one_clear_line(read("big"), str(db), "disk", "is full", "Free some space")
    assert "database or disk is full" not in line
    after = out / "after" / "library.sqlite3"
    assert integrity(after) == "ok"
    before = counts(out / "before.sqlite3")
    assert before["episodes"] == 1 and before["segments"] > 0
    assert counts(after) == before


def test_export_into_a_full_folder_leaves_no_partial_file(tmp_path: Path) -> None:
    needs_namespace()
    home, out, target = tmp_path / "home", tmp_path / "out", tmp_path / "exports"
    sample_library(home)
    out.mkdir()
    target.mkdir()
    read = in_private_mounts(
        f"""
        mount -t tmpfs -o size=256k tmpfs {target}
        dd if=/dev/zero of={target}/filler bs=4k 2>/dev/null || true
        run export {EM} export 1 -o {target}/talk.md
        ls -A {target} >{out}/listing
        """,
        home,
        out,
    )
    assert_one_clear_line(read("export"), str(target / "talk.md"), "No space left on device")
    assert (out / "listing").read_text().split() == ["filler"]  # no talk.md, no temp file


# --- read-only ----------------------------------------------------------------------------


@pytest.mark.parametrize("what", ["folder", "file"])
def test_read_only_library_still_reads_and_refuses_writes_clearly(
    tmp_path: Path, what: str
) -> None:
    needs_namespace()
    home, out = tmp_path / "home", tmp_path / "out"
    db = sample_library(home)
    out.mkdir()
    before = counts(db)
    assert not (home / "library.sqlite3-wal").exists()  # closed cleanly: no -wal, no -shm
    # root ignores file modes, but not a read-only mount: bind the folder (or only the
    # file) onto itself and remount that read-only.
    target = home if what == "folder" else db
    read = in_private_mounts(
        f"""
        mount --bind {target} {target}
        mount -o remount,bind,ro {target}
        batch
        """,
        home,
        out,
        batch={
            "list": ["list", "--json"],
            "search": ["search", "paper", "--json"],
            "show": ["show", "1"],
            "note": ["note", "add", "1", "written while read-only"],
        },
    )
    for name in ("list", "search", "show"):
        assert read(name).rc == 0, read(name)
    assert [e["id"] for e in json.loads(read("list").out)] == [1]
    assert json.loads(read("search").out), "search found nothing"
    assert "Why I Went Back to Paper" in read("show").out
    assert_one_clear_line(read("note"), str(db), "read-only", "make it writable")
    assert integrity(db) == "ok"
    assert counts(db) == before


# --- locked -------------------------------------------------------------------------------

HOLD_LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
"""


def test_a_lock_held_past_the_busy_timeout_names_the_other_program(tmp_path: Path) -> None:
    home = tmp_path / "home"
    db = sample_library(home)
    before = counts(db)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        reader = earmark("list", "--json", home=home)  # WAL: reading goes on meanwhile
        writer = earmark("note", "add", "1", "waiting for the lock", home=home)
    finally:
        assert holder.stdin is not None
        holder.stdin.close()  # held until the writer gave up: longer than its busy timeout
        holder.wait(timeout=30)
    assert reader.returncode == 0 and len(json.loads(reader.stdout)) == 1
    line = assert_one_clear_line(
        Run(writer.returncode, writer.stdout, writer.stderr),
        str(db),
        "in use by another program",
        "try again",
    )
    assert "database is locked" not in line
    assert counts(db) == before


# --- damaged ------------------------------------------------------------------------------


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


@pytest.fixture
def long_transcript(tmp_path: Path) -> Path:
    return write_vtt(tmp_path / "long.vtt", cues=1500)


CliRunner = Callable[..., Run]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The real CLI's main() in this process (no start-up cost) on the library in `home`;
    an uncaught exception fails the test just as a traceback would."""

    def run(home: Path, *args: str) -> Run:
        monkeypatch.setenv("EARMARK_HOME", str(home))
        capsys.readouterr()
        rc = main(list(args))
        captured = capsys.readouterr()
        return Run(rc, captured.out, captured.err)

    return run


@pytest.mark.parametrize("how", ["truncated", "page", "not-sqlite"])
def test_a_damaged_library_is_named_and_can_be_moved_aside(
    tmp_path: Path, long_transcript: Path, cli: CliRunner, how: str
) -> None:
    home = tmp_path / "home"
    db = sample_library(home, extra=long_transcript)
    damage(db, how)
    damaged = hashlib.sha256(db.read_bytes()).hexdigest()

    show = earmark("show", "1", home=home)  # a real process: no traceback, one line
    assert_one_clear_line(
        Run(show.returncode, show.stdout, show.stderr), str(db), "damaged", "earmark db recover"
    )

    recover = cli(home, "db", "recover", "--json")
    assert recover.rc == 0, recover.err
    moved = Path(json.loads(recover.out)["moved_to"])
    assert moved.parent == home and moved.name.startswith("library.sqlite3.damaged-")
    assert hashlib.sha256(moved.read_bytes()).hexdigest() == damaged  # kept as it was
    assert integrity(db) == "ok"
    assert counts(db) == dict.fromkeys(CONTENT_TABLES, 0)


def test_db_check_lists_the_problems_of_a_damaged_page(
    tmp_path: Path, long_transcript: Path, cli: CliRunner
) -> None:
    home = tmp_path / "home"
    db = sample_library(home, extra=long_transcript)
    ok = cli(home, "db", "check")
    assert ok.rc == 0 and ok.out.strip() == f"{db}: ok (2 episodes)"
    damage(db, "page")
    bad = cli(home, "db", "check")
    assert bad.out.strip(), "no problems listed"
    assert_one_clear_line(bad, str(db), "damaged", "earmark db recover")


def test_recover_refuses_a_sound_library(tmp_path: Path, cli: CliRunner) -> None:
    home = tmp_path / "home"
    db = sample_library(home)
    before = counts(db)
    assert_one_clear_line(cli(home, "db", "recover"), str(db), "--force")
    assert [p.name for p in home.iterdir() if "damaged" in p.name] == []
    assert counts(db) == before


@pytest.mark.parametrize("how", ["truncated", "page", "not-sqlite"])
def test_library_raises_library_corrupt_error_naming_the_file(
    tmp_path: Path, long_transcript: Path, how: str
) -> None:
    """At open when the header or schema is hit; else at the first query that meets it."""
    db = sample_library(tmp_path / "home", extra=long_transcript)
    damage(db, how)
    with pytest.raises(LibraryCorruptError) as caught, Library.open(db) as library:
        assert how == "page", "opened a library whose header is damaged"
        library.segments(1)
    assert caught.value.path == db and str(db) in str(caught.value)


# --- the window's offer at start ----------------------------------------------------------


def answer_box(button: str, seen: list[str]) -> None:
    """Click `button` on the message box once it shows (its text goes into `seen`); after
    5 s without one, close any box so that a test fails instead of hanging."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    def poll(tries: int) -> None:
        widgets = QApplication.topLevelWidgets()
        boxes = [w for w in widgets if isinstance(w, QMessageBox) and w.isVisible()]
        for box in boxes:
            seen.append(f"{box.text()} {box.informativeText()}")
            for candidate in box.buttons():
                if candidate.text() == button:
                    candidate.click()
                    return
            box.reject()
            return
        if tries:
            QTimer.singleShot(20, lambda: poll(tries - 1))

    QTimer.singleShot(0, lambda: poll(250))


@pytest.mark.parametrize("choice", ["Move aside and start afresh", "Quit"])
def test_window_start_offers_to_move_a_damaged_library_aside(
    qtbot: object, tmp_path: Path, choice: str
) -> None:
    from desktop.ui.recovery import START_AFRESH, open_library

    db = sample_library(tmp_path / "home")
    damage(db, "not-sqlite")
    damaged = db.read_bytes()
    seen: list[str] = []
    answer_box(choice, seen)
    library = open_library(db)
    assert seen and str(db) in seen[0] and "library.sqlite3.damaged-" in seen[0]
    aside = [p for p in db.parent.iterdir() if p.name.startswith("library.sqlite3.damaged-")]
    if choice == START_AFRESH:
        assert library is not None
        with library:
            assert library.row_counts() == dict.fromkeys(CONTENT_TABLES, 0)
        assert len(aside) == 1 and aside[0].read_bytes() == damaged
        assert aside[0].name in seen[0]  # the box said where the file would go
    else:
        assert library is None
        assert aside == [] and db.read_bytes() == damaged
