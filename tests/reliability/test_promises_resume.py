"""README promises on interrupted and failed transcriptions, through the real CLI.

"Ctrl+C, a crash or `kill -9` lose at most the clip being decoded. Running the same
command again (or `earmark open`) continues after the last stored segment", and an
episode whose transcription failed (status `failed`) is finished the same way. Real
child processes, real faster-whisper on a real recording, a real SQLite library.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.core.transcribe import resolve_model
from tests import media_fixtures as media
from tests.reliability.helpers import EARMARK, earmark
from tests.wer import word_error_rate

pytestmark = pytest.mark.timeout(300)

# tiny.en measured 14.6% on the whole synthetic interview; a clip lost or stored twice on
# resume costs a third of these words (the excerpt is about three clips).
MAX_WER = 0.25

Row = tuple[int, float, float, str]  # idx, start, end, text


@dataclass(frozen=True)
class Excerpt:
    path: Path
    reference: str  # the script of the turns it holds


@dataclass(frozen=True)
class Interrupted:
    home: Path
    returncode: int
    stdout: str
    stderr: str
    rows: list[Row]  # what was stored when the process had exited


@pytest.fixture(scope="module")
def excerpt(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Excerpt:
    """The first ~80 s of the interview (about three clips), cut in a pause between turns,
    so a resumed run can be checked against the script."""
    cache = pytestconfig.cache.mkdir("earmark-media")
    wav = media.interview(cache)
    turns = [t for t in media.interview_turns(cache) if float(t["end"]) <= 80.0]
    cut = float(turns[-1]["end"]) + 0.25
    out = tmp_path_factory.mktemp("excerpt") / "interview-excerpt.mp3"
    ffmpeg = ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(wav)]
    subprocess.run(
        [*ffmpeg, "-t", f"{cut:.2f}", "-c:a", "libmp3lame", "-b:a", "64k", str(out)],
        check=True,
        timeout=120,
    )
    return Excerpt(out, " ".join(str(t["text"]) for t in turns))


def rows(db: Path) -> list[Row]:
    """The stored segments, read the way a second program would ([] before the schema)."""
    if not db.exists():
        return []
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            found = conn.execute('SELECT idx, start, "end", text FROM segments ORDER BY idx')
            return [tuple(row) for row in found.fetchall()]
    except sqlite3.OperationalError:  # the schema is still being created
        return []


def status(db: Path) -> str:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        return str(conn.execute("SELECT status FROM episodes").fetchone()[0])


@pytest.fixture(scope="module")
def interrupted(excerpt: Excerpt, tmp_path_factory: pytest.TempPathFactory) -> Interrupted:
    """`earmark transcribe` sent SIGINT (what Ctrl+C sends) once its first clip is stored."""
    home = tmp_path_factory.mktemp("interrupted")
    db = home / "library.sqlite3"
    process = subprocess.Popen(
        [*EARMARK, "transcribe", str(excerpt.path), "--json"],
        env={**os.environ, "EARMARK_HOME": str(home)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 180  # a bound on the wait, not an assertion on speed
    while not rows(db) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    return Interrupted(home, process.returncode, stdout, stderr, rows(db))


def check_complete(final: list[Row], before: list[Row], excerpt: Excerpt) -> None:
    """Resumed after `before`: those rows unchanged, the rest follows without overlap,
    and nothing lost or doubled (the words match the script)."""
    assert final[: len(before)] == before
    assert [r[0] for r in final] == list(range(len(final)))
    for earlier, later in pairwise(final):
        assert earlier[2] <= later[1], (earlier, later)
    assert word_error_rate(excerpt.reference, " ".join(r[3] for r in final)) <= MAX_WER


def test_ctrl_c_stops_with_130_and_the_same_command_resumes(
    interrupted: Interrupted, excerpt: Excerpt, tmp_path: Path
) -> None:
    assert interrupted.returncode == 130, interrupted.stderr
    assert interrupted.stdout == ""
    lines = interrupted.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("earmark: interrupted"), lines
    assert "Traceback" not in interrupted.stderr
    assert interrupted.rows, "SIGINT came before the first clip was stored"
    assert status(interrupted.home / "library.sqlite3") == "transcribing"

    home = tmp_path / "home"
    shutil.copytree(interrupted.home, home)  # the failed-status test starts from it too
    again = earmark("transcribe", str(excerpt.path), "--json", home=home)
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert report["status"] == "done"
    assert report["resumed_from"] == interrupted.rows[-1][2]
    check_complete(rows(home / "library.sqlite3"), interrupted.rows, excerpt)


def unusable_model(folder: Path) -> Path:
    """A copy of the embedded model that loads but cannot decode: its preprocessor asks
    for 128 mel bands (as large-v3 does) where the model was trained on 80."""
    shutil.copytree(resolve_model().path, folder)
    (folder / "preprocessor_config.json").write_text('{"feature_size": 128}\n')
    return folder


def test_a_failed_transcription_is_marked_failed_and_open_finishes_it(
    interrupted: Interrupted,
    excerpt: Excerpt,
    earmark_home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    shutil.copytree(interrupted.home, earmark_home)
    db = earmark_home / "library.sqlite3"
    bad = unusable_model(tmp_path.resolve() / "bad-mels")

    code = main(["transcribe", str(excerpt.path), "--model", str(bad)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith(f"earmark: error: {bad}: the model failed while transcribing"), err
    assert len(err.strip().splitlines()) == 1
    assert status(db) == "failed"
    assert rows(db) == interrupted.rows  # what was stored before the failure is kept

    assert main(["open", str(excerpt.path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["status"], report["resumed_from"]) == ("done", interrupted.rows[-1][2])
    assert status(db) == "done"
    check_complete(rows(db), interrupted.rows, excerpt)
