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

from desktop.core.store import Library
from desktop.core.transcribe import load_transcriber
from desktop.services.transcription import transcribe_media
from tests import media_fixtures as media
from tests.conftest import SAMPLE_VTT

pytestmark = pytest.mark.timeout(300)
EARMARK = [sys.executable, "-m", "desktop.cli.main"]


@pytest.fixture(scope="module")
def interview_mp3(pytestconfig: pytest.Config) -> Path:
    cache = pytestconfig.cache.mkdir("earmark-media")
    return media.convert(media.interview(cache), "mp3", cache)


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
    interview_mp3: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    db = home / "library.sqlite3"
    env = {**os.environ, "EARMARK_HOME": str(home)}
    process = subprocess.Popen(
        [*EARMARK, "transcribe", str(interview_mp3), "--json"],
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
    status, count_at_kill = stored(db)
    assert status == "transcribing"
    assert count_at_kill >= 1

    result = earmark("transcribe", str(interview_mp3), "--json", home=home)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["status"] == "done"
    assert report["resumed_from"] > 0

    with Library.open(db) as library:
        resumed = library.segments(report["id"])
    with Library.open(tmp_path / "whole.sqlite3") as other:
        whole = transcribe_media(other, interview_mp3, load_transcriber)
        uninterrupted = other.segments(whole.episode.id)
    assert [s.text for s in resumed] == [s.text for s in uninterrupted]
    for before, after in pairwise(resumed):
        assert before.end <= after.start


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
