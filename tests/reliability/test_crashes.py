"""kill -9 in the middle of every kind of write, then a restart: the library opens, passes
SQLite's and FTS5's integrity checks, and holds the complete old state or the complete new
one, never a mix.

Two kinds of kill, both SIGKILL on the real `earmark` command over a real library file:

- at every step (crash_point.py): a forked command kills itself just before its k-th SQL
  statement, trigger or file operation, for every k (or a spread with every write step
  when there are thousands), so the kill lands inside each transaction and around each
  COMMIT and rename, which a kill from outside almost never hits;
- from outside, as a user's `kill -9` would: while a large import is writing (the WAL is
  growing), while insights are being made, while an export is being written.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from desktop.core.importers import load_transcript
from desktop.core.insights.engine import ungrounded_items
from desktop.core.insights.payload import Insights
from desktop.core.search import search
from desktop.core.store import Library
from desktop.core.timecode import clock
from desktop.services.importing import import_paths
from desktop.services.notes import add_note
from tests.reliability.crash_checks import (
    DB,
    ROOT,
    WorkedSinceOpen,
    copy_of,
    full_home,
    kill_when,
    outcomes,
    restart,
    start,
    sweep,
)
from tests.reliability.helpers import earmark

pytestmark = pytest.mark.timeout(300)

DATA = ROOT / "tests" / "data"
SAMPLE = DATA / "espeak" / "field-notes-back-to-paper.vtt"  # episode 1: 27 segments
LONG = DATA / "importers" / "9EN_HoEk3KY.vtt"  # episode 2: 923 segments, an hour
WITH_CHAPTERS = DATA / "importers" / "ethereum_ep010_excerpt.md"
BIG_CUES = 20_000
OLD_NOTE = "remember the marmalade question"


# --- libraries ---------------------------------------------------------------------------------


# Earlier insights of both episodes: what a killed run must leave (or the new ones).
OLD_INSIGHTS = Insights(
    tldr="Paper beats apps for thinking.", summary="An earlier summary.", engine="extractive",
    created="2024-01-01T00:00:00+00:00",
)  # fmt: skip


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library folder: two episodes, a note (id 1) and earlier insights for both."""
    home = tmp_path_factory.mktemp("base")
    with Library.open(home / DB) as library:
        assert not import_paths(library, [SAMPLE, LONG]).failed
        add_note(library, 1, OLD_NOTE, at=12.0)
        for episode_id in (1, 2):
            library.save_insights(episode_id, OLD_INSIGHTS)
    return home


@pytest.fixture(scope="module")
def big_srt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20,000 cues of a real transcript, end to end (about 2 MB of SubRip)."""
    segments = load_transcript(LONG).segments
    offset, lines = 0.0, []
    for n in range(BIG_CUES):
        segment = segments[n % len(segments)]
        if n and n % len(segments) == 0:
            offset += segments[-1].end + 2.0
        start, end = clock(segment.start + offset, ","), clock(segment.end + offset, ",")
        lines += [str(n + 1), f"{start} --> {end}", f"{segment.speaker}: {segment.text}", ""]
    path = tmp_path_factory.mktemp("big") / "long-listen.srt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def episode_state(library: Library) -> dict[int, tuple[int, int]]:
    """Each episode's (segments, chapters)."""
    return {e.id: (e.segment_count, len(library.chapters(e.id))) for e in library.episodes()}


def note_hits(library: Library, word: str) -> set[int]:
    return {h.note_id for h in search(library.conn, word) if h.note_id is not None}


def segment_hits(library: Library, word: str) -> set[tuple[int, int]]:
    return {(h.episode_id, h.segment_idx) for h in search(library.conn, word, notes=False)}


# --- killed at every step ---------------------------------------------------------------------


def test_a_note_added_at_any_step_is_all_there_or_not_at_all(base: Path, tmp_path: Path) -> None:
    text = "zebra crossing at the apiary"

    def state(library: Library) -> object:
        notes = tuple((n.id, n.text, n.time) for n in library.notes(1))
        return notes, frozenset(note_hits(library, "zebra"))

    report = sweep(base, tmp_path / "sweep", ["note", "add", "1", text, "--at", "40"])
    old = (((1, OLD_NOTE, 12.0),), frozenset())
    new = (((1, OLD_NOTE, 12.0), (2, text, 40.0)), frozenset({2}))
    with closing(restart(full_home(report))) as library:
        assert state(library) == new
    assert set(outcomes(report, state)) == {old, new}


