"""The window and `earmark` commands writing one library at the same time.

For a fixed stretch, the real window (MainWindow over a Session, offscreen) adds notes and
corrects segments through the Session, the way its dialogs and editor do, while other
processes write too: `earmark import` of small transcripts and `earmark note add`, each both
as a new process per call (from threads here) and back to back in one process
(crash_cli_loop.py: many more writes a second), and the window's own insights job.
Afterwards nothing failed anywhere (no "database is locked" or any other error in a
command's stderr or the window's banner), every write is in the library, and search finds
every note, corrected word and imported file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from desktop.core.search import search
from desktop.core.store import Library
from desktop.services.importing import import_paths
from desktop.ui.app import make_application
from desktop.ui.main_window import MainWindow
from desktop.ui.session import Session
from tests.reliability.crash_cli_loop import import_calls, note_calls
from tests.reliability.helpers import earmark, integrity

pytestmark = pytest.mark.timeout(300)

ROOT = Path(__file__).resolve().parents[2]
LONG = ROOT / "tests" / "data" / "importers" / "9EN_HoEk3KY.vtt"  # episode 1: 923 segments
RUN_SECONDS = 10.0  # how long everyone writes at once
TALKS = 600  # small transcripts ready to import (more than the loops get through)


@dataclass
class Writes:
    """What the writers did: each write has a word of its own, to search for afterwards."""

    notes: dict[str, int] = field(default_factory=dict)  # word -> note id
    corrections: dict[str, int] = field(default_factory=dict)  # word -> segment index
    imports: list[str] = field(default_factory=list)  # words of the imported files
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, argv: list[str], code: int, stdout: str, stderr: str, words: dict) -> None:
        """One finished command: exit 0 and a silent stderr, or it reached the user."""
        with self.lock:
            if code != 0 or stderr:
                self.errors.append(f"earmark {' '.join(argv[:2])}: exit {code}: {stderr}")
            elif argv[0] == "note":
                self.notes[argv[3].split()[-1]] = json.loads(stdout)["id"]
            else:
                files = argv[1:-1]
                if json.loads(stdout)["summary"]["imported"] != len(files):
                    self.errors.append(f"earmark import: not all imported: {stdout}")
                self.imports += [words[name] for name in files]


def small_transcripts(folder: Path, count: int) -> dict[str, str]:
    """`count` short WebVTT files, each with a word of its own: {path: word}."""
    folder.mkdir()
    files = {}
    for n in range(count):
        word = f"importword{n:04d}x"
        path = folder / f"talk-{n:04d}.vtt"
        path.write_text(
            "WEBVTT\n\n00:00:00.000 --> 00:00:04.000\n<v Host>Welcome to talk number "
            f"{n}.\n\n00:00:04.500 --> 00:00:09.000\n<v Guest>Today the word is {word}.\n"
        )
        files[str(path)] = word
    return files


# --- the writers ------------------------------------------------------------------------------


def process_per_call(
    home: Path, calls: Iterator[list[str]], until: float, writes: Writes, words: dict
) -> threading.Thread:
    """A thread running each call as its own `earmark` process until `until`."""

    def loop() -> None:
        for argv in calls:
            if time.monotonic() >= until:
                return
            done = earmark(*argv, home=home)
            writes.take(argv, done.returncode, done.stdout, done.stderr, words)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return thread


def calls_in_one_process(home: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "EARMARK_HOME": str(home)}
    command = [sys.executable, "-m", "tests.reliability.crash_cli_loop", str(RUN_SECONDS)]
    return subprocess.Popen(
        [*command, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def collect(process: subprocess.Popen[str], writes: Writes, words: dict) -> None:
    out, err = process.communicate(timeout=120)
    if process.returncode != 0 or err:
        writes.errors.append(f"loop process: exit {process.returncode}: {err}")
        return
    for call in json.loads(out):
        writes.take(call["argv"], call["code"], call["stdout"], call["stderr"], words)


def window_loop(qtbot, session: Session, until: float, writes: Writes) -> None:
    """A note and a correction at a time, the window's event loop running between."""
    n = 0
    while time.monotonic() < until:
        word = f"windownote{n:04d}x"
        note = session.add_note(1, f"Noted in the window: {word}", at=float(n))
        if note is not None:
            writes.notes[word] = note.id
        word = f"fixedword{n:04d}x"
        idx = n  # a segment of its own each time, so no correction replaces another
        before = session.library.segment(1, idx).text
        if session.edit_segment(1, idx, f"{before} {word}") is not None:
            writes.corrections[word] = idx
        qtbot.wait(5)
        n += 1


