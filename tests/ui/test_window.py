"""The real window, driven as a user would: open, play, click, scroll, drop, restart."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QMenu, QWidget

from desktop.core.model import EpisodeSource, EpisodeStatus, Segment, Word
from desktop.core.store import Library
from desktop.ui.opening import sample_path
from tests import media_fixtures as media
from tests.ui.conftest import DATA

CORPUS_VTT = DATA / "importers" / "9EN_HoEk3KY.vtt"


def wait_for_insights(qtbot, window, timeout: int = 60_000) -> dict[str, list[str]]:
    qtbot.waitUntil(
        lambda: bool(window.insights.section_texts().get("key_insights")), timeout=timeout
    )
    return window.insights.section_texts()


def drop(window, paths: list[Path]) -> None:
    """What Qt's drag-and-drop machinery calls on a drop (QApplication does not route a
    synthetic QDropEvent without a drag in progress, so the handlers are called as it would)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    point = QPointF(window.rect().center())
    args = (
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    enter = QDragEnterEvent(point.toPoint(), *args)
    enter.setAccepted(False)
    window.dragEnterEvent(enter)
    assert enter.isAccepted(), "the window takes files dropped on it"
    window.dropEvent(QDropEvent(point, *args))


def test_empty_library_shows_how_to_start(make_window) -> None:
    window = make_window()
    assert window.library_panel.is_empty_state_shown()
    assert window.transcript.model().rowCount() == 0
    assert not window.player.has_media()


def test_open_transcript_shows_rows_and_insights(qtbot, make_window) -> None:
    window = make_window()
    window.open_paths([CORPUS_VTT])
    qtbot.waitUntil(lambda: window.transcript.model().rowCount() > 900, timeout=20_000)
    texts = wait_for_insights(qtbot, window)
    assert texts["tldr"] and texts["summary"]
    assert not window.library_panel.is_empty_state_shown()
    assert window.library_panel.model.rowCount() == 1
    assert "9EN" in window.windowTitle()
    # An imported transcript has no media: the bar says so and nothing plays.
    assert not window.player.has_media()
    assert not window.player_bar.play_button.isEnabled()


def test_insight_click_moves_player_and_highlight(qtbot, make_window, sample_copy) -> None:
    window = make_window(sample_copy)
    assert window.session.open_episode(1)
    qtbot.waitUntil(lambda: window.player.duration() > 200, timeout=20_000)
    buttons = window.insights.item_buttons()
    assert len(buttons) >= 3
    start, button = buttons[-1]  # a late item: far from where the player stands
    assert start > 30
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.player.position() == pytest.approx(start, abs=0.05)
    model = window.transcript.model()
    row = model.current_row()
    assert row == model.row_at_time(start)
    assert model.segment(row).start <= start + 0.01
    viewport = window.transcript.list_view.viewport().rect()
    rect = window.transcript.list_view.visualRect(model.index(row))
    assert viewport.intersects(rect)  # scrolled there


def test_playback_positions_move_segment_and_word(qtbot, make_window, sample_copy) -> None:
    window = make_window(sample_copy)
    window.session.open_episode(1)
    qtbot.waitUntil(lambda: window.player.duration() > 200, timeout=20_000)
    model = window.transcript.model()
    checked = 0
    for row in range(0, model.rowCount(), max(1, model.rowCount() // 12)):
        words = model.words(row)  # read from the library when first needed
        assert words, "the sample's segments carry word timings"
        assert words == window.session.library.segments(1)[row].words
        # A word the recogniser gave no length (start == end, the next one starting at the
        # same moment) is never the one playing: take the middle word that has a length.
        spoken = [
            n
            for n, w in enumerate(words)
            if w.end > w.start and (n + 1 == len(words) or words[n + 1].start > w.start)
        ]
        n = spoken[len(spoken) // 2]
        moment = (words[n].start + words[n].end) / 2
        window.player.seek(moment)
        assert model.current_row() == row
        assert model.current_word() == n
        checked += 1
    assert checked >= 10


def test_real_playback_advances_the_highlight(qtbot, make_window, sample_copy) -> None:
    window = make_window(sample_copy)
    window.session.open_episode(1)
    qtbot.waitUntil(lambda: window.player.duration() > 200, timeout=20_000)
    model = window.transcript.model()
    # Each position the player sends, with the row the transcript marked for it (the
    # transcript's slot is connected first, so it has run when this one runs).
    seen: list[tuple[float, int]] = []
    window.player.position_changed.connect(lambda s: seen.append((s, model.current_row())))
    window.player.seek(model.segment(3).start)
    window.player.play()
    qtbot.waitUntil(lambda: model.current_row() >= 4, timeout=30_000)
    with qtbot.waitSignal(window.player.playing_changed, timeout=10_000):
        window.player.pause()
    assert seen[-1][1] == model.current_row() >= 4  # pausing did not move the reader back
    for position, row in seen:
        assert row == model.row_at_time(position)
        assert model.segment(row).start <= position
    positions = [position for position, _row in seen]
    assert positions == sorted(positions)
    assert window.player.position() == positions[-1]


def test_scrolling_away_stops_following_until_follow(qtbot, make_window, sample_copy) -> None:
    window = make_window(sample_copy)
    window.session.open_episode(1)
    qtbot.waitUntil(lambda: window.player.duration() > 200, timeout=20_000)
    view = window.transcript
    model = view.model()
    window.player.seek(model.segment(2).start)
    assert view.is_following()
    bar = view.list_view.verticalScrollBar()
    bar.triggerAction(bar.SliderAction.SliderToMaximum)  # as a user dragging to the end
    qtbot.waitUntil(lambda: not view.is_following(), timeout=2000)
    assert view.follow_button.isVisible()
    window.player.seek(model.segment(3).start)
    assert bar.value() == bar.maximum()  # not pulled back while the user reads elsewhere
    window.actions_by_name["follow"].trigger()
    assert view.is_following()
    rect = view.list_view.visualRect(model.index(3))
    assert view.list_view.viewport().rect().intersects(rect)


def test_transcription_adds_rows_live_then_insights(qtbot, make_window) -> None:
    """The real sample, transcribed by the real model in the background."""
    window = make_window()
    inserts: list[int] = []
    window.transcript.model().rowsInserted.connect(lambda _p, first, last: inserts.append(last))
    # What the empty transcript pane says the moment the new episode is shown, before rows.
    shown: list[tuple[int, int, str]] = []
    window.session.episode_loaded.connect(
        lambda loaded: shown.append(
            (
                loaded.episode.id,
                window.transcript.model().rowCount(),
                window.transcript.list_view.empty_text,
            )
        )
    )
    window.open_paths([sample_path()])
    # Reading the audio and loading the model: no episode yet, and the pane says so.
    assert window.transcript.list_view.empty_text == (
        f"Opening “{sample_path().name}”: reading the audio and loading the model…"
    )
    qtbot.waitUntil(lambda: window.job_status.isVisible(), timeout=30_000)
    qtbot.waitUntil(lambda: window.transcript.model().rowCount() > 0, timeout=60_000)
    assert window.session.transcription_job() is not None  # rows came while it ran
    episode_id = window.session.current.id
    assert shown[0] == (
        episode_id,
        0,
        "Transcribing… the first lines appear in a few seconds.",
    )
    assert window.library_panel.model.current_id == episode_id  # that very episode is selected
    assert "Transcribing" in window.job_status.label.text()
    assert window.library_panel.model.rowCount() == 1
    texts = wait_for_insights(qtbot, window, timeout=120_000)
    assert len(inserts) >= 3  # several live batches, not one reset at the end
    assert window.session.current.status is EpisodeStatus.DONE
    assert not window.job_status.isVisible()
    assert texts["key_insights"]


def test_html_in_text_is_shown_literally(qtbot, make_window, tmp_path: Path) -> None:
    hostile = '<b>bold</b> <img src=x> <a href="https://example.com">link</a> &amp;'
    with Library.open(tmp_path / "library.sqlite3") as library:
        episode = library.create_episode(
            title="<i>Title</i>", source=EpisodeSource.IMPORTED, status=EpisodeStatus.DONE
        )
        words = [Word(0.0, 0.5, "<b>bold</b>")]
        library.append_segments(
            episode.id, [Segment(0.0, 2.0, hostile, speaker="<u>Host</u>", words=words)]
        )
    window = make_window()
    window.session.open_episode(episode.id)
    index = window.transcript.model().index(0)
    assert index.data(Qt.ItemDataRole.DisplayRole) == hostile
    assert window.windowTitle() == "\u2068<i>Title</i>\u2069 — Earmark"


def test_bad_drop_shows_error_and_changes_nothing(qtbot, make_window, tmp_path: Path) -> None:
    bad = tmp_path / "broken episode.mp3"
    bad.write_bytes(b"\x00not audio at all" * 100)
    window = make_window()
    window.open_paths([CORPUS_VTT])
    qtbot.waitUntil(lambda: window.library_panel.model.rowCount() == 1, timeout=20_000)
    before = window.session.library.row_counts()
    drop(window, [bad])
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=30_000)
    assert "broken episode.mp3" in window.banner.text()
    assert window.banner.level == "error"
    assert window.session.library.row_counts() == before
    assert window.library_panel.model.rowCount() == 1


def test_restart_restores_episode_and_position(qtbot, make_window, sample_copy) -> None:
    first = make_window(sample_copy)
    first.session.open_episode(1)
    qtbot.waitUntil(lambda: first.player.duration() > 200, timeout=20_000)
    first.player.seek(42.0)
    first.main_split.setSizes([200, 700, 300])
    sizes = first.main_split.sizes()
    geometry = first.geometry()
    first.close()
    second = make_window(sample_copy)
    assert second.geometry().size() == geometry.size()
    assert second.restore_last_episode()
    assert second.session.current.id == 1
    qtbot.waitUntil(lambda: abs(second.player.position() - 42.0) < 0.5, timeout=20_000)
    assert second.main_split.sizes() == sizes


def test_unfinished_episode_offers_resume(qtbot, make_window, tmp_path: Path) -> None:
    with Library.open(tmp_path / "library.sqlite3") as library:
        episode = library.create_episode(
            title="Half done",
            source=EpisodeSource.TRANSCRIBED,
            status=EpisodeStatus.TRANSCRIBING,
            media_path=str(sample_path()),
        )
        library.append_segments(episode.id, [Segment(0.0, 3.0, "So far.")])
    window = make_window()
    window.session.open_episode(episode.id)
    assert window.banner.isVisible()
    assert window.banner.action_button.text() == "Resume"
    assert "unfinished" in window.banner.text()


def test_launcher_routes_commands_and_files() -> None:
    from desktop.launch import wants_cli

    assert wants_cli(["list"]) and wants_cli(["--help"]) and wants_cli(["import", "x.srt"])
    assert not wants_cli([]) and not wants_cli(["episode.mp3"])


def test_session_reports_a_missing_file(qtbot, make_window, tmp_path: Path) -> None:
    window = make_window()
    with qtbot.waitSignal(window.session.message, timeout=20_000) as blocker:
        window.open_paths([tmp_path / "nowhere.srt"])
    level, text = blocker.args
    assert level == "error" and "nowhere.srt" in text


def test_llm_failure_is_explained_and_extracted_insights_stay(
    qtbot, make_window, monkeypatch
) -> None:
    """A configured server is offered; when it fails the panel says why and still shows
    insights (extracted), never an empty panel."""
    from tests.llm_server import ScriptedServer, error

    server = ScriptedServer(default=error(500, "model crashed"))
    try:
        monkeypatch.setenv("EARMARK_LLM_URL", server.url)
        monkeypatch.setenv("EARMARK_LLM_MODEL", "tiny-test-model")
        window = make_window()
        window.open_paths([CORPUS_VTT])
        wait_for_insights(qtbot, window)
        assert window.insights.engine_label.text() == "Extracted from the transcript"
        menu = window.insights.regenerate_button.menu()
        assert menu is not None, "a configured server is offered beside extraction"
        ask = menu.actions()[-1]
        assert "tiny-test-model" in ask.text()
        with qtbot.waitSignal(window.session.insights_changed, timeout=60_000):
            ask.trigger()
        assert server.requests, "the configured server was asked"
        notice = window.insights.notice.label.text()
        assert "500" in notice or "model crashed" in notice
        assert window.insights.notice.isVisible()
        assert window.insights.section_texts()["key_insights"]
    finally:
        server.stop()


def test_no_server_is_offered_unless_configured(make_window) -> None:
    window = make_window()
    assert [o.engine for o in window.session.engine_options()] == ["extractive"]
    assert window.insights.regenerate_button.menu() is None


def in_combo_popup(widget: QWidget) -> bool:
    from PySide6.QtWidgets import QComboBox

    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QComboBox):
            return True
        parent = parent.parentWidget()
    return False


def test_every_control_has_an_accessible_name(make_window, sample_copy) -> None:
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractSlider,
        QComboBox,
        QListView,
        QScrollBar,
    )

    window = make_window(sample_copy)
    window.session.open_episode(1)
    kinds = (QAbstractButton, QAbstractSlider, QComboBox, QListView)
    controls = [
        w
        for w in window.findChildren(QWidget)
        if isinstance(w, kinds)
        and not isinstance(w, QScrollBar)  # part of their view
        and not w.objectName().startswith("qt_")  # Qt's own (the menu bar's overflow)
        and not in_combo_popup(w)
    ]
    assert len(controls) > 15
    unnamed = [
        f"{type(w).__name__} {w.objectName()!r} {getattr(w, 'text', lambda: '')()!r}"
        for w in controls
        if not w.accessibleName() and not (isinstance(w, QAbstractButton) and w.text())
    ]
    assert unnamed == []


def test_menus_show_the_shortcuts(make_window) -> None:
    window = make_window()
    keys = {
        name: action.shortcut().toString()
        for name, action in window.actions_by_name.items()
        if not action.shortcut().isEmpty()
    }
    assert keys["play"] == "Space"
    assert keys["back5"] == "Left" and keys["forward5"] == "Right"
    assert keys["back15"] == "Shift+Left" and keys["forward15"] == "Shift+Right"
    assert keys["open"] == "Ctrl+O" and keys["quit"] == "Ctrl+Q" and keys["follow"] == "F"
    menu_actions = {a for menu in window.menuBar().findChildren(QMenu) for a in menu.actions()}
    assert set(window.actions_by_name.values()) <= menu_actions


def test_keyboard_skips_move_the_player(qtbot, make_window, sample_copy) -> None:
    window = make_window(sample_copy)
    window.session.open_episode(1)
    qtbot.waitUntil(lambda: window.player.duration() > 200, timeout=20_000)
    window.player.seek(60.0)
    window.transcript.list_view.setFocus()
    qtbot.keyClick(window.transcript.list_view, Qt.Key.Key_Right)
    assert window.player.position() == pytest.approx(65.0, abs=0.1)
    qtbot.keyClick(window.transcript.list_view, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    assert window.player.position() == pytest.approx(50.0, abs=0.1)


def test_video_episode_shows_the_video_area(qtbot, make_window, tmp_path: Path) -> None:
    video = media.tone_video(tmp_path / "clip.mp4")
    with Library.open(tmp_path / "library.sqlite3") as library:
        episode = library.create_episode(
            title="Clip", source=EpisodeSource.TRANSCRIBED, status=EpisodeStatus.DONE,
            media_path=str(video),
        )  # fmt: skip
        library.append_segments(episode.id, [Segment(0.0, 2.0, "A tone.")])
    window = make_window()
    window.session.open_episode(episode.id)
    qtbot.waitUntil(lambda: window.video.isVisible(), timeout=20_000)
    audio_only = window.session.library.create_episode(
        title="Talk", source=EpisodeSource.TRANSCRIBED, status=EpisodeStatus.DONE,
        media_path=str(DATA / "audio" / "jfk.flac"),
    )  # fmt: skip
    window.session.open_episode(audio_only.id)
    qtbot.waitUntil(lambda: not window.video.isVisible(), timeout=20_000)


def test_text_only_episode_restores_its_reading_position(qtbot, make_window) -> None:
    first = make_window()
    first.open_paths([CORPUS_VTT])
    qtbot.waitUntil(lambda: first.transcript.model().rowCount() > 900, timeout=20_000)
    first.seek(600.0)
    row = first.transcript.model().current_row()
    first.close()
    second = make_window()
    assert second.restore_last_episode()
    qtbot.waitUntil(lambda: second.transcript.model().current_row() == row, timeout=5_000)


def test_cancel_keeps_rows_and_offers_resume(qtbot, make_window) -> None:
    window = make_window()
    window.open_paths([sample_path()])
    qtbot.waitUntil(lambda: window.transcript.model().rowCount() > 0, timeout=60_000)
    qtbot.mouseClick(window.job_status.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.session.transcription_job() is None, timeout=30_000)
    kept = window.transcript.model().rowCount()
    episode = window.session.library.episode(window.session.current.id)
    assert episode.status is EpisodeStatus.TRANSCRIBING  # unfinished, not lost
    assert window.session.library.segment_count(episode.id) == kept
    assert not window.job_status.isVisible()
    assert window.banner.action_button.text() == "Resume"
    assert window.actions_by_name["resume"].isEnabled()


def test_moved_media_is_named_and_can_be_relinked(qtbot, make_window, tmp_path: Path) -> None:
    import shutil

    moved = tmp_path / "moved.flac"
    with Library.open(tmp_path / "library.sqlite3") as library:
        episode = library.create_episode(
            title="Speech", source=EpisodeSource.TRANSCRIBED, status=EpisodeStatus.DONE,
            media_path=str(tmp_path / "gone.flac"),
        )  # fmt: skip
        library.append_segments(episode.id, [Segment(0.0, 11.0, "And so my fellow Americans")])
    window = make_window()
    window.session.open_episode(episode.id)
    assert "gone.flac" in window.banner.text()
    assert window.banner.action_button.text() == "Locate…"
    assert not window.player.has_media()
    shutil.copy(DATA / "audio" / "jfk.flac", moved)
    window.session.relink_media(episode.id, moved)
    qtbot.waitUntil(lambda: window.player.duration() > 10, timeout=20_000)
    assert window.session.library.episode(episode.id).media_path == str(moved.resolve())


def test_no_display_is_a_clear_message_not_an_abort(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    done = subprocess.run(
        [sys.executable, "-m", "desktop", str(CORPUS_VTT)],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert "no display" in done.stderr and "earmark --help" in done.stderr
