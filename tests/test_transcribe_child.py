"""The transcription engine in its own process (desktop/core/transcribe/child.py): the same
segments as in-process; a damaged model, a crash, a cancel or a dead parent end only the
child, with one clear line, and the episode resumes. Real faster-whisper, real speech."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from desktop.cli.main import main
from desktop.core.errors import ModelError
from desktop.core.model import EpisodeStatus
from desktop.core.paths import default_db_path
from desktop.core.store import Library
from desktop.core.transcribe import child as child_module
from desktop.core.transcribe import resolve_model
from desktop.core.transcribe.child import ChildTranscriber
from desktop.services.opening import close_transcribers
from desktop.services.transcription import CancelToken, Progress, transcribe_media
from tests import media_fixtures as media
from tests.reliability.helpers import EARMARK, earmark
from tests.transcribe_child_helpers import damaged_model, nasa_excerpt, when

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def excerpt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return nasa_excerpt(tmp_path_factory.mktemp("nasa"))


@pytest.fixture(scope="module")
def child() -> Iterator[ChildTranscriber]:
    """One transcription process for the module (tests that kill it get a fresh one)."""
    engine = ChildTranscriber(resolve_model())
    engine.start()
    yield engine
    engine.close()


@pytest.fixture(autouse=True)
def no_shared_processes() -> Iterator[None]:
    """`earmark` run in this process keeps its transcription process: end it after."""
    yield
    close_transcribers()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_child_transcribes_as_the_in_process_engine_does(
    child: ChildTranscriber, excerpt: Path, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    files: list[Path] = []
    make_file = child_module.write_audio

    def noted(audio: np.ndarray) -> Path:
        files.append(make_file(audio))
        return files[-1]

    monkeypatch.setattr(child_module, "write_audio", noted)
    facts = child.load()
    assert facts is not None
    assert (facts["engine"], facts["model"], facts["multilingual"]) == (
        "faster-whisper",
        "tiny.en",
        False,
    )
    for path in (media.JFK, excerpt):
        result = transcribe_media(library, path, lambda: child)
        assert result.episode.status is EpisodeStatus.DONE
        # Segment for segment: times, text and every word's timing and probability.
        assert library.segments(result.episode.id) == media.uninterrupted(path).segments
    assert len(files) == 2 and not any(f.exists() for f in files)  # the audio left no file
    assert child.pid is not None  # the same process, kept for the next file


@pytest.mark.parametrize(
    ("how", "says"),
    [
        ("truncated", r": cannot load the model: .*invalid payload size"),
        ("scrambled", r"crashed \(SIGSEGV\) while decoding [\d.]+-[\d.]+ s with "),
    ],
)
def test_a_damaged_model_fails_in_the_child_with_one_line_and_a_failed_episode(
    tmp_path: Path, how: str, says: str
) -> None:
    bad = damaged_model(tmp_path / f"{how}-model", how)
    home = tmp_path / "home"
    result = earmark("transcribe", str(media.JFK), "--model", str(bad), home=home)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr  # no traceback, no "Segmentation fault"
    assert lines[0].startswith("earmark: error: ")
    assert str(bad) in lines[0] and re.search(says, lines[0]), lines[0]
    listed = json.loads(earmark("list", "--json", home=home).stdout)
    assert [(e["status"], e["segments"]) for e in listed] == [("failed", 0)]


def test_a_crash_mid_decode_fails_the_episode_and_open_finishes_it(
    child: ChildTranscriber, excerpt: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    armed: list[int] = []

    def crash_in_the_second_clip(progress: Progress) -> None:
        pid = child.pid
        if progress.segments and not armed and pid is not None:
            armed.append(pid)
            when(lambda: child.decoding is not None, lambda: os.kill(pid, signal.SIGSEGV))

    with Library.open(default_db_path()) as library:
        with pytest.raises(ModelError) as info:
            transcribe_media(library, excerpt, lambda: child, on_progress=crash_in_the_second_clip)
        episode = library.episodes()[0]
        stored = library.segments(episode.id)
    model = re.escape(str(resolve_model().path))
    assert re.fullmatch(
        rf"the transcription process crashed \(SIGSEGV\) while decoding [\d.]+-[\d.]+ s with "
        rf"{model}: .+",
        str(info.value),
    ), info.value
    assert episode.status is EpisodeStatus.FAILED
    assert stored and stored[-1].end < 45.0  # the first clip is kept

    assert main(["open", str(excerpt), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["status"], report["resumed_from"]) == ("done", stored[-1].end)
    with Library.open(default_db_path()) as library:
        assert library.segments(episode.id) == media.uninterrupted(excerpt).segments


def test_cancel_mid_clip_ends_the_child_at_once_and_resume_completes(
    child: ChildTranscriber, excerpt: Path, library: Library
) -> None:
    token = CancelToken()
    cancelled_at: list[tuple[float, int]] = []

    def cancel() -> None:
        pid = child.pid
        assert pid is not None
        cancelled_at.append((time.monotonic(), pid))
        token.cancel()

    def cancel_in_the_second_clip(progress: Progress) -> None:
        if progress.segments and not cancelled_at:
            when(lambda: child.decoding is not None, cancel)

    result = transcribe_media(
        library, excerpt, lambda: child, on_progress=cancel_in_the_second_clip, cancel=token
    )
    took = time.monotonic() - cancelled_at[0][0]
    assert result.cancelled and result.episode.status is EpisodeStatus.TRANSCRIBING
    assert took < 1.0, took  # not the rest of the clip
    assert not alive(cancelled_at[0][1])
    partial = library.segments(result.episode.id)
    assert partial

    resumed = transcribe_media(library, excerpt, lambda: child)
    assert resumed.resumed_from == partial[-1].end
    assert resumed.episode.status is EpisodeStatus.DONE
    assert library.segments(resumed.episode.id) == media.uninterrupted(excerpt).segments


def children_of(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as file:
        return [int(p) for p in file.read().split()]


def command_line(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as file:
            return file.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_child_ends_with_its_parent(excerpt: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    process = subprocess.Popen(
        [*EARMARK, "transcribe", str(excerpt)],
        env={**os.environ, "EARMARK_HOME": str(home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        engines: list[int] = []
        while not engines and time.monotonic() < deadline:
            assert process.poll() is None
            engines = [p for p in children_of(process.pid) if "spawn_main" in command_line(p)]
            time.sleep(0.05)
        assert len(engines) == 1
        process.kill()
        process.wait(timeout=10)
        gone_by = time.monotonic() + 3.0
        while alive(engines[0]) and time.monotonic() < gone_by:
            time.sleep(0.05)
        # Not our child: it is reaped by init; a zombie has no command line left.
        assert not alive(engines[0]) or not command_line(engines[0])
    finally:
        if process.poll() is None:
            process.kill()
