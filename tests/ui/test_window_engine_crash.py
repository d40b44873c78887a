"""The window survives a transcription engine that crashes in native code: the model runs
in its own process, so pressing Transcribe with a damaged model shows one line, marks the
episode failed (resumable), and the window goes on working."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.core.model import EpisodeStatus
from desktop.core.settings import Settings, save_settings
from desktop.services.opening import close_transcribers
from tests import media_fixtures as media
from tests.conftest import SAMPLE_VTT
from tests.transcribe_child_helpers import damaged_model

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(autouse=True)
def no_shared_processes() -> Iterator[None]:
    yield
    close_transcribers()


def test_a_crashing_model_shows_one_line_and_the_window_goes_on(
    qtbot, make_window, tmp_path: Path
) -> None:
    bad = damaged_model(tmp_path / "scrambled-model", "scrambled")
    save_settings(Settings(model_dir=str(bad)))
    window = make_window()
    window.open_paths([media.JFK])
    qtbot.waitUntil(
        lambda: window.banner.level == "error" and window.banner.isVisible(), timeout=60_000
    )
    qtbot.waitUntil(lambda: window.session.transcription_job() is None, timeout=10_000)
    text = window.banner.text()
    assert text.startswith("the transcription process crashed (SIGSEGV) while decoding ")
    assert str(bad) in text and "\n" not in text
    assert window.banner.action_button.text() == "Resume"  # the error stays, with the way on
    episode = window.session.library.episodes()[0]
    assert episode.status is EpisodeStatus.FAILED

    # Still alive and answering: another file opens and shows its rows.
    window.open_paths([SAMPLE_VTT])
    qtbot.waitUntil(lambda: window.transcript.model().rowCount() > 10, timeout=20_000)
    assert window.session.current.title != episode.title
    assert window.library_panel.model.rowCount() == 2