def test_a_note_edit_at_any_step_leaves_the_old_text_or_the_new(base: Path, tmp_path: Path) -> None:
    text = "quokka question, asked at last"

    def state(library: Library) -> object:
        hits = frozenset(note_hits(library, "marmalade")), frozenset(note_hits(library, "quokka"))
        return library.note(1).text, *hits

    report = sweep(base, tmp_path / "sweep", ["note", "edit", "1", text])
    old = (OLD_NOTE, frozenset({1}), frozenset())
    new = (text, frozenset(), frozenset({1}))
    assert set(outcomes(report, state)) == {old, new}


def test_a_correction_at_any_step_leaves_the_old_segment_or_the_new(
    base: Path, tmp_path: Path
) -> None:
    text = "The wombat kept its notebook on paper."

    def state(library: Library) -> object:
        segment = library.segment(1, 3)
        return segment.text, segment.edited, bool(segment_hits(library, "wombat"))

    with closing(Library.open(base / DB)) as library:
        original = library.segment(1, 3).text
    report = sweep(base, tmp_path / "sweep", ["edit", "1", "--segment", "3", "--text", text])
    old, new = (original, False, False), (text, True, True)
    assert set(outcomes(report, state)) == {old, new}
    # After a kill in the middle of the write, the same command simply works.
    mid = next(k for k in report["kills"] if k["step"] == "COMMIT")
    home = Path(mid["folder"]) / "home"
    assert earmark("edit", "1", "--segment", "3", "--text", text, home=home).returncode == 0
    with closing(restart(home)) as library:
        assert state(library) == new


def test_an_import_killed_at_any_step_is_all_there_or_not_at_all(
    base: Path, tmp_path: Path
) -> None:
    report = sweep(base, tmp_path / "sweep", ["import", str(WITH_CHAPTERS)], most=24)
    with closing(restart(full_home(report))) as library:
        complete = episode_state(library)
    with closing(Library.open(base / DB)) as library:
        before = episode_state(library)
    assert complete == {**before, 3: (16, 3)}
    seen = outcomes(report, episode_state)
    assert all(state in (before, complete) for state in seen), seen
    assert before in seen and complete in seen
    assert len(report["kills"]) >= 24


# --- killed from outside ----------------------------------------------------------------------


def wal_size(home: Path) -> int:
    try:
        return (home / f"{DB}-wal").stat().st_size
    except FileNotFoundError:
        return 0


@pytest.mark.parametrize("wal_bytes", [1, 1024 * 1024])
def test_kill_9_while_a_large_import_writes(
    base: Path, big_srt: Path, tmp_path: Path, wal_bytes: int
) -> None:
    """Killed once the import's transaction has written `wal_bytes` to the WAL (pages spill
    there long before COMMIT): the episode is not there, or there with all its cues."""
    home = copy_of(base, tmp_path / "home")
    with closing(Library.open(home / DB)) as library:
        before = episode_state(library)
    assert wal_size(home) == 0  # so the size below is this import's writing
    process = start(home, "import", str(big_srt))
    killed = kill_when(process, lambda: wal_size(home) >= wal_bytes)
    complete = {**before, 3: (BIG_CUES, 0)}
    with closing(restart(home)) as library:
        assert episode_state(library) in (before, complete), killed


# --- insights ---------------------------------------------------------------------------------


def insights_state(episode_id: int) -> Callable[[Library], tuple[int, str]]:
    """(stored payloads, the shown payload without its date); it must parse, whole, and
    every item must point at a segment of the episode."""

    def state(library: Library) -> tuple[int, str]:
        rows = library.conn.execute(
            "SELECT count(*) FROM insights WHERE episode_id = ?", (episode_id,)
        ).fetchone()[0]
        shown = library.insights(episode_id)
        assert shown is not None
        assert not ungrounded_items(shown, library.segments(episode_id, words=False))
        payload = shown.to_dict()
        payload.pop("created")
        return int(rows), json.dumps(payload, sort_keys=True)

    return state


