"""Chapters in the real window: the Chapters tab lists an episode's outline with times and
lengths and follows playback; clicking one plays from it; the seek bar has a tick at each
start and names the playing chapter; Previous/Next Chapter jump. On the 97-minute Ethereum
interview (../shared/corpus, CC BY-SA) and on the NASA sample with its media."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt

from desktop.core.model import Chapter
from desktop.core.settings import Settings, save_settings
from desktop.core.store import Library
from desktop.services.importing import import_transcript
from tests.conftest import CORPUS

pytestmark = pytest.mark.timeout(120)
ETHEREUM = CORPUS / "transcripts" / "interviews" / "early-days-of-ethereum-ep010-viktor-tron.md"


@pytest.mark.skipif(not ETHEREUM.is_file(), reason="../shared/corpus is not here")
def test_the_outline_of_a_long_interview(make_window, qtbot, tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    with Library.open(path) as library:
        episode = import_transcript(library, ETHEREUM).episode
    window = make_window(path)
    window.actions_by_name["show_chapters"].trigger()
    assert window.left_tabs.currentWidget() is window.chapters
    assert window.chapters.empty.text() == "Open an episode to see its chapters."
    assert window.session.open_episode(episode.id)
    rows = [window.chapters.list.item(n).text() for n in range(window.chapters.list.count())]
    assert len(rows) == 15
    assert rows[0] == "0:06  Introduction · 0:55"
    assert rows[6] == "16:55  Yellow Paper and multi-client development · 4:31"
    seventh = window.chapters.list.item(6)
    rect = window.chapters.list.visualItemRect(seventh)
    qtbot.mouseClick(window.chapters.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.reading_position == 16 * 60 + 55
    assert window.chapters.current == 6 and window.chapters.list.item(6).font().bold()
    # Nothing plays (a transcript without media): the view is there.
    shown = window.transcript.list_view.indexAt(QPoint(5, 5)).row()
    assert window.transcript.model().segment(max(shown, 0)).start <= 16 * 60 + 55 + 60


def test_seek_bar_ticks_the_playing_chapter_and_jumps(
    make_window, qtbot, sample_copy: Path
) -> None:
    with Library.open(sample_copy) as library:
        library.set_chapters(
            1, [Chapter(0, "Growing up"), Chapter(95, "Old Dominion"), Chapter(200, "NASA")]
        )
    window = make_window(sample_copy)
    assert window.session.open_episode(1)
    qtbot.waitUntil(lambda: window.player.duration() > 0, timeout=30_000)
    slider = window.player_bar.slider
    assert [title for _, title in slider._marks] == ["Growing up", "Old Dominion", "NASA"]
    assert slider.mark_near(slider.mark_x(95_000)) == "Old Dominion"
    assert slider.mark_near(slider.mark_x(95_000) + 40) is None
    window.seek(120)
    qtbot.waitUntil(lambda: window.player_bar.chapter_label.text() == "Old Dominion")
    assert window.chapters.current == 1

    window.actions_by_name["next_chapter"].trigger()
    assert window.reading_position == 200
    qtbot.waitUntil(lambda: window.player_bar.chapter_label.text() == "NASA")
    window.seek(201)
    window.actions_by_name["previous_chapter"].trigger()  # within 3 s: the one before
    assert window.reading_position == 95
    window.seek(150)
    window.actions_by_name["previous_chapter"].trigger()  # later: this one's start
    assert window.reading_position == 95


def test_make_chapters_for_an_episode_without_them(make_window, qtbot, sample_copy: Path) -> None:
    """The NASA sample as Earmark transcribed it has no chapters: the tab offers to make
    them; they appear in the tab and on the seek bar, marked as made."""
    # The insight engine chosen is a server with no model named: keyphrase titles, and
    # the status bar says why (the job runs in a child, which reads the same settings).
    save_settings(Settings(insight_engine="openai"))
    window = make_window(sample_copy)
    assert window.session.open_episode(1)
    pane = window.chapters
    assert pane.pages.currentWidget() is pane.empty_page
    assert pane.empty.text() == "This episode has no chapters."
    window.show_left(pane)
    assert pane.make_button.isVisible()
    pane.make_button.click()
    qtbot.waitUntil(lambda: pane.list.count() > 0, timeout=60_000)
    assert 2 <= pane.list.count() <= 4
    assert "Made by Earmark" in pane.list.item(0).toolTip()
    assert len(window.player_bar.slider._marks) == pane.list.count()
    with Library.open(sample_copy) as library:
        assert all(c.made for c in library.chapters(1))
    said = window.statusBar().currentMessage()
    assert said.startswith("chapters titled by keyphrases: the openai engine needs a model")
    # The Summary follows the new chapters: one line per chapter, at its start.
    titles = [pane.entries[n].title for n in range(pane.list.count())]

    def summary_heads() -> list[str]:
        with Library.open(sample_copy) as library:
            insights = library.insights(1)
        lines = insights.summary.splitlines() if insights is not None else []
        return [line.split("] ", 1)[-1].split(" — ")[0] for line in lines]

    qtbot.waitUntil(lambda: summary_heads() == titles, timeout=60_000)


def _titles(window) -> list[str]:  # type: ignore[no-untyped-def]
    pane = window.chapters
    return [pane.entries[n].title for n in range(pane.list.count())]


def _answer(window, qtbot, title: str) -> None:  # type: ignore[no-untyped-def]
    editor = window.chapter_control.editor
    qtbot.waitUntil(lambda: editor.dialog is not None and editor.dialog.isVisible())
    editor.dialog.setTextValue(title)
    editor.dialog.accept()


def test_rename_add_move_delete_undo_and_a_restart(make_window, qtbot, sample_copy: Path) -> None:
    """Every edit of a chapter is one undo step, shows in the tab, the transcript's
    headings and the seek bar at once, and is in the library when the window opens again."""
    with Library.open(sample_copy) as library:
        library.set_chapters(
            1, [Chapter(0, "Growing up", made=True), Chapter(95, "Old Dominion", made=True)]
        )
    window = make_window(sample_copy)
    assert window.session.open_episode(1)
    pane, model = window.chapters, window.transcript.model()
    window.show_left(pane)

    # Rename the selected chapter (F2 in the tab).
    pane.list.setCurrentRow(1)
    window.activateWindow()
    pane.list.setFocus()
    qtbot.waitUntil(pane.list.hasFocus)
    window.actions_by_name["edit_segment"].trigger()
    _answer(window, qtbot, "  Studying   engineering ")
    assert _titles(window) == ["Growing up", "Studying engineering"]
    assert pane.list.currentRow() == 1
    headed = [model.index(r).data(model.HeadingRole) for r in range(model.rowCount())]
    assert ["Studying engineering"] in headed and ["Old Dominion"] not in headed

    # Add one at the reading position (C), then move it, then delete the first (Del).
    window.seek(200.0)
    window.actions_by_name["add_chapter"].trigger()
    _answer(window, qtbot, "Working at NASA")
    assert [e.start for e in pane.entries] == [0, 95, 200]
    assert [t for _, t in window.player_bar.slider._marks][-1] == "Working at NASA"
    window.seek(210.0)
    window.chapter_control.editor.move_here(3)
    assert pane.entries[2].start == 210.0
    pane.list.setCurrentRow(0)
    pane.list.setFocus()
    qtbot.keyClick(pane.list, Qt.Key.Key_Delete)
    assert _titles(window) == ["Studying engineering", "Working at NASA"]

    # Each edit is one step back, and forward again.
    stack = window.undo_stack
    window.actions_by_name["undo"].trigger()
    assert _titles(window) == ["Growing up", "Studying engineering", "Working at NASA"]
    window.actions_by_name["undo"].trigger()
    assert pane.entries[2].start == 200.0
    window.actions_by_name["undo"].trigger()
    window.actions_by_name["undo"].trigger()
    assert _titles(window) == ["Growing up", "Old Dominion"]
    with Library.open(sample_copy) as library:  # the made marks are back too
        assert library.chapters(1) == [
            Chapter(0, "Growing up", made=True),
            Chapter(95, "Old Dominion", made=True),
        ]
    window.actions_by_name["redo"].trigger()
    window.actions_by_name["redo"].trigger()
    assert _titles(window) == ["Growing up", "Studying engineering", "Working at NASA"]
    assert stack.canRedo()

    # Another program's change since: the step is refused and nothing is overwritten.
    with Library.open(sample_copy) as library:
        library.set_chapters(1, [Chapter(0, "Changed elsewhere")])
    window.actions_by_name["undo"].trigger()
    assert window.banner.isVisible() and "changed elsewhere" in window.banner.text()
    with Library.open(sample_copy) as library:
        assert [c.title for c in library.chapters(1)] == ["Changed elsewhere"]

    # A restart: what the library holds is what the window shows.
    with Library.open(sample_copy) as library:
        library.set_chapters(1, [Chapter(0, "Growing up"), Chapter(120, "Kept")])
    again = make_window(sample_copy)
    assert again.session.open_episode(1)
    assert _titles(again) == ["Growing up", "Kept"]


def test_bad_titles_and_moments_are_refused_in_one_line(
    make_window, qtbot, sample_copy: Path
) -> None:
    with Library.open(sample_copy) as library:
        library.set_chapters(1, [Chapter(0, "Growing up"), Chapter(95, "Old Dominion")])
    window = make_window(sample_copy)
    assert window.session.open_episode(1)
    window.seek(95.4)  # a chapter starts there already
    window.actions_by_name["add_chapter"].trigger()
    _answer(window, qtbot, "Twice")
    assert "already starts at 1:35" in window.banner.text()
    assert _titles(window) == ["Growing up", "Old Dominion"]
    assert not window.undo_stack.canUndo()
