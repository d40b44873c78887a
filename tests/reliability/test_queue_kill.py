"""`kill -9` of `earmark transcribe DIR` in the middle of its queue, then the same command
again: every file ends complete, the file cut mid-way resumes after its last stored
segment (nothing lost, nothing stored twice), and a file finished before the kill is not
transcribed again. The real command in a child process, real faster-whisper (tiny.en) on
real recordings, the real SQLite library."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
from itertools import pairwise
from pathlib import Path

import pytest

from desktop.core.store import Library
from desktop.services.opening import engine_choice
from desktop.services.queue import media_files
from desktop.services.transcription import transcribe_media
from tests import media_fixtures as media
from tests.reliability.helpers import EARMARK
from tests.wer import word_error_rate

pytestmark = pytest.mark.timeout(300)


def rows(db: Path) -> dict[str, list[tuple[float, float, str]]]:
    """Each episode's stored segments, read as another program would (read-only)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        found: dict[str, list[tuple[float, float, str]]] = {}
        for title, start, end, text in conn.execute(
            "SELECT e.media_path, s.start, s.end, s.text FROM segments s "
            "JOIN episodes e ON e.id = s.episode_id ORDER BY e.id, s.idx"
        ):
            found.setdefault(Path(title).name, []).append((start, end, text))
        return found
    finally:
        conn.close()


def statuses(db: Path) -> dict[str, str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return {Path(p).name: s for p, s in conn.execute("SELECT media_path, status FROM episodes")}
    finally:
        conn.close()


def test_kill_9_mid_queue_then_again(pytestconfig: pytest.Config, tmp_path: Path) -> None:
    cache = pytestconfig.cache.mkdir("earmark-media")
    folder = tmp_path / "backlog"
    folder.mkdir()
    (folder / "a-jfk.flac").write_bytes((media.AUDIO_DATA / "jfk.flac").read_bytes())
    (folder / "b-nasa-45.mp3").write_bytes(media.sample_head(cache, 45).read_bytes())
    home = tmp_path / "home"
    db = home / "library.sqlite3"
    env = {**os.environ, "EARMARK_HOME": str(home)}
    command = [*EARMARK, "transcribe", str(folder), "--local"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def mid_second_file() -> bool:  # the first done, the second begun and not finished
        try:
            state = statuses(db)
            return state.get("a-jfk.flac") == "done" and bool(rows(db).get("b-nasa-45.mp3"))
        except sqlite3.Error:
            return False

    while process.poll() is None and not mid_second_file():
        pass
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, "the queue ended before the kill"
    before = rows(db)
    assert statuses(db)["b-nasa-45.mp3"] != "done" and before["b-nasa-45.mp3"]

    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=240)
    assert again.returncode == 0, again.stderr
    after = rows(db)
    assert set(statuses(db).values()) == {"done"}
    assert after["a-jfk.flac"] == before["a-jfk.flac"]  # finished before: untouched
    resumed = after["b-nasa-45.mp3"]
    assert resumed[: len(before["b-nasa-45.mp3"])] == before["b-nasa-45.mp3"]  # kept
    assert all(b[0] >= a[1] - 0.5 for a, b in pairwise(resumed))  # nothing stored twice
    # Nothing lost: the resumed file reads as the same file transcribed without a stop.
    with Library.open(tmp_path / "clean.sqlite3") as clean:
        choice = engine_choice(local=True)
        (path,) = [p for p in media_files([folder]) if p.name == "b-nasa-45.mp3"]
        episode = transcribe_media(clean, path, choice.loader(), choice.options).episode
        reference = " ".join(s.text for s in clean.segments(episode.id))
    wer = word_error_rate(reference, " ".join(r[2] for r in resumed))
    kept = len(before["b-nasa-45.mp3"])
    print(f"measured: WER {wer:.3f}, {kept} of {len(resumed)} segments kept from the cut run")
    assert wer <= 0.15