def test_insights_killed_at_any_step_keep_the_old_payload_or_store_the_new(
    base: Path, tmp_path: Path
) -> None:
    state = insights_state(1)
    with closing(restart(base)) as library:
        old = state(library)
    report = sweep(
        base, tmp_path / "sweep", ["insights", "1", "--json"], most=10,
        preload=("desktop.services.insights",), warm=True,
    )  # fmt: skip
    with closing(restart(full_home(report))) as library:
        new = state(library)
    assert old[0] == 1 and new[0] == 2
    assert set(outcomes(report, state)) == {old, new}


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads CPU time from /proc")
def test_kill_9_while_insights_are_made_for_a_long_episode(base: Path, tmp_path: Path) -> None:
    """Killed half a CPU second into making an hour-long episode's insights (about 3 s of
    work here, after start-up): the earlier insights stay, whole (or, on a machine that
    finished already, the new ones are there whole)."""
    state = insights_state(2)
    home = copy_of(base, tmp_path / "home")
    with closing(restart(home)) as library:
        old = state(library)
    process = start(home, "insights", "2", "--json")
    killed = kill_when(process, WorkedSinceOpen(process, home, 0.5))
    with closing(restart(home)) as library:
        count, payload = state(library)
    assert killed
    assert (count, payload) == old or (count == 2 and payload != old[1])


# --- export -----------------------------------------------------------------------------------

OLD_EXPORT = "# My notes from last week\n\nKeep this until the new export is complete.\n"
TEMP = re.compile(r"\.out\.md\.[0-9a-f]{8}\.tmp")


def with_old_export(template: Path, home: Path) -> Path:
    copy_of(template, home)
    (home / "out.md").write_text(OLD_EXPORT)
    return home


def export_state(home: Path, new: str) -> tuple[str, int]:
    """Which whole file out.md is ("old" or "new"), and how many temp files lie beside it."""
    text = (home / "out.md").read_text()
    assert text in (OLD_EXPORT, new), f"out.md is neither the old nor the new file: {text[:80]!r}"
    extra = sorted(p.name for p in home.iterdir() if not p.name.startswith(DB))
    temps = [name for name in extra if TEMP.fullmatch(name)]
    assert extra == sorted(["out.md", *temps]), extra
    return ("old" if text == OLD_EXPORT else "new"), len(temps)


def test_an_export_killed_at_any_step_leaves_the_old_file_or_the_new(
    base: Path, tmp_path: Path
) -> None:
    template = with_old_export(base, tmp_path / "template")
    argv = ["export", "2", "-o", "{home}/out.md", "--force"]
    report = sweep(template, tmp_path / "sweep", argv, io_calls=True)
    new = (full_home(report) / "out.md").read_text()
    assert export_state(full_home(report), new) == ("new", 0)
    seen = {}
    for kill in report["kills"]:
        home = Path(kill["folder"]) / "home"
        restart(home).close()
        seen[export_state(home, new)] = home
    # before the temp file, between it and the rename, after the rename
    assert set(seen) == {("old", 0), ("old", 1), ("new", 0)}

    # A temp file a killed export left is removed by the next export once it is old
    # (a young one may be another export's, still being written).
    home = seen[("old", 1)]
    stale = next(p for p in home.iterdir() if TEMP.fullmatch(p.name))
    young = home / ".out.md.0123abcd.tmp"
    shutil.copy(stale, young)
    hour_ago = time.time() - 3600
    os.utime(stale, (hour_ago, hour_ago))
    again = earmark("export", "2", "-o", str(home / "out.md"), "--force", home=home)
    assert again.returncode == 0, again.stderr
    assert not stale.exists() and young.exists()
    assert (home / "out.md").read_text() == new


@pytest.fixture(scope="module")
def big_home(base: Path, big_srt: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The base library with the 20,000-segment episode (id 3) and an earlier out.md."""
    home = with_old_export(base, tmp_path_factory.mktemp("big-home") / "home")
    with Library.open(home / DB) as library:
        assert not import_paths(library, [big_srt]).failed
    return home


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads CPU time from /proc")
def test_kill_9_while_a_big_export_replaces_a_file(big_home: Path, tmp_path: Path) -> None:
    """Killed as soon as the temp file appears, and part-way through making the text (a
    20,000-segment episode, about a CPU second): out.md is the old file or the whole new
    one."""
    done = copy_of(big_home, tmp_path / "done")
    first = earmark("export", "3", "-o", str(done / "out.md"), "--force", home=done)
    assert first.returncode == 0, first.stderr
    new = (done / "out.md").read_text()
    assert len(new) > 1_000_000

    def temp_appeared(home: Path) -> Callable[[], bool]:
        return lambda: any(TEMP.fullmatch(name) for name in os.listdir(home))

    killed = []
    for when in ("temp", "rendering"):
        home = copy_of(big_home, tmp_path / when)
        process = start(home, "export", "3", "-o", str(home / "out.md"), "--force")
        ready = temp_appeared(home) if when == "temp" else WorkedSinceOpen(process, home, 0.3)
        killed.append(kill_when(process, ready))
        restart(home).close()
        export_state(home, new)  # asserts: the old file or the new one, nothing else
    assert killed[1]
