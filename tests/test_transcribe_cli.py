"""`earmark transcribe` / `earmark open` as separate processes: streaming, kill -9, resume."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path

import pytest

from desktop.core.model import EpisodeStatus
from desktop.core.store import Library
from tests import media_fixtures as media
from tests.conftest import SAMPLE_VTT
from tests.reliability.helpers import integrity

pytestmark = pytest.mark.timeout(300)
EARMARK = [sys.executable, "-m", "desktop.cli.main"]


@pytest.fixture(scope="module")
def interview(pytestconfig: pytest.Config) -> Path:
    return media.interview(pytestconfig.cache.mkdir("earmark-media"))


def earmark(*args: str, home: Path, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "EARMARK_HOME": str(home)}
    return subprocess.run(
        [*EARMARK, *args], capture_output=True, text=True, timeout=timeout, env=env
    )


def stored(db: Path) -> tuple[str | None, int]:
    """(status, segment count) read the way a second program would, or (None, 0)."""
    if not db.exists():
        return None, 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            row = conn.execute(
                "SELECT e.status, count(s.id) FROM episodes e "
                "LEFT JOIN segments s ON s.episode_id = e.id GROUP BY e.id"
            ).fetchone()
    except sqlite3.OperationalError:  # the schema is still being created
        return None, 0
    return (row[0], row[1]) if row else (None, 0)


def test_kill_9_mid_transcription_then_resume_matches_an_uninterrupted_run(
    interview: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    db = home / "library.sqlite3"
    env = {**os.environ, "EARMARK_HOME": str(home)}
    process = subprocess.Popen(
        [*EARMARK, "transcribe", str(interview), "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while stored(db)[1] < 1:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        assert time.monotonic() < deadline
        time.sleep(0.05)
    # A second program sees the segments while the first is still writing them.
    shown = json.loads(earmark("show", "1", "--json", home=home).stdout)
    assert shown["episode"]["status"] == "transcribing"
    assert shown["segments"]
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert integrity(db) == "ok"
    with Library.open(db) as library:  # the next start recovers the WAL
        at_kill = library.segments(1)
        assert library.episode(1).status is EpisodeStatus.TRANSCRIBING
    assert at_kill

    result = earmark("transcribe", str(interview), "--json", home=home)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["status"] == "done"
    assert report["resumed_from"] == at_kill[-1].end
    assert integrity(db) == "ok"

    with Library.open(db) as library:
        resumed = library.segments(report["id"])
    # What was stored stays; what follows starts where it stopped: no gap, no overlap, no
    # segment twice, and the whole is what an uninterrupted run makes.
    assert resumed[: len(at_kill)] == at_kill
    for before, after in pairwise(resumed):
        assert before.end <= after.start
    assert resumed == media.uninterrupted(interview).segments


def test_open_imports_transcripts_and_transcribes_media(tmp_path: Path) -> None:
    home = tmp_path / "home"
    imported = earmark("open", str(SAMPLE_VTT), "--json", home=home)
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout)["source"] == "imported"

    first = earmark("open", str(media.JFK), "--json", home=home)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert (report["status"], report["language"], report["model"]) == ("done", "en", "tiny.en")
    again = json.loads(earmark("open", str(media.JFK), "--json", home=home).stdout)
    assert again["already_done"] and again["id"] == report["id"]
    hits = json.loads(earmark("search", "fellow americans", "--json", home=home).stdout)
    assert hits[0]["episode_id"] == report["id"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["transcribe", "/no/such/file.mp3"], "/no/such/file.mp3"),
        (["transcribe", str(media.JFK), "--model", "/no/such/model"], "model folder not found"),
        (["transcribe", str(SAMPLE_VTT)], "this is a transcript"),
        (["transcribe", str(media.JFK), "--beam-size", "0"], "--beam-size"),
    ],
)
def test_transcribe_errors_are_one_clear_line(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = earmark(*args, home=tmp_path / "home")
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
