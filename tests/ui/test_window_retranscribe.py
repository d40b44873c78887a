"""Episode → Transcribe Again With, in the real window: the first 90 s of the NASA sample
by the real tiny.en, transcribed again by the real multilingual base (installed in the
data folder as a pull leaves it), with a correction and a note; the old text stays in the
view until the new one is complete; Undo and Redo swap; Cancel changes nothing. And a
refusal another model would lift offers a button that downloads that model (from a hub on
127.0.0.1)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from desktop.core.settings import load_settings, save_settings
from desktop.core.store import Library
from desktop.core.transcribe import load_transcriber
from desktop.services.editing import edit_segment
from desktop.services.transcription import Progress, transcribe_media
from desktop.services.whisper_models import models_dir
from desktop.ui.settings_dialog import SettingsDialog
from tests import media_fixtures as media
from tests.http_files import FileServer

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def head_library(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Episode 1: the sample's head by tiny.en, one correction and one note."""
    head = media.sample_head(pytestconfig.cache.mkdir("earmark-media"), 90)
    path = tmp_path_factory.mktemp("again") / "library.sqlite3"
    with Library.open(path) as library:
        engine = load_transcriber()
        episode = transcribe_media(library, head, lambda: engine).episode
        edit_segment(library, episode.id, 0, "Lisa, thanks for joining us (corrected).")
        library.add_note(episode.id, "Fort Dodge", time=22.0)
        library.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def with_base(base_model: Path) -> Path:
    """The base model where `earmark model pull base` puts it."""
    folder = models_dir() / "base"
    folder.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(base_model, folder)
    return folder


@pytest.fixture
def copy(head_library: Path, tmp_path: Path) -> Path:
    target = tmp_path / "lib" / "library.sqlite3"
    target.parent.mkdir()
    shutil.copy(head_library, target)
    return target


def shown_texts(window) -> list[str]:
    model = window.transcript.model()
    return [model.segment(row).text for row in range(model.rowCount())]


def menu_actions(window) -> dict[str, object]:
    window.again.fill_menu()
    return {a.text(): a for a in window.again.menu.actions() if a.text()}


def test_again_with_base_then_undo_and_redo(
    make_window, qtbot, copy: Path, with_base: Path
) -> None:
    window = make_window(copy)
    assert window.session.open_episode(1)
    old = shown_texts(window)
    actions = menu_actions(window)
    tiny = next(a for t, a in actions.items() if t.startswith("tiny.en"))
    base = next(a for t, a in actions.items() if t.startswith("base"))
    assert tiny.isChecked() and not tiny.isEnabled()  # the model that made it
    assert base.isEnabled() and "Get More Models…" in actions

    seen_while_running: list[list[str]] = []

    def look(_progress: Progress) -> None:
        seen_while_running.append(shown_texts(window))

    window.session.transcription_progress.connect(look)
    base.trigger()
    assert window.session.transcription_job(1) is not None
    assert not window.again.can_start()  # one run at a time
    qtbot.waitUntil(lambda: window.session.transcription_job(1) is None, timeout=120_000)
    window.session.transcription_progress.disconnect(look)

    # While it ran, the reader kept the old transcript, unchanged.
    assert seen_while_running and all(texts == old for texts in seen_while_running)
    new = shown_texts(window)
    with Library.open(copy) as library:
        assert new == [s.text for s in library.segments(1)]
        assert library.episode(1).model == "base"
        assert library.notes(1)[0].time == 22.0
    assert new != old
    banner = window.banner.text()
    assert banner.startswith("Transcribed again with base: ")
    assert "(was 20 with tiny.en)" in banner or "with tiny.en)" in banner
    assert "1 of 1 corrections kept" in banner or "0 of 1 corrections kept, 1 not (at" in banner
    assert "1 note kept at its time" in banner
    assert window.actions_by_name["undo"].text().endswith("Transcribe Again With base")

    window.notes.undo()
    assert shown_texts(window) == old
    with Library.open(copy) as library:
        assert library.episode(1).model == "tiny.en"
    window.notes.redo()
    assert shown_texts(window) == new


def test_cancel_leaves_the_transcript_as_it_was(
    make_window, qtbot, copy: Path, with_base: Path
) -> None:
    window = make_window(copy)
    assert window.session.open_episode(1)
    old = shown_texts(window)
    window.session.transcription_progress.connect(lambda _p: window.session.cancel_transcription())
    window.again.start_current("base")
    qtbot.waitUntil(lambda: window.session.transcription_job(1) is None, timeout=120_000)
    assert "cancelled; the transcript is as it was" in window.banner.text()
    assert shown_texts(window) == old
    with Library.open(copy) as library:
        assert library.episode(1).model == "tiny.en"
        assert library.replaced_transcript(1) is None
    assert not window.actions_by_name["undo"].isEnabled()


@pytest.fixture
def hub(whisper_hub: FileServer) -> FileServer:
    return whisper_hub


def test_an_english_only_refusal_offers_to_download_the_model(
    make_window, qtbot, tmp_path: Path, hub: FileServer
) -> None:
    save_settings(replace(load_settings(), language="de"))
    clip = tmp_path / "jfk.flac"
    shutil.copy(media.AUDIO_DATA / "jfk.flac", clip)
    window = make_window()
    window.open_paths([clip])
    qtbot.waitUntil(
        lambda: window.banner.action_button.text() == "Download “base”…", timeout=60_000
    )
    assert window.banner.text().startswith("the model tiny.en transcribes English only, not 'de'")
    assert window.banner.action_button.isVisible()

    seen: list[tuple[str, bool]] = []

    def inspect_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SettingsDialog):
            QTimer.singleShot(20, inspect_dialog)
            return
        row = dialog.transcription.models.row("base")
        qtbot.waitUntil(lambda: row.job is None, timeout=60_000)  # the download ran to the end
        seen.append(
            (dialog.tabs.tabText(dialog.tabs.currentIndex()), (models_dir() / "base").is_dir())
        )
        dialog.reject()

    QTimer.singleShot(0, inspect_dialog)
    window.banner.action_button.click()
    assert seen == [("&Transcription", True)]
    assert hub.requests("/cdn/base-model.bin")
