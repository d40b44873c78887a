"""Storage faults, caused for real: a full disk, a read-only folder or file, a lock held by
another program, a damaged library file.

Full disks and read-only mounts are made inside a private mount namespace (`unshare -m`),
so the tmpfs and bind mounts vanish with the child and nothing leaks to the machine; that
needs root (as here and in CI). Every fault is met by the real `earmark` in a child
process (follow-up commands such as `db recover` run its main() in this process, to save
start-up time), and the library is checked afterwards by a second program
(integrity_check and row counts).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.core.errors import LibraryCorruptError
from desktop.core.store import CONTENT_TABLES, Library
from tests.conftest import DATA, SAMPLE_VTT
from tests.reliability.helpers import earmark, integrity
from tests.reliability.storage_helpers import (
    EM,
    Run,
    assert_one_clear_line,
    counts,
    damage,
    in_private_mounts,
    needs_namespace,
    sample_library,
    write_vtt,
)

BATCH = [DATA / "importers" / name for name in ("features.srt", "blog.md", "openai.json")]

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
            # a library fault is the same for every file: said once, the rest not tried
            "import": ["import", *map(str, BATCH)],
        },
    )
    for name in ("list", "search", "show"):
        assert read(name).rc == 0, read(name)
    assert [e["id"] for e in json.loads(read("list").out)] == [1]
    assert json.loads(read("search").out), "search found nothing"
    assert "Why I Went Back to Paper" in read("show").out
    assert_one_clear_line(read("note"), str(db), "read-only", "make it writable")
    assert_one_clear_line(read("import"), str(db), "read-only")
    assert f"{len(BATCH) - 1} not tried" in read("import").out
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


def test_the_window_says_a_read_only_library_is_read_only(qtbot, tmp_path: Path) -> None:
    """A library SQLite can only read (as when its folder is mounted read-only) opens,
    shows its episodes, says once that it is read-only, and a note names the problem."""
    from desktop.core.store.connection import _connect_read_only
    from desktop.ui.app import make_application
    from desktop.ui.main_window import MainWindow
    from desktop.ui.session import Session

    db = sample_library(tmp_path / "home")  # closed cleanly: opened immutable, as in a ro mount
    make_application()
    library = Library(_connect_read_only(db), db, read_only=True)
    window = MainWindow(Session(library))
    qtbot.addWidget(window)
    window.show()
    try:
        assert window.banner.level == "warning"
        assert str(db) in window.banner.text() and "read-only" in window.banner.text()
        assert window.session.open_episode(1)
        assert window.transcript.model().rowCount() > 0  # reading works
        assert "read-only" in window.banner.text()  # still said with the episode open
        before = library.notes(1)
        assert window.session.add_note(1, "cannot be kept") is None
        assert window.banner.level == "error" and "read-only" in window.banner.text()
        assert library.notes(1) == before
    finally:
        window.session.shutdown(timeout=30)
        library.close()
