"""Cancel ends only what the user cancelled: the transcription running now stops (kept and
resumable), the files waiting after it go on; Cancel All stops them too. Real files, the
real engine, the real window."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from desktop.core.model import EpisodeStatus
from desktop.services.transcription import Progress
from tests import media_fixtures as media

pytestmark = pytest.mark.timeout(180)


def two_files(tmp_path: Path) -> list[Path]:
    files = []
    for name in ("jfk.flac", "joinly_OSR_us_000_0034_8k.wav"):
        files.append(tmp_path / name)
        shutil.copy(media.AUDIO_DATA / name, files[-1])
    return files


def cancel_on_first_report(window, action: str) -> list[int]:
    cancelled: list[int] = []

    def on_progress(progress: Progress) -> None:
        if not cancelled:
            cancelled.append(progress.episode_id)
            window.actions_by_name[action].trigger()

    window.session.transcription_progress.connect(on_progress)
    return cancelled


def test_cancel_stops_the_running_file_and_the_next_goes_on(
    make_window, qtbot, tmp_path: Path
) -> None:
    window = make_window()
    said: list[str] = []
    window.session.message.connect(lambda _level, text: said.append(text))
    cancelled = cancel_on_first_report(window, "cancel_job")
    window.open_paths(two_files(tmp_path))
    qtbot.waitUntil(lambda: len(window.session.episodes()) == 2, timeout=120_000)
    qtbot.waitUntil(lambda: window.session.transcription_job() is None, timeout=120_000)
    episodes = {e.id: e for e in window.session.episodes()}
    first = episodes.pop(cancelled[0])
    (second,) = episodes.values()
    assert first.status is not EpisodeStatus.DONE  # stopped, resumable
    assert second.status is EpisodeStatus.DONE and second.segment_count > 0
    assert any(t.startswith("Cancelled; 1 more waiting to be transcribed") for t in said)


def test_cancel_all_stops_the_waiting_files_too(make_window, qtbot, tmp_path: Path) -> None:
    window = make_window()
    cancel_on_first_report(window, "cancel_all")
    window.open_paths(two_files(tmp_path))
    qtbot.waitUntil(lambda: window.session.transcription_job() is None, timeout=120_000)
    qtbot.wait(300)
    assert len(window.session.episodes()) == 1
    assert window.session.waiting_transcriptions() == 0
    assert not window.actions_by_name["cancel_all"].isEnabled()