# --- the test ---------------------------------------------------------------------------------


@pytest.fixture
def window(qtbot, tmp_path: Path) -> Iterator[MainWindow]:
    home = tmp_path / "home"
    home.mkdir()
    with Library.open(home / "library.sqlite3") as library:
        assert not import_paths(library, [LONG]).failed
    make_application()
    library = Library.open(home / "library.sqlite3")
    window = MainWindow(Session(library))
    qtbot.addWidget(window)
    window.show()
    yield window
    window.session.shutdown(timeout=30)
    library.close()


def hit_ids(library: Library, word: str) -> set[tuple[str, int]]:
    """What a search for `word` finds: ("note", note id) or ("segment", segment index)."""
    return {
        (hit.kind, hit.note_id if hit.note_id is not None else hit.segment_idx)
        for hit in search(library.conn, word)
    }


def found(library: Library, words: Iterable[str]) -> dict[str, set[tuple[str, int]]]:
    return {word: hit_ids(library, word) for word in words}


def test_the_window_and_commands_write_one_library_at_once(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:
    session = window.session
    home = session.library.path.parent
    banner: list[tuple[str, str]] = []  # what the window showed: errors, insights notices
    session.message.connect(lambda level, text: banner.append((level, text)))
    session.insights_notice.connect(lambda text: text and banner.append(("insights", text)))
    assert session.open_episode(1)  # also starts the window's insights job: a writer too
    words = small_transcripts(tmp_path / "talks", TALKS)
    files = list(words)
    ui, cli = Writes(), Writes()

    until = time.monotonic() + RUN_SECONDS
    loops = [
        calls_in_one_process(home, "notes", "1", "loopnote"),
        calls_in_one_process(home, "import", *files[: TALKS // 2]),
    ]
    threads = [
        process_per_call(home, note_calls("1", "clinote"), until, cli, words),
        process_per_call(home, import_calls(files[TALKS // 2 :]), until, cli, words),
    ]
    window_loop(qtbot, session, until, ui)
    for thread in threads:
        thread.join(timeout=120)
    for process in loops:
        collect(process, cli, words)
    qtbot.waitUntil(lambda: session.runner.find("insights", 1) is None, timeout=60_000)
    print(
        f"\nwindow: {len(ui.notes)} notes, {len(ui.corrections)} corrections; "
        f"earmark: {len(cli.notes)} notes, {len(cli.imports)} files imported"
    )

    assert ui.errors + cli.errors + banner == []
    assert not window.banner.isVisible()
    assert min(len(ui.notes), len(cli.notes), len(cli.imports)) > 0
    assert integrity(session.library.path) == "ok"
    with closing(Library.open(session.library.path)) as library:
        counts = library.row_counts()
        edited = library.conn.execute("SELECT count(*) FROM segments WHERE edited").fetchone()
        notes = found(library, [*ui.notes, *cli.notes])
        fixed = found(library, ui.corrections)
        imported = found(library, cli.imports)
        insights = library.insights(1)
    assert counts["notes"] == len(ui.notes) + len(cli.notes)
    assert counts["episodes"] == 1 + len(cli.imports)
    assert edited[0] == len(ui.corrections)
    assert notes == {w: {("note", i)} for w, i in {**ui.notes, **cli.notes}.items()}
    assert fixed == {w: {("segment", idx)} for w, idx in ui.corrections.items()}
    assert all(len(hits) == 1 for hits in imported.values())
    assert insights is not None
